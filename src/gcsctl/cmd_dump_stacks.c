/* cmd_dump_stacks.c: `gcsctl dump-stacks` (§3.4.11) and `gcsctl ping`. */
#include <stdio.h>
#include <string.h>

#include "gcsctl/command.h"
#include "gcsctl/session.h"
#include "lib/bridge_json.h"
#include "lib/bridge_proto.h"
#include "lib/err.h"

static int run_dump_stacks(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: gcsctl [OPTIONS] dump-stacks\n");
		return 0;
	}
	if (argc != 1)
		return gcsctl_usage_error("dump-stacks", "takes no arguments");
	struct gcsctl_session *s;
	if (gcsctl_session_open(&s) < 0)
		return 125;
	struct json_object *resp = NULL;
	int r = gcsctl_call(s, BRIDGE_MSG_DUMP_STACKS, gcsctl_request(s, BRIDGE_NULL_GUID), &resp);
	int rc = 0;
	const char *text = NULL;
	if (r < 0) {
		fprintf(stderr, "gcsctl: %s\n", err_text());
		rc = 1;
	} else if (r != 0) {
		gcsctl_print_failure("DumpStacks", resp);
		rc = 1;
	} else if (bj_get_string(resp, "GuestStacks", &text) == 0) {
		fputs(text, stdout);
	}
	if (resp)
		json_object_put(resp);
	gcsctl_session_close(s);
	return rc;
}
GCSCTL_COMMAND(dump_stacks, "dump-stacks", "print the GCS's threads, connections and processes",
	       "dump-stacks", run_dump_stacks);

static int run_ping(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: gcsctl [OPTIONS] ping\n  waits for the GCS to connect and negotiates\n");
		return 0;
	}
	struct gcsctl_session *s;
	if (gcsctl_session_open(&s) < 0)
		return 125;
	printf("connected, protocol %d\n", gcsctl_session_protocol(s));
	gcsctl_session_close(s);
	return 0;
}
GCSCTL_COMMAND(ping, "ping", "wait for the GCS to connect and negotiate a protocol", "ping", run_ping);
