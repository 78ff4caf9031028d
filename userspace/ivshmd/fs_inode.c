// SPDX-License-Identifier: GPL-2.0
/*
 * The inode table: nodeid -> O_PATH handle, with the guest's lookup count.
 *
 * Lifetime: an inode is reachable by nodeid while nlookup > 0 ("hashed").
 * refs counts in-flight users, child inodes (parent hint) and open handles;
 * the inode is freed when it is unhashed and refs drops to 0. A FORGET can
 * therefore never close an fd another request is using, and a forged or
 * stale nodeid finds nothing (nodeids are never reused).
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs_internal.h"

#define ino_of_id(n) ((struct fs_inode *)((char *)(n) - offsetof(struct fs_inode, by_id)))
#define ino_of_key(n) ((struct fs_inode *)((char *)(n) - offsetof(struct fs_inode, by_key)))

static uint64_t devino_key(dev_t dev, ino_t ino)
{
	return (uint64_t)ino ^ ((uint64_t)dev * 0x9e3779b97f4a7c15ULL);
}

static void unhash_locked(struct fs_server *srv, struct fs_inode *ino)
{
	if (!ino->hashed)
		return;
	fs_htab_del(&srv->inodes_by_id, &ino->by_id);
	fs_htab_del(&srv->inodes_by_key, &ino->by_key);
	ino->hashed = false;
	ino->nlookup = 0;
	srv->ninodes--;
}

/* Drop one ref; frees the inode (and, iteratively, its parents). */
static void unref_locked(struct fs_server *srv, struct fs_inode *ino)
{
	(void)srv;	/* the lock it must hold */
	while (ino) {
		struct fs_inode *parent;

		if (--ino->refs || ino->hashed)
			return;
		parent = ino->parent;
		if (ino->fd >= 0)
			close(ino->fd);
		free(ino->name);
		free(ino->fhandle);
		free(ino);
		ino = parent;
	}
}

struct fs_inode *fs_inode_new_root(struct fs_server *srv, int fd, const struct stat *st)
{
	struct fs_inode *ino = calloc(1, sizeof(*ino));

	if (!ino)
		return NULL;
	ino->fd = fd;
	ino->dev = st->st_dev;
	ino->ino = st->st_ino;
	ino->type = st->st_mode & S_IFMT;
	ino->nlookup = 1;
	ino->refs = 1;		/* the server's own reference: never freed */
	ino->hashed = true;
	ino->by_id.key = FUSE_ROOT_ID;
	ino->by_key.key = devino_key(ino->dev, ino->ino);
	pthread_mutex_lock(&srv->lock);
	fs_htab_add(&srv->inodes_by_id, &ino->by_id);
	fs_htab_add(&srv->inodes_by_key, &ino->by_key);
	srv->ninodes++;
	pthread_mutex_unlock(&srv->lock);
	return ino;
}

struct fs_inode *fs_inode_get(struct fs_server *srv, uint64_t nodeid)
{
	struct fs_hnode *n;
	struct fs_inode *ino = NULL;

	pthread_mutex_lock(&srv->lock);
	n = fs_htab_first(&srv->inodes_by_id, nodeid);
	if (n) {
		ino = ino_of_id(n);
		ino->refs++;
	}
	pthread_mutex_unlock(&srv->lock);
	return ino;
}

void fs_inode_put(struct fs_server *srv, struct fs_inode *ino)
{
	if (!ino)
		return;
	pthread_mutex_lock(&srv->lock);
	unref_locked(srv, ino);
	pthread_mutex_unlock(&srv->lock);
}

static struct fs_inode *find_key_locked(struct fs_server *srv, dev_t dev, ino_t i)
{
	uint64_t key = devino_key(dev, i);
	struct fs_hnode *n;

	for (n = fs_htab_first(&srv->inodes_by_key, key); n; n = fs_htab_next(n, key)) {
		struct fs_inode *ino = ino_of_key(n);

		if (ino->dev == dev && ino->ino == i)
			return ino;
	}
	return NULL;
}

