/* ctr_runc_state.c: runc's exec fifo and state directory handled in the
 * GCS (see ctr_runc_state.h). */
#include "os/ctr_runc_state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/err.h"
#include "lib/oci_runc_state.h"
#include "os/ctr_cgroup.h"
#include "os/ctr_mount.h"
#include "os/ctr_runc.h"

const char *ctr_runc_state_root(void)
{
	const char *bin = ctr_runc_binary();
	const char *base = strrchr(bin, '/');
	return strcmp(base ? base + 1 : bin, "runc") == 0 ? "/run/runc" : NULL;
}

static int state_path(const char *id, const char *name, char *buf, size_t size)
{
	const char *root = ctr_runc_state_root();
	if (!root)
		return err_setmsg(-ENOTSUP, "%s keeps its own state layout", ctr_runc_binary());
	int n = snprintf(buf, size, "%s/%s%s%s", root, id, name ? "/" : "", name ? name : "");
	if (n < 0 || (size_t)n >= size)
		return err_setmsg(-ENOTSUP, "runc state path of %s too long", id);
	return 0;
}

int ctr_runc_state_start(const char *id, pid_t init_pid)
{
	char fifo[PATH_MAX];
	int r = state_path(id, "exec.fifo", fifo, sizeof(fifo));
	if (r < 0)
		return r;
	/* The pidfd first: it tells an init that died before the handshake
	 * from one that has not reached it yet. */
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, init_pid, 0);
	if (pidfd < 0)
		return err_setmsg(-ENOTSUP, "pidfd of init %d: %s", (int)init_pid, strerror(errno));
	/* Non-blocking, so a dead writer cannot hang the open; the init
	 * blocked in its write-open is released by this reader. */
	_cleanup_close_ int fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return err_setmsg(-ENOTSUP, "opening %s: %s", fifo, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode))
		return err_setmsg(-ENOTSUP, "%s is not a fifo", fifo);
	size_t got = 0;
	for (;;) {
		struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
		if (poll(p, got ? 1 : 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return err_set(-errno, "waiting on %s", fifo);
		}
		if (p[0].revents) {
			char buf[64];
			ssize_t n = read(fd, buf, sizeof(buf));
			if (n > 0) {
				got += (size_t)n;
				continue;
			}
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (n < 0)
				return err_set(-errno, "reading %s", fifo);
			if (got)
				break; /* end of file: the init exec'd (or died after writing) */
			/* a writer came and went without a byte: the init died */
			return err_setmsg(-ENOTSUP, "init %d closed %s without starting", (int)init_pid, fifo);
		}
		if (!got && p[1].revents)
			return err_setmsg(-ENOTSUP, "init %d exited before it was started", (int)init_pid);
	}
	if (unlink(fifo) < 0 && errno != ENOENT)
		return err_set(-errno, "removing %s", fifo);
	return 0;
}

/* The whole of PATH (at most MAX bytes), NUL-terminated; NULL with errno
 * set when it cannot be read. Sized by fstat (one spare byte sees the end
 * without a second allocation); /proc files say 0 and grow as read. */
static char *read_small_file(const char *path, size_t max, size_t *len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return NULL;
	if (st.st_size > 0 && (size_t)st.st_size > max) {
		errno = EFBIG;
		return NULL;
	}
	size_t cap = (st.st_size > 0 ? (size_t)st.st_size + 1 : 1024) + 1, off = 0;
	char *buf = malloc(cap);
	if (!buf)
		return NULL;
	for (;;) {
		if (off + 1 == cap) {
			size_t ncap = cap * 2 > max + 2 ? max + 2 : cap * 2;
			char *nb = ncap > cap ? realloc(buf, ncap) : NULL;
			if (!nb) {
				free(buf);
				errno = ncap > cap ? ENOMEM : EFBIG;
				return NULL;
			}
			buf = nb;
			cap = ncap;
		}
		ssize_t n = read(fd, buf + off, cap - 1 - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(buf);
			errno = e;
			return NULL;
		}
		if (n == 0)
			break;
		off += (size_t)n;
	}
	if (off > max) {
		free(buf);
		errno = EFBIG;
		return NULL;
	}
	buf[off] = '\0';
	*len = off;
	return buf;
}

/* runc's "is the init still running": the pid exists with the recorded
 * start time and is not a zombie. */
static bool init_running(pid_t pid, uint64_t start)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	size_t len = 0;
	_cleanup_free_ char *text = read_small_file(path, 4096, &len);
	char state = 0;
	uint64_t t = 0;
	if (!text || oci_proc_stat_parse(text, len, &state, &t) < 0)
		return false;
	return t == start && state != 'Z' && state != 'X';
}

int ctr_runc_state_delete(const char *id)
{
	char dir[PATH_MAX], file[PATH_MAX];
	int r = state_path(id, NULL, dir, sizeof(dir));
	if (r < 0 || (r = state_path(id, "state.json", file, sizeof(file))) < 0)
		return r;
	size_t len = 0;
	_cleanup_free_ char *text = read_small_file(file, 4 << 20, &len);
	if (!text)
		return err_setmsg(-ENOTSUP, "reading %s: %s", file, strerror(errno));
	struct oci_runc_state st;
	if ((r = oci_runc_state_parse(text, len, ctr_cgroup_root(), &st)) < 0) {
		char why[256]; /* err_text() is the buffer err_setmsg writes */
		snprintf(why, sizeof(why), "%s", err_text());
		return err_setmsg(-ENOTSUP, "%s", why);
	}
	if (init_running(st.init_pid, st.init_start))
		r = err_setmsg(-ENOTSUP, "init %d of %s still runs", (int)st.init_pid, id);
	else if (st.has_poststop)
		r = err_setmsg(-ENOTSUP, "%s has poststop hooks", id);
	else if (st.has_intel_rdt)
		r = err_setmsg(-ENOTSUP, "%s has an Intel RDT group", id);
	if (r < 0) {
		oci_runc_state_free(&st);
		return r;
	}
	/* runc's cgroups.RemovePaths: five rounds, 10 ms doubling, until
	 * every directory is gone. */
	struct timespec delay = { 0, 10 * 1000 * 1000 };
	size_t left = st.n_cgroup_paths;
	for (int round = 0; left && round < 5; round++) {
		if (round) {
			nanosleep(&delay, NULL);
			delay.tv_nsec *= 2;
		}
		left = 0;
		for (size_t i = 0; i < st.n_cgroup_paths; i++) {
			(void)ctr_cgroup_remove_dir(st.cgroup_paths[i]);
			if (access(st.cgroup_paths[i], F_OK) == 0)
				left++;
		}
	}
	oci_runc_state_free(&st);
	if (left)
		return err_setmsg(-ENOTSUP, "%zu cgroup directories of %s stay busy", left, id);
	if ((r = ctr_remove_tree(dir)) < 0)
		return err_wrap(r, "removing runc state %s", dir);
	return 0;
}
