/* gcs_spawn.c: vfork-style process creation registered with the reaper. */
#include "os/gcs_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/err.h"
#include "os/gcs_loop.h"

struct child_result {
	volatile int err;  /* errno of the failed step, written by the child */
	volatile int step; /* which step failed */
};

struct child_args {
	const struct gcs_spawn_opts *o;
	const char *path;
	int fd[3];
	struct child_result *res;
};

/* ThreadSanitizer cannot follow a child that runs in our memory: in such a
 * build the child gets a copy (fork semantics, still suspended until exec)
 * and reports failures through a shared page. */
#if defined(__SANITIZE_THREAD__)
#define SPAWN_SHARES_MEMORY 0
#else
#define SPAWN_SHARES_MEMORY 1
#endif

enum { STEP_NONE, STEP_SESSION, STEP_DUP, STEP_CHDIR, STEP_EXEC };

static int child_main(void *p)
{
	struct child_args *a = p;
	sigset_t none;
	sigemptyset(&none);
	/* Ignored signals survive exec: give the program the defaults. */
	/* (The GCS ignores only SIGPIPE; handlers are reset by exec.) */
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigaction(SIGPIPE, &dfl, NULL);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (a->o->new_session_tty) {
		if (setsid() < 0 || ioctl(a->fd[0], TIOCSCTTY, 0) < 0) {
			a->res->step = STEP_SESSION;
			goto fail;
		}
	}
	/* Move sources above 2 first so dup2 never overwrites one still needed. */
	int hi[3];
	for (int i = 0; i < 3; i++) {
		hi[i] = fcntl(a->fd[i], F_DUPFD_CLOEXEC, 3);
		if (hi[i] < 0) {
			a->res->step = STEP_DUP;
			goto fail;
		}
	}
	for (int i = 0; i < 3; i++) {
		if (dup2(hi[i], i) < 0) {
			a->res->step = STEP_DUP;
			goto fail;
		}
	}
	syscall(SYS_close_range, 3, ~0U, 0);
	if (a->o->cwd && chdir(a->o->cwd) < 0) {
		a->res->step = STEP_CHDIR;
		goto fail;
	}
	static char *const empty_env[] = { NULL };
	execve(a->path, a->o->argv, a->o->envp ? a->o->envp : empty_env);
	a->res->step = STEP_EXEC;
fail:
	a->res->err = errno;
	_exit(127);
}

int gcs_resolve_path(const char *name, char *out, size_t size)
{
	if (!name || !*name)
		return err_setmsg(-EINVAL, "no program to run");
	if (strchr(name, '/')) {
		snprintf(out, size, "%s", name);
		return 0;
	}
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/sbin:/usr/sbin:/bin:/usr/bin";
	int first_err = -ENOENT;
	for (const char *p = path;;) {
		const char *colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);
		if (len == 0)
			snprintf(out, size, "%s", name);
		else
			snprintf(out, size, "%.*s/%s", (int)len, p, name);
		struct stat st;
		if (stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(out, X_OK) == 0)
				return 0;
			first_err = -EACCES;
		}
		if (!colon)
			break;
		p = colon + 1;
	}
	return err_set(first_err, "finding %s in PATH", name);
}

static void discard_exit(void *ctx, pid_t pid, int status)
{
}

int gcs_spawn(const struct gcs_spawn_opts *o, pid_t *pid)
{
	char path[PATH_MAX];
	int r;
	if (!o->argv || !o->argv[0])
		return err_setmsg(-EINVAL, "no program to run");
	if (o->path) {
		snprintf(path, sizeof(path), "%s", o->path);
	} else if ((r = gcs_resolve_path(o->argv[0], path, sizeof(path))) < 0) {
		return r;
	}
	_cleanup_close_ int devnull = -1;
	struct child_result local = { 0 };
	struct child_args a = { .o = o, .path = path, .res = &local };
	int flags = CLONE_VM | CLONE_VFORK | SIGCHLD;
	if (!SPAWN_SHARES_MEMORY) {
		a.res = mmap(NULL, sizeof(*a.res), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (a.res == MAP_FAILED)
			return err_set(-errno, "mapping the spawn report page");
		flags = CLONE_VFORK | SIGCHLD;
	}
	for (int i = 0; i < 3; i++) {
		a.fd[i] = o->fd[i];
		if (a.fd[i] < 0) {
			if (devnull < 0 && (devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
				return err_set(-errno, "opening /dev/null");
			a.fd[i] = devnull;
		}
	}
	/* The child runs on this stack region until it execs or exits. */
	size_t stack_size = 32 * 1024;
	_cleanup_free_ char *stack = malloc(stack_size);
	if (!stack)
		return -ENOMEM;
	gcs_reaper_lock();
	pid_t child = clone(child_main, stack + stack_size, flags, &a);
	struct child_result res = *a.res;
	if (a.res != &local)
		munmap(a.res, sizeof(*a.res));
	if (child < 0) {
		r = -errno;
		gcs_reaper_unlock();
		return err_set(r, "starting %s", path);
	}
	if (res.step != STEP_NONE) {
		/* The child has exited: swallow its status. */
		gcs_reaper_new_child_locked(child, discard_exit, NULL);
		gcs_reaper_unlock();
		static const char *const what[] = { "", "making the terminal controlling", "setting up stdio",
						    "changing to the working directory", "executing" };
		if (res.step == STEP_CHDIR)
			return err_set(-res.err, "changing to the working directory %s", o->cwd);
		return err_set(-res.err, "%s %s", what[res.step], path);
	}
	r = gcs_reaper_new_child_locked(child, o->on_exit, o->ctx);
	gcs_reaper_unlock();
	if (r < 0) {
		kill(child, SIGKILL);
		return err_wrap(r, "watching pid %d", child);
	}
	*pid = child;
	return 0;
}

int gcs_run(char *const argv[], int out_fd)
{
	struct gcs_reaper_sync s = { 0 };
	extern char **environ;
	struct gcs_spawn_opts o = {
		.argv = argv,
		.envp = environ,
		.fd = { -1, out_fd, out_fd },
		.on_exit = gcs_reaper_sync_exit,
		.ctx = &s,
	};
	pid_t pid;
	int r = gcs_spawn(&o, &pid);
	if (r < 0)
		return r;
	return gcs_reaper_sync_wait(&s);
}
