// SPDX-License-Identifier: GPL-2.0
/*
 * server_proto.c - ivshmem server side of QEMU's ivshmem chardev protocol.
 *
 * Every message is one little-endian int64, optionally carrying one fd
 * (SCM_RIGHTS), server to client only: version 0, the client's peer id,
 * -1 with the shared-memory fd, then for every other peer (just us) its id
 * once per vector with an eventfd, then the client's own id once per vector
 * with an eventfd.  QEMU reads it all while realizing the device.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "server_proto.h"

int ivd_server_listen(struct ivd_server *s, const char *path, unsigned int num_vectors)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct stat st;
	unsigned int i;
	int fd, err;

	s->listen_fd = -1;
	s->client_fd = -1;
	s->num_vectors = num_vectors;
	for (i = 0; i < IVD_MAX_VECTORS; i++)
		s->doorbell[i] = s->irq[i] = -1;
	if (num_vectors < 1 || num_vectors > IVD_MAX_VECTORS)
		return -EINVAL;
	/* bound under a temporary name, renamed once listening */
	if (strlen(path) + 5 >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s.tmp", path);
	snprintf(s->path, sizeof(s->path), "%s", path);
	if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
		return -EEXIST;
	unlink(addr.sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/*
	 * The path appears only when it accepts connections: a client (or
	 * vm-run) waiting for the file never sees ECONNREFUSED.  A stale
	 * socket of an earlier run is replaced by the rename.
	 */
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 4) < 0 ||
	    rename(addr.sun_path, path) < 0) {
		err = -errno;
		unlink(addr.sun_path);
		close(fd);
		return err;
	}
	s->listen_fd = fd;
	return 0;
}

static int send_msg(int sock, int64_t val, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	int64_t le = (int64_t)htole64((uint64_t)val);
	struct iovec iov = { .iov_base = &le, .iov_len = sizeof(le) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == sizeof(le) ? 0 : -EIO;
}

static void close_fds(int *fds, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

void ivd_server_drop_client(struct ivd_server *s)
{
	if (s->client_fd >= 0)
		close(s->client_fd);
	s->client_fd = -1;
	close_fds(s->doorbell, IVD_MAX_VECTORS);
	close_fds(s->irq, IVD_MAX_VECTORS);
}

int ivd_server_accept(struct ivd_server *s, int shm_fd)
{
	struct timeval tv = { .tv_sec = 5 };
	unsigned int i;
	int c, err;

	c = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (s->client_fd >= 0) {
		ivd_log_guest("refusing a second client: this server serves one VM");
		close(c);
		return 0;
	}
	/* A client that does not read must not block the server forever. */
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	s->client_fd = c;
	for (i = 0; i < s->num_vectors; i++) {
		s->doorbell[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		s->irq[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (s->doorbell[i] < 0 || s->irq[i] < 0) {
			err = -errno;
			goto fail;
		}
	}
	err = send_msg(c, 0, -1);				/* protocol version */
	if (!err)
		err = send_msg(c, IVD_CLIENT_PEER_ID, -1);	/* its peer id */
	if (!err)
		err = send_msg(c, -1, shm_fd);			/* shared memory */
	for (i = 0; !err && i < s->num_vectors; i++)		/* our doorbells */
		err = send_msg(c, IVD_SERVER_PEER_ID, s->doorbell[i]);
	for (i = 0; !err && i < s->num_vectors; i++)		/* its vectors */
		err = send_msg(c, IVD_CLIENT_PEER_ID, s->irq[i]);
	if (err)
		goto fail;
	ivd_info("client connected: peer id %d, server id %d, %u vectors", IVD_CLIENT_PEER_ID,
		 IVD_SERVER_PEER_ID, s->num_vectors);
	return 1;
fail:
	ivd_err("greeting the client failed: %s", strerror(-err));
	ivd_server_drop_client(s);
	return err;
}

bool ivd_server_client_gone(struct ivd_server *s)
{
	char buf[64];
	ssize_t n;

	if (s->client_fd < 0)
		return true;
	n = recv(s->client_fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n > 0) {
		ivd_log_guest("client sent %zd unexpected bytes; ignored", n);
		return false;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return false;
	return true;
}

void ivd_server_notify(void *ctx, unsigned int vector)
{
	struct ivd_server *s = ctx;
	uint64_t one = 1;

	if (vector >= s->num_vectors || s->irq[vector] < 0)
		return;
	if (write(s->irq[vector], &one, sizeof(one)) < 0 && errno != EAGAIN)
		ivd_err("interrupt eventfd write: %m");
}

void ivd_server_close(struct ivd_server *s)
{
	ivd_server_drop_client(s);
	if (s->listen_fd >= 0) {
		close(s->listen_fd);
		unlink(s->path);
	}
	s->listen_fd = -1;
}
