/* cmd_wait.c: `gcsctl wait PID [TIMEOUT_MS]` (§3.4.5): prints the exit code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcsctl/command.h"
#include "gcsctl/session.h"
#include "lib/bridge_json.h"
#include "lib/bridge_proto.h"
#include "lib/err.h"

#define USAGE "wait PID [TIMEOUT_MS]\n  prints the exit code; exits 0, or 1 if the wait failed"

static int run_wait(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: gcsctl [OPTIONS] %s\n", USAGE);
		return 0;
	}
	if (argc < 2 || argc > 3)
		return gcsctl_usage_error("wait", "expected a pid");
	char *end;
	unsigned long pid = strtoul(argv[1], &end, 10);
	if (!*argv[1] || *end || pid == 0 || pid > 0xFFFFFFFFul)
		return gcsctl_usage_error("wait", "'%s' is not a pid", argv[1]);
	unsigned long timeout = BRIDGE_WAIT_INFINITE;
	if (argc == 3) {
		timeout = strtoul(argv[2], &end, 10);
		if (!*argv[2] || *end || timeout > 0xFFFFFFFFul)
			return gcsctl_usage_error("wait", "'%s' is not a timeout in milliseconds", argv[2]);
	}
	struct gcsctl_session *s;
	if (gcsctl_session_open(&s) < 0)
		return 125;
	struct json_object *req = gcsctl_wait_request(s, gcsctl_session_container(s), (uint32_t)pid, (uint32_t)timeout);
	struct json_object *resp = NULL;
	int r = gcsctl_call(s, BRIDGE_MSG_WAIT_FOR_PROCESS, req, &resp);
	int rc = 0;
	if (r < 0) {
		fprintf(stderr, "gcsctl: %s\n", err_text());
		rc = 1;
	} else if (r != 0) {
		gcsctl_print_failure("WaitForProcess", resp);
		rc = 1;
	} else {
		uint32_t code = 0;
		bj_get_u32(resp, "ExitCode", &code);
		printf("%u\n", code);
	}
	if (resp)
		json_object_put(resp);
	gcsctl_session_close(s);
	return rc;
}
GCSCTL_COMMAND(wait, "wait", "wait for a process and print its exit code", USAGE, run_wait);
