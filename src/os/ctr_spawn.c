/* ctr_spawn.c: posix_spawn + output capture + hookable wait (see
 * ctr_spawn.h). */
#include "os/ctr_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/err.h"

extern char **environ;

static int default_spawn(char *const argv[], const int fd[3], pid_t *pid, void **handle)
{
	*handle = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	for (int i = 0; i < 3; i++) {
		if (fd[i] >= 0)
			posix_spawn_file_actions_adddup2(&fa, fd[i], i);
		else
			posix_spawn_file_actions_addopen(&fa, i, "/dev/null", i ? O_WRONLY : O_RDONLY, 0);
	}
	posix_spawnattr_t attr;
	posix_spawnattr_init(&attr);
	sigset_t none, dfl;
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGCHLD);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	int e = posix_spawnp(pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return e ? err_set(-e, "starting %s", argv[0]) : 0;
}

static int default_wait(pid_t pid, void *handle, int *status)
{
	(void)handle;
	for (;;) {
		if (waitpid(pid, status, 0) == pid)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

static const struct ctr_spawn_ops default_ops = { default_spawn, default_wait };
static const struct ctr_spawn_ops *ops = &default_ops;

void ctr_spawn_set_ops(const struct ctr_spawn_ops *o)
{
	ops = o ? o : &default_ops;
}

static int append(char **buf, size_t *len, size_t *cap, const char *data, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t c = (*cap ? *cap * 2 : 4096);
		while (c < *len + n + 1)
			c *= 2;
		char *b = realloc(*buf, c);
		if (!b)
			return -ENOMEM;
		*buf = b;
		*cap = c;
	}
	memcpy(*buf + *len, data, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

int ctr_run(char *const argv[], struct ctr_run *r)
{
	r->out = NULL;
	r->out_len = 0;
	r->status = -1;
	int out_pipe[2] = { -1, -1 }, in_pipe[2] = { -1, -1 };
	bool capture = r->stdout_fd == -1 || r->stderr_fd == -1;
	if (capture && pipe2(out_pipe, O_CLOEXEC) < 0)
		return err_set(-errno, "creating a pipe for %s", argv[0]);
	if (r->stdin_fd == -2 && pipe2(in_pipe, O_CLOEXEC) < 0) {
		int e = errno;
		if (capture) {
			close(out_pipe[0]);
			close(out_pipe[1]);
		}
		return err_set(-e, "creating a pipe for %s", argv[0]);
	}
	int fd[3];
	fd[0] = r->stdin_fd >= 0 ? r->stdin_fd : r->stdin_fd == -2 ? in_pipe[0] : -1;
	fd[1] = r->stdout_fd >= 0 ? r->stdout_fd : out_pipe[1];
	fd[2] = r->stderr_fd >= 0 ? r->stderr_fd : out_pipe[1];
	pid_t pid;
	void *handle = NULL;
	int e = ops->spawn(argv, fd, &pid, &handle);
	if (out_pipe[1] >= 0)
		close(out_pipe[1]);
	if (in_pipe[0] >= 0)
		close(in_pipe[0]);
	if (e < 0) {
		if (out_pipe[0] >= 0)
			close(out_pipe[0]);
		if (in_pipe[1] >= 0)
			close(in_pipe[1]);
		return e;
	}
	if (in_pipe[1] >= 0) {
		/* Inputs are small (an OCI resources document); a child that
		 * does not read just gets EPIPE, which is ignored. */
		size_t off = 0;
		while (off < r->input_len) {
			ssize_t n = write(in_pipe[1], r->input + off, r->input_len - off);
			if (n <= 0 && errno != EINTR)
				break;
			if (n > 0)
				off += (size_t)n;
		}
		close(in_pipe[1]);
	}
	size_t cap = 0;
	int rc = 0;
	if (out_pipe[0] >= 0) {
		char buf[4096];
		for (;;) {
			ssize_t n = read(out_pipe[0], buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			/* keep at most 64 KiB: error text for the host is short */
			if (r->out_len < 65536 && append(&r->out, &r->out_len, &cap, buf, (size_t)n) < 0)
				rc = err_set(-ENOMEM, "reading output of %s", argv[0]);
		}
		close(out_pipe[0]);
	}
	int w = ops->wait(pid, handle, &r->status);
	if (w < 0 && rc == 0)
		rc = err_set(w, "waiting for %s", argv[0]);
	if (!r->out && rc == 0)
		r->out = strdup("");
	return rc;
}

int ctr_run_ok(char *const argv[], struct ctr_run *r)
{
	int rc = ctr_run(argv, r);
	if (rc < 0)
		return rc;
	if (WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0)
		return 0;
	/* the last non-empty line of the output says what went wrong */
	const char *text = r->out ? r->out : "";
	size_t n = strlen(text);
	while (n && strchr(" \t\r\n", text[n - 1]))
		n--;
	size_t s = n;
	while (s && text[s - 1] != '\n')
		s--;
	if (WIFSIGNALED(r->status))
		return err_setmsg(-EIO, "%s killed by signal %d", argv[0], WTERMSIG(r->status));
	return err_setmsg(-EIO, "%s exited with %d: %.*s", argv[0], WEXITSTATUS(r->status), (int)(n - s), text + s);
}
