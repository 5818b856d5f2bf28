/* ctr_runc.c: runc/crun invocations with error text capture and console
 * sockets (see ctr_runc.h). */
#include "os/ctr_runc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/err.h"
#include "lib/bridge_proto.h"
#include "lib/oci_json.h"
#include "lib/oci_runc_text.h"
#include "os/ctr_mount.h"
#include "os/ctr_spawn.h"

static char runtime[PATH_MAX] = "/sbin/runc";
static char state_dir[PATH_MAX] = "/run/gcsrunc";

void ctr_runc_set_binary(const char *path)
{
	snprintf(runtime, sizeof(runtime), "%s", path);
}

const char *ctr_runc_binary(void)
{
	return runtime;
}

void ctr_runc_set_state_dir(const char *dir)
{
	snprintf(state_dir, sizeof(state_dir), "%s", dir);
}

const char *ctr_runc_state_dir(void)
{
	return state_dir;
}

/* snprintf for paths: the caller checks the result where a long id or
 * directory could truncate (ids are at most 128 characters). */
static int pathf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int pathf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static void set_hr(int32_t *hr, int32_t v)
{
	if (hr)
		*hr = v;
}

static char *read_text(const char *path, off_t from, size_t *len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_size < from)
		return NULL;
	size_t n = (size_t)(st.st_size - from);
	if (n > (1 << 20)) {
		from = st.st_size - (1 << 20);
		n = 1 << 20;
	}
	char *buf = malloc(n + 1);
	if (!buf)
		return NULL;
	ssize_t r = pread(fd, buf, n, from);
	if (r < 0) {
		free(buf);
		return NULL;
	}
	buf[r] = '\0';
	*len = (size_t)r;
	return buf;
}

static off_t file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_size : 0;
}

/* Records runc's failure: LOG (its JSON log, from offset) first, else its
 * captured output, else the exit status. */
static int runc_failed(const char *what, const char *id, const char *log, off_t log_from, const struct ctr_run *r,
		       int32_t *hr)
{
	_cleanup_free_ char *msg = NULL;
	if (log) {
		size_t len = 0;
		_cleanup_free_ char *text = read_text(log, log_from, &len);
		if (text)
			msg = oci_runc_log_last_error(text, len);
	}
	if (!msg && r->out)
		msg = oci_runc_stderr_last_line(r->out, strlen(r->out));
	set_hr(hr, oci_runc_error_hresult(msg));
	if (msg)
		return err_setmsg(-EIO, "%s %s %s: %s", runtime, what, id, msg);
	if (WIFSIGNALED(r->status))
		return err_setmsg(-EIO, "%s %s %s: killed by signal %d", runtime, what, id, WTERMSIG(r->status));
	return err_setmsg(-EIO, "%s %s %s: exit status %d", runtime, what, id, WEXITSTATUS(r->status));
}

static bool succeeded(const struct ctr_run *r)
{
	return WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0;
}

/* Runs the runtime with ARGV[1..]; output captured. */
static int run_simple(char **argv, const char *what, const char *id, int32_t *hr, char **out)
{
	argv[0] = runtime;
	struct ctr_run r = { .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1 };
	int rc = ctr_run(argv, &r);
	if (rc < 0) {
		set_hr(hr, HR_E_FAIL);
		free(r.out);
		return err_wrap(rc, "%s %s", what, id);
	}
	if (!succeeded(&r)) {
		rc = runc_failed(what, id, NULL, 0, &r, hr);
		free(r.out);
		return rc;
	}
	if (out)
		*out = r.out;
	else
		free(r.out);
	return 0;
}

static int container_state_dir(const char *id, char *buf, size_t size)
{
	if (pathf(buf, size, "%s/%s", state_dir, id) < 0)
		return err_setmsg(-ENAMETOOLONG, "state path too long");
	int r = ctr_mkdir_p(state_dir, 0700);
	if (r < 0)
		return r;
	if (mkdir(buf, 0700) < 0 && errno != EEXIST)
		return err_set(-errno, "creating %s", buf);
	return 0;
}

