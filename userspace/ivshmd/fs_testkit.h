/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test-only helpers (unit tests and the fuzzer): build FUSE requests by hand
 * from <linux/fuse.h> structures, run them through fs_server_handle() with a
 * reply buffer scattered over several odd-sized iovecs, and decode replies.
 * Header-only so that nothing of it is linked into ivshmd.
 */
#ifndef IVSHMD_FS_TESTKIT_H
#define IVSHMD_FS_TESTKIT_H

#include <errno.h>
#include <linux/fuse.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs_server.h"

#define FSK_REQ_MAX ((1u << 20) + 8192)
#define FSK_REPLY_MAX ((1u << 20) + 8192)

struct fsk {
	struct fs_server *srv;
	uint64_t unique;
	uint32_t uid, gid;		/* caller ids put in the next requests */
	unsigned char *req;
	size_t len;
	unsigned char *reply;		/* reassembled reply */
	size_t reply_cap;		/* reply room offered for the next send */
	long reply_len;			/* fs_server_handle() result */
	struct fuse_out_header out;	/* decoded header */
	const unsigned char *payload;
	size_t payload_len;
};

#define FSK_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
			__FILE__, __LINE__, #cond);			\
		exit(1);						\
	}								\
} while (0)

#define FSK_EQ(a, b) do {						\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a != _b) {							\
		fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", \
			__FILE__, __LINE__, #a, _a, #b, _b);		\
		exit(1);						\
	}								\
} while (0)

static inline void fsk_init(struct fsk *k, struct fs_server *srv)
{
	memset(k, 0, sizeof(*k));
	k->srv = srv;
	k->req = calloc(1, FSK_REQ_MAX);
	k->reply = calloc(1, FSK_REPLY_MAX);
	FSK_CHECK(k->req && k->reply);
	k->reply_cap = FSK_REPLY_MAX;
}

static inline void fsk_fini(struct fsk *k)
{
	free(k->req);
	free(k->reply);
	k->req = k->reply = NULL;
}

static inline void fsk_begin(struct fsk *k, uint32_t opcode, uint64_t nodeid)
{
	struct fuse_in_header in;

	memset(&in, 0, sizeof(in));
	in.opcode = opcode;
	in.unique = ++k->unique;
	in.nodeid = nodeid;
	in.uid = k->uid;
	in.gid = k->gid;
	memcpy(k->req, &in, sizeof(in));
	k->len = sizeof(in);
}

static inline void fsk_put(struct fsk *k, const void *p, size_t n)
{
	FSK_CHECK(k->len + n <= FSK_REQ_MAX);
	memcpy(k->req + k->len, p, n);
	k->len += n;
}

static inline void fsk_str(struct fsk *k, const char *s)
{
	fsk_put(k, s, strlen(s) + 1);
}

/* Send the request as built (in.len = bytes built) over raw bytes len. */
static inline long fsk_send_raw(struct fsk *k, const void *req, size_t len)
{
	/* three odd-sized segments exercise the scatter writer */
	size_t a = k->reply_cap < 7 ? k->reply_cap : 7;
	size_t b = k->reply_cap - a < 101 ? k->reply_cap - a : 101;
	struct iovec iov[3] = {
		{ k->reply, a },
		{ k->reply + a, b },
		{ k->reply + a + b, k->reply_cap - a - b },
	};

	memset(k->reply, 0xa5, k->reply_cap < 4096 ? k->reply_cap : 4096);
	k->reply_len = fs_server_handle(k->srv, req, len, iov, 3);
	memset(&k->out, 0, sizeof(k->out));
	k->payload = NULL;
	k->payload_len = 0;
	if (k->reply_len >= (long)sizeof(k->out)) {
		memcpy(&k->out, k->reply, sizeof(k->out));
		FSK_EQ(k->out.len, k->reply_len);
		k->payload = k->reply + sizeof(k->out);
		k->payload_len = (size_t)k->reply_len - sizeof(k->out);
	}
	return k->reply_len;
}

/* Send; returns the reply's error (0 or -errno). */
static inline int fsk_send(struct fsk *k)
{
	struct fuse_in_header in;

	memcpy(&in, k->req, sizeof(in));
	in.len = (uint32_t)k->len;
	memcpy(k->req, &in, sizeof(in));
	fsk_send_raw(k, k->req, k->len);
	FSK_CHECK(k->reply_len >= (long)sizeof(struct fuse_out_header));
	FSK_EQ(k->out.unique, in.unique);
	if (k->out.error)
		FSK_EQ(k->payload_len, 0);
	return k->out.error;
}

