/* request.c: one host request from dispatch to its single answer (§1.7, §3.2). */
#include "gcs/internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bridge_msg.h"

struct gcs_request *gcs_request_new(struct bridge_frame *f, int protocol, unsigned gen)
{
	struct gcs_request *req = calloc(1, sizeof(*req));
	if (!req)
		return NULL;
	req->id = f->header.id;
	req->type = f->header.type;
	req->protocol = protocol;
	req->gen = gen;
	req->hresult = HR_E_FAIL;
	if (bj_parse_object(f->payload, f->payload_len, &req->msg) < 0)
		req->msg = NULL;
	req->container_id = req->msg ? bridge_msg_container_id(req->msg) : "";
	req->activity_id = req->msg ? bridge_msg_activity_id(req->msg) : NULL;
	return req;
}

void gcs_request_free(struct gcs_request *req)
{
	if (!req)
		return;
	if (req->msg)
		json_object_put(req->msg);
	if (req->resp)
		json_object_put(req->resp);
	free(req);
}

uint64_t gcs_request_id(const struct gcs_request *req) { return req->id; }
uint32_t gcs_request_type(const struct gcs_request *req) { return req->type; }
int gcs_request_protocol(const struct gcs_request *req) { return req->protocol; }
struct json_object *gcs_request_json(const struct gcs_request *req) { return req->msg; }
const char *gcs_request_container_id(const struct gcs_request *req) { return req->container_id; }
const char *gcs_request_activity_id(const struct gcs_request *req) { return req->activity_id; }

bool gcs_request_orphaned(const struct gcs_request *req)
{
	return gcs_writer_gen() != req->gen;
}

struct json_object *gcs_request_response(struct gcs_request *req)
{
	if (!req->resp)
		req->resp = bridge_msg_response_new(0, req->activity_id);
	return req->resp;
}

void gcs_request_set_hresult(struct gcs_request *req, int32_t hresult)
{
	req->hresult = hresult;
}

static void send_answer(struct gcs_request *req, struct json_object *resp)
{
	if (atomic_exchange(&req->answered, 1)) {
		log_error("request %llu (%s) answered twice; the second answer was dropped",
			  (unsigned long long)req->id, bridge_msg_name(req->type) ? bridge_msg_name(req->type) : "?");
		return;
	}
	struct json_object *res = NULL;
	json_object_object_get_ex(resp, "Result", &res);
	int32_t result = res ? json_object_get_int(res) : 0;
	if (req->on_answer)
		req->on_answer(req, result);
	char *text = NULL;
	size_t len = 0;
	if (bridge_msg_serialize_fit(resp, BRIDGE_OUT_MAX - BRIDGE_HEADER_SIZE, &text, &len) < 0) {
		log_error("request %llu: cannot serialise the response", (unsigned long long)req->id);
		return;
	}
	if (glog_enabled(GLOG_TRACE))
		log_trace("response %llu: %.*s", (unsigned long long)req->id, (int)(len > 1024 ? 1024 : len), text);
	gcs_writer_send(bridge_response_id(req->type), req->id, text, len, req->gen);
	free(text);
}

void gcs_request_reply(struct gcs_request *req)
{
	send_answer(req, gcs_request_response(req));
	gcs_request_free(req);
}

static void fail_with(struct gcs_request *req, int32_t hresult, const char *msg)
{
	struct json_object *resp = bridge_msg_response_new(hresult, req->activity_id);
	bridge_msg_set_error(resp, hresult, msg, NULL, 0, bridge_msg_name(req->type));
	log_info("request %llu (%s, container '%s') failed: 0x%08x %s", (unsigned long long)req->id,
		 bridge_msg_name(req->type) ? bridge_msg_name(req->type) : "unknown", req->container_id,
		 (unsigned)hresult, msg);
	send_answer(req, resp);
	json_object_put(resp);
	gcs_request_free(req);
}

void gcs_request_fail(struct gcs_request *req, int32_t hresult, const char *fmt, ...)
{
	char msg[ERR_TEXT_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fail_with(req, hresult, msg);
}

void gcs_request_fail_err(struct gcs_request *req, int32_t hresult)
{
	fail_with(req, hresult, err_text());
}

void gcs_request_run(struct gcs_request *req, int (*fn)(struct gcs_request *))
{
	err_clear();
	int r = fn(req);
	if (r == GCS_DEFERRED)
		return;
	if (r < 0)
		gcs_request_fail_err(req, req->hresult ? req->hresult : HR_E_FAIL);
	else
		gcs_request_reply(req);
}
