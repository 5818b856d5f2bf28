/* main.c: /init, PID 1 of the utility VM
 * (../shared/spec/gcs-protocol.md §9.2; the 2018 default of §9.5).
 *
 *   /init [-d SHELL] [-e PORT] [-w] [--transport vsock|unix:DIR] [--] [PROGRAM [ARGS...]]
 *
 * Mounts the basic file systems and cgroups, brings lo up, seeds the
 * random pool from the host (-e), starts PROGRAM (and/or the -d shell),
 * reaps every orphan and powers the VM off when the primary child exits.
 * With no arguments it starts /bin/gcs as the 2018 image did. The steps
 * live in src/os/init_*.c; docs/init.md explains the choices. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "init/entry_clock.h"
#include "lib/err.h"
#include "lib/init_args.h"
#include "os/boot_dial.h"
#include "os/init_cgroup.h"
#include "os/init_child.h"
#include "os/init_entropy.h"
#include "os/init_log.h"
#include "os/init_mounts.h"
#include "os/init_net.h"

/* Descriptors 0-2 exist in every child even when the kernel found no
 * console (§2 of initrd-layout.md): the console if it opens, else null. */
static void ensure_stdio(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		int n = open("/dev/console", O_RDWR | O_NOCTTY);
		if (n < 0)
			n = open("/dev/null", O_RDWR);
		if (n >= 0 && n != fd) {
			dup2(n, fd);
			close(n);
		}
	}
}

static char *init_environment[] = { "PATH=" INIT_CHILD_PATH, NULL };

static long elapsed_us(const struct timespec *a, const struct timespec *b)
{
	return (long)(b->tv_sec - a->tv_sec) * 1000000 + (b->tv_nsec - a->tv_nsec) / 1000;
}

/* §9.2 step 3: soft 1024, hard 1048576. A kernel whose fs.nr_open is
 * lower keeps its hard limit (logged once kmsg is open). */
static int nofile_errno;
static void set_nofile_limit(void)
{
	if (setrlimit(RLIMIT_NOFILE, &(struct rlimit){ .rlim_cur = 1024, .rlim_max = 1048576 }) == 0)
		return;
	nofile_errno = errno;
	struct rlimit cur;
	if (getrlimit(RLIMIT_NOFILE, &cur) == 0) {
		cur.rlim_cur = cur.rlim_max < 1024 ? cur.rlim_max : 1024;
		setrlimit(RLIMIT_NOFILE, &cur);
	}
}

static __attribute__((noreturn)) void fatal(const char *what)
{
	init_log(INIT_LOG_ERR, "%s: %s", what, err_text());
	init_power_off();
}

int main(int argc, char **argv)
{
	struct timespec started;
	init_timeline_now(&started);

	struct init_args args;
	struct boot_transport transport;
	if (init_args_parse(argc, argv, &args) < 0 || boot_transport_parse(args.transport, &transport) < 0) {
		fprintf(stderr, "init: %s\n"
				"usage: init [-d SHELL] [-e PORT] [-w] [--transport vsock|unix:DIR] [--] [PROGRAM [ARGS...]]\n",
			err_text());
		return 1;
	}
	if (getpid() != 1) {
		fprintf(stderr, "init: must run as PID 1 (it mounts /proc, /sys, /dev and powers off)\n");
		return 1;
	}

	/* init's own environment becomes PATH only (children get exactly
	 * that too): no setenv, so nothing is allocated on the boot path. */
	environ = init_environment;
	set_nofile_limit();

	int dev = init_mount_dev();
	ensure_stdio();
	struct timespec dev_done, mounts_done, cgroups_done;
	init_timeline_now(&dev_done);
	if (dev < 0)
		fatal("mounting /dev");
	if (init_mount_basic(dev == 0) < 0)
		fatal("mounting the basic file systems");
	if (args.writable_overlays && init_mount_writable_overlays() < 0)
		fatal("mounting the writable overlays");
	init_timeline_now(&mounts_done);
	/* The GCS and runc find the cgroup version by looking at the mount:
	 * it is there before the GCS starts. */
	int cg = init_mount_cgroups();
	char cg_error[256] = "";
	if (cg < 0)
		snprintf(cg_error, sizeof(cg_error), "%s", err_text());
	init_timeline_now(&cgroups_done);

	/* The CURRENT host serves the bridge only after the entropy
	 * connection (gcs-protocol.md §1.3): it must precede the program. */
	if (args.entropy_port) {
		int n = init_seed_entropy(&transport, args.entropy_port);
		if (n < 0)
			init_log(INIT_LOG_WARNING, "%s (continuing)", err_text());
		else
			init_log(INIT_LOG_INFO, "added %d bytes of entropy from port %u", n, args.entropy_port);
	}

	/* Everything else (loopback, the console shell, the log lines about
	 * what was done) waits until the primary program runs: the path from
	 * here to the GCS is the boot-time critical path (docs/init.md). */
	struct timespec spawning;
	init_timeline_now(&spawning);
	pid_t primary = -1;
	const char *primary_name = args.child_argv ? args.child_argv[0] : args.debug_shell;
	/* The program is the critical path from here on: init's own
	 * follow-up work (signal mask, log lines, cgroup controllers,
	 * loopback) runs behind it. */
	init_priority_behind_program();
	if (args.child_argv) {
		primary = init_spawn(args.child_argv, false);
		if (primary < 0)
			fatal("starting the program");
	}
	init_block_signals();
	init_log(INIT_LOG_INFO, "timeline: exec at mono %ld.%06ld, main at mono %ld.%06ld, spawn at mono %ld.%06ld (us: dev %ld, mounts %ld, cgroups %ld)",
		 (long)init_entry_time.tv_sec, init_entry_time.tv_nsec / 1000,
		 (long)started.tv_sec, started.tv_nsec / 1000, (long)spawning.tv_sec, spawning.tv_nsec / 1000,
		 elapsed_us(&started, &dev_done), elapsed_us(&dev_done, &mounts_done),
		 elapsed_us(&mounts_done, &cgroups_done));
	if (nofile_errno)
		init_log(INIT_LOG_WARNING, "RLIMIT_NOFILE hard 1048576: %s; kept the current hard limit",
			 strerror(nofile_errno));
	if (cg < 0)
		init_log(INIT_LOG_WARNING, "cgroups: %s", cg_error);
	else
		init_log(INIT_LOG_INFO, "mounted cgroup v%d", cg);
	if (init_cgroup_finish() < 0)
		init_log(INIT_LOG_WARNING, "cgroup controllers: %s", err_text());
	if (init_loopback_up() < 0)
		init_log(INIT_LOG_WARNING, "loopback: %s", err_text());

	init_priority_normal();
	if (args.debug_shell) {
		char *const shell[] = { (char *)args.debug_shell, NULL };
		pid_t sh = init_spawn(shell, true);
		if (sh < 0)
			fatal("starting the debug shell");
		primary = sh; /* §9.2 step 12: the shell becomes primary */
	} else if (args.seed_default && isatty(STDIN_FILENO)) {
		/* The 2018 image kept a shell on the console next to the GCS;
		 * here it is a helper, the GCS stays primary (docs/init.md). */
		char *const shell[] = { (char *)init_default_shell, NULL };
		if (init_spawn(shell, true) < 0)
			init_log(INIT_LOG_WARNING, "console shell: %s", err_text());
	}
	init_reap_until(primary, primary_name);
	init_power_off();
}
