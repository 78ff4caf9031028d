// SPDX-License-Identifier: GPL-2.0
/* stripelog CLI: devices and image files through struct sl_dev_ops. */
#include "slc.h"
#include <fcntl.h>
#include <unistd.h>
#include <string.h>
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/mount.h>

long long slc_dev_size(const char *path)
{
	struct stat st;
	u64 bytes;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st)) {
		close(fd);
		return -1;
	}
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, &bytes)) {
			close(fd);
			return -1;
		}
	} else if (S_ISREG(st.st_mode)) {
		bytes = (u64)st.st_size;
	} else {
		close(fd);
		errno = ENOTBLK;
		return -1;
	}
	close(fd);
	return (long long)bytes;
}

int slc_devs_open(struct slc_devs *d, const char *perf, u32 nlegs, char **legs, bool rw)
{
	long long sz;
	u32 i;

	memset(d, 0, sizeof(*d));
	for (i = 0; i <= SL_MAX_LEGS; i++)
		d->fd[i] = -1;
	if (nlegs > SL_MAX_LEGS) {
		fprintf(stderr, "stripelog: too many capacity devices (max %d)\n", SL_MAX_LEGS);
		return -EINVAL;
	}
	d->ndev = 1 + nlegs;
	for (i = 0; i < d->ndev; i++) {
		d->path[i] = i ? legs[i - 1] : perf;
		sz = slc_dev_size(d->path[i]);
		d->fd[i] = open(d->path[i], (rw ? O_RDWR : O_RDONLY) | O_CLOEXEC);
		if (sz < 0 || d->fd[i] < 0) {
			fprintf(stderr, "stripelog: %s: %s\n", d->path[i], strerror(errno));
			slc_devs_close(d);
			return -errno;
		}
		d->blocks[i] = (u64)sz / SL_BLOCK_SIZE;
	}
	return 0;
}

void slc_devs_close(struct slc_devs *d)
{
	u32 i;

	for (i = 0; i < d->ndev; i++)
		if (d->fd[i] >= 0)
			close(d->fd[i]);
	d->ndev = 0;
}

static int slc_io(struct slc_devs *d, u32 dev, u64 block, u32 n, void *buf, bool wr)
{
	size_t len = (size_t)n * SL_BLOCK_SIZE, done = 0;
	ssize_t r;

	if (dev >= d->ndev || block > d->blocks[dev] || n > d->blocks[dev] - block)
		return -EIO;
	while (done < len) {
		off_t off = (off_t)(block * SL_BLOCK_SIZE + done);

		r = wr ? pwrite(d->fd[dev], (const u8 *)buf + done, len - done, off) :
			 pread(d->fd[dev], (u8 *)buf + done, len - done, off);
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		done += (size_t)r;
	}
	return 0;
}

static int slc_read(void *ctx, u32 dev, u64 block, u32 n, void *buf)
{
	return slc_io(ctx, dev, block, n, buf, false);
}

static int slc_write(void *ctx, u32 dev, u64 block, u32 n, const void *buf, bool fua)
{
	struct slc_devs *d = ctx;
	int err = slc_io(d, dev, block, n, (void *)buf, true);

	if (!err && fua && fdatasync(d->fd[dev]))
		err = -errno;
	return err;
}

static int slc_flush(void *ctx, u32 dev)
{
	struct slc_devs *d = ctx;

	if (dev >= d->ndev)
		return -EIO;
	return fdatasync(d->fd[dev]) ? -errno : 0;
}

const struct sl_dev_ops slc_dev_ops = { slc_read, slc_write, slc_flush };