/* Point ino's reopen hint at parent/name (parent may be NULL). */
static void set_hint_locked(struct fs_server *srv, struct fs_inode *ino,
			    struct fs_inode *parent, char *name)
{
	struct fs_inode *old = ino->parent;

	/*
	 * Directories reopen through their own handle and need no hint; keeping
	 * hints on non-directories only also means parent refs cannot form a
	 * cycle, whatever renames happen behind our back.
	 */
	if (ino->type == S_IFDIR) {
		free(name);
		return;
	}
	if (parent)
		parent->refs++;
	ino->parent = parent;
	free(ino->name);
	ino->name = name;
	if (old)
		unref_locked(srv, old);
}

/*
 * A kernel file handle for fd, so the file can be reopened even when its
 * name hint went stale (another hard link removed...). We create these
 * handles ourselves from our own O_PATH fds; the guest never supplies one.
 */
static struct file_handle *make_fhandle(int fd)
{
	struct file_handle *fh = malloc(sizeof(*fh) + MAX_HANDLE_SZ);
	int mnt;

	if (!fh)
		return NULL;
	fh->handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(fd, "", fh, &mnt, AT_EMPTY_PATH)) {
		free(fh);
		return NULL;
	}
	return fh;
}

int fs_inode_link_in(struct fs_server *srv, struct fs_inode *parent, const char *name,
		     int fd, const struct stat *st, bool known_only, uint64_t *nodeid)
{
	struct fs_inode *ino;
	char *hint = strdup(name);
	struct file_handle *fh = NULL;

	if (S_ISREG(st->st_mode) && st->st_dev == srv->root->dev)
		fh = make_fhandle(fd);
	pthread_mutex_lock(&srv->lock);
	ino = find_key_locked(srv, st->st_dev, st->st_ino);
	if (ino) {
		free(fh);
		close(fd);
		if (ino->nlookup == UINT64_MAX) {
			pthread_mutex_unlock(&srv->lock);
			free(hint);
			return -EOVERFLOW;
		}
		ino->nlookup++;
		if (hint)
			set_hint_locked(srv, ino, parent, hint);
		else
			free(hint);
		*nodeid = ino->by_id.key;
		pthread_mutex_unlock(&srv->lock);
		return 0;
	}
	if (known_only || srv->ninodes >= srv->cfg.max_inodes || !hint) {
		int err = known_only ? -EACCES : hint ? -ENFILE : -ENOMEM;

		pthread_mutex_unlock(&srv->lock);
		close(fd);
		free(hint);
		free(fh);
		return err;
	}
	ino = calloc(1, sizeof(*ino));
	if (!ino) {
		pthread_mutex_unlock(&srv->lock);
		close(fd);
		free(hint);
		free(fh);
		return -ENOMEM;
	}
	ino->fd = fd;
	ino->fhandle = fh;
	ino->dev = st->st_dev;
	ino->ino = st->st_ino;
	ino->type = st->st_mode & S_IFMT;
	ino->nlookup = 1;
	ino->hashed = true;
	ino->by_id.key = srv->next_nodeid++;
	ino->by_key.key = devino_key(ino->dev, ino->ino);
	set_hint_locked(srv, ino, parent, hint);
	fs_htab_add(&srv->inodes_by_id, &ino->by_id);
	fs_htab_add(&srv->inodes_by_key, &ino->by_key);
	srv->ninodes++;
	*nodeid = ino->by_id.key;
	pthread_mutex_unlock(&srv->lock);
	return 0;
}

