/* handlers_core.c: protocol-level requests: NegotiateProtocol, the V3
 * bootstrap Create, Start, DumpStacks and UVM shutdown (§2, §3.4.2, §3.4.11, §4.2.7).
 *
 * The Create here only bootstraps protocol 3 (validates ContainerConfig and
 * lets the bridge answer SelectedProtocolVersion 3); the container code
 * replaces it with a higher-priority handler that also builds the
 * container. Shutdown of a container likewise belongs to the container code,
 * which calls gcs_shutdown_uvm() for the null GUID. */
#include "gcs/handlers.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "gcs/internal.h"

static int handle_negotiate(struct gcs_request *req)
{
	uint32_t version;
	int32_t hr;
	if (bridge_msg_negotiate(gcs_request_json(req), &version, &hr) < 0) {
		gcs_request_set_hresult(req, hr);
		return -EINVAL;
	}
	struct json_object *resp = gcs_request_response(req);
	json_object_object_add(resp, "Version", json_object_new_int64(version));
	json_object_object_add(resp, "Capabilities", bridge_msg_capabilities());
	return 0;
}
GCS_HANDLER_PRIO(negotiate_protocol, BRIDGE_MSG_NEGOTIATE_PROTOCOL, GCS_MODE_UNNEGOTIATED, GCS_HANDLER_INLINE, -100,
		 handle_negotiate);

static int handle_bootstrap_create(struct gcs_request *req)
{
	struct json_object *config = NULL;
	int r = bj_parse_embedded(gcs_request_json(req), "ContainerConfig", &config);
	if (r < 0) {
		gcs_request_set_hresult(req, HR_INVALID_JSON);
		return err_wrap(r, "Create");
	}
	if (config)
		json_object_put(config);
	log_info("protocol 3 bootstrap Create for container '%s' (no container support in this build)",
		 gcs_request_container_id(req));
	return 0;
}
GCS_HANDLER_PRIO(bootstrap_create, BRIDGE_MSG_CREATE, GCS_MODE_UNNEGOTIATED, 0, -100, handle_bootstrap_create);

static int handle_start(struct gcs_request *req)
{
	return 0; /* §4.2.2: containers start with their init's ExecuteProcess */
}
GCS_HANDLER_PRIO(start_v4, BRIDGE_MSG_START, GCS_MODE_V4, GCS_HANDLER_INLINE, -100, handle_start);

static int handle_dump_stacks(struct gcs_request *req)
{
	char *text = NULL;
	/* Leave room for the rest of the response inside 64 KiB (§1.8). */
	int r = gcs_dump_build(&text, 48 * 1024);
	if (r < 0)
		return r;
	json_object_object_add(gcs_request_response(req), "GuestStacks", json_object_new_string(text));
	free(text);
	return 0;
}
GCS_HANDLER_PRIO(dump_stacks, BRIDGE_MSG_DUMP_STACKS, GCS_MODE_V4, 0, -100, handle_dump_stacks);

int gcs_shutdown_uvm(struct gcs_request *req)
{
	log_info("shutdown of the utility VM requested; exiting");
	gcs_request_reply(req);
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	exit(0);
}

static int handle_shutdown(struct gcs_request *req)
{
	const char *cid = gcs_request_container_id(req);
	if (bridge_msg_is_null_guid(cid))
		return gcs_shutdown_uvm(req);
	gcs_request_set_hresult(req, HR_SYSTEM_NOT_FOUND);
	return err_setmsg(-ENOENT, "container %s does not exist", cid);
}
GCS_HANDLER_PRIO(shutdown_graceful, BRIDGE_MSG_SHUTDOWN_GRACEFUL, GCS_MODE_V4, 0, -100, handle_shutdown);
GCS_HANDLER_PRIO(shutdown_forced, BRIDGE_MSG_SHUTDOWN_FORCED, GCS_MODE_V4, 0, -100, handle_shutdown);
