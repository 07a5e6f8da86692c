/*
 * AsyncTask\events(): this process's event stream, a read-only stream
 * resource that polls readable whenever one of its Futures may have
 * settled, for event loops (Revolt, ReactPHP) that must never block in
 * Future::wait(). Readiness only: the loop then asks its Futures
 * (isDone(), wait(0)), which collect what came and re-arm the stream.
 * The stream itself is the transport's (shm/result_events.h, redis/events.h).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "php.h"

#include "php_asynctask.h"
#include "src/api/redis/settings.h"
#include "src/base/exceptions.h"
#include "src/pool/pool.h"
#include "src/transport/transport.h"

ZEND_FUNCTION(AsyncTask_events)
{
	ZEND_PARSE_PARAMETERS_NONE();

	const asynctask_transport_t *transport = ASYNCTASK_G(transport);
	if (asynctask_backend_remote()) {
		transport = asynctask_backend_transport();
		if (!transport) {
			RETURN_THROWS();
		}
	} else if (!asynctask_pool_get()) {
		RETURN_THROWS();  /* attached as dispatch() would: a pool started if need be */
	}
	if (!transport->events) {
		asynctask_throw(asynctask_ce_exception, "not supported yet: AsyncTask\\events() with the %s transport",
			transport->name);
		RETURN_THROWS();
	}
	int fd = transport->events();
	if (fd < 0) {
		asynctask_throw(asynctask_ce_exception, "cannot make this process's event stream: %s", strerror(errno));
		RETURN_THROWS();
	}
	php_stream *stream = php_stream_fopen_from_fd(fd, "r", NULL);
	if (!stream) {
		close(fd);
		asynctask_throw(asynctask_ce_exception, "cannot make this process's event stream");
		RETURN_THROWS();
	}
	php_stream_to_zval(stream, return_value);
}
