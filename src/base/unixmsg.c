/*
 * Messages with descriptors and credentials over unix sockets.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "src/base/unixmsg.h"

void asynctask_close_fds(int *fds, int n)
{
	for (int i = 0; i < n; i++) {
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
	}
}

int asynctask_unixmsg_send(int sock, const void *buf, size_t len, const int *fds, int nfds, int flags)
{
	union {
		struct cmsghdr header;
		char space[CMSG_SPACE(sizeof(int) * ASYNCTASK_UNIXMSG_FDS_MAX)];
	} control;
	struct iovec iov = { .iov_base = (void *) buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds < 0 || nfds > ASYNCTASK_UNIXMSG_FDS_MAX) {
		return EINVAL;
	}
	if (nfds > 0) {
		memset(&control, 0, sizeof(control));
		msg.msg_control = control.space;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t) nfds);
		struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int) * (size_t) nfds);
		memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * (size_t) nfds);
	}
	for (;;) {
		ssize_t n = sendmsg(sock, &msg, flags | MSG_NOSIGNAL);
		if (n == (ssize_t) len) {
			return 0;
		}
		if (n >= 0) {
			return EMSGSIZE;  /* a datagram or seqpacket goes whole or not at all */
		}
		if (errno != EINTR) {
			return errno;
		}
	}
}

ssize_t asynctask_unixmsg_recv(int sock, void *buf, size_t len, int *fds, int max, int *nfds,
	asynctask_peer_t *peer, int flags)
{
	union {
		struct cmsghdr header;
		char space[CMSG_SPACE(sizeof(int) * ASYNCTASK_UNIXMSG_FDS_MAX) + CMSG_SPACE(sizeof(struct ucred))];
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.space,
		.msg_controllen = sizeof(control.space) };
	ssize_t n;

	*nfds = 0;
	if (peer) {
		memset(peer, 0, sizeof(*peer));
	}
	do {
		n = recvmsg(sock, &msg, flags | MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		return -1;
	}
	for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		if (cmsg->cmsg_level != SOL_SOCKET) {
			continue;
		}
		if (cmsg->cmsg_type == SCM_RIGHTS) {
			size_t count = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < count; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
				if (*nfds < max) {
					fds[(*nfds)++] = fd;
				} else {
					close(fd);  /* more than we take: none may leak */
				}
			}
		} else if (cmsg->cmsg_type == SCM_CREDENTIALS && peer
				&& cmsg->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
			struct ucred cred;
			memcpy(&cred, CMSG_DATA(cmsg), sizeof(cred));
			peer->pid = cred.pid;
			peer->uid = cred.uid;
			peer->gid = cred.gid;
		}
	}
	if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		asynctask_close_fds(fds, *nfds);
		*nfds = 0;
		errno = EMSGSIZE;
		return -1;
	}
	return n;
}
