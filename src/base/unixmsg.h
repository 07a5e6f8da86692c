/*
 * Messages over unix sockets that carry file descriptors and, on a socket
 * with SO_PASSCRED, the kernel's word for who sent them (server.c).
 */
#ifndef ASYNCTASK_UNIXMSG_H
#define ASYNCTASK_UNIXMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define ASYNCTASK_UNIXMSG_FDS_MAX 4

typedef struct {
	pid_t pid;
	uid_t uid;
	gid_t gid;
} asynctask_peer_t;

/* Sends one message with nfds descriptors (0..ASYNCTASK_UNIXMSG_FDS_MAX).
 * flags: send(2) flags (MSG_NOSIGNAL is always added). Returns 0 or an
 * errno value. */
int asynctask_unixmsg_send(int sock, const void *buf, size_t len, const int *fds, int nfds, int flags);

/* Receives one message into buf (at most len bytes). The descriptors it
 * carried (close-on-exec) go to fds, at most `max`; any beyond are closed.
 * With peer non-NULL, the sender's credentials the kernel attached go there
 * (peer->pid is 0 when there were none). Returns the message's length (0:
 * the peer closed, for a stream or seqpacket socket), or -1 with errno set;
 * a message longer than len is cut (MSG_TRUNC: errno EMSGSIZE, fds closed). */
ssize_t asynctask_unixmsg_recv(int sock, void *buf, size_t len, int *fds, int max, int *nfds,
	asynctask_peer_t *peer, int flags);

/* Closes n descriptors. */
void asynctask_close_fds(int *fds, int n);

#endif
