// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-fs backend driven by a real Linux FUSE client: the host kernel
 * mounts a "fuse" filesystem whose /dev/fuse requests are handed to
 * fs_server_submit() exactly as the ivshmem transport will hand over
 * virtqueue chains (private request copy, reply iovec, done() per request,
 * several in flight). A POSIX sequence and a random-operation run on the
 * mount are compared, result by result, with the same operations on a plain
 * reference directory, and the exported directory must end up identical to
 * the reference. Skips (77) without root, /dev/fuse or a private mount
 * namespace (so a crash can never leave a mount behind).
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "ivshmd/fs_testkit.h"

#define BUFSZ (256 * 1024 + 8192)

static struct fsk_dirs dirs;
static char mnt[400], ref[400];
static struct fs_server *srv;
static int fuse_fd = -1;

struct req {
	struct req *next;	/* free list */
	unsigned char in[BUFSZ];
	unsigned char out[BUFSZ];
};

/* Recycled request buffers, like a transport's per-descriptor buffers. */
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct req *pool;

static struct req *req_get(void)
{
	struct req *r;

	pthread_mutex_lock(&pool_lock);
	r = pool;
	if (r)
		pool = r->next;
	pthread_mutex_unlock(&pool_lock);
	if (!r)
		r = malloc(sizeof(*r));
	FSK_CHECK(r);
	return r;
}

static void req_put(struct req *r)
{
	pthread_mutex_lock(&pool_lock);
	r->next = pool;
	pool = r;
	pthread_mutex_unlock(&pool_lock);
}

static void pool_free(void)
{
	while (pool) {
		struct req *r = pool;

		pool = r->next;
		free(r);
	}
}

static void done(void *cookie, size_t len, int err)
{
	struct req *r = cookie;

	/* the kernel copes with a failed write (e.g. an interrupted request) */
	if (!err && len && write(fuse_fd, r->out, len) < 0 && errno != ENOENT)
		perror("write /dev/fuse");
	req_put(r);
}

static void *reader(void *arg)
{
	(void)arg;
	for (;;) {
		struct req *r = req_get();
		struct iovec iov;
		ssize_t n;

		n = read(fuse_fd, r->in, BUFSZ);
		if (n < 0) {
			int e = errno;

			req_put(r);
			if (e == EINTR || e == ENOENT || e == EAGAIN)
				continue;
			return NULL;	/* ENODEV: unmounted */
		}
		iov.iov_base = r->out;
		iov.iov_len = sizeof(r->out);
		if (fs_server_submit(srv, r->in, (size_t)n, &iov, 1, done, r))
			req_put(r);
	}
}

/* ---- comparing one operation on the mount and on the reference ---- */

static char res_m[8192], res_r[8192];
static const char *where;

static void p(const char *rel, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", where, rel);
}

#define ADD(res, ...) snprintf(res + strlen(res), sizeof(res_m) - strlen(res), __VA_ARGS__)

static void rc(char *res, long r)
{
	if (r < 0)
		ADD(res, " err=%d", errno);
	else
		ADD(res, " ok=%ld", r);
}

static void stat_desc(char *res, const char *rel)
{
	char path[600];
	struct stat st;

	p(rel, path, sizeof(path));
	if (lstat(path, &st)) {
		ADD(res, " stat(%s) err=%d", rel, errno);
		return;
	}
	ADD(res, " stat(%s) mode=%o size=%lld nlink=%lu uid=%u gid=%u", rel, st.st_mode,
	    (long long)st.st_size, (unsigned long)st.st_nlink, st.st_uid, st.st_gid);
}

