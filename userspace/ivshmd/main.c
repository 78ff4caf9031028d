// SPDX-License-Identifier: GPL-2.0
/*
 * ivshmd: ivshmem server for one QEMU guest, and the device side of the
 * virtio-ivshmem transport serving either a virtio-blk disk from a file or
 * block device, or a host directory as a virtio-fs filesystem.
 * See Documentation/ivshmem-transport.rst and Documentation/ivshmem-fs.rst.
 */
#include <errno.h>
#include <linux/virtio_ring.h>
#include <pthread.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "blk.h"
#include "log.h"
#include "server_proto.h"
#include "transport.h"
#include "virtio_fs_dev.h"
#include "window.h"

enum { EV_LISTEN = 1, EV_SIGNAL, EV_TIMER, EV_POOL, EV_CLIENT, EV_DOORBELL };
#define EV(type, idx)	(((uint64_t)(type) << 32) | (uint32_t)(idx))

struct opts {
	const char *socket;
	const char *blk;
	const char *fs;
	const char *tag;
	unsigned int cache_ms;
	bool cache_set;		/* --cache or --cache-ms given */
	bool keep_cache;
	bool writeback;		/* --writeback */
	uint64_t shm_size;
	uint64_t dax;		/* --dax: shared-memory region bytes (0 = none) */
	unsigned int vectors;
	unsigned int threads;
	bool readonly;
	bool indirect;
	bool wait;
	int verbose;
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: ivshmd --socket PATH --blk FILE_OR_BLOCKDEV [options]\n"
"       ivshmd --socket PATH --fs DIR --tag NAME [options]\n"
"\n"
"The ivshmem server for one QEMU guest and the device side of the\n"
"virtio-ivshmem transport: serves FILE_OR_BLOCKDEV as a virtio-blk disk, or\n"
"exports DIR as a virtio-fs filesystem (guest: mount -t virtiofs NAME /mnt),\n"
"through the shared-memory window.  Exactly one of --blk and --fs.\n"
"Start it before QEMU, then run QEMU with\n"
"  -chardev socket,path=PATH,id=ivsh0 -device ivshmem-doorbell,chardev=ivsh0,vectors=N\n"
"(N = --vectors).  Logs go to stderr.\n"
"\n"
"options:\n"
"  --socket PATH      unix socket QEMU connects to (created; a stale socket\n"
"                     is replaced)\n"
"  --blk PATH         backing file or block device\n"
"  --fs DIR           export directory DIR (virtio-fs); nothing outside it\n"
"                     is reachable (see Documentation/ivshmem-fs.rst)\n"
"  --tag NAME         virtio-fs tag the guest mounts, 1..36 bytes (with --fs)\n"
"  --cache MODE       with --fs: what the guest may cache (names,\n"
"                     attributes, file pages); see Documentation/ivshmem-fs.rst\n"
"                     none:   nothing, every lookup/stat asks the host\n"
"                     auto:   names and attributes for 1 s (default; host-side\n"
"                             changes to DIR show within a second)\n"
"                     always: names and attributes for a day, and file pages\n"
"                             across opens (only the guest changes DIR)\n"
"  --cache-ms MS      with --fs: name/attribute cache time in ms, 0..86400000\n"
"                     (overrides the time of --cache)\n"
"  --writeback        with --fs: offer the guest FUSE's writeback cache (it\n"
"                     keeps written data, size and mtime until close/fsync:\n"
"                     the host's view of DIR lags like with 9p cache=loose)\n"
"  --shm-size SIZE    shared window size, a power of two between 1M and 1G\n"
"                     (suffix K, M or G; default 64M)\n"
"  --dax SIZE         with --fs: make the last SIZE bytes of the window (a\n"
"                     multiple of 2M, leaving at least 16M) the virtio-fs DAX\n"
"                     cache: the guest reads and writes regular files there\n"
"                     with plain memory copies, no request per I/O; the host\n"
"                     copies file ranges in when the guest maps them and\n"
"                     guest writes back out on flush/close/fsync/unmap (the\n"
"                     host's view of DIR lags like with --writeback)\n"
"  --readonly         serve the disk read-only (VIRTIO_BLK_F_RO); with --fs,\n"
"                     every mutation fails with EROFS\n"
"  --indirect         also offer VIRTIO_RING_F_INDIRECT_DESC (indirect\n"
"                     descriptor tables, validated like the ring)\n"
"  --vectors N        doorbell/MSI-X vectors, 1..%d (default 2; must match\n"
"                     QEMU's vectors=)\n"
"  --threads N        backend I/O threads (default 4; --fs: concurrent\n"
"                     requests); 0 serves each request\n"
"                     inline in the event loop (no overlap, fewer hops)\n"
"  --once             exit when the VM disconnects (default)\n"
"  --wait             after a disconnect, wait for the next VM\n"
"  -v, --verbose      more log output (repeat for debug)\n"
"  -q, --quiet        errors only\n"
"  -h, --help         this text\n"
"\n"
"Exit status: 0 after a clean shutdown (SIGTERM/SIGINT, or the VM left with\n"
"--once), 1 on a runtime error, 2 on a usage error.\n", IVD_MAX_VECTORS);
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end)
		return -1;
	*out = v;
	return 0;
}