/* One request whose body is a single struct @in: build, send, return fsk_send(). */
static inline int fsk_call(struct fsk *k, uint32_t opcode, uint64_t nodeid, const void *in,
			   size_t n)
{
	fsk_begin(k, opcode, nodeid);
	fsk_put(k, in, n);
	return fsk_send(k);
}

/* Send a request that has no reply (FORGET...). */
static inline void fsk_send_noreply(struct fsk *k)
{
	struct fuse_in_header in;

	memcpy(&in, k->req, sizeof(in));
	in.len = (uint32_t)k->len;
	memcpy(k->req, &in, sizeof(in));
	FSK_EQ(fsk_send_raw(k, k->req, k->len), 0);
}

static inline void fsk_payload(struct fsk *k, void *dst, size_t n)
{
	FSK_EQ(k->payload_len, n);
	memcpy(dst, k->payload, n);
}

/* ---- one helper per operation; each returns the reply error ---- */

static inline int fsk_do_init(struct fsk *k, uint32_t flags)
{
	struct fuse_init_in in = { .major = FUSE_KERNEL_VERSION, .minor = 36,
				   .max_readahead = 131072, .flags = flags };

	fsk_begin(k, FUSE_INIT, 0);
	fsk_put(k, &in, sizeof(in));
	return fsk_send(k);
}

static inline int fsk_lookup(struct fsk *k, uint64_t dir, const char *name,
			     struct fuse_entry_out *e)
{
	int r;

	fsk_begin(k, FUSE_LOOKUP, dir);
	fsk_str(k, name);
	r = fsk_send(k);
	if (!r && e)
		fsk_payload(k, e, sizeof(*e));
	return r;
}

static inline void fsk_forget(struct fsk *k, uint64_t nodeid, uint64_t n)
{
	struct fuse_forget_in in = { .nlookup = n };

	fsk_begin(k, FUSE_FORGET, nodeid);
	fsk_put(k, &in, sizeof(in));
	fsk_send_noreply(k);
}

static inline int fsk_getattr(struct fsk *k, uint64_t nodeid, struct fuse_attr *a)
{
	struct fuse_getattr_in in = { 0 };
	struct fuse_attr_out out;
	int r;

	fsk_begin(k, FUSE_GETATTR, nodeid);
	fsk_put(k, &in, sizeof(in));
	r = fsk_send(k);
	if (!r) {
		fsk_payload(k, &out, sizeof(out));
		if (a)
			*a = out.attr;
	}
	return r;
}

static inline int fsk_setattr(struct fsk *k, uint64_t nodeid, const struct fuse_setattr_in *in,
			      struct fuse_attr *a)
{
	struct fuse_attr_out out;
	int r;

	fsk_begin(k, FUSE_SETATTR, nodeid);
	fsk_put(k, in, sizeof(*in));
	r = fsk_send(k);
	if (!r) {
		fsk_payload(k, &out, sizeof(out));
		if (a)
			*a = out.attr;
	}
	return r;
}

static inline int fsk_create(struct fsk *k, uint64_t dir, const char *name, uint32_t mode,
			     uint32_t flags, uint64_t *nodeid, uint64_t *fh)
{
	struct fuse_create_in in = { .flags = flags, .mode = S_IFREG | mode };
	struct {
		struct fuse_entry_out e;
		struct fuse_open_out o;
	} out;
	int r;

	fsk_begin(k, FUSE_CREATE, dir);
	fsk_put(k, &in, sizeof(in));
	fsk_str(k, name);
	r = fsk_send(k);
	if (!r) {
		fsk_payload(k, &out, sizeof(out));
		if (nodeid)
			*nodeid = out.e.nodeid;
		if (fh)
			*fh = out.o.fh;
	}
	return r;
}

static inline int fsk_open(struct fsk *k, uint64_t nodeid, uint32_t flags, uint64_t *fh)
{
	struct fuse_open_in in = { .flags = flags };
	struct fuse_open_out out;
	int r;

	fsk_begin(k, FUSE_OPEN, nodeid);
	fsk_put(k, &in, sizeof(in));
	r = fsk_send(k);
	if (!r) {
		fsk_payload(k, &out, sizeof(out));
		*fh = out.fh;
	}
	return r;
}

static inline int fsk_opendir(struct fsk *k, uint64_t nodeid, uint64_t *fh)
{
	struct fuse_open_in in = { .flags = 0 };
	struct fuse_open_out out;
	int r;

	fsk_begin(k, FUSE_OPENDIR, nodeid);
	fsk_put(k, &in, sizeof(in));
	r = fsk_send(k);
	if (!r) {
		fsk_payload(k, &out, sizeof(out));
		*fh = out.fh;
	}
	return r;
}