static void content(char *res, const char *rel)
{
	char path[600], buf[4096];
	unsigned long h = 5381;
	ssize_t n;
	long total = 0;
	int fd;

	p(rel, path, sizeof(path));
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		ADD(res, " read(%s) err=%d", rel, errno);
		return;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			h = h * 33 + (unsigned char)buf[i];
		total += n;
	}
	close(fd);
	ADD(res, " read(%s)=%ld/%lx", rel, total, h);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void listing(char *res, const char *rel)
{
	char path[600], *names[256];
	struct dirent *de;
	int n = 0, i;
	DIR *d;

	p(rel, path, sizeof(path));
	d = opendir(path);
	if (!d) {
		ADD(res, " ls(%s) err=%d", rel, errno);
		return;
	}
	while ((de = readdir(d)) && n < 256)
		names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), name_cmp);
	ADD(res, " ls(%s):", rel);
	for (i = 0; i < n; i++) {
		ADD(res, " %s", names[i]);
		free(names[i]);
	}
}

/* One step of the POSIX sequence, relative to `where`; false when done. */
static bool posix_step(int step, char *res)
{
	char a[600], b[600], buf[256];
	int fd;

	res[0] = 0;
	switch (step) {
	case 0:
		p("d", a, sizeof(a));
		rc(res, mkdir(a, 0750));
		rc(res, mkdir(a, 0750));
		stat_desc(res, "d");
		break;
	case 1:
		p("d/f", a, sizeof(a));
		fd = open(a, O_CREAT | O_EXCL | O_RDWR, 0640);
		rc(res, fd);
		rc(res, write(fd, "hello world", 11));
		rc(res, pwrite(fd, "tail", 4, 5000));
		rc(res, pread(fd, buf, sizeof(buf), 0));
		ADD(res, " %.11s", buf);
		rc(res, ftruncate(fd, 100));
		rc(res, fsync(fd));
		close(fd);
		rc(res, open(a, O_CREAT | O_EXCL | O_RDWR, 0640));
		stat_desc(res, "d/f");
		content(res, "d/f");
		break;
	case 2:
		p("d/f", a, sizeof(a));
		rc(res, truncate(a, 7));
		rc(res, chmod(a, 0604));
		rc(res, chown(a, 123, 456));
		{
			struct timespec ts[2] = { { 1000, 0 }, { 2000, 0 } };

			struct stat st;

			rc(res, utimensat(AT_FDCWD, a, ts, 0));
			rc(res, stat(a, &st));
			ADD(res, " times=%lld/%lld", (long long)st.st_atim.tv_sec,
			    (long long)st.st_mtim.tv_sec);
		}
		stat_desc(res, "d/f");
		content(res, "d/f");
		break;
	case 3:
		p("d/f", a, sizeof(a));
		p("d/g", b, sizeof(b));
		rc(res, rename(a, b));
		rc(res, rename(a, b));
		rc(res, link(b, a));
		rc(res, link(b, a));
		stat_desc(res, "d/f");
		rc(res, symlink("g", (p("d/s", a, sizeof(a)), a)));
		rc(res, readlink(a, buf, sizeof(buf)));
		content(res, "d/s");	/* resolved by the client kernel, inside the mount */
		listing(res, "d");
		break;
	case 4:
		p("d", a, sizeof(a));
		rc(res, rmdir(a));
		p("d/g", a, sizeof(a));
		rc(res, unlink(a));
		rc(res, unlink(a));
		p("d/sub", a, sizeof(a));
		rc(res, mkdir(a, 0755));
		p("d/sub/x", b, sizeof(b));
		rc(res, mkdir(b, 0755));
		rc(res, rmdir(a));
		rc(res, rmdir(b));
		rc(res, rmdir(a));
		listing(res, "d");
		break;
	case 5:
		p("d/f", a, sizeof(a));
		rc(res, setxattr(a, "user.k", "v1", 2, 0));
		rc(res, setxattr(a, "user.k", "v1", 2, XATTR_CREATE));
		rc(res, getxattr(a, "user.k", buf, sizeof(buf)));
		rc(res, getxattr(a, "user.none", buf, sizeof(buf)));
		rc(res, listxattr(a, buf, sizeof(buf)));
		rc(res, removexattr(a, "user.k"));
		rc(res, removexattr(a, "user.k"));
		break;
	case 6:
		p("d/h", a, sizeof(a));
		fd = open(a, O_CREAT | O_RDWR, 0644);
		rc(res, fd);
		rc(res, fallocate(fd, 0, 0, 65536));
		rc(res, pwrite(fd, "x", 1, 200000));
		rc(res, lseek(fd, 0, SEEK_END));
		rc(res, lseek(fd, 70000, SEEK_DATA));
		close(fd);
		stat_desc(res, "d/h");
		break;
	case 7:
		p("d/fifo", a, sizeof(a));
		rc(res, mkfifo(a, 0600));
		stat_desc(res, "d/fifo");
		p("d/h", a, sizeof(a));
		p("d/f", b, sizeof(b));
		rc(res, renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_NOREPLACE));
		rc(res, renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE));
		stat_desc(res, "d/h");
		stat_desc(res, "d/f");
		p("nodir/x", a, sizeof(a));
		rc(res, open(a, O_RDONLY));
		p("d/f/x", a, sizeof(a));
		rc(res, open(a, O_RDONLY));
		break;
	case 8:
		/* O_TRUNC through open, O_APPEND */
		p("d/f", a, sizeof(a));
		fd = open(a, O_WRONLY | O_TRUNC);
		rc(res, fd);
		close(fd);
		fd = open(a, O_WRONLY | O_APPEND);
		rc(res, write(fd, "ab", 2));
		rc(res, write(fd, "cd", 2));
		close(fd);
		content(res, "d/f");
		break;
	default:
		return false;
	}
	return true;
}