static int parse_uint(const char *s, unsigned int lo, unsigned int hi, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

/* --cache MODE: the guest's name/attribute cache time and page cache policy */
static int parse_cache_mode(const char *mode, struct opts *o)
{
	if (!strcmp(mode, "none"))
		o->cache_ms = 0;
	else if (!strcmp(mode, "auto"))
		o->cache_ms = IVD_FS_CACHE_AUTO_MS;
	else if (!strcmp(mode, "always"))
		o->cache_ms = IVD_FS_CACHE_ALWAYS_MS;
	else
		return -1;
	o->keep_cache = !strcmp(mode, "always");
	o->cache_set = true;
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "blk", required_argument, NULL, 'b' },
		{ "fs", required_argument, NULL, 'f' },
		{ "tag", required_argument, NULL, 'T' },
		{ "cache", required_argument, NULL, 'C' },
		{ "cache-ms", required_argument, NULL, 'c' },
		{ "writeback", no_argument, NULL, 'W' },
		{ "shm-size", required_argument, NULL, 'm' },
		{ "dax", required_argument, NULL, 'D' },
		{ "readonly", no_argument, NULL, 'r' },
		{ "indirect", no_argument, NULL, 'i' },
		{ "vectors", required_argument, NULL, 'n' },
		{ "threads", required_argument, NULL, 't' },
		{ "once", no_argument, NULL, 'o' },
		{ "wait", no_argument, NULL, 'w' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool cache_ms_given = false;
	unsigned int cache_ms = 0;
	int c;

	memset(o, 0, sizeof(*o));
	o->shm_size = 64ull << 20;
	o->vectors = 2;
	o->threads = 4;
	o->cache_ms = IVD_FS_CACHE_AUTO_MS;
	while ((c = getopt_long(argc, argv, "vqh", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o->socket = optarg; break;
		case 'b': o->blk = optarg; break;
		case 'f': o->fs = optarg; break;
		case 'T': o->tag = optarg; break;
		case 'C':
			if (parse_cache_mode(optarg, o)) {
				fprintf(stderr, "ivshmd: --cache must be none, auto or always\n");
				return 2;
			}
			break;
		case 'c':
			if (parse_uint(optarg, 0, IVD_FS_CACHE_ALWAYS_MS, &cache_ms)) {
				fprintf(stderr, "ivshmd: --cache-ms must be 0..%u\n",
					IVD_FS_CACHE_ALWAYS_MS);
				return 2;
			}
			cache_ms_given = true;
			o->cache_set = true;
			break;
		case 'm':
			if (parse_size(optarg, &o->shm_size) || !ivd_is_pow2(o->shm_size) ||
			    o->shm_size < IVV_WINDOW_MIN || o->shm_size > IVV_WINDOW_MAX) {
				fprintf(stderr, "ivshmd: --shm-size must be a power of two "
					"between 1M and 1G\n");
				return 2;
			}
			break;
		case 'D':
			if (parse_size(optarg, &o->dax) || !o->dax || o->dax % IVV_SHM_ALIGN) {
				fprintf(stderr, "ivshmd: --dax must be a non-zero multiple of 2M\n");
				return 2;
			}
			break;
		case 'W': o->writeback = true; break;
		case 'r': o->readonly = true; break;
		case 'i': o->indirect = true; break;
		case 'n':
			if (parse_uint(optarg, 1, IVD_MAX_VECTORS, &o->vectors)) {
				fprintf(stderr, "ivshmd: --vectors must be 1..%d\n",
					IVD_MAX_VECTORS);
				return 2;
			}
			break;
		case 't':
			if (parse_uint(optarg, 0, IVD_POOL_MAX_THREADS, &o->threads)) {
				fprintf(stderr, "ivshmd: --threads must be 0..%d\n",
					IVD_POOL_MAX_THREADS);
				return 2;
			}
			break;
		case 'o': o->wait = false; break;
		case 'w': o->wait = true; break;
		case 'v': o->verbose++; break;
		case 'q': o->verbose = -1; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return 2;
		}
	}
	if (cache_ms_given)	/* wins over --cache's time, whatever the order */
		o->cache_ms = cache_ms;
	if (optind < argc) {
		fprintf(stderr, "ivshmd: unexpected argument '%s' (see --help)\n", argv[optind]);
		return 2;
	}
	if (!o->socket || (!o->blk && !o->fs)) {
		fprintf(stderr, "ivshmd: --socket and one of --blk/--fs are required "
			"(see --help)\n");
		return 2;
	}
	if (o->blk && o->fs) {
		fprintf(stderr, "ivshmd: --blk and --fs are exclusive: one device per "
			"instance\n");
		return 2;
	}
	if (o->fs && (!o->tag || !*o->tag || strlen(o->tag) > IVD_FS_TAG_MAX)) {
		fprintf(stderr, "ivshmd: --fs needs --tag NAME of 1..%d bytes\n",
			IVD_FS_TAG_MAX);
		return 2;
	}
	if (o->dax && (!o->fs || !ivd_shm_len_ok(o->shm_size, o->dax))) {
		fprintf(stderr, "ivshmd: --dax goes with --fs and must leave at least 16M of "
			"--shm-size\n");
		return 2;
	}
	if (!o->fs && (o->tag || o->cache_set || o->writeback)) {
		fprintf(stderr, "ivshmd: --tag, --cache, --cache-ms and --writeback go with "
			"--fs\n");
		return 2;
	}
	if (o->writeback && o->readonly) {
		fprintf(stderr, "ivshmd: --writeback makes no sense with --readonly\n");
		return 2;
	}
	return 0;
}

struct state {
	struct opts o;
	int ep;
	struct ivd_server srv;
	struct ivd_blk blk;
	struct ivd_fsdev fsd;
	struct ivd_window win;
	struct ivd_dev dev;
	bool connected;
};

static int ep_add(int ep, int fd, uint64_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static void log_stats(const struct state *s)
{
	if (s->o.fs) {
		struct fs_stats st;

		fs_server_stats(s->fsd.srv, &st);
		ivd_info("stats: requests %llu (no reply %llu, unanswerable %llu, cut short %llu, "
			 "error replies %llu, malformed %llu, forget clamped %llu), kicks %llu, "
			 "interrupts %llu", (unsigned long long)s->dev.requests,
			 (unsigned long long)s->fsd.forgets, (unsigned long long)s->fsd.no_reply,
			 (unsigned long long)s->fsd.truncated,
			 (unsigned long long)st.error_replies, (unsigned long long)st.malformed,
			 (unsigned long long)st.forget_clamped, (unsigned long long)s->dev.kicks,
			 (unsigned long long)s->dev.notifies);
		if (s->o.dax)
			ivd_info("stats: dax chunks mapped %llu, written back %llu",
				 (unsigned long long)st.dax_setups,
				 (unsigned long long)st.dax_writebacks);
		return;
	}
	ivd_info("stats: requests %llu (read %llu write %llu flush %llu discard %llu "
		 "write-zeroes %llu get-id %llu, errors %llu), kicks %llu, interrupts %llu",
		 (unsigned long long)s->dev.requests, (unsigned long long)s->blk.reads,
		 (unsigned long long)s->blk.writes, (unsigned long long)s->blk.flushes,
		 (unsigned long long)s->blk.discards, (unsigned long long)s->blk.write_zeroes,
		 (unsigned long long)s->blk.get_ids, (unsigned long long)s->blk.errors,
		 (unsigned long long)s->dev.kicks, (unsigned long long)s->dev.notifies);
}

/* Write back and forget DAX mappings (they point into it), then unmap the window. */
static void drop_window(struct state *s)
{
	if (s->o.dax)
		fs_server_set_dax(s->fsd.srv, NULL, 0);
	ivd_window_destroy(&s->win);
}

static int on_listen(struct state *s)
{
	unsigned int i;
	int err;

	if (s->connected)
		return ivd_server_accept(&s->srv, -1) < 0 ? -1 : 0;	/* refuses */
	err = ivd_window_create(&s->win, s->o.shm_size);
	if (err) {
		ivd_err("cannot create the shared window: %s", strerror(-err));
		return -1;
	}
	if (s->o.dax) {
		if (ivd_window_reserve_shm(&s->win, s->o.dax)) {	/* checked with the options */
			ivd_err("cannot reserve the DAX window");
			ivd_window_destroy(&s->win);
			return -1;
		}
		fs_server_set_dax(s->fsd.srv, s->win.base + s->win.guest_end, s->o.dax);
	}
	if (s->o.fs)
		ivd_dev_init(&s->dev, &s->win, IVD_SERVER_PEER_ID, s->o.vectors, &ivd_fsdev_ops,
			     &s->fsd, ivd_server_notify, &s->srv);
	else
		ivd_dev_init(&s->dev, &s->win, IVD_SERVER_PEER_ID, s->o.vectors,
			     ivd_blk_ops(&s->blk), &s->blk, ivd_server_notify, &s->srv);
	if (s->o.indirect)
		ivd_dev_offer(&s->dev, 1ull << VIRTIO_RING_F_INDIRECT_DESC);
	err = ivd_server_accept(&s->srv, s->win.fd);
	if (err <= 0) {
		drop_window(s);
		return 0;
	}
	if (ep_add(s->ep, s->srv.client_fd, EV(EV_CLIENT, 0)) < 0)
		goto fail;
	for (i = 0; i < s->o.vectors; i++)
		if (ep_add(s->ep, s->srv.doorbell[i], EV(EV_DOORBELL, i)) < 0)
			goto fail;
	s->connected = true;
	return 0;
fail:
	ivd_err("epoll: %m");
	ivd_server_drop_client(&s->srv);
	drop_window(s);
	return -1;
}

static void disconnect(struct state *s)
{
	ivd_info("client disconnected");
	/* Requests still in the backend finish; nobody is left to complete to. */
	ivd_dev_reset(&s->dev);
	log_stats(s);
	ivd_server_drop_client(&s->srv);	/* closing removes them from epoll */
	drop_window(s);
	s->connected = false;
}

static int shutdown_clean(struct state *s, int sig)
{
	int rc = 0;

	if (s->o.fs) {
		ivd_info("%s: finishing in-flight requests", strsignal(sig));
		ivd_fsdev_shutdown(&s->fsd, s->connected ? &s->dev : NULL);
	} else {
		ivd_info("%s: finishing in-flight requests and syncing the backing file",
			 strsignal(sig));
		if (ivd_blk_shutdown(&s->blk, s->connected ? &s->dev : NULL))
			rc = 1;
	}
	if (s->connected) {
		ivd_dev_shutdown(&s->dev);
		log_stats(s);
	}
	return rc;
}

/* The signals that mean "shut down cleanly", taken through a signalfd. */
static void shutdown_signals(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGHUP);
}

static int run(struct state *s)
{
	struct itimerspec its = {
		.it_interval.tv_nsec = IVV_HEARTBEAT_MS * 1000000L,
		.it_value.tv_nsec = IVV_HEARTBEAT_MS * 1000000L,
	};
	sigset_t mask;
	int sfd, tfd;

	shutdown_signals(&mask);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	s->ep = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || tfd < 0 || s->ep < 0 || timerfd_settime(tfd, 0, &its, NULL) < 0 ||
	    ep_add(s->ep, s->srv.listen_fd, EV(EV_LISTEN, 0)) < 0 ||
	    ep_add(s->ep, sfd, EV(EV_SIGNAL, 0)) < 0 || ep_add(s->ep, tfd, EV(EV_TIMER, 0)) < 0 ||
	    ep_add(s->ep, s->o.fs ? s->fsd.pool.efd : s->blk.pool.efd, EV(EV_POOL, 0)) < 0) {
		ivd_err("event loop setup: %m");
		return 1;
	}
	ivd_info("listening on %s (window %llu bytes, %u vectors, %s%s%s%s)", s->o.socket,
		 (unsigned long long)s->o.shm_size, s->o.vectors, s->o.fs ? "fs " : "",
		 s->o.fs ? s->o.fs : s->o.blk, s->o.fs ? ", tag " : "", s->o.fs ? s->o.tag : "");
	if (s->o.readonly)
		ivd_info("read-only");
	for (;;) {
		struct epoll_event evs[16];
		int n, i;

		n = epoll_wait(s->ep, evs, 16, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ivd_err("epoll_wait: %m");
			return 1;
		}
		for (i = 0; i < n; i++) {
			uint32_t type = (uint32_t)(evs[i].data.u64 >> 32);
			uint32_t idx = (uint32_t)evs[i].data.u64;
			uint64_t v;

			switch (type) {
			case EV_LISTEN:
				if (on_listen(s))
					return 1;
				break;
			case EV_SIGNAL: {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) != sizeof(si))
					break;
				return shutdown_clean(s, (int)si.ssi_signo);
			}
			case EV_TIMER:
				if (read(tfd, &v, sizeof(v)) > 0 && s->connected)
					ivd_dev_heartbeat(&s->dev);
				break;
			case EV_POOL:
				if (s->connected && s->o.fs)
					ivd_fsdev_reap(&s->fsd, &s->dev);
				else if (s->connected)
					ivd_blk_reap(&s->blk, &s->dev);
				break;
			case EV_CLIENT:
				if (!s->connected || !ivd_server_client_gone(&s->srv))
					break;
				disconnect(s);
				if (!s->o.wait)
					return 0;
				ivd_info("waiting for the next client");
				/* later events of this batch belong to closed fds */
				i = n;
				break;
			case EV_DOORBELL:
				if (!s->connected || idx >= s->o.vectors)
					break;
				if (read(s->srv.doorbell[idx], &v, sizeof(v)) < 0 &&
				    errno != EAGAIN)
					break;
				ivd_dev_kick(&s->dev, idx);
				break;
			}
		}
	}
}

