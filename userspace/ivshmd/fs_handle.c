// SPDX-License-Identifier: GPL-2.0
/*
 * Open file and directory handles. The guest names them by fh, an opaque
 * number we hand out once and never reuse; an unknown fh (forged, already
 * released, or a file handle where a directory handle is expected) is EBADF.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#include "fs_internal.h"

#define handle_of(n) ((struct fs_handle *)((char *)(n) - offsetof(struct fs_handle, node)))

int fs_handle_new(struct fs_server *srv, int fd, DIR *dir, struct fs_inode *ino, uint64_t *fh)
{
	struct fs_handle *h = calloc(1, sizeof(*h));

	if (!h)
		return -ENOMEM;
	if (pthread_mutex_init(&h->lock, NULL)) {
		free(h);
		return -ENOMEM;
	}
	h->fd = fd;
	h->dir = dir;
	h->refs = 1;
	h->hashed = true;
	pthread_mutex_lock(&srv->lock);
	if (srv->nhandles >= srv->cfg.max_handles) {
		pthread_mutex_unlock(&srv->lock);
		pthread_mutex_destroy(&h->lock);
		free(h);
		return -ENFILE;
	}
	ino->refs++;
	h->inode = ino;
	h->node.key = srv->next_fh++;
	fs_htab_add(&srv->handles, &h->node);
	srv->nhandles++;
	*fh = h->node.key;
	pthread_mutex_unlock(&srv->lock);
	return 0;
}

struct fs_handle *fs_handle_get(struct fs_server *srv, uint64_t fh, bool want_dir)
{
	struct fs_hnode *n;
	struct fs_handle *h = NULL;

	pthread_mutex_lock(&srv->lock);
	n = fs_htab_first(&srv->handles, fh);
	if (n && (handle_of(n)->dir != NULL) == want_dir) {
		h = handle_of(n);
		h->refs++;
	}
	pthread_mutex_unlock(&srv->lock);
	return h;
}

static void free_handle(struct fs_server *srv, struct fs_handle *h)
{
	if (h->dir)
		closedir(h->dir);	/* closes h->fd too */
	else if (h->fd >= 0)
		close(h->fd);
	pthread_mutex_destroy(&h->lock);
	fs_inode_put(srv, h->inode);
	free(h);
}

void fs_handle_put(struct fs_server *srv, struct fs_handle *h)
{
	bool last;

	pthread_mutex_lock(&srv->lock);
	last = --h->refs == 0;
	pthread_mutex_unlock(&srv->lock);
	if (last)
		free_handle(srv, h);
}

static void unhash_locked(struct fs_server *srv, struct fs_handle *h)
{
	fs_htab_del(&srv->handles, &h->node);
	h->hashed = false;
	srv->nhandles--;
}

int fs_handle_release(struct fs_server *srv, uint64_t fh, bool want_dir)
{
	struct fs_hnode *n;
	struct fs_handle *h;
	bool last;

	pthread_mutex_lock(&srv->lock);
	n = fs_htab_first(&srv->handles, fh);
	if (!n || (handle_of(n)->dir != NULL) != want_dir) {
		pthread_mutex_unlock(&srv->lock);
		return -EBADF;
	}
	h = handle_of(n);
	unhash_locked(srv, h);
	last = --h->refs == 0;
	pthread_mutex_unlock(&srv->lock);
	if (last)
		free_handle(srv, h);
	return 0;
}

void fs_handle_reset(struct fs_server *srv)
{
	struct fs_handle *dead = NULL;
	size_t i;

	pthread_mutex_lock(&srv->lock);
	for (i = 0; i < srv->handles.nb; i++) {
		struct fs_hnode *n = srv->handles.b[i], *next;

		for (; n; n = next) {
			struct fs_handle *h = handle_of(n);

			next = n->next;
			unhash_locked(srv, h);
			if (--h->refs == 0) {
				/* free outside the lock: chain through node.next */
				h->node.next = dead ? &dead->node : NULL;
				dead = h;
			}
		}
	}
	pthread_mutex_unlock(&srv->lock);
	while (dead) {
		struct fs_handle *h = dead;

		dead = h->node.next ? handle_of(h->node.next) : NULL;
		free_handle(srv, h);
	}
}