void fs_inode_forget(struct fs_server *srv, uint64_t nodeid, uint64_t nlookup)
{
	struct fs_hnode *n;
	struct fs_inode *ino;
	bool clamped = false;

	pthread_mutex_lock(&srv->lock);
	n = fs_htab_first(&srv->inodes_by_id, nodeid);
	if (!n || nodeid == FUSE_ROOT_ID) {
		/* unknown or the root: nothing the guest can drop */
		pthread_mutex_unlock(&srv->lock);
		return;
	}
	ino = ino_of_id(n);
	if (nlookup > ino->nlookup) {
		clamped = true;
		nlookup = ino->nlookup;
	}
	ino->nlookup -= nlookup;
	if (ino->nlookup == 0) {
		ino->refs++;
		unhash_locked(srv, ino);
		unref_locked(srv, ino);	/* frees it unless in use */
	}
	pthread_mutex_unlock(&srv->lock);
	if (clamped) {
		uint64_t c = atomic_fetch_add(&srv->st_forget_clamped, 1);

		if (c < 10 || c % 1000 == 0)
			fs_log(srv, "FORGET of nodeid %llu exceeds its lookup count; clamped",
			       (unsigned long long)nodeid);
	}
}

void fs_inode_rename_hint(struct fs_server *srv, dev_t dev, ino_t i,
			  struct fs_inode *newparent, const char *newname)
{
	struct fs_inode *ino;
	char *hint = strdup(newname);

	if (!hint)
		return;
	pthread_mutex_lock(&srv->lock);
	ino = find_key_locked(srv, dev, i);
	if (ino)
		set_hint_locked(srv, ino, newparent, hint);
	else
		free(hint);
	pthread_mutex_unlock(&srv->lock);
}

/*
 * Open the object ino names for I/O. Directories reopen through their own
 * O_PATH handle ("."); other objects through the parent hint with
 * O_NOFOLLOW, and the result must be the very same dev/ino, so a renamed or
 * swapped name can never make us open something else. No /proc magic links.
 */
int fs_inode_reopen(struct fs_server *srv, struct fs_inode *ino, int flags)
{
	struct fs_inode *parent;
	struct stat st;
	char name[FS_NAME_MAX + 1];
	int fd;

	flags &= ~(O_CREAT | O_EXCL | O_TRUNC | O_PATH | O_TMPFILE);
	if (ino->type == S_IFDIR) {
		fd = openat(ino->fd, ".", flags | O_DIRECTORY | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	if (ino->type != S_IFREG && ino->type != S_IFIFO)
		return ino->type == S_IFLNK ? -ELOOP : -ENXIO;

	/*
	 * Preferred: the kernel file handle we took from our own O_PATH fd names
	 * the inode itself, no name involved (needs CAP_DAC_READ_SEARCH). Else
	 * the name hint, which a concurrent rename may have pointed elsewhere:
	 * O_NOFOLLOW|O_NONBLOCK so that nothing is followed or blocks, and the
	 * dev/ino check below rejects any other object.
	 */
	fd = -1;
	if (ino->fhandle && srv->root_rdfd >= 0)
		fd = open_by_handle_at(srv->root_rdfd, ino->fhandle,
				       flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		pthread_mutex_lock(&srv->lock);
		parent = ino->parent;
		if (!parent || !ino->name || strlen(ino->name) > FS_NAME_MAX) {
			pthread_mutex_unlock(&srv->lock);
			return -ESTALE;
		}
		parent->refs++;
		strcpy(name, ino->name);
		pthread_mutex_unlock(&srv->lock);

		fd = openat(parent->fd, name,
			    flags | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		fs_inode_put(srv, parent);
	}
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || st.st_dev != ino->dev || st.st_ino != ino->ino) {
		close(fd);
		return -ESTALE;
	}
	if (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, flags & ~O_ACCMODE & ~O_CLOEXEC) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

void fs_inode_reset(struct fs_server *srv)
{
	size_t i;

	pthread_mutex_lock(&srv->lock);
	for (i = 0; i < srv->inodes_by_id.nb; i++) {
		struct fs_hnode *n = srv->inodes_by_id.b[i], *next;

		for (; n; n = next) {
			struct fs_inode *ino = ino_of_id(n);

			next = n->next;
			if (ino == srv->root)
				continue;
			ino->refs++;
			unhash_locked(srv, ino);
			unref_locked(srv, ino);
		}
	}
	pthread_mutex_unlock(&srv->lock);
}