int main(int argc, char **argv)
{
	struct state s;
	sigset_t mask;
	int rc, err;

	memset(&s, 0, sizeof(s));
	rc = parse_args(argc, argv, &s.o);
	if (rc)
		return rc;
	ivd_log_set_level(s.o.verbose < 0 ? IVD_ERR : IVD_INFO + s.o.verbose);
	/* Blocked before the I/O threads start, so they inherit the mask. */
	shutdown_signals(&mask);
	if (pthread_sigmask(SIG_BLOCK, &mask, NULL))
		return 1;
	signal(SIGPIPE, SIG_IGN);
	if (s.o.fs ? ivd_fsdev_open(&s.fsd, s.o.fs, s.o.tag, s.o.readonly, s.o.threads,
				    s.o.cache_ms, s.o.keep_cache, s.o.writeback) :
		     ivd_blk_open(&s.blk, s.o.blk, s.o.readonly, s.o.threads))
		return 1;
	if (s.o.fs)
		ivd_info("fs: guest cache: names/attributes %u ms, page cache %s, writes %s%s",
			 s.o.cache_ms, s.o.keep_cache ? "kept across opens" : "dropped at open",
			 s.o.writeback ? "cached until flush (writeback)" : "through",
			 s.o.dax ? "; DAX window for regular files" : "");
	err = ivd_server_listen(&s.srv, s.o.socket, s.o.vectors);
	if (err) {
		ivd_err("cannot listen on %s: %s", s.o.socket, strerror(-err));
		rc = 1;
	} else {
		rc = run(&s);
		if (s.connected)
			drop_window(&s);
		ivd_server_close(&s.srv);
	}
	if (s.o.fs)
		ivd_fsdev_close(&s.fsd);
	else
		ivd_blk_close(&s.blk);
	ivd_info("exiting with status %d", rc);
	return rc;
}