static void compare_step(const char *what, int step)
{
	if (strcmp(res_m, res_r)) {
		fprintf(stderr, "%s step %d differs:\n  mount: %s\n  ref:   %s\n", what, step,
			res_m, res_r);
		exit(1);
	}
}

/* Random operations on a few names; every result compared. */
static uint64_t rng = 88172645463325252ull;

static unsigned int rnd(unsigned int n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned int)(rng % n);
}

static void random_step(unsigned int op, unsigned int x, unsigned int y, unsigned int len,
			char *res)
{
	static const char *names[] = { "r/a", "r/b", "r/c", "r/d/a", "r/d/b", "r/e" };
	char a[600], b[600], data[8192];
	int fd;

	res[0] = 0;
	p(names[x], a, sizeof(a));
	p(names[y], b, sizeof(b));
	for (unsigned int i = 0; i < sizeof(data); i++)
		data[i] = (char)(x * 13 + len + i);
	switch (op) {
	case 0:
		fd = open(a, O_CREAT | O_WRONLY, 0644);
		rc(res, fd);
		if (fd >= 0) {
			rc(res, pwrite(fd, data, len % sizeof(data), (off_t)(len * 7 % 20000)));
			close(fd);
		}
		break;
	case 1:
		rc(res, truncate(a, (off_t)(len % 30000)));
		break;
	case 2:
		rc(res, rename(a, b));
		break;
	case 3:
		rc(res, unlink(a));
		break;
	case 4:
		rc(res, link(a, b));
		break;
	case 5:
		p("r/d", a, sizeof(a));
		rc(res, len & 1 ? mkdir(a, 0755) : rmdir(a));
		break;
	case 6:
		content(res, names[x]);
		break;
	default:
		stat_desc(res, names[x]);
		break;
	}
}

