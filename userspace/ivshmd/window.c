// SPDX-License-Identifier: GPL-2.0
/* window.c - the shared-memory window: a sealed memfd mapped once. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"
#include "window.h"

bool ivd_is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

int ivd_window_create(struct ivd_window *w, uint64_t size)
{
	int fd, err;
	void *p;

	w->fd = -1;
	w->base = NULL;
	w->size = 0;
	w->guest_end = 0;
	if (!ivd_is_pow2(size) || size < IVV_WINDOW_MIN || size > IVV_WINDOW_MAX)
		return -EINVAL;
	fd = memfd_create("ivshmd-window", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) < 0)
		goto fail;
	/*
	 * QEMU gets this fd: seal the size so nobody can shrink the file under
	 * our mapping (that would turn window accesses into SIGBUS).
	 */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
		goto fail;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	w->fd = fd;
	w->base = p;
	w->size = size;
	w->guest_end = size;
	return 0;
fail:
	err = -errno;
	close(fd);
	return err;
}

void ivd_window_wrap(struct ivd_window *w, void *buf, uint64_t size)
{
	w->fd = -1;
	w->base = buf;
	w->size = size;
	w->guest_end = size;
}

int ivd_window_reserve_shm(struct ivd_window *w, uint64_t len)
{
	if (!ivd_shm_len_ok(w->size, len))
		return -EINVAL;
	w->guest_end = w->size - len;
	return 0;
}

void ivd_window_destroy(struct ivd_window *w)
{
	if (w->fd >= 0) {
		munmap(w->base, w->size);
		close(w->fd);
	}
	w->fd = -1;
	w->base = NULL;
	w->size = 0;
	w->guest_end = 0;
}
