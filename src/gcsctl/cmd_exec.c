/* cmd_exec.c: `gcsctl exec`: run a program in the utility VM with its stdio
 * streamed to this terminal, and exit with its exit code (§3.4.4-3.4.7, §5). */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "gcsctl/command.h"
#include "gcsctl/process_io.h"
#include "gcsctl/session.h"
#include "lib/bridge_json.h"
#include "lib/bridge_proto.h"
#include "lib/err.h"

#define USAGE                                                                                  \
	"exec [-t] [-n] [-N] [-d] [-e K=V]... [-w DIR] -- CMD [ARG]...\n"                     \
	"  -t       allocate a terminal (EmulateConsole); puts this terminal in raw mode\n"     \
	"  -n       do not connect stdin (the program reads /dev/null)\n"                       \
	"  -N       connect no stdio at all (no stdio streams are dialed; all /dev/null)\n"   \
	"  -d       detach: print the pid and return without waiting\n"                         \
	"  -e K=V   environment variable (repeatable; PATH defaults to the usual set)\n"        \
	"  -w DIR   working directory\n"                                                        \
	"exit status: the program's exit code; 255 if it was killed by a signal"

struct resizer {
	struct gcsctl_session *s;
	uint32_t pid;
};

static void send_resize(struct gcsctl_session *s, uint32_t pid)
{
	struct winsize ws;
	if (ioctl(0, TIOCGWINSZ, &ws) < 0)
		return;
	struct json_object *req = gcsctl_request(s, gcsctl_session_container(s));
	json_object_object_add(req, "ProcessId", json_object_new_int64(pid));
	json_object_object_add(req, "Height", json_object_new_int(ws.ws_row));
	json_object_object_add(req, "Width", json_object_new_int(ws.ws_col));
	gcsctl_send(s, BRIDGE_MSG_RESIZE_CONSOLE, req, NULL); /* answer ignored */
}

static void *winch_main(void *arg)
{
	struct resizer *r = arg;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	for (;;) {
		int sig;
		if (sigwait(&set, &sig) == 0)
			send_resize(r->s, r->pid);
	}
	return NULL;
}

static struct termios saved_tio;
static bool tio_saved;

static void restore_tty(void)
{
	if (tio_saved)
		tcsetattr(0, TCSADRAIN, &saved_tio);
}

static int run_exec(int argc, char **argv)
{
	bool tty = false, no_stdin = false, no_stdio = false, detach = false;
	const char *cwd = NULL;
	struct json_object *env = json_object_new_object();
	int c;
	static const struct option longopts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	while ((c = getopt_long(argc, argv, "+tnNde:w:h", longopts, NULL)) != -1) {
		switch (c) {
		case 't': tty = true; break;
		case 'n': no_stdin = true; break;
		case 'N': no_stdio = true; break;
		case 'd': detach = true; break;
		case 'w': cwd = optarg; break;
		case 'e': {
			char *eq = strchr(optarg, '=');
			if (!eq || eq == optarg) {
				json_object_put(env);
				return gcsctl_usage_error("exec", "-e %s: expected KEY=VALUE", optarg);
			}
			*eq = '\0';
			json_object_object_add(env, optarg, json_object_new_string(eq + 1));
			break;
		}
		case 'h':
			printf("usage: gcsctl [OPTIONS] %s\n", USAGE);
			json_object_put(env);
			return 0;
		default: json_object_put(env); return gcsctl_usage_error("exec", NULL);
		}
	}
	if (optind >= argc) {
		json_object_put(env);
		return gcsctl_usage_error("exec", "no command given");
	}
	if (!bj_get(env, "PATH"))
		json_object_object_add(env, "PATH",
				       json_object_new_string("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
	if (tty && !bj_get(env, "TERM"))
		json_object_object_add(env, "TERM", json_object_new_string("xterm"));

	struct gcsctl_session *s;
	if (gcsctl_session_open(&s) < 0) {
		json_object_put(env);
		return 125;
	}
	bool want[3] = { !no_stdin && !detach && !no_stdio, !detach && !no_stdio, !detach && !tty && !no_stdio };
	struct json_object *params = json_object_new_object();
	struct json_object *args = json_object_new_array();
	for (int i = optind; i < argc; i++)
		json_object_array_add(args, json_object_new_string(argv[i]));
	json_object_object_add(params, "CommandArgs", args);
	json_object_object_add(params, "Environment", env);
	if (cwd)
		json_object_object_add(params, "WorkingDirectory", json_object_new_string(cwd));
	if (tty) {
		json_object_object_add(params, "EmulateConsole", json_object_new_boolean(1));
		struct winsize ws;
		if (isatty(0) && ioctl(0, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) {
			struct json_object *size = json_object_new_array();
			json_object_array_add(size, json_object_new_int(ws.ws_row));
			json_object_array_add(size, json_object_new_int(ws.ws_col));
			json_object_object_add(params, "ConsoleSize", size);
		}
	}
	if (gcsctl_session_protocol(s) == 3)
		json_object_object_add(params, "CreateInUtilityVM", json_object_new_boolean(1));
	int rc = 125;
	struct gcsctl_process_io io;
	if (gcsctl_execute_process(s, gcsctl_session_container(s), params, want, 30000, &io) < 0)
		goto out;
	uint32_t pid = io.pid;
	if (detach) {
		printf("%u\n", pid);
		rc = 0;
		goto out;
	}
	/* The wait stays pending until the process exits and its output is in. */
	struct json_object *wreq = gcsctl_wait_request(s, gcsctl_session_container(s), pid, BRIDGE_WAIT_INFINITE);
	uint64_t wid;
	if (gcsctl_send(s, BRIDGE_MSG_WAIT_FOR_PROCESS, wreq, &wid) < 0) {
		fprintf(stderr, "gcsctl: %s\n", err_text());
		goto out;
	}
	if (tty && isatty(0)) {
		struct resizer *rz = malloc(sizeof(*rz));
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGWINCH);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
		if (rz) {
			*rz = (struct resizer){ s, pid };
			pthread_t t;
			if (pthread_create(&t, NULL, winch_main, rz) == 0)
				pthread_detach(t);
		}
		send_resize(s, pid);
		if (tcgetattr(0, &saved_tio) == 0) {
			struct termios raw = saved_tio;
			cfmakeraw(&raw);
			tio_saved = tcsetattr(0, TCSADRAIN, &raw) == 0;
			atexit(restore_tty);
		}
	}
	gcsctl_process_io_start(&io);
	gcsctl_process_io_finish_output(&io);
	struct json_object *resp = NULL;
	if (gcsctl_wait_response(s, wid, -1, &resp) < 0) {
		restore_tty();
		fprintf(stderr, "gcsctl: waiting for process %u: %s\n", pid, err_text());
		goto out;
	}
	int32_t result = 0;
	bj_get_i32(resp, "Result", &result);
	uint32_t code = 0;
	bj_get_u32(resp, "ExitCode", &code);
	restore_tty();
	if (result != 0) {
		gcsctl_print_failure("WaitForProcess", resp);
	} else if (code == BRIDGE_EXIT_CODE_SIGNALED) {
		fprintf(stderr, "gcsctl: process %u was killed by a signal\n", pid);
		rc = 255;
	} else {
		rc = (int)(code & 0xFF);
	}
	json_object_put(resp);
out:
	gcsctl_process_io_close(&io);
	/* A stdin pump may still block reading our stdin: do not join it. */
	gcsctl_session_close(s);
	fflush(stdout);
	_exit(rc);
}

GCSCTL_COMMAND(exec, "exec", "run a program in the utility VM, streaming its stdio", USAGE, run_exec);
