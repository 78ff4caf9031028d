/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bounds-checked access to one FUSE request (a private copy of guest bytes)
 * and scatter writes of the reply into the chain's writable buffers.
 * Nothing here trusts a length field: every read is checked against the
 * bytes actually present, and structures are copied out with memcpy so that
 * unaligned input is fine.
 */
#ifndef IVSHMD_FS_PROTO_H
#define IVSHMD_FS_PROTO_H

#include <linux/fuse.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct fs_req {
	struct fuse_in_header in;	/* copied header */
	const unsigned char *p;		/* next unread argument byte */
	size_t left;			/* argument bytes left (within in.len) */
	/* request bytes still in guest memory after the copied ones (a WRITE's
	 * data, never parsed): fs_req_tail() */
	const struct iovec *tail;
	int tailcnt;
	size_t tail_left;		/* of them, bytes within in.len */
};

/* Parse the header; 0, or -EBADMSG if no unique id can be read, or -EPROTO
 * (unique valid, reply with an error) if in.len disagrees with req_len. */
int fs_req_init(struct fs_req *rq, const void *buf, size_t len);
/* The same for a request whose first len bytes were copied to buf and whose
 * remaining tail_len bytes are described by tail (guest memory): in.len may
 * cover them, but only fs_req_tail() reaches them. */
int fs_req_init_tail(struct fs_req *rq, const void *buf, size_t len, const struct iovec *tail,
		     int tailcnt, size_t tail_len);
/* Describe the next n request bytes as at most max iovecs when every copied
 * argument byte is consumed and they lie in the tail; the count, or -EINVAL. */
int fs_req_tail(struct fs_req *rq, size_t n, struct iovec *out, int max);

/* Copy exactly n bytes into dst; false (nothing consumed) if fewer are left. */
bool fs_req_get(struct fs_req *rq, void *dst, size_t n);
/* Like fs_req_get, but a shorter argument (an older protocol's layout) of at
 * least min bytes is accepted and zero-extended to n. */
bool fs_req_get_min(struct fs_req *rq, void *dst, size_t n, size_t min);
/* Point at the next n bytes without copying; NULL if fewer are left. */
const void *fs_req_bytes(struct fs_req *rq, size_t n);
/* Next NUL-terminated string (the NUL must be within the request); its length
 * (without NUL) in *len. NULL if unterminated. */
const char *fs_req_str(struct fs_req *rq, size_t *len);

/* A directory entry name a new entry may get, or a lookup-able name. */
#define FS_NAME_MAX 255
int fs_check_name(const char *name, size_t len);	/* 0 or -EINVAL/-ENAMETOOLONG */
/* Additionally refuses "." and "..": names a new entry is created under, or
 * an entry that is removed / renamed. */
int fs_check_new_name(const char *name, size_t len);

struct fs_reply {
	const struct iovec *iov;
	int iovcnt;
	size_t cap;	/* total bytes the iovec can take */
	size_t len;	/* payload bytes written after the out header */
	bool noreply;	/* set by handlers of requests that have no reply */
};

#define FS_OUT_HDR sizeof(struct fuse_out_header)

void fs_reply_init(struct fs_reply *rp, const struct iovec *iov, int iovcnt);
/* Bytes of payload room after the out header. */
size_t fs_reply_room(const struct fs_reply *rp);
/* Write n payload bytes at payload offset off; -EOVERFLOW if they do not fit. */
int fs_reply_put(struct fs_reply *rp, size_t off, const void *src, size_t n);
/* Append n payload bytes at rp->len. */
int fs_reply_add(struct fs_reply *rp, const void *src, size_t n);
/* Describe payload bytes [off, off+n) as at most max iovecs; returns the
 * count (0 if n == 0) or -EOVERFLOW. */
int fs_reply_slice(const struct fs_reply *rp, size_t off, size_t n, struct iovec *out, int max);
/* Write the out header (absolute offset 0). */
int fs_reply_header(struct fs_reply *rp, uint64_t unique, int error, size_t payload);

#endif
