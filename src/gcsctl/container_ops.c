/* container_ops.c: bridge steps shared by gcsctl's container commands
 * (see container_ops.h). */
#include "gcsctl/container_ops.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/bridge_json.h"
#include "lib/bridge_proto.h"
#include "lib/err.h"

struct pump {
	int from, to;
	bool half_close;
};

static void *pump_main(void *arg)
{
	struct pump *p = arg;
	char buf[65536];
	for (;;) {
		ssize_t n = read(p->from, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(p->to, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				goto out;
			off += w;
		}
	}
out:
	if (p->half_close)
		shutdown(p->to, SHUT_WR);
	return NULL;
}

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
	static const char *const pipe_keys[3] = { "CreateStdInPipe", "CreateStdOutPipe", "CreateStdErrPipe" };
	static const char *const port_keys[3] = { "StdIn", "StdOut", "StdErr" };
	bool none = gcsctl_opts.no_stdio;
	bool want[3] = { !none, !none, !tty && !none };
	int lfd[3] = { -1, -1, -1 }, sock[3] = { -1, -1, -1 };
	struct json_object *relay = json_object_new_object();
	int rc = -1;
	for (int i = 0; i < 3; i++) {
		if (!want[i])
			continue;
		uint32_t port;
		if ((lfd[i] = gcsctl_listen_port(s, &port)) < 0) {
			fprintf(stderr, "gcsctl: %s\n", err_text());
			json_object_put(params);
			json_object_put(relay);
			goto out;
		}
		json_object_object_add(params, pipe_keys[i], json_object_new_boolean(1));
		json_object_object_add(relay, port_keys[i], json_object_new_int64(port));
	}
	struct json_object *req = gcsctl_request(s, cid);
	struct json_object *settings = json_object_new_object();
	json_object_object_add(settings, "ProcessParameters", json_object_new_string(bj_text(params, NULL)));
	json_object_put(params);
	json_object_object_add(settings, "VsockStdioRelaySettings", relay);
	json_object_object_add(req, "Settings", settings);
	uint64_t id;
	if (gcsctl_send(s, BRIDGE_MSG_EXECUTE_PROCESS, req, &id) < 0) {
		fprintf(stderr, "gcsctl: %s\n", err_text());
		goto out;
	}
	for (int i = 0; i < 3; i++) {
		if (lfd[i] < 0)
			continue;
		sock[i] = gcsctl_accept_stream(s, lfd[i], id, 120000);
		if (sock[i] < 0)
			break;
	}
	struct json_object *resp = NULL;
	if (gcsctl_wait_response(s, id, -1, &resp) < 0) {
		fprintf(stderr, "gcsctl: %s\n", err_text());
		goto out;
	}
	int32_t result = 0;
	uint32_t pid = 0;
	bj_get_i32(resp, "Result", &result);
	bj_get_u32(resp, "ProcessId", &pid);
	if (result != 0) {
		gcsctl_print_failure("ExecuteProcess", resp);
		json_object_put(resp);
		goto out;
	}
	json_object_put(resp);
	struct json_object *wreq = gcsctl_request(s, cid);
	json_object_object_add(wreq, "ProcessId", json_object_new_int64(pid));
	json_object_object_add(wreq, "TimeoutInMs", json_object_new_int64(BRIDGE_WAIT_INFINITE));
	uint64_t wid;
	if (gcsctl_send(s, BRIDGE_MSG_WAIT_FOR_PROCESS, wreq, &wid) < 0) {
		fprintf(stderr, "gcsctl: %s\n", err_text());
		goto out;
	}
	struct pump pumps[3] = { { 0, sock[0], true }, { sock[1], 1, false }, { sock[2], 2, false } };
	pthread_t th[3];
	bool started[3] = { false };
	for (int i = 0; i < 3; i++)
		if (sock[i] >= 0)
			started[i] = pthread_create(&th[i], NULL, pump_main, &pumps[i]) == 0;
	if (started[0])
		pthread_detach(th[0]); /* may block on our stdin */
	/* close after EOF: the GCS's clean close waits for it (§5.2) */
	for (int i = 1; i < 3; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		if (sock[i] >= 0)
			close(sock[i]);
		sock[i] = -1;
	}
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
	for (int i = 0; i < 3; i++)
		if (lfd[i] >= 0)
			close(lfd[i]);
	return rc;
}