/* Listens on DIR/master.sock for runc's console socket. */
static int console_listen(const char *dir, char *path, size_t size)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (pathf(path, size, "%s/master.sock", dir) < 0 || strlen(path) >= sizeof(sa.sun_path))
		return err_setmsg(-ENAMETOOLONG, "console socket path %s too long", path);
	pathf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return err_set(-errno, "creating console socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
		int e = errno;
		close(fd);
		return err_set(-e, "listening on %s", path);
	}
	return fd;
}

/* §6.2: after runc exited, one connection carrying exactly one fd. */
static int console_receive(int lfd)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	if (poll(&p, 1, 1000) <= 0)
		return err_setmsg(-EPROTO, "the runtime did not connect to the console socket");
	_cleanup_close_ int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return err_set(-errno, "accepting the console socket");
	char data[4096];
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * 2)];
	} ctl;
	struct iovec iov = { data, sizeof(data) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
	p.fd = c;
	if (poll(&p, 1, 1000) <= 0)
		return err_setmsg(-EPROTO, "no pty on the console socket");
	ssize_t n = recvmsg(c, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return err_set(-errno, "receiving the pty master");
	struct cmsghdr *h = CMSG_FIRSTHDR(&msg);
	int fd = -1, count = 0;
	for (; h; h = CMSG_NXTHDR(&msg, h)) {
		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		size_t nfds = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int fds[2];
		memcpy(fds, CMSG_DATA(h), nfds * sizeof(int) > sizeof(fds) ? sizeof(fds) : nfds * sizeof(int));
		for (size_t i = 0; i < nfds && i < 2; i++) {
			if (count++ == 0)
				fd = fds[i];
			else
				close(fds[i]);
		}
	}
	if (count != 1 || (msg.msg_flags & MSG_CTRUNC)) {
		if (fd >= 0)
			close(fd);
		return err_setmsg(-EPROTO, "expected exactly one pty master, got %d", count);
	}
	return fd;
}

static int read_pid(const char *dir, pid_t *pid)
{
	char path[PATH_MAX];
	pathf(path, sizeof(path), "%s/pid", dir);
	size_t len = 0;
	_cleanup_free_ char *t = read_text(path, 0, &len);
	if (!t)
		return err_set(-errno ? -errno : -EIO, "reading %s", path);
	char *end;
	long v = strtol(t, &end, 10);
	if (end == t || v <= 0 || v > INT_MAX)
		return err_setmsg(-EINVAL, "%s: not a pid", path);
	*pid = (pid_t)v;
	return 0;
}

/* Shared by create and exec: a fresh <state>/<id>/tmp.XXXXXX, the runtime,
 * pid and pty, then the rename to <state>/<id>/<pid>. */
static int run_with_process(const char *op, const char *id, char **argv, size_t argc, const char *tmp,
			    struct ctr_runc_process *p, int32_t *hr)
{
	char pidfile[PATH_MAX], log[PATH_MAX], sock[PATH_MAX];
	pathf(pidfile, sizeof(pidfile), "%s/pid", tmp);
	pathf(log, sizeof(log), "%s/runc.log", tmp);
	_cleanup_close_ int lfd = -1;
	if (p->terminal) {
		lfd = console_listen(tmp, sock, sizeof(sock));
		if (lfd < 0) {
			set_hr(hr, HR_E_FAIL);
			return lfd;
		}
	}
	/* argv layout: [runtime, --log, L, --log-format, json, OP, ...] */
	argv[0] = runtime;
	argv[1] = "--log";
	argv[2] = log;
	argv[3] = "--log-format";
	argv[4] = "json";
	argv[5] = (char *)op;
	size_t i = argc;
	argv[i++] = "--pid-file";
	argv[i++] = pidfile;
	if (p->terminal) {
		argv[i++] = "--console-socket";
		argv[i++] = sock;
	}
	argv[i++] = (char *)id;
	argv[i] = NULL;
	struct ctr_run r = {
		.stdin_fd = p->terminal ? -3 : p->stdio[0],
		.stdout_fd = p->terminal ? -3 : p->stdio[1],
		.stderr_fd = p->terminal ? -3 : p->stdio[2],
	};
	/* -3 is "no descriptor": map to /dev/null below */
	_cleanup_close_ int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int k = 0; k < 3; k++) {
		int *fd = k == 0 ? &r.stdin_fd : k == 1 ? &r.stdout_fd : &r.stderr_fd;
		if (*fd < 0)
			*fd = devnull;
	}
	int rc = ctr_run(argv, &r);
	if (rc < 0) {
		set_hr(hr, HR_E_FAIL);
		free(r.out);
		return err_wrap(rc, "%s %s", op, id);
	}
	if (!succeeded(&r)) {
		rc = runc_failed(op, id, log, 0, &r, hr);
		free(r.out);
		return rc;
	}
	free(r.out);
	p->pty_master = -1;
	if (p->terminal) {
		p->pty_master = console_receive(lfd);
		if (p->pty_master < 0) {
			set_hr(hr, HR_E_FAIL);
			return err_wrap(p->pty_master, "%s %s", op, id);
		}
	}
	if ((rc = read_pid(tmp, &p->pid)) < 0) {
		if (p->pty_master >= 0)
			close(TAKE_FD(p->pty_master));
		set_hr(hr, HR_E_FAIL);
		return rc;
	}
	return 0;
}

