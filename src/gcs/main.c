/* main.c: gcs start-up: flags (§9.4), logging, the event loop and reaper,
 * registered start-up steps, then the bridge loop (§1.2). */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gcs/internal.h"
#include "gcs/process.h"
#include "os/gcs_loop.h"
#include "os/gcs_reaper.h"
#include "os/gcs_transport.h"

struct gcs_config gcs_config = {
	.loglevel = "info",
	.log_format = "text",
	.vsock_cid = BRIDGE_HOST_CID,
	.runtime = "runc",
	.sysfs_root = "/sys",
	.kmsg_level = 4,
	.root_mem_reserve_bytes = 78643200,
	.gcs_mem_limit_bytes = 52428800,
	.scrub_logs = true,
	.initial_policy_stance = "allow",
	.max_frame = BRIDGE_IN_MAX_DEFAULT,
};

static int set_transport(const struct goflag *f, const char *v)
{
	gcs_config.transport = v;
	return gcs_transport_set(v);
}

static int set_cid(const struct goflag *f, const char *v)
{
	int r = goflag_set_int(f, v);
	if (r == 0 && (gcs_config.vsock_cid < 0 || gcs_config.vsock_cid > 0xFFFFFFFFLL))
		return err_setmsg(-EINVAL, "-vsock-cid %s is out of range", v);
	if (r == 0)
		gcs_transport_set_vsock_cid((uint32_t)gcs_config.vsock_cid);
	return r;
}

#define OPT_BOOL(id, name, help, field) GCS_OPTION(id, name, true, NULL, help, goflag_set_bool, &gcs_config.field)
#define OPT_STR(id, name, arg, help, field) GCS_OPTION(id, name, false, arg, help, goflag_set_string, &gcs_config.field)
#define OPT_INT(id, name, arg, help, field) GCS_OPTION(id, name, false, arg, help, goflag_set_int, &gcs_config.field)

OPT_BOOL(v4, "v4", "enable protocol 4 (accepted; both protocols are always available)", v4);
OPT_STR(loglevel, "loglevel", "LEVEL", "trace, debug, info, warning, error, fatal or panic (default info)", loglevel);
OPT_STR(logfile, "logfile", "FILE", "log to FILE (truncated) instead of stderr", logfile);
OPT_STR(log_format, "log-format", "FORMAT", "text or json (one JSON object per line)", log_format);
OPT_BOOL(use_inouterr, "use-inouterr", "bridge over stdin/stdout instead of vsock; logs on stderr", use_inouterr);
GCS_OPTION(transport, "transport", false, "SPEC", "vsock, vsock:CID or unix:DIR (dial port P as DIR/P)",
	   set_transport, NULL);
GCS_OPTION(vsock_cid, "vsock-cid", false, "CID", "vsock CID to dial (default 2, the host)", set_cid,
	   &gcs_config.vsock_cid);
OPT_STR(runtime, "runtime", "PATH", "OCI runtime binary (default runc)", runtime);
OPT_STR(sysfs_root, "sysfs-root", "DIR", "where sysfs is mounted (default /sys)", sysfs_root);
OPT_INT(kmsg, "kmsgLogLevel", "N", "forward /dev/kmsg records up to this priority (default 4; -1 = none)", kmsg_level);
OPT_INT(root_mem, "root-mem-reserve-bytes", "N", "memory kept out of the containers' cgroup", root_mem_reserve_bytes);
OPT_INT(gcs_mem, "gcs-mem-limit-bytes", "N", "GCS memory threshold for a log event", gcs_mem_limit_bytes);
OPT_STR(core_dump, "core-dump-location", "PATTERN", "written to /proc/sys/kernel/core_pattern", core_dump_location);
OPT_BOOL(no_time_sync, "disable-time-sync", "do not start chronyd (accepted)", disable_time_sync);
OPT_BOOL(scrub_logs, "scrub-logs", "redact environment variables from logs (accepted)", scrub_logs);
OPT_STR(policy, "initial-policy-stance", "STANCE", "allow or deny (confidential mode; accepted)", initial_policy_stance);
OPT_INT(max_frame, "max-frame-size", "BYTES", "largest inbound frame accepted (default 16 MiB)", max_frame);

extern const struct goflag __start_gcs_options[];
extern const struct goflag __stop_gcs_options[];
extern const struct gcs_init __start_gcs_inits[];
extern const struct gcs_init __stop_gcs_inits[];
static int no_init(void) { return 0; }
GCS_INIT(sentinel, 0, no_init);

int gcs_bridge_run(void);

/* SIGTERM/SIGINT end the GCS through exit() on the loop thread, so atexit
 * work (and, in sanitizer builds, the leak check) runs. */
static int term_fd = -1;
static struct gcs_watch *term_watch;

static void on_term(void *ctx, uint32_t events)
{
	struct signalfd_siginfo si;
	if (read(term_fd, &si, sizeof(si)) == sizeof(si))
		log_info("signal %u received; exiting", si.ssi_signo);
	exit(0);
}

static void watch_term(void *p)
{
	int *r = p;
	*r = gcs_watch_add(term_fd, EPOLLIN, on_term, NULL, &term_watch);
}

