// SPDX-License-Identifier: GPL-2.0
/*
 * WRITE data taken from guest memory (fs_server_handle_tail(), what ivshmd's
 * virtio-fs glue uses so a 1 MiB write is not copied on the event loop):
 * only the header and write_in are copied and parsed, the data is an iovec
 * of odd-sized pieces (empty ones included).  The file must get exactly the
 * data; in.len may cover the tail but not claim more (EPROTO); a size larger
 * than the tail, data split between the copy and the tail, or any other
 * opcode whose arguments would lie in the tail are EINVAL; only in.size
 * bytes are written when the tail is longer; --readonly is EROFS.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

#include "ivshmd/fs_testkit.h"

#define DATA 10000

static struct fsk_dirs dirs;
static struct fsk k;
static unsigned char data[DATA];
static unsigned char reply[4096];
static uint64_t unique = 1000;

/* Send header (+ write_in) of @hlen bytes with in.len @in_len and @tail. */
static struct fuse_out_header send_tail(struct fs_server *srv, unsigned char *hdr, size_t hlen,
					uint32_t in_len, const struct iovec *tail, int tailcnt,
					size_t tail_len, long *ret)
{
	struct iovec rio = { reply, sizeof(reply) };
	struct fuse_out_header out;
	struct fuse_in_header in;

	memcpy(&in, hdr, sizeof(in));
	in.len = in_len;
	in.unique = ++unique;
	memcpy(hdr, &in, sizeof(in));
	memset(reply, 0xa5, sizeof(reply));
	*ret = fs_server_handle_tail(srv, hdr, hlen, tail, tailcnt, tail_len, &rio, 1);
	FSK_CHECK(*ret >= (long)sizeof(out));
	memcpy(&out, reply, sizeof(out));
	FSK_EQ(out.unique, in.unique);
	FSK_EQ(out.len, *ret);
	return out;
}

static void build_write(unsigned char *hdr, uint64_t ino, uint64_t fh, uint64_t off,
			uint32_t size, uint32_t opcode)
{
	struct fuse_in_header in = { .opcode = opcode, .nodeid = ino };
	struct fuse_write_in w = { .fh = fh, .offset = off, .size = size };

	memcpy(hdr, &in, sizeof(in));
	memcpy(hdr + sizeof(in), &w, sizeof(w));
}