/* Recursive listing with sizes, modes and content hashes. */
static void tree(const char *dir, const char *rel, char *res)
{
	char path[1400], sub[700];
	char *names[256];
	struct dirent *de;
	int n = 0, i;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	d = opendir(path);
	FSK_CHECK(d);
	while ((de = readdir(d)) && n < 256)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), name_cmp);
	for (i = 0; i < n; i++) {
		struct stat st;

		snprintf(sub, sizeof(sub), "%s/%s", rel, names[i]);
		snprintf(path, sizeof(path), "%s/%s", dir, sub);
		FSK_CHECK(!lstat(path, &st));
		ADD(res, " [%s %o %lld]", sub, st.st_mode,
		    S_ISDIR(st.st_mode) ? 0LL : (long long)st.st_size);
		where = dir;
		if (S_ISREG(st.st_mode))
			content(res, sub);
		if (S_ISDIR(st.st_mode))
			tree(dir, sub, res);
		free(names[i]);
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Informational numbers (not asserted): metadata ops and streaming I/O. */
static void measure(const char *dir, const char *label)
{
	enum { NFILES = 2000, MB = 32 };
	static char buf[1 << 20];
	char path[600];
	struct stat st;
	double t0, t1, t2;
	int i, fd;

	t0 = now();
	for (i = 0; i < NFILES; i++) {
		snprintf(path, sizeof(path), "%s/bench%d", dir, i);
		fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
		FSK_CHECK(fd >= 0);
		close(fd);
		FSK_CHECK(!stat(path, &st));
		FSK_CHECK(!unlink(path));
	}
	t1 = now();
	snprintf(path, sizeof(path), "%s/stream", dir);
	fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644);
	FSK_CHECK(fd >= 0);
	memset(buf, 'z', sizeof(buf));
	for (i = 0; i < MB; i++)
		FSK_EQ(write(fd, buf, sizeof(buf)), (long)sizeof(buf));
	FSK_CHECK(!fsync(fd));
	t2 = now();
	close(fd);
	unlink(path);
	printf("%s: create+stat+unlink %.0f files/s, sequential write %.0f MiB/s\n", label,
	       NFILES / (t1 - t0), MB / (t2 - t1));
}