static inline int fsk_release(struct fsk *k, uint32_t opcode, uint64_t nodeid, uint64_t fh)
{
	struct fuse_release_in in = { .fh = fh };

	fsk_begin(k, opcode, nodeid);
	fsk_put(k, &in, sizeof(in));
	return fsk_send(k);
}

static inline int fsk_write(struct fsk *k, uint64_t nodeid, uint64_t fh, uint64_t off,
			    const void *data, uint32_t n)
{
	struct fuse_write_in in = { .fh = fh, .offset = off, .size = n };
	struct fuse_write_out out;
	int r;

	fsk_begin(k, FUSE_WRITE, nodeid);
	fsk_put(k, &in, sizeof(in));
	fsk_put(k, data, n);
	r = fsk_send(k);
	if (!r) {
		fsk_payload(k, &out, sizeof(out));
		FSK_EQ(out.size, n);
	}
	return r;
}

/* Returns bytes read (>= 0) or the reply error; data in k->payload. */
static inline int fsk_read(struct fsk *k, uint64_t nodeid, uint64_t fh, uint64_t off, uint32_t n)
{
	struct fuse_read_in in = { .fh = fh, .offset = off, .size = n };
	int r;

	fsk_begin(k, FUSE_READ, nodeid);
	fsk_put(k, &in, sizeof(in));
	r = fsk_send(k);
	return r ? r : (int)k->payload_len;
}

static inline int fsk_mkdir(struct fsk *k, uint64_t dir, const char *name, uint32_t mode,
			    uint64_t *nodeid)
{
	struct fuse_mkdir_in in = { .mode = mode };
	struct fuse_entry_out e;
	int r;

	fsk_begin(k, FUSE_MKDIR, dir);
	fsk_put(k, &in, sizeof(in));
	fsk_str(k, name);
	r = fsk_send(k);
	if (!r) {
		fsk_payload(k, &e, sizeof(e));
		if (nodeid)
			*nodeid = e.nodeid;
	}
	return r;
}

static inline int fsk_mknod(struct fsk *k, uint64_t dir, const char *name, uint32_t mode,
			    uint32_t rdev)
{
	struct fuse_mknod_in in = { .mode = mode, .rdev = rdev };

	fsk_begin(k, FUSE_MKNOD, dir);
	fsk_put(k, &in, sizeof(in));
	fsk_str(k, name);
	return fsk_send(k);
}

static inline int fsk_symlink(struct fsk *k, uint64_t dir, const char *name, const char *target,
			      uint64_t *nodeid)
{
	struct fuse_entry_out e;
	int r;

	fsk_begin(k, FUSE_SYMLINK, dir);
	fsk_str(k, name);
	fsk_str(k, target);
	r = fsk_send(k);
	if (!r) {
		fsk_payload(k, &e, sizeof(e));
		if (nodeid)
			*nodeid = e.nodeid;
	}
	return r;
}

static inline int fsk_link(struct fsk *k, uint64_t ino, uint64_t newdir, const char *name,
			   struct fuse_entry_out *e)
{
	struct fuse_link_in in = { .oldnodeid = ino };
	int r;

	fsk_begin(k, FUSE_LINK, newdir);
	fsk_put(k, &in, sizeof(in));
	fsk_str(k, name);
	r = fsk_send(k);
	if (!r && e)
		fsk_payload(k, e, sizeof(*e));
	return r;
}

static inline int fsk_name_op(struct fsk *k, uint32_t opcode, uint64_t dir, const char *name)
{
	fsk_begin(k, opcode, dir);
	fsk_str(k, name);
	return fsk_send(k);
}

static inline int fsk_rename2(struct fsk *k, uint64_t dir, const char *name, uint64_t newdir,
			      const char *newname, uint32_t flags)
{
	struct fuse_rename2_in in = { .newdir = newdir, .flags = flags };

	fsk_begin(k, FUSE_RENAME2, dir);
	fsk_put(k, &in, sizeof(in));
	fsk_str(k, name);
	fsk_str(k, newname);
	return fsk_send(k);
}

static inline int fsk_rename(struct fsk *k, uint64_t dir, const char *name, uint64_t newdir,
			     const char *newname)
{
	struct fuse_rename_in in = { .newdir = newdir };

	fsk_begin(k, FUSE_RENAME, dir);
	fsk_put(k, &in, sizeof(in));
	fsk_str(k, name);
	fsk_str(k, newname);
	return fsk_send(k);
}

