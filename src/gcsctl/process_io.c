/* process_io.c: ExecuteProcess with relayed stdio, and the stream pumps
 * (see process_io.h). */
#include "gcsctl/process_io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/bridge_json.h"
#include "lib/bridge_proto.h"
#include "lib/err.h"

struct pump {
	int from, to;
	bool half_close; /* shutdown(to, SHUT_WR) at EOF: stdin */
};

static void *pump_main(void *arg)
{
	struct pump *p = arg;
	size_t cap = 256 * 1024; /* large reads keep the relay benchmark honest */
	char *buf = malloc(cap);
	while (buf) {
		ssize_t n = read(p->from, buf, cap);
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
	free(buf);
	if (p->half_close)
		shutdown(p->to, SHUT_WR);
	free(p);
	return NULL;
}

int gcsctl_execute_process(struct gcsctl_session *s, const char *cid, struct json_object *params,
			   const bool want[3], int accept_timeout_ms, struct gcsctl_process_io *io)
{
	static const char *const pipe_keys[3] = { "CreateStdInPipe", "CreateStdOutPipe", "CreateStdErrPipe" };
	static const char *const port_keys[3] = { "StdIn", "StdOut", "StdErr" };
	int lfd[3] = { -1, -1, -1 };
	int rc = -1;
	*io = (struct gcsctl_process_io){ .sock = { -1, -1, -1 } };
	struct json_object *relay = json_object_new_object();
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
	/* A stream the GCS never dials shows up in its answer, read below. */
	for (int i = 0; i < 3; i++) {
		if (lfd[i] < 0)
			continue;
		io->sock[i] = gcsctl_accept_stream(s, lfd[i], id, accept_timeout_ms);
		if (io->sock[i] < 0)
			break;
	}
	struct json_object *resp = NULL;
	if (gcsctl_wait_response(s, id, -1, &resp) < 0) {
		fprintf(stderr, "gcsctl: %s\n", err_text());
		goto out;
	}
	int32_t result = 0;
	bj_get_i32(resp, "Result", &result);
	bj_get_u32(resp, "ProcessId", &io->pid);
	if (result != 0)
		gcsctl_print_failure("ExecuteProcess", resp);
	else
		rc = 0;
	json_object_put(resp);
out:
	for (int i = 0; i < 3; i++)
		if (lfd[i] >= 0)
			close(lfd[i]);
	if (rc < 0)
		gcsctl_process_io_close(io);
	return rc;
}

void gcsctl_process_io_start(struct gcsctl_process_io *io)
{
	static const int ours[3] = { 0, 1, 2 };
	for (int i = 0; i < 3; i++) {
		if (io->sock[i] < 0)
			continue;
		struct pump *p = malloc(sizeof(*p));
		if (!p)
			continue;
		*p = i == 0 ? (struct pump){ ours[0], io->sock[0], true } : (struct pump){ io->sock[i], ours[i], false };
		io->pumping[i] = pthread_create(&io->pump[i], NULL, pump_main, p) == 0;
		if (!io->pumping[i])
			free(p);
	}
	if (io->pumping[0])
		pthread_detach(io->pump[0]);
}

void gcsctl_process_io_finish_output(struct gcsctl_process_io *io)
{
	for (int i = 1; i < 3; i++) {
		if (io->pumping[i])
			pthread_join(io->pump[i], NULL);
		io->pumping[i] = false;
		if (io->sock[i] >= 0)
			close(io->sock[i]);
		io->sock[i] = -1;
	}
}

void gcsctl_process_io_close(struct gcsctl_process_io *io)
{
	/* stdin's socket stays with its detached pump while that runs */
	for (int i = io->pumping[0] ? 1 : 0; i < 3; i++) {
		if (io->sock[i] >= 0)
			close(io->sock[i]);
		io->sock[i] = -1;
	}
}
