// SPDX-License-Identifier: GPL-2.0
/*
 * fs_server_submit() with a worker pool, as the transport glue uses it:
 * hundreds of requests in flight at once (WRITE/READ/LOOKUP/GETATTR,
 * FORGET/BATCH_FORGET without replies, malformed ones), completions
 * correlated by unique, done() called exactly once each; FORGET overcounts
 * racing reads through an open handle; the host sees every byte written.
 * Then with a DAX window: WRITEs to mapped ranges in flight together with
 * FLUSH, FSYNC, REMOVEMAPPING and SETUPMAPPING of the same chunks (each a
 * writeback of the chunk): no WRITE may be undone by a writeback of a
 * stale chunk, and every mapped chunk ends equal to its file.
 */
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <unistd.h>

#include "ivshmd/fs_testkit.h"

#define NFILES 4
#define NWRITES 256
#define CHUNK 512

struct slot {
	unsigned char req[sizeof(struct fuse_in_header) + sizeof(struct fuse_write_in) + CHUNK];
	size_t req_len;
	uint64_t unique;
	unsigned char reply[CHUNK + 64];
	atomic_int calls;
	size_t reply_len;
	int err;
};

static struct fsk_dirs dirs;
static struct fs_server *srv;
static atomic_uint_fast64_t next_unique = 1000;

static void done(void *cookie, size_t reply_len, int err)
{
	struct slot *s = cookie;

	s->reply_len = reply_len;
	s->err = err;
	atomic_fetch_add(&s->calls, 1);
}

static void make(struct slot *s, uint32_t opcode, uint64_t nodeid, const void *arg,
		 size_t arg_len, const void *tail, size_t tail_len)
{
	struct fuse_in_header in;

	memset(&in, 0, sizeof(in));
	in.opcode = opcode;
	in.nodeid = nodeid;
	in.unique = s->unique = atomic_fetch_add(&next_unique, 1);
	in.len = (uint32_t)(sizeof(in) + arg_len + tail_len);
	FSK_CHECK(in.len <= sizeof(s->req));
	memcpy(s->req, &in, sizeof(in));
	if (arg_len)
		memcpy(s->req + sizeof(in), arg, arg_len);
	if (tail_len)
		memcpy(s->req + sizeof(in) + arg_len, tail, tail_len);
	s->req_len = in.len;
	atomic_store(&s->calls, 0);
	s->reply_len = 0;
	s->err = 1;
}

static void submit(struct slot *s)
{
	struct iovec iov[2] = {
		{ s->reply, 8 },	/* split the out header itself */
		{ s->reply + 8, sizeof(s->reply) - 8 },
	};

	FSK_EQ(fs_server_submit(srv, s->req, s->req_len, iov, 2, done, s), 0);
}

/* The reply in s: header consistent with the request; returns its error. */
static int reply_error(struct slot *s)
{
	struct fuse_out_header out;

	FSK_EQ(atomic_load(&s->calls), 1);
	FSK_EQ(s->err, 0);
	FSK_CHECK(s->reply_len >= sizeof(out));
	memcpy(&out, s->reply, sizeof(out));
	FSK_EQ(out.unique, s->unique);
	FSK_EQ(out.len, s->reply_len);
	return out.error;
}

/* The exported file%d as the host sees it, opened read-only. */
static int open_host_file(int f)
{
	char p[600];
	int fd;

	snprintf(p, sizeof(p), "%s/file%d", dirs.root, f);
	fd = open(p, O_RDONLY);
	FSK_CHECK(fd >= 0);
	return fd;
}

static void pattern(unsigned char *buf, int file, int chunk)
{
	int i;

	for (i = 0; i < CHUNK; i++)
		buf[i] = (unsigned char)(file * 31 + chunk * 7 + i);
}

#define DAX_CHUNK (2u << 20)

static void pattern2(unsigned char *buf, int file, int chunk)
{
	int i;

	for (i = 0; i < CHUNK; i++)
		buf[i] = (unsigned char)(file * 13 + chunk * 5 + i + 101);
}