static int setup_term(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGINT);
	term_fd = signalfd(-1, &s, SFD_CLOEXEC | SFD_NONBLOCK);
	if (term_fd < 0)
		return err_set(-errno, "creating the SIGTERM signalfd");
	int r = 0;
	gcs_loop_call_sync(watch_term, &r);
	return r;
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(const struct goflag *const *)a)->name, (*(const struct goflag *const *)b)->name);
}

static void usage(FILE *out)
{
	fprintf(out, "usage: gcs [FLAGS]\n\n"
		     "The Guest Compute Service of a Linux utility VM: dials the host's bridge\n"
		     "(vsock CID 2 port 1073741824) and serves protocol 3 and 4 requests.\n"
		     "Flags use Go syntax: -name VALUE, -name=VALUE, --name; booleans -name[=false].\n\n");
	size_t n = (size_t)(__stop_gcs_options - __start_gcs_options);
	const struct goflag **v = calloc(n, sizeof(*v));
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		v[i] = &__start_gcs_options[i];
	qsort(v, n, sizeof(*v), by_name);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  -%s%s%s\n\t%s\n", v[i]->name, v[i]->arg_name ? " " : "",
			v[i]->arg_name ? v[i]->arg_name : "", v[i]->help);
	free(v);
}

static int run_inits(void)
{
	size_t n = (size_t)(__stop_gcs_inits - __start_gcs_inits);
	const struct gcs_init **v = calloc(n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		v[i] = &__start_gcs_inits[i];
	for (size_t i = 1; i < n; i++) /* insertion sort by order */
		for (size_t j = i; j > 0 && v[j - 1]->order > v[j]->order; j--) {
			const struct gcs_init *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		err_clear();
		r = v[i]->fn();
		if (r < 0)
			err_wrap(r, "start-up step %s", v[i]->name);
	}
	free(v);
	return r;
}

static void keep_std_fds_open(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) < 0) {
			int n = open("/dev/null", O_RDWR);
			if (n >= 0 && n != fd) {
				dup2(n, fd);
				close(n);
			}
		}
	}
}

int main(int argc, char **argv)
{
	keep_std_fds_open();
	/* One malloc arena and small thread stacks keep the idle RSS small. */
	mallopt(M_ARENA_MAX, 1);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	pthread_setattr_default_np(&attr);
	pthread_attr_destroy(&attr);

	size_t nopts = (size_t)(__stop_gcs_options - __start_gcs_options);
	int next;
	int r = goflag_parse(__start_gcs_options, nopts, argc, argv, &next);
	if (r == -ECANCELED) {
		usage(stdout);
		return 0;
	}
	if (r < 0) {
		fprintf(stderr, "gcs: %s\n", err_text());
		usage(stderr);
		return 2;
	}
	if (next < argc) {
		fprintf(stderr, "gcs: unexpected argument '%s'\n", argv[next]);
		return 2;
	}
	if (gcs_config.max_frame < 1024 || gcs_config.max_frame > (1LL << 30)) {
		fprintf(stderr, "gcs: -max-frame-size must be between 1024 and 1073741824 bytes\n");
		return 2;
	}
	enum glog_level level;
	if (glog_level_parse(gcs_config.loglevel, &level) < 0) {
		fprintf(stderr, "gcs: unknown -loglevel '%s'\n", gcs_config.loglevel);
		return 2;
	}
	bool json = strcmp(gcs_config.log_format, "json") == 0;
	if (!json && strcmp(gcs_config.log_format, "text") != 0) {
		fprintf(stderr, "gcs: unknown -log-format '%s' (text or json)\n", gcs_config.log_format);
		return 2;
	}
	int log_fd = 2;
	if (gcs_config.logfile && *gcs_config.logfile) {
		log_fd = open(gcs_config.logfile, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
		if (log_fd < 0) {
			fprintf(stderr, "gcs: opening log file %s: %s\n", gcs_config.logfile, strerror(errno));
			return 1;
		}
	}
	glog_setup(log_fd, json, level);

	signal(SIGPIPE, SIG_IGN); /* §5.6: a host may close a stream early */
	gcs_reaper_block_sigchld();
	sigset_t term;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGINT);
	pthread_sigmask(SIG_BLOCK, &term, NULL);

	if (gcs_dispatch_init() < 0 || gcs_loop_start() < 0 || gcs_reaper_start() < 0 || setup_term() < 0 || run_inits() < 0) {
		log_error("start-up failed: %s", err_text());
		/* The log may be a file nobody watches: say it on stderr too (the
		 * console when init started us). */
		if (log_fd != 2)
			fprintf(stderr, "gcs: start-up failed: %s\n", err_text());
		return 1;
	}
	pthread_setname_np(pthread_self(), "gcs-bridge");
	log_info("gcs %s starting (pid %d)", LCOW_VERSION, (int)getpid());
	if (gcs_config.core_dump_location) {
		int fd = open("/proc/sys/kernel/core_pattern", O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, gcs_config.core_dump_location, strlen(gcs_config.core_dump_location)) < 0)
			log_warn("setting core_pattern: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	return gcs_bridge_run();
}
