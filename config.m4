dnl config.m4 for extension asynctask

PHP_ARG_ENABLE([asynctask],
  [whether to enable asynctask support],
  [AS_HELP_STRING([--enable-asynctask], [Enable asynctask (task workers over shared memory)])],
  [no])

PHP_ARG_ENABLE([asynctask-fault-injection],
  [whether to build asynctask's fault-injection hooks (test builds only)],
  [AS_HELP_STRING([--enable-asynctask-fault-injection],
    [asynctask: compile the ASYNCTASK_FAULT kill points and AsyncTask\Testing functions (never in a release build)])],
  [no],
  [no])

dnl "auto" (the default): the Redis backend is built when pkg-config finds
dnl hiredis; --with-asynctask-redis requires it; --without leaves it out.
PHP_ARG_WITH([asynctask-redis],
  [whether to build asynctask's Redis Streams backend],
  [AS_HELP_STRING([--without-asynctask-redis],
    [asynctask: leave out the Redis Streams backend (built by default when pkg-config finds hiredis >= 0.14)])],
  [auto],
  [no])

if test "$PHP_ASYNCTASK" != "no"; then
  if test "$PHP_ASYNCTASK_FAULT_INJECTION" != "no"; then
    AC_DEFINE(ASYNCTASK_FAULT_INJECTION, 1, [ asynctask test build: fault-injection hooks ])
  fi
  case $host_alias in
    *linux*|"") ;;
    *) AC_MSG_WARN([asynctask is developed and tested on Linux only]) ;;
  esac

  PKG_CHECK_MODULES([LIBEVENT], [libevent >= 2.1], [],
    [AC_MSG_ERROR([asynctask needs libevent 2.1 or newer and pkg-config to find it; on Debian/Ubuntu: apt-get install libevent-dev pkg-config])])
  PHP_EVAL_INCLINE($LIBEVENT_CFLAGS)
  PHP_EVAL_LIBLINE($LIBEVENT_LIBS, ASYNCTASK_SHARED_LIBADD)

  AC_SEARCH_LIBS([pthread_mutexattr_setrobust], [pthread], [],
    [AC_MSG_ERROR([asynctask needs robust process-shared pthread mutexes (pthread_mutexattr_setrobust)])])
  AC_CHECK_HEADERS([linux/futex.h sys/prctl.h malloc.h])
  dnl glibc: a worker hands freed memory back after a large task
  AC_CHECK_FUNCS([malloc_trim])

  dnl The backend's settings, URL parser, signing and wire codec build always
  dnl (a backend URL on a build without hiredis is refused with a message);
  dnl only the connection needs hiredis. Debian 12 ships hiredis 0.14.1.
  ASYNCTASK_REDIS_SOURCES="src/codec/redis/hmac.c src/codec/redis/wire.c src/transport/redis/url.c src/api/redis/secret.c src/api/redis/settings.c src/testing/redis.c"
  asynctask_redis=no
  if test "$PHP_ASYNCTASK_REDIS" != "no"; then
    PKG_CHECK_MODULES([HIREDIS], [hiredis >= 0.14], [asynctask_redis=yes], [asynctask_redis=no])
    if test "$asynctask_redis" = "yes"; then
      PHP_EVAL_INCLINE($HIREDIS_CFLAGS)
      PHP_EVAL_LIBLINE($HIREDIS_LIBS, ASYNCTASK_SHARED_LIBADD)
      AC_DEFINE(HAVE_ASYNCTASK_REDIS, 1, [ asynctask: the Redis Streams backend (hiredis) ])
      ASYNCTASK_REDIS_SOURCES="$ASYNCTASK_REDIS_SOURCES src/transport/redis/conn.c src/transport/redis/dispatcher.c src/transport/redis/replies.c src/transport/redis/dispatch.c src/transport/redis/dispatch_figures.c src/transport/redis/events.c src/transport/redis/loop.c src/transport/redis/node_run.c src/transport/redis/node_conn.c src/transport/redis/node_sentinel.c src/transport/redis/node_writer.c src/transport/redis/node_steps.c src/transport/redis/node_jobs.c src/transport/redis/node_outcome.c src/transport/redis/node_claim.c src/transport/redis/node_take.c src/transport/redis/node_entry.c src/transport/redis/node_figures.c src/transport/redis/node_delayed.c src/transport/redis/node_reply.c src/transport/redis/node_script.c src/pool/bridge.c"
    elif test "$PHP_ASYNCTASK_REDIS" = "yes"; then
      AC_MSG_ERROR([--with-asynctask-redis needs hiredis >= 0.14 found by pkg-config; on Debian/Ubuntu: apt-get install libhiredis-dev])
    fi
  fi
  dnl HMAC-SHA256 of the signed entries: OpenSSL's libcrypto when pkg-config
  dnl finds it (SHA extensions of the CPU: a 1 MB entry in well under a
  dnl millisecond), else PHP's own SHA-256 (ext/hash), several times slower
  PKG_CHECK_MODULES([LIBCRYPTO], [libcrypto >= 1.1], [asynctask_libcrypto=yes], [asynctask_libcrypto=no])
  if test "$asynctask_libcrypto" = "yes"; then
    PHP_EVAL_INCLINE($LIBCRYPTO_CFLAGS)
    PHP_EVAL_LIBLINE($LIBCRYPTO_LIBS, ASYNCTASK_SHARED_LIBADD)
    AC_DEFINE(HAVE_ASYNCTASK_LIBCRYPTO, 1, [ asynctask: HMAC-SHA256 by OpenSSL's libcrypto ])
  fi
  AC_MSG_CHECKING([how asynctask computes HMAC-SHA256])
  if test "$asynctask_libcrypto" = "yes"; then
    asynctask_libcrypto_version=`$PKG_CONFIG --modversion libcrypto`
    AC_MSG_RESULT([OpenSSL libcrypto $asynctask_libcrypto_version])
  else
    AC_MSG_RESULT([PHP's SHA-256 (libcrypto not found by pkg-config: apt-get install libssl-dev for a faster one)])
  fi

  AC_MSG_CHECKING([whether the asynctask Redis backend is built])
  if test "$asynctask_redis" = "yes"; then
    asynctask_hiredis_version=`$PKG_CONFIG --modversion hiredis`
    AC_MSG_RESULT([yes, with hiredis $asynctask_hiredis_version])
  elif test "$PHP_ASYNCTASK_REDIS" = "no"; then
    AC_MSG_RESULT([no (--without-asynctask-redis)])
  else
    AC_MSG_RESULT([no: hiredis >= 0.14 not found by pkg-config (apt-get install libhiredis-dev)])
  fi

  PHP_SUBST(ASYNCTASK_SHARED_LIBADD)
  AC_DEFINE(HAVE_ASYNCTASK, 1, [ Have asynctask support ])

  PHP_NEW_EXTENSION(asynctask,
    asynctask.c \
    src/base/clock.c \
    src/base/exceptions.c \
    src/base/fault.c \
    src/base/globals.c \
    src/base/ini.c \
    src/base/log.c \
    src/base/memory_limit.c \
    src/base/process.c \
    src/base/queues.c \
    src/base/unixmsg.c \
    src/codec/callable.c \
    src/codec/compact.c \
    src/codec/payload.c \
    src/codec/remote_error.c \
    src/codec/retry.c \
    src/codec/chain.c \
    src/codec/serializer.c \
    src/codec/closure/compile.c \
    src/codec/closure/decode.c \
    src/codec/closure/encode.c \
    src/codec/closure/locate.c \
    src/codec/closure/state.c \
    src/transport/shm/idle.c \
    src/transport/shm/lock.c \
    src/transport/shm/mailbox.c \
    src/transport/shm/memory.c \
    src/transport/shm/queue.c \
    src/transport/shm/queue_cancel.c \
    src/transport/shm/queue_held.c \
    src/transport/shm/queue_ring.c \
    src/transport/shm/region.c \
    src/transport/shm/result.c \
    src/transport/shm/result_store.c \
    src/transport/shm/result_spilled.c \
    src/transport/shm/result_post.c \
    src/transport/shm/result_mailbox.c \
    src/transport/shm/result_events.c \
    src/transport/shm/rundir.c \
    src/transport/shm/shm.c \
    src/transport/shm/delayed.c \
    src/transport/shm/spill.c \
    src/pool/manager_loop.c \
    src/pool/manager_workers.c \
    src/pool/manager_claims.c \
    src/pool/manager_stop.c \
    src/pool/manager_sweep.c \
    src/pool/pool.c \
    src/pool/server.c \
    src/pool/server_manager.c \
    src/pool/supervisor.c \
    src/pool/worker_loop.c \
    src/pool/worker_boot.c \
    src/pool/worker_task.c \
    src/pool/worker_outcome.c \
    src/pool/worker_server.c \
    src/pool/recycle.c \
    src/pool/delay.c \
    src/pool/retry.c \
    src/pool/chain.c \
    src/pool/queues.c \
    src/api/context.c \
    src/api/events.c \
    src/pool/status/api.c \
    src/pool/status/conns.c \
    src/pool/status/listen.c \
    src/pool/status/metrics.c \
    src/pool/status/minfo.c \
    src/pool/status/page.c \
    src/pool/status/record.c \
    src/pool/status/server.c \
    src/api/future.c \
    src/api/serve.c \
    src/api/task.c \
    src/api/jobs.c \
    src/api/chain.c \
    src/testing/testing.c \
    $ASYNCTASK_REDIS_SOURCES,
    $ext_shared,, -DZEND_ENABLE_STATIC_TSRMLS_CACHE=1 -std=gnu11)
  PHP_ADD_BUILD_DIR($ext_builddir/src/api)
  PHP_ADD_BUILD_DIR($ext_builddir/src/api/redis)
  PHP_ADD_BUILD_DIR($ext_builddir/src/base)
  PHP_ADD_BUILD_DIR($ext_builddir/src/codec)
  PHP_ADD_BUILD_DIR($ext_builddir/src/codec/closure)
  PHP_ADD_BUILD_DIR($ext_builddir/src/codec/redis)
  PHP_ADD_BUILD_DIR($ext_builddir/src/pool)
  PHP_ADD_BUILD_DIR($ext_builddir/src/pool/status)
  PHP_ADD_BUILD_DIR($ext_builddir/src/testing)
  PHP_ADD_BUILD_DIR($ext_builddir/src/transport/redis)
  PHP_ADD_BUILD_DIR($ext_builddir/src/transport/shm)
  PHP_ADD_INCLUDE($ext_srcdir)
fi