/* What the DAX phase sends in round @c: mostly WRITEs (DAX_WRITE). */
enum { DAX_WRITE, DAX_FLUSH, DAX_FSYNC, DAX_REMOVE, DAX_SETUP };

static int dax_op(int c)
{
	if (c % 8 == 3)
		return DAX_FLUSH;
	if (c % 8 == 5)
		return DAX_FSYNC;
	if (c % 16 == 7)
		return DAX_REMOVE;
	if (c % 16 == 15)
		return DAX_SETUP;
	return DAX_WRITE;
}

static void dax_phase(const uint64_t *fh)
{
	uint64_t ino[NFILES];
	static struct slot slots[NFILES * 80];
	struct fuse_setupmapping_in sm = { .fh = (uint64_t)-1, .len = DAX_CHUNK,
					   .flags = FUSE_SETUPMAPPING_FLAG_READ |
						    FUSE_SETUPMAPPING_FLAG_WRITE };
	struct fuse_removemapping_in rmi = { .count = 1 };
	struct fuse_removemapping_one rmo = { .len = DAX_CHUNK };
	unsigned char rm[sizeof(rmi) + sizeof(rmo)];	/* packed, as the guest sends it */
	unsigned char *win = calloc(NFILES, DAX_CHUNK);
	int f, c, n = 0;

	FSK_CHECK(win);
	/* the FORGETs above may have retired the nodeids: look the files up again */
	for (f = 0; f < NFILES; f++) {
		struct fuse_entry_out e;
		char name[16];

		snprintf(name, sizeof(name), "file%d", f);
		make(&slots[f], FUSE_LOOKUP, FUSE_ROOT_ID, NULL, 0, name, strlen(name) + 1);
		submit(&slots[f]);
		fs_server_drain(srv);
		FSK_EQ(reply_error(&slots[f]), 0);
		memcpy(&e, slots[f].reply + sizeof(struct fuse_out_header), sizeof(e));
		ino[f] = e.nodeid;
	}
	fs_server_set_dax(srv, win, (uint64_t)NFILES * DAX_CHUNK);
	for (f = 0; f < NFILES; f++) {
		sm.moffset = (uint64_t)f * DAX_CHUNK;
		make(&slots[f], FUSE_SETUPMAPPING, ino[f], &sm, sizeof(sm), NULL, 0);
		submit(&slots[f]);
	}
	fs_server_drain(srv);
	for (f = 0; f < NFILES; f++)
		FSK_EQ(reply_error(&slots[f]), 0);

	for (c = 0; c < 64; c++) {
		for (f = 0; f < NFILES; f++) {
			struct slot *s = &slots[n++];

			int op = dax_op(c);

			if (op == DAX_FLUSH) {
				struct fuse_flush_in fl = { .fh = fh[f] };

				make(s, FUSE_FLUSH, ino[f], &fl, sizeof(fl), NULL, 0);
			} else if (op == DAX_FSYNC) {
				struct fuse_fsync_in fs = { .fh = fh[f] };

				make(s, FUSE_FSYNC, ino[f], &fs, sizeof(fs), NULL, 0);
			} else if (op == DAX_REMOVE) {
				rmo.moffset = (uint64_t)f * DAX_CHUNK;
				memcpy(rm, &rmi, sizeof(rmi));
				memcpy(rm + sizeof(rmi), &rmo, sizeof(rmo));
				make(s, FUSE_REMOVEMAPPING, ino[f], rm, sizeof(rm), NULL, 0);
			} else if (op == DAX_SETUP) {
				sm.moffset = (uint64_t)f * DAX_CHUNK;
				make(s, FUSE_SETUPMAPPING, ino[f], &sm, sizeof(sm), NULL, 0);
			} else {
				struct fuse_write_in wi = { .fh = fh[f], .size = CHUNK,
							    .offset = (uint64_t)c * CHUNK };
				unsigned char data[CHUNK];

				pattern2(data, f, c);
				make(s, FUSE_WRITE, ino[f], &wi, sizeof(wi), data, CHUNK);
			}
			submit(s);
		}
	}
	fs_server_drain(srv);
	for (c = 0; c < n; c++)
		FSK_EQ(reply_error(&slots[c]), 0);

	/* every WRITE is in its file; every chunk still mapped equals its file */
	for (f = 0; f < NFILES; f++) {
		unsigned char want[CHUNK], got[CHUNK];
		int fd = open_host_file(f);

		for (c = 0; c < 64; c++) {
			if (dax_op(c) != DAX_WRITE)
				continue;
			pattern2(want, f, c);
			FSK_EQ(pread(fd, got, CHUNK, (off_t)c * CHUNK), CHUNK);
			FSK_CHECK(!memcmp(want, got, CHUNK));
			FSK_CHECK(!memcmp(win + (size_t)f * DAX_CHUNK + (size_t)c * CHUNK, got,
					  CHUNK));
		}
		close(fd);
	}
	fs_server_set_dax(srv, NULL, 0);
	free(win);
}

