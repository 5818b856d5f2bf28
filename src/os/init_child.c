/* init_child.c: spawning, reaping and power-off for PID 1 (see
 * init_child.h). */
#include "os/init_child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/err.h"
#include "os/init_log.h"

static char *const child_env[] = { "PATH=" INIT_CHILD_PATH, NULL };

/* What a child undoes before its exec; each is one more first-time system
 * call on the boot path, so only when init changed it. */
static bool signals_blocked, priority_lowered;

void init_block_signals(void)
{
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	signals_blocked = true;
}

static void reset_inherited_state(void)
{
	if (signals_blocked) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
	}
	if (priority_lowered)
		setpriority(PRIO_PROCESS, 0, 0);
	setsid();
}

/* vfork + execvpe: the parent sleeps until the child has exec'd (or
 * failed), so the log line right after it is the program's exec time and
 * init does nothing else before the program starts: the shortest path from
 * init's start to the GCS. Not posix_spawn: glibc's maps a stack for the
 * child, queries all 64 signal actions there and unmaps the stack, each a
 * first-time kernel path that costs milliseconds in an emulated VM
 * (docs/init.md). init has no signal handlers, so the shared memory of
 * vfork has nothing to reset; the child writes only exec_errno. When init
 * runs behind the program, the parent woken in the middle of the child's
 * exec does not preempt it. */
static volatile int exec_errno;

static pid_t spawn_direct(char *const *argv)
{
	exec_errno = 0;
	pid_t pid = vfork();
	if (pid == 0) {
		reset_inherited_state();
		execvpe(argv[0], argv, child_env);
		exec_errno = errno;
		_exit(errno == ENOENT ? 127 : 126);
	}
	if (pid < 0)
		return err_set(-errno, "starting %s", argv[0]);
	if (exec_errno) {
		int e = exec_errno;
		waitpid(pid, NULL, 0);
		return err_set(-e, "starting %s", argv[0]);
	}
	init_log(INIT_LOG_INFO, "exec %s (pid %d)", argv[0], (int)pid);
	return pid;
}

void init_priority_behind_program(void)
{
	priority_lowered = setpriority(PRIO_PROCESS, 0, 19) == 0;
}

void init_priority_normal(void)
{
	if (priority_lowered && setpriority(PRIO_PROCESS, 0, 0) == 0)
		priority_lowered = false;
}

pid_t init_spawn(char *const *argv, bool console)
{
	if (!console)
		return spawn_direct(argv);
	pid_t pid = fork();
	if (pid < 0)
		return err_set(-errno, "forking for %s", argv[0]);
	if (pid > 0)
		return pid;

	reset_inherited_state();
	if (console) {
		int fd = open("/dev/console", O_RDWR | O_NOCTTY);
		if (fd >= 0) {
			ioctl(fd, TIOCSCTTY, 1);
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
	}
	init_log(INIT_LOG_INFO, "exec %s (pid %d)", argv[0], (int)getpid());
	execvpe(argv[0], argv, child_env);
	init_log(INIT_LOG_ERR, "cannot run %s: %m", argv[0]);
	_exit(errno == ENOENT ? 127 : 126);
}

static void log_status(const char *name, pid_t pid, int status)
{
	if (WIFEXITED(status))
		init_log(INIT_LOG_INFO, "primary child %s (pid %d) exited with status %d", name, (int)pid,
			 WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		init_log(INIT_LOG_WARNING, "primary child %s (pid %d) was killed by signal %d (status %d)", name,
			 (int)pid, WTERMSIG(status), 128 + WTERMSIG(status));
}

int init_reap_until(pid_t primary, const char *name)
{
	for (;;) {
		int status;
		pid_t pid = wait(&status);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			/* ECHILD cannot happen while the primary lives. */
			init_log(INIT_LOG_ERR, "wait: %m");
			return 0;
		}
		if (pid == primary) {
			log_status(name, pid, status);
			return status;
		}
	}
}

void init_power_off(void)
{
	init_log(INIT_LOG_INFO, "powering off");
	/* Give the rest a moment to flush, then make sure nothing is left
	 * writing while the VM stops. kill(-1) spares init itself. */
	kill(-1, SIGTERM);
	nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
	kill(-1, SIGKILL);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	sync();
	reboot(RB_POWER_OFF);
	init_log(INIT_LOG_ERR, "power off failed (%m); rebooting");
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}
