/* cmd_request.c: `gcsctl request MESSAGE [JSON]`: send any request and print
 * the answer, for debugging a guest by hand (all of §3.4). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcsctl/command.h"
#include "gcsctl/session.h"
#include "lib/bridge_json.h"
#include "lib/bridge_proto.h"
#include "lib/err.h"

#define USAGE                                                                                   \
	"request MESSAGE [JSON]\n"                                                              \
	"  MESSAGE is a request name (GetProperties, ModifySettings, ...) or an identifier\n"   \
	"  (0x10100901). JSON is the payload object; ContainerId and ActivityId default to\n"   \
	"  the session's (null GUID in protocol 4). The response is printed as JSON.\n"        \
	"  exit status: 0 when Result is 0, 1 otherwise"

static int run_request(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: gcsctl [OPTIONS] %s\n", USAGE);
		return 0;
	}
	if (argc < 2 || argc > 3)
		return gcsctl_usage_error("request", "expected a message and optionally a JSON object");
	uint32_t type = bridge_msg_by_name(argv[1]);
	if (!type) {
		char *end;
		unsigned long v = strtoul(argv[1], &end, 0);
		if (!*argv[1] || *end || v == 0 || v > 0xFFFFFFFFul)
			return gcsctl_usage_error("request", "unknown message '%s'", argv[1]);
		type = (uint32_t)v;
	}
	struct json_object *body = NULL;
	if (argc == 3 && bj_parse_object(argv[2], strlen(argv[2]), &body) < 0)
		return gcsctl_usage_error("request", "JSON: %s", err_text());
	struct gcsctl_session *s;
	if (gcsctl_session_open(&s) < 0) {
		if (body)
			json_object_put(body);
		return 125;
	}
	if (!body)
		body = json_object_new_object();
	if (!bj_get(body, "ContainerId"))
		json_object_object_add(body, "ContainerId", json_object_new_string(gcsctl_session_container(s)));
	if (!bj_get(body, "ActivityId"))
		json_object_object_add(body, "ActivityId", json_object_new_string(BRIDGE_NULL_GUID));
	struct json_object *resp = NULL;
	int r = gcsctl_call(s, type, body, &resp);
	int rc = r == 0 ? 0 : 1;
	if (r < 0)
		fprintf(stderr, "gcsctl: %s\n", err_text());
	else
		printf("%s\n", json_object_to_json_string_ext(resp, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	if (resp)
		json_object_put(resp);
	gcsctl_session_close(s);
	return rc;
}
GCSCTL_COMMAND(request, "request", "send any request (by name or identifier) and print the answer", USAGE,
	       run_request);
