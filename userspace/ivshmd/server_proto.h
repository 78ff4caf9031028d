/* SPDX-License-Identifier: GPL-2.0 */
/*
 * server_proto.h - the ivshmem server protocol (QEMU 7.2 ivshmem-doorbell
 * chardev): unix socket, greeting with the shared-memory fd and eventfds.
 */
#ifndef IVSHMD_SERVER_PROTO_H
#define IVSHMD_SERVER_PROTO_H

#include <stdbool.h>
#include <stdint.h>

#define IVD_MAX_VECTORS		64
#define IVD_SERVER_PEER_ID	0
#define IVD_CLIENT_PEER_ID	1

struct ivd_server {
	int listen_fd;
	int client_fd;			/* -1 when no client */
	unsigned int num_vectors;
	int doorbell[IVD_MAX_VECTORS];	/* ours: guest doorbell writes land here */
	int irq[IVD_MAX_VECTORS];	/* the client's: writing raises its vector */
	char path[108];
};

/* Listen on @path (a stale socket there is replaced).  0 or -errno. */
int ivd_server_listen(struct ivd_server *s, const char *path, unsigned int num_vectors);
/*
 * Accept a connection.  With a client already connected, the newcomer is
 * refused (closed, logged) and 0 returned.  Otherwise the greeting is sent
 * (version, peer id, @shm_fd, our eventfds, its eventfds) and 1 returned.
 * Negative errno on failure (the new connection is dropped).
 */
int ivd_server_accept(struct ivd_server *s, int shm_fd);
/* Client socket readable: true when the peer hung up (data is discarded). */
bool ivd_server_client_gone(struct ivd_server *s);
void ivd_server_drop_client(struct ivd_server *s);
/* Raise guest MSI-X vector @vector. */
void ivd_server_notify(void *ctx, unsigned int vector);
void ivd_server_close(struct ivd_server *s);

#endif
