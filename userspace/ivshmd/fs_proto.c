// SPDX-License-Identifier: GPL-2.0
/* Bounds-checked FUSE request cursor and scatter reply writer. */
#include <errno.h>
#include <string.h>

#include "fs_proto.h"

int fs_req_init(struct fs_req *rq, const void *buf, size_t len)
{
	memset(rq, 0, sizeof(*rq));
	if (!buf || len < offsetof(struct fuse_in_header, nodeid))
		return -EBADMSG;
	if (len < sizeof(rq->in)) {
		/* unique is readable: enough for an error reply */
		memcpy(&rq->in, buf, offsetof(struct fuse_in_header, nodeid));
		return -EPROTO;
	}
	memcpy(&rq->in, buf, sizeof(rq->in));
	/*
	 * in.len is guest-written: it may not claim more than we hold, nor less
	 * than its own header. Trailing bytes beyond in.len are ignored.
	 */
	if (rq->in.len > len || rq->in.len < sizeof(rq->in))
		return -EPROTO;
	rq->p = (const unsigned char *)buf + sizeof(rq->in);
	rq->left = rq->in.len - sizeof(rq->in);
	return 0;
}

int fs_req_init_tail(struct fs_req *rq, const void *buf, size_t len, const struct iovec *tail,
		     int tailcnt, size_t tail_len)
{
	size_t in_len;
	int r;

	if (!tail || tailcnt <= 0 || !tail_len)
		return fs_req_init(rq, buf, len);
	r = fs_req_init(rq, buf, len);
	/* only "in.len claims more than we copied" can be answered by the tail */
	if (r != -EPROTO || len < sizeof(rq->in))
		return r;
	in_len = rq->in.len;
	if (in_len < sizeof(rq->in) || in_len > len + tail_len)
		return -EPROTO;
	rq->p = (const unsigned char *)buf + sizeof(rq->in);
	rq->left = len - sizeof(rq->in);
	rq->tail = tail;
	rq->tailcnt = tailcnt;
	rq->tail_left = in_len - len;
	return 0;
}

int fs_req_tail(struct fs_req *rq, size_t n, struct iovec *out, int max)
{
	size_t want = n;
	int i, cnt = 0;

	if (rq->left || !rq->tail || n > rq->tail_left)
		return -EINVAL;
	for (i = 0; i < rq->tailcnt && want; i++) {
		size_t l = rq->tail[i].iov_len;

		if (l > want)
			l = want;
		if (!l)
			continue;
		if (cnt == max)
			return -EINVAL;
		out[cnt].iov_base = rq->tail[i].iov_base;
		out[cnt].iov_len = l;
		cnt++;
		want -= l;
	}
	if (want)
		return -EINVAL;
	rq->tail_left -= n;
	rq->tail = NULL;	/* consumed: one data argument per request */
	return cnt;
}

const void *fs_req_bytes(struct fs_req *rq, size_t n)
{
	const void *p = rq->p;

	if (n > rq->left)
		return NULL;
	rq->p += n;
	rq->left -= n;
	return p;
}

bool fs_req_get(struct fs_req *rq, void *dst, size_t n)
{
	const void *p = fs_req_bytes(rq, n);

	if (!p)
		return false;
	memcpy(dst, p, n);
	return true;
}

bool fs_req_get_min(struct fs_req *rq, void *dst, size_t n, size_t min)
{
	size_t take = rq->left < n ? rq->left : n;

	if (take < min)
		return false;
	memset(dst, 0, n);
	return fs_req_get(rq, dst, take);
}

const char *fs_req_str(struct fs_req *rq, size_t *len)
{
	const unsigned char *nul;
	const char *s = (const char *)rq->p;

	if (!rq->left)
		return NULL;
	nul = memchr(rq->p, 0, rq->left);
	if (!nul)
		return NULL;
	*len = (size_t)(nul - rq->p);
	rq->p = nul + 1;
	rq->left -= *len + 1;
	return s;
}

int fs_check_name(const char *name, size_t len)
{
	if (!name || len == 0)
		return -EINVAL;
	if (len > FS_NAME_MAX)
		return -ENAMETOOLONG;
	if (memchr(name, '/', len))
		return -EINVAL;
	return 0;
}

int fs_check_new_name(const char *name, size_t len)
{
	int r = fs_check_name(name, len);

	if (r)
		return r;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	return 0;
}

void fs_reply_init(struct fs_reply *rp, const struct iovec *iov, int iovcnt)
{
	size_t cap = 0;
	int i;

	memset(rp, 0, sizeof(*rp));
	rp->iov = iov;
	rp->iovcnt = iovcnt > 0 ? iovcnt : 0;
	for (i = 0; i < rp->iovcnt; i++) {
		if (cap + iov[i].iov_len < cap)
			break;
		cap += iov[i].iov_len;
	}
	rp->iovcnt = i;
	rp->cap = cap;
}

size_t fs_reply_room(const struct fs_reply *rp)
{
	return rp->cap > FS_OUT_HDR ? rp->cap - FS_OUT_HDR : 0;
}

/* Copy to absolute offset off of the iovec. */
static int put_abs(const struct fs_reply *rp, size_t off, const void *src, size_t n)
{
	const unsigned char *s = src;
	int i;

	if (off > rp->cap || n > rp->cap - off)
		return -EOVERFLOW;
	for (i = 0; i < rp->iovcnt && n; i++) {
		size_t seg = rp->iov[i].iov_len, chunk;

		if (off >= seg) {
			off -= seg;
			continue;
		}
		chunk = seg - off < n ? seg - off : n;
		memcpy((unsigned char *)rp->iov[i].iov_base + off, s, chunk);
		s += chunk;
		n -= chunk;
		off = 0;
	}
	return 0;
}

int fs_reply_put(struct fs_reply *rp, size_t off, const void *src, size_t n)
{
	if (off > SIZE_MAX - FS_OUT_HDR)
		return -EOVERFLOW;
	return put_abs(rp, FS_OUT_HDR + off, src, n);
}

int fs_reply_add(struct fs_reply *rp, const void *src, size_t n)
{
	int r = fs_reply_put(rp, rp->len, src, n);

	if (!r)
		rp->len += n;
	return r;
}

int fs_reply_slice(const struct fs_reply *rp, size_t off, size_t n, struct iovec *out, int max)
{
	int i, cnt = 0;

	if (off > SIZE_MAX - FS_OUT_HDR)
		return -EOVERFLOW;
	off += FS_OUT_HDR;
	if (off > rp->cap || n > rp->cap - off)
		return -EOVERFLOW;
	for (i = 0; i < rp->iovcnt && n; i++) {
		size_t seg = rp->iov[i].iov_len, chunk;

		if (off >= seg) {
			off -= seg;
			continue;
		}
		if (cnt == max)
			return -EOVERFLOW;
		chunk = seg - off < n ? seg - off : n;
		out[cnt].iov_base = (unsigned char *)rp->iov[i].iov_base + off;
		out[cnt].iov_len = chunk;
		cnt++;
		n -= chunk;
		off = 0;
	}
	return cnt;
}

int fs_reply_header(struct fs_reply *rp, uint64_t unique, int error, size_t payload)
{
	struct fuse_out_header out;

	if (payload > UINT32_MAX - FS_OUT_HDR)
		return -EOVERFLOW;
	out.len = (uint32_t)(FS_OUT_HDR + payload);
	out.error = error;
	out.unique = unique;
	return put_abs(rp, 0, &out, sizeof(out));
}