static int make_tmp(const char *id, char *tmp, size_t size)
{
	char dir[PATH_MAX];
	int r = container_state_dir(id, dir, sizeof(dir));
	if (r < 0)
		return r;
	if (pathf(tmp, size, "%s/tmp.XXXXXX", dir) < 0)
		return err_setmsg(-ENAMETOOLONG, "state path too long");
	if (!mkdtemp(tmp))
		return err_set(-errno, "creating %s", tmp);
	return 0;
}

static void settle_tmp(const char *id, const char *tmp, pid_t pid)
{
	char dst[PATH_MAX];
	pathf(dst, sizeof(dst), "%s/%s/%d", state_dir, id, (int)pid);
	(void)ctr_remove_tree(dst); /* a stale directory of a reused pid */
	if (rename(tmp, dst) < 0)
		(void)ctr_remove_tree(tmp);
}

int ctr_runc_create(const char *id, const char *bundle, struct ctr_runc_process *p, int32_t *hr)
{
	char tmp[PATH_MAX];
	int r = make_tmp(id, tmp, sizeof(tmp));
	if (r < 0) {
		set_hr(hr, HR_E_FAIL);
		return r;
	}
	char *argv[20] = { 0 };
	argv[6] = "--bundle";
	argv[7] = (char *)bundle;
	argv[8] = "--no-pivot";
	r = run_with_process("create", id, argv, 9, tmp, p, hr);
	if (r < 0) {
		(void)ctr_remove_tree(tmp);
		return r;
	}
	settle_tmp(id, tmp, p->pid);
	char path[PATH_MAX], text[32];
	pathf(path, sizeof(path), "%s/%s/initpid", state_dir, id);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		int n = snprintf(text, sizeof(text), "%d", (int)p->pid);
		if (write(fd, text, (size_t)n) != n)
			(void)0; /* informational only */
		close(fd);
	}
	return 0;
}

int ctr_runc_start(const char *id, const char *bundle, int32_t *hr)
{
	char log[PATH_MAX];
	pathf(log, sizeof(log), "%s/runc.log", bundle);
	off_t from = file_size(log);
	char *argv[] = { runtime, "--log", log, "--log-format", "json", "start", (char *)id, NULL };
	struct ctr_run r = { .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1 };
	int rc = ctr_run(argv, &r);
	if (rc < 0) {
		set_hr(hr, HR_E_FAIL);
		free(r.out);
		return err_wrap(rc, "start %s", id);
	}
	if (!succeeded(&r)) {
		rc = runc_failed("start", id, log, from, &r, hr);
		free(r.out);
		return rc;
	}
	free(r.out);
	return 0;
}