int main(void)
{
	struct fs_config cfg = { .tag = "kmount", .nthreads = 4, .quiet = true,
				 .max_write = 128 * 1024 };
	char opts[256];
	pthread_t thr;
	int step, err = 0;
	static char t_root[65536], t_ref[65536], t_mnt[65536];

	alarm(300);	/* a hang is a failure, not a stuck test run */
	umask(022);
	if (geteuid() != 0) {
		printf("SKIP: needs root to mount FUSE\n");
		return 77;
	}
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		printf("SKIP: no private mount namespace: %s\n", strerror(errno));
		return 77;
	}
	fuse_fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fuse_fd < 0) {
		printf("SKIP: /dev/fuse: %s\n", strerror(errno));
		return 77;
	}
	fsk_mkdirs(&dirs, "test-fs-kmount");
	snprintf(mnt, sizeof(mnt), "%s/mnt", dirs.base);
	snprintf(ref, sizeof(ref), "%s/ref", dirs.base);
	FSK_CHECK(!mkdir(mnt, 0755) && !mkdir(ref, 0755));
	cfg.root = dirs.root;
	srv = fs_server_new(&cfg, &err);
	FSK_CHECK(srv);
	snprintf(opts, sizeof(opts),
		 "fd=%d,rootmode=40755,user_id=0,group_id=0,default_permissions,allow_other",
		 fuse_fd);
	if (mount("ivshmem-fs-test", mnt, "fuse", MS_NOSUID | MS_NODEV, opts)) {
		printf("SKIP: mount fuse: %s\n", strerror(errno));
		fs_server_free(srv);
		fsk_rm_rf(dirs.base);
		return 77;
	}
	FSK_CHECK(!pthread_create(&thr, NULL, reader, NULL));
	FSK_CHECK(!chmod(ref, 0755) && !chmod(dirs.root, 0755));

	for (step = 0;; step++) {
		bool more;

		where = mnt;
		more = posix_step(step, res_m);
		where = ref;
		posix_step(step, res_r);
		if (!more)
			break;
		compare_step("posix", step);
		printf("posix %d:%s\n", step, res_m);
	}
	/* device nodes are refused by the server (a local directory allows them) */
	{
		char a[600];

		snprintf(a, sizeof(a), "%s/d/null", mnt);
		FSK_CHECK(mknod(a, S_IFCHR | 0666, makedev(1, 3)) < 0 && errno == EPERM);
	}

	where = mnt;
	FSK_CHECK(!mkdir((p("r", res_m, sizeof(res_m)), res_m), 0755));
	where = ref;
	FSK_CHECK(!mkdir((p("r", res_r, sizeof(res_r)), res_r), 0755));
	for (step = 0; step < 3000; step++) {
		unsigned int op = rnd(8), x = rnd(6), y = rnd(6), len = rnd(9000);

		where = mnt;
		random_step(op, x, y, len, res_m);
		where = ref;
		random_step(op, x, y, len, res_r);
		compare_step("random", step);
	}

	/* the exported directory, the mount and the reference agree */
	tree(ref, ".", t_ref);
	tree(mnt, ".", t_mnt);
	tree(dirs.root, ".", t_root);
	if (strcmp(t_ref, t_mnt) || strcmp(t_ref, t_root)) {
		fprintf(stderr, "trees differ:\nref:  %s\nmnt:  %s\nroot: %s\n", t_ref, t_mnt,
			t_root);
		return 1;
	}

	/* a non-root user on the client: what it creates is its own on the host */
	{
		char a[600], h[600];
		struct stat st;
		pid_t pid;
		int status;

		FSK_CHECK(!chmod(dirs.base, 0755));	/* mkdtemp made it 0700 */
		snprintf(a, sizeof(a), "%s/pub", mnt);
		FSK_CHECK(!mkdir(a, 01777) && !chmod(a, 01777));	/* past our umask */
		pid = fork();
		FSK_CHECK(pid >= 0);
		if (pid == 0) {
			int fd;

			if (setgid(4321) || setuid(1234))
				_exit(2);
			snprintf(a, sizeof(a), "%s/pub/userfile", mnt);
			fd = open(a, O_CREAT | O_EXCL | O_WRONLY, 0600);
			if (fd < 0 || write(fd, "u", 1) != 1)
				_exit(3);
			close(fd);
			snprintf(a, sizeof(a), "%s/pub/userdir", mnt);
			if (mkdir(a, 0700))
				_exit(4);
			/* and it cannot write into root's private directory */
			snprintf(a, sizeof(a), "%s/d/denied", mnt);
			if (open(a, O_CREAT | O_WRONLY, 0600) >= 0 || errno != EACCES)
				_exit(5);
			_exit(0);
		}
		FSK_CHECK(waitpid(pid, &status, 0) == pid);
		FSK_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : 99, 0);
		snprintf(h, sizeof(h), "%s/pub/userfile", dirs.root);
		FSK_CHECK(!lstat(h, &st) && st.st_uid == 1234 && st.st_gid == 4321);
		snprintf(h, sizeof(h), "%s/pub/userdir", dirs.root);
		FSK_CHECK(!lstat(h, &st) && st.st_uid == 1234 && st.st_gid == 4321);
		snprintf(h, sizeof(h), "%s/pub", dirs.root);
		fsk_rm_rf(h);
	}

	/* the server's workers took private umasks; the process keeps its own */
	FSK_EQ(umask(022), 022);

	measure(mnt, "fuse mount through fs_server_submit");
	measure(ref, "host directory directly");

	/* unmounting ends the connection: the reader sees ENODEV; then no
	 * completion may be writing to /dev/fuse when it is closed */
	FSK_CHECK(!umount2(mnt, MNT_DETACH));
	pthread_join(thr, NULL);
	fs_server_drain(srv);
	close(fuse_fd);
	fs_server_free(srv);
	pool_free();
	fsk_rm_rf(dirs.base);
	printf("test-fs-kmount: ok (POSIX sequence + 3000 random ops match the reference)\n");
	return 0;
}
