/* container_ops.c: bridge steps shared by gcsctl's container commands
 * (see container_ops.h). */
#include "gcsctl/container_ops.h"
#include "gcsctl/process_io.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/bridge_json.h"
#include "lib/bridge_proto.h"
#include "lib/err.h"

int gcsctl_ctr_call(struct gcsctl_session *s, uint32_t type, struct json_object *req, const char *what)
{
	struct json_object *resp = NULL;
	int r = gcsctl_call(s, type, req, &resp);
	if (r < 0)
		fprintf(stderr, "gcsctl: %s: %s\n", what, err_text());
	else if (r > 0)
		gcsctl_print_failure(what, resp);
	if (resp)
		json_object_put(resp);
	return r == 0 ? 0 : -1;
}

int gcsctl_ctr_modify(struct gcsctl_session *s, const char *type, const char *request, struct json_object *settings,
		  const char *what)
{
	struct json_object *req = gcsctl_request(s, BRIDGE_NULL_GUID);
	struct json_object *m = json_object_new_object();
	json_object_object_add(m, "ResourceType", json_object_new_string(type));
	json_object_object_add(m, "RequestType", json_object_new_string(request));
	json_object_object_add(m, "Settings", settings);
	json_object_object_add(req, "Request", m);
	return gcsctl_ctr_call(s, BRIDGE_MSG_MODIFY_SETTINGS, req, what);
}

int gcsctl_ctr_run_process(struct gcsctl_session *s, const char *cid, struct json_object *params, bool tty)
{
	bool none = gcsctl_opts.no_stdio;
	bool want[3] = { !none, !none, !tty && !none };
	int rc = -1;
	struct gcsctl_process_io io;
	if (gcsctl_execute_process(s, cid, params, want, 120000, &io) < 0)
		return rc;
	uint32_t pid = io.pid;
	int32_t result = 0;
	struct json_object *resp = NULL;
	struct json_object *wreq = gcsctl_wait_request(s, cid, pid, BRIDGE_WAIT_INFINITE);
	uint64_t wid;
	if (gcsctl_send(s, BRIDGE_MSG_WAIT_FOR_PROCESS, wreq, &wid) < 0) {
		fprintf(stderr, "gcsctl: %s\n", err_text());
		goto out;
	}
	gcsctl_process_io_start(&io);
	gcsctl_process_io_finish_output(&io);
	if (gcsctl_wait_response(s, wid, -1, &resp) < 0) {
		fprintf(stderr, "gcsctl: waiting for process %u: %s\n", pid, err_text());
		goto out;
	}
	uint32_t code = 0;
	bj_get_i32(resp, "Result", &result);
	bj_get_u32(resp, "ExitCode", &code);
	if (result != 0)
		gcsctl_print_failure("WaitForProcess", resp);
	else
		rc = (int)(code & 0xFF);
	json_object_put(resp);
out:
	gcsctl_process_io_close(&io);
	return rc;
}