int main(void)
{
	static struct slot slots[NFILES * NWRITES + 64];
	uint64_t ino[NFILES], fh[NFILES];
	struct fsk k;
	struct fs_stats st;
	int f, c, n;
	int fds_before = fsk_count_fds();

	fsk_mkdirs(&dirs, "test-fs-concurrent");
	srv = fsk_server(dirs.root, false, 4);
	fsk_init(&k, srv);
	FSK_EQ(fsk_do_init(&k, 0), 0);

	/* CREATE the files concurrently */
	for (f = 0; f < NFILES; f++) {
		struct fuse_create_in ci = { .flags = O_RDWR, .mode = S_IFREG | 0644 };
		char name[16];

		snprintf(name, sizeof(name), "file%d", f);
		make(&slots[f], FUSE_CREATE, FUSE_ROOT_ID, &ci, sizeof(ci), name, strlen(name) + 1);
		submit(&slots[f]);
	}
	fs_server_drain(srv);
	for (f = 0; f < NFILES; f++) {
		struct fuse_entry_out e;
		struct fuse_open_out o;

		FSK_EQ(reply_error(&slots[f]), 0);
		FSK_EQ(slots[f].reply_len, sizeof(struct fuse_out_header) + sizeof(e) + sizeof(o));
		memcpy(&e, slots[f].reply + sizeof(struct fuse_out_header), sizeof(e));
		memcpy(&o, slots[f].reply + sizeof(struct fuse_out_header) + sizeof(e), sizeof(o));
		ino[f] = e.nodeid;
		fh[f] = o.fh;
	}

	/* all WRITEs in flight at once, plus no-reply and malformed requests */
	n = 0;
	for (c = 0; c < NWRITES; c++) {
		for (f = 0; f < NFILES; f++) {
			struct fuse_write_in wi = { .fh = fh[f], .offset = (uint64_t)c * CHUNK,
						    .size = CHUNK };
			unsigned char data[CHUNK];

			pattern(data, f, c);
			make(&slots[n], FUSE_WRITE, ino[f], &wi, sizeof(wi), data, CHUNK);
			submit(&slots[n++]);
		}
	}
	{
		struct fuse_forget_in fi = { .nlookup = 0 };
		struct slot *s = &slots[n++];

		make(s, FUSE_FORGET, ino[0], &fi, sizeof(fi), NULL, 0);
		submit(s);
		s = &slots[n++];
		make(s, FUSE_GETATTR, 0, NULL, 0, NULL, 0);
		s->req_len = 10;	/* no unique id */
		submit(s);
	}
	fs_server_drain(srv);
	for (c = 0; c < NFILES * NWRITES; c++) {
		struct fuse_write_out wo;

		FSK_EQ(reply_error(&slots[c]), 0);
		memcpy(&wo, slots[c].reply + sizeof(struct fuse_out_header), sizeof(wo));
		FSK_EQ(wo.size, CHUNK);
	}
	FSK_EQ(atomic_load(&slots[c].calls), 1);	/* FORGET: completed, no reply */
	FSK_EQ(slots[c].reply_len, 0);
	FSK_EQ(slots[c].err, 0);
	c++;
	FSK_EQ(atomic_load(&slots[c].calls), 1);	/* malformed: completed with err */
	FSK_EQ(slots[c].err, -EBADMSG);

	/* the host sees every chunk */
	for (f = 0; f < NFILES; f++) {
		unsigned char want[CHUNK], got[CHUNK];
		int fd = open_host_file(f);

		for (c = 0; c < NWRITES; c++) {
			pattern(want, f, c);
			FSK_EQ(pread(fd, got, CHUNK, (off_t)c * CHUNK), CHUNK);
			FSK_CHECK(!memcmp(want, got, CHUNK));
		}
		close(fd);
	}

	/* READs racing FORGETs with absurd counts: the open handle keeps working */
	n = 0;
	for (c = 0; c < 200; c++) {
		struct slot *s = &slots[n++];

		if (c % 10 == 5) {
			struct fuse_forget_in fi = { .nlookup = UINT64_MAX };

			make(s, FUSE_FORGET, ino[1], &fi, sizeof(fi), NULL, 0);
		} else {
			struct fuse_read_in ri = { .fh = fh[1], .offset = (uint64_t)c * CHUNK,
						   .size = CHUNK };

			make(s, FUSE_READ, ino[1], &ri, sizeof(ri), NULL, 0);
		}
		submit(s);
	}
	fs_server_drain(srv);
	for (c = 0; c < 200; c++) {
		unsigned char want[CHUNK];

		if (c % 10 == 5) {
			FSK_EQ(atomic_load(&slots[c].calls), 1);
			FSK_EQ(slots[c].reply_len, 0);
			continue;
		}
		FSK_EQ(reply_error(&slots[c]), 0);
		FSK_EQ(slots[c].reply_len, sizeof(struct fuse_out_header) + CHUNK);
		pattern(want, 1, c);
		FSK_CHECK(!memcmp(slots[c].reply + sizeof(struct fuse_out_header), want, CHUNK));
	}
	fs_server_stats(srv, &st);
	FSK_CHECK(st.forget_clamped >= 1);

	dax_phase(fh);

	/* bad submissions are refused without a completion */
	FSK_EQ(fs_server_submit(srv, slots[0].req, 10, NULL, 0, NULL, NULL), -EINVAL);
	FSK_EQ(fs_server_submit(srv, slots[0].req, 10, NULL, -1, done, &slots[0]), -EINVAL);
	FSK_EQ(fs_server_submit(srv, slots[0].req, 10, NULL, FS_MAX_REPLY_IOV + 1, done,
				&slots[0]), -EINVAL);

	fsk_fini(&k);
	fs_server_free(srv);

	/* no_workers: the caller's threads serve; submit completes inline */
	{
		struct fs_config cfg = { .root = dirs.root, .no_workers = true, .quiet = true };
		struct fuse_init_in ii = { .major = 7, .minor = 36 };
		struct fuse_getattr_in gi = { 0 };
		int err = 0;

		srv = fs_server_new(&cfg, &err);
		FSK_CHECK(srv);
		make(&slots[0], FUSE_INIT, 0, &ii, sizeof(ii), NULL, 0);
		submit(&slots[0]);
		FSK_EQ(reply_error(&slots[0]), 0);	/* already done */
		make(&slots[1], FUSE_GETATTR, FUSE_ROOT_ID, &gi, sizeof(gi), NULL, 0);
		submit(&slots[1]);
		FSK_EQ(reply_error(&slots[1]), 0);
		fs_server_free(srv);
	}
	FSK_EQ(fsk_count_fds(), fds_before);	/* no fd leaked on any path */
	fsk_rm_rf(dirs.base);
	printf("test-fs-concurrent: ok (%d requests)\n", NFILES * NWRITES + 200 + NFILES + 2);
	return 0;
}
