/* cmd_signal.c: `gcsctl signal PID [SIGNAL]` (§3.4.6). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcsctl/command.h"
#include "gcsctl/session.h"
#include "lib/bridge_json.h"
#include "lib/bridge_proto.h"
#include "lib/err.h"

#define USAGE "signal PID [SIGNAL]\n  SIGNAL is a number or a name (TERM, SIGKILL, ...); default KILL"

static int parse_signal(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	if (*s && !*end)
		return n > 0 && n < NSIG ? (int)n : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int i = 1; i < NSIG; i++) {
		const char *name = sigabbrev_np(i);
		if (name && strcasecmp(name, s) == 0)
			return i;
	}
	return -1;
}

static int run_signal(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: gcsctl [OPTIONS] %s\n", USAGE);
		return 0;
	}
	if (argc < 2 || argc > 3)
		return gcsctl_usage_error("signal", "expected a pid and optionally a signal");
	char *end;
	unsigned long pid = strtoul(argv[1], &end, 10);
	if (!*argv[1] || *end || pid == 0 || pid > 0xFFFFFFFFul)
		return gcsctl_usage_error("signal", "'%s' is not a pid", argv[1]);
	int sig = argc == 3 ? parse_signal(argv[2]) : SIGKILL;
	if (sig < 0)
		return gcsctl_usage_error("signal", "unknown signal '%s'", argv[2]);
	struct gcsctl_session *s;
	if (gcsctl_session_open(&s) < 0)
		return 125;
	struct json_object *req = gcsctl_request(s, gcsctl_session_container(s));
	json_object_object_add(req, "ProcessId", json_object_new_int64((int64_t)pid));
	struct json_object *opts = json_object_new_object();
	json_object_object_add(opts, "Signal", json_object_new_int(sig));
	json_object_object_add(req, "Options", opts);
	struct json_object *resp = NULL;
	int r = gcsctl_call(s, BRIDGE_MSG_SIGNAL_PROCESS, req, &resp);
	int rc = 0;
	if (r < 0) {
		fprintf(stderr, "gcsctl: %s\n", err_text());
		rc = 1;
	} else if (r != 0) {
		gcsctl_print_failure("SignalProcess", resp);
		rc = 1;
	}
	if (resp)
		json_object_put(resp);
	gcsctl_session_close(s);
	return rc;
}
GCSCTL_COMMAND(signal, "signal", "send a signal to a process started through the bridge", USAGE, run_signal);