static void run(bool readonly)
{
	const size_t H = sizeof(struct fuse_in_header) + sizeof(struct fuse_write_in);
	/* 10000 bytes in odd pieces, two of them empty */
	struct iovec tail[5] = {
		{ data, 7 }, { data + 7, 0 }, { data + 7, 4089 }, { data + 4096, 0 },
		{ data + 4096, DATA - 4096 },
	};
	static unsigned char got[3 * DATA];
	unsigned char hdr[256];
	struct fuse_out_header out;
	struct fuse_write_out wo;
	struct fs_server *srv;
	uint64_t ino = 0, fh = 0;
	size_t glen;
	long ret;

	srv = fsk_server(dirs.root, false, 1);
	fsk_init(&k, srv);
	FSK_EQ(fsk_do_init(&k, 0), 0);
	if (!readonly)
		FSK_EQ(fsk_create(&k, FUSE_ROOT_ID, "f", 0644, O_RDWR | O_CREAT, &ino, &fh), 0);
	fsk_fini(&k);
	if (readonly) {
		fs_server_free(srv);
		srv = fsk_server(dirs.root, true, 1);
		fsk_init(&k, srv);
		FSK_EQ(fsk_do_init(&k, 0), 0);
		{
			struct fuse_entry_out e;

			FSK_EQ(fsk_lookup(&k, FUSE_ROOT_ID, "f", &e), 0);
			ino = e.nodeid;
		}
		FSK_EQ(fsk_open(&k, ino, O_RDONLY, &fh), 0);
		fsk_fini(&k);
		build_write(hdr, ino, fh, 0, DATA, FUSE_WRITE);
		out = send_tail(srv, hdr, H, (uint32_t)(H + DATA), tail, 5, DATA, &ret);
		FSK_EQ(out.error, -EROFS);
		fs_server_free(srv);
		return;
	}

	/* the data, all from the tail */
	build_write(hdr, ino, fh, 0, DATA, FUSE_WRITE);
	out = send_tail(srv, hdr, H, (uint32_t)(H + DATA), tail, 5, DATA, &ret);
	FSK_EQ(out.error, 0);
	FSK_EQ(ret, sizeof(out) + sizeof(wo));
	memcpy(&wo, reply + sizeof(out), sizeof(wo));
	FSK_EQ(wo.size, DATA);
	glen = fsk_host_read(&dirs, "f", got, sizeof(got));
	FSK_EQ(glen, DATA);
	FSK_CHECK(!memcmp(got, data, DATA));

	/* in.size shorter than the tail: only in.size bytes, at the offset */
	build_write(hdr, ino, fh, DATA, 100, FUSE_WRITE);
	out = send_tail(srv, hdr, H, (uint32_t)(H + DATA), tail, 5, DATA, &ret);
	FSK_EQ(out.error, 0);
	glen = fsk_host_read(&dirs, "f", got, sizeof(got));
	FSK_EQ(glen, DATA + 100);
	FSK_CHECK(!memcmp(got + DATA, data, 100));

	/* in.len claiming more than copy + tail */
	build_write(hdr, ino, fh, 0, DATA, FUSE_WRITE);
	out = send_tail(srv, hdr, H, (uint32_t)(H + DATA + 1), tail, 5, DATA, &ret);
	FSK_EQ(out.error, -EPROTO);
	/* in.size beyond what in.len / the tail hold */
	build_write(hdr, ino, fh, 0, DATA + 1, FUSE_WRITE);
	out = send_tail(srv, hdr, H, (uint32_t)(H + DATA), tail, 5, DATA, &ret);
	FSK_EQ(out.error, -EINVAL);
	build_write(hdr, ino, fh, 0, DATA, FUSE_WRITE);
	out = send_tail(srv, hdr, H, (uint32_t)(H + DATA - 1), tail, 5, DATA, &ret);
	FSK_EQ(out.error, -EINVAL);
	/* data split between the copy and the tail */
	build_write(hdr, ino, fh, 0, DATA + 3, FUSE_WRITE);
	memcpy(hdr + H, "abc", 3);
	out = send_tail(srv, hdr, H + 3, (uint32_t)(H + 3 + DATA), tail, 5, DATA, &ret);
	FSK_EQ(out.error, -EINVAL);
	/* another opcode's argument never comes from the tail: a LOOKUP name */
	{
		struct fuse_in_header in = { .opcode = FUSE_LOOKUP, .nodeid = FUSE_ROOT_ID };
		struct iovec name = { (void *)"f", 2 };

		memcpy(hdr, &in, sizeof(in));
		out = send_tail(srv, hdr, sizeof(in), (uint32_t)(sizeof(in) + 2), &name, 1, 2,
				&ret);
		FSK_EQ(out.error, -EINVAL);
	}
	/* the file is unchanged by the refused requests */
	glen = fsk_host_read(&dirs, "f", got, sizeof(got));
	FSK_EQ(glen, DATA + 100);
	FSK_CHECK(!memcmp(got, data, DATA));
	fs_server_free(srv);
}

int main(void)
{
	int fds_before = fsk_count_fds();
	size_t i;

	for (i = 0; i < DATA; i++)
		data[i] = (unsigned char)(i * 7 + i / 251);
	fsk_mkdirs(&dirs, "test-fs-write-tail");
	run(false);
	run(true);
	FSK_EQ(fsk_count_fds(), fds_before);
	fsk_rm_rf(dirs.base);
	printf("test-fs-write-tail: ok\n");
	return 0;
}
