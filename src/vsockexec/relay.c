/* relay.c: the reconnecting output relay of vsockexec -r (see relay.h). */
#include "vsockexec/relay.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/err.h"

#define RELAY_CHUNK (64 * 1024)

static int dial_forever(const struct boot_transport *t, uint32_t port)
{
	for (;;) {
		int fd = boot_dial(t, port);
		if (fd >= 0)
			return fd;
		nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
	}
}

static int wait_status(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
}

int relay_run(const struct boot_transport *t, uint32_t port, bool to_stdout, bool to_stderr, char *const *argv)
{
	signal(SIGPIPE, SIG_IGN);
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		fprintf(stderr, "vsockexec: pipe: %m\n");
		return 1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "vsockexec: fork: %m\n");
		return 1;
	}
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		if ((to_stdout && dup2(p[1], 1) < 0) || (to_stderr && dup2(p[1], 2) < 0))
			_exit(1);
		execvp(argv[0], argv);
		fprintf(stderr, "vsockexec: cannot run %s: %m\n", argv[0]);
		_exit(1);
	}
	close(p[1]);
	_cleanup_close_ int in = p[0];
	int sock = dial_forever(t, port);
	static char buf[RELAY_CHUNK];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		size_t done = 0;
		while (done < (size_t)n) {
			ssize_t w = write(sock, buf + done, (size_t)n - done);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				/* Broken: reconnect and resend what was not sent. */
				close(sock);
				sock = dial_forever(t, port);
				continue;
			}
			done += (size_t)w;
		}
	}
	close(sock);
	return wait_status(pid);
}