int ctr_runc_exec(const char *id, const char *bundle, json_object *process, struct ctr_runc_process *p,
		  int32_t *hr)
{
	char tmp[PATH_MAX], pfile[PATH_MAX];
	int r = make_tmp(id, tmp, sizeof(tmp));
	if (r < 0) {
		set_hr(hr, HR_E_FAIL);
		return r;
	}
	pathf(pfile, sizeof(pfile), "%s/process.json", tmp);
	const char *text = oci_json_text(process);
	int fd = open(pfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t len = strlen(text);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
		r = err_set(-errno, "writing %s", pfile);
		if (fd >= 0)
			close(fd);
		(void)ctr_remove_tree(tmp);
		set_hr(hr, HR_E_FAIL);
		return r;
	}
	close(fd);
	char *argv[20] = { 0 };
	argv[6] = "--detach";
	argv[7] = "--process";
	argv[8] = pfile;
	r = run_with_process("exec", id, argv, 9, tmp, p, hr);
	if (r < 0) {
		(void)ctr_remove_tree(tmp);
		return r;
	}
	settle_tmp(id, tmp, p->pid);
	(void)bundle;
	return 0;
}

int ctr_runc_kill(const char *id, int sig, bool all, int32_t *hr)
{
	char s[16];
	snprintf(s, sizeof(s), "%d", sig);
	char *argv[] = { NULL, "kill", all ? "--all" : (char *)id, all ? (char *)id : s, all ? s : NULL, NULL };
	return run_simple(argv, "kill", id, hr, NULL);
}

int ctr_runc_delete(const char *id, bool force, int32_t *hr)
{
	char *argv[] = { NULL, "delete", force ? "--force" : (char *)id, force ? (char *)id : NULL, NULL };
	int r = run_simple(argv, "delete", id, hr, NULL);
	if (r == 0) {
		char dir[PATH_MAX];
		pathf(dir, sizeof(dir), "%s/%s", state_dir, id);
		(void)ctr_remove_tree(dir);
	}
	return r;
}

int ctr_runc_status(const char *id, char **status, int32_t *hr)
{
	*status = NULL;
	char *argv[] = { NULL, "state", (char *)id, NULL };
	_cleanup_free_ char *out = NULL;
	int r = run_simple(argv, "state", id, hr, &out);
	if (r < 0)
		return r;
	_cleanup_jobj_ json_object *st = NULL;
	const char *s = NULL;
	if (oci_json_parse(out, strlen(out), &st) < 0 || oci_json_get_string(st, "status", &s) < 0 || !s) {
		set_hr(hr, HR_E_FAIL);
		return err_setmsg(-EPROTO, "state %s: unexpected output", id);
	}
	*status = strdup(s);
	return *status ? 0 : -ENOMEM;
}

int ctr_runc_update(const char *id, json_object *resources, int32_t *hr)
{
	const char *text = oci_json_text(resources);
	char *argv[] = { runtime, "update", "--resources", "-", (char *)id, NULL };
	struct ctr_run r = { .stdin_fd = -2, .stdout_fd = -1, .stderr_fd = -1, .input = text,
			     .input_len = strlen(text) };
	int rc = ctr_run(argv, &r);
	if (rc < 0) {
		set_hr(hr, HR_E_FAIL);
		free(r.out);
		return err_wrap(rc, "update %s", id);
	}
	if (!succeeded(&r))
		rc = runc_failed("update", id, NULL, 0, &r, hr);
	free(r.out);
	return rc;
}

void ctr_runc_forget_process(const char *id, pid_t pid)
{
	char dir[PATH_MAX];
	pathf(dir, sizeof(dir), "%s/%s/%d", state_dir, id, (int)pid);
	(void)ctr_remove_tree(dir);
}