/* READLINK: target text NUL-terminated into buf. */
static inline int fsk_readlink(struct fsk *k, uint64_t nodeid, char *buf, size_t n)
{
	int r;

	fsk_begin(k, FUSE_READLINK, nodeid);
	r = fsk_send(k);
	if (!r) {
		FSK_CHECK(k->payload_len < n);
		memcpy(buf, k->payload, k->payload_len);
		buf[k->payload_len] = 0;
	}
	return r;
}

/*
 * READDIR(PLUS) to the end through a fresh handle: calls fn for each name.
 * Small reads (size) force several round trips.
 */
static inline int fsk_readdir_all(struct fsk *k, uint64_t dir, bool plus, uint32_t size,
				  void (*fn)(void *arg, const char *name, uint64_t ino,
					     const struct fuse_entry_out *e),
				  void *arg)
{
	uint64_t fh, off = 0;
	int r, rounds = 0;

	r = fsk_opendir(k, dir, &fh);
	if (r)
		return r;
	for (;;) {
		struct fuse_read_in in = { .fh = fh, .offset = off, .size = size };
		size_t pos = 0;

		fsk_begin(k, plus ? FUSE_READDIRPLUS : FUSE_READDIR, dir);
		fsk_put(k, &in, sizeof(in));
		r = fsk_send(k);
		if (r)
			break;
		if (k->payload_len == 0)
			break;
		FSK_CHECK(k->payload_len <= size);
		FSK_CHECK(++rounds < 100000);
		while (pos < k->payload_len) {
			struct fuse_entry_out e;
			struct fuse_dirent d;
			char name[256];
			size_t hdr = plus ? sizeof(struct fuse_direntplus) : sizeof(d);

			memset(&e, 0, sizeof(e));
			FSK_CHECK(pos + hdr <= k->payload_len);
			if (plus)
				memcpy(&e, k->payload + pos, sizeof(e));
			memcpy(&d, k->payload + pos + (plus ? sizeof(e) : 0), sizeof(d));
			FSK_CHECK(d.namelen > 0 && d.namelen < sizeof(name));
			FSK_CHECK(pos + hdr + d.namelen <= k->payload_len);
			memcpy(name, k->payload + pos + hdr, d.namelen);
			name[d.namelen] = 0;
			if (fn)
				fn(arg, name, d.ino, plus ? &e : NULL);
			pos += (hdr + d.namelen + 7) & ~(size_t)7;
			off = d.off;
		}
	}
	fsk_release(k, FUSE_RELEASEDIR, dir, fh);
	return r;
}

/* ---- scratch directories: <base>/root is exported, <base>/outside is not */

#include <fcntl.h>
#include <dirent.h>
#include <ftw.h>
#include <unistd.h>

static inline int fsk_rm_cb(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)f;
	if (type == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

static inline void fsk_rm_rf(const char *path)
{
	nftw(path, fsk_rm_cb, 32, FTW_DEPTH | FTW_PHYS);
}

/* Open file descriptors of this process (fd leak checks). */
static inline int fsk_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	FSK_CHECK(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory stream itself */
}

struct fsk_dirs {
	char base[256];
	char root[300];
	char outside[300];
};

static inline void fsk_mkdirs(struct fsk_dirs *d, const char *tag)
{
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

	snprintf(d->base, sizeof(d->base), "%s/%s.XXXXXX", tmp, tag);
	FSK_CHECK(mkdtemp(d->base));
	snprintf(d->root, sizeof(d->root), "%s/root", d->base);
	snprintf(d->outside, sizeof(d->outside), "%s/outside", d->base);
	FSK_CHECK(!mkdir(d->root, 0755));
	FSK_CHECK(!mkdir(d->outside, 0755));
}

/* Read the exported file @name as the host sees it: up to @cap bytes into
 * @buf; returns how many were read. */
static inline size_t fsk_host_read(const struct fsk_dirs *d, const char *name, void *buf,
				   size_t cap)
{
	char path[400];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", d->root, name);
	fd = open(path, O_RDONLY);
	FSK_CHECK(fd >= 0);
	n = read(fd, buf, cap);
	FSK_CHECK(n >= 0);
	close(fd);
	return (size_t)n;
}

static inline struct fs_server *fsk_server(const char *root, bool readonly, unsigned int threads)
{
	struct fs_config cfg = { .root = root, .tag = "test", .readonly = readonly,
				 .nthreads = threads, .quiet = true };
	struct fs_server *srv;
	int err = 0;

	srv = fs_server_new(&cfg, &err);
	if (!srv)
		fprintf(stderr, "fs_server_new(%s): %s\n", root, strerror(-err));
	FSK_CHECK(srv);
	return srv;
}

#endif
