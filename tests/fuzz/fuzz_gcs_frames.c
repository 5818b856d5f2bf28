/* fuzz_gcs_frames.c: bridge frame reassembly and request parsing (§1.4-1.8, §3).
 *
 * The input is a byte stream as the host would send it, cut into reads whose
 * sizes come from the stream itself. Every complete frame goes through what
 * the GCS does before and inside its handlers: JSON parsing, base fields,
 * NegotiateProtocol, ExecuteProcess/ProcessParameters, command-line
 * splitting, and building + fitting an error response into 64 KiB. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bridge_frame.h"
#include "lib/bridge_json.h"
#include "lib/bridge_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void handle(struct bridge_frame *f)
{
	struct json_object *req = NULL;
	if (bj_parse_object(f->payload, f->payload_len, &req) < 0)
		return;
	const char *act = bridge_msg_activity_id(req);
	const char *cid = bridge_msg_container_id(req);
	uint32_t v;
	int32_t hr;
	bridge_msg_negotiate(req, &v, &hr);
	struct bridge_exec e;
	if (bridge_msg_parse_exec(req, &e) == 0)
		bridge_exec_free(&e);
	const char *line;
	char **argv;
	if (bj_get_string(req, "CommandLine", &line) == 0 && bridge_cmdline_split(line, &argv) == 0)
		bridge_strv_free(argv);
	struct json_object *resp = bridge_msg_response_new(0, act);
	bridge_msg_set_error(resp, HR_E_FAIL, cid, NULL, 0, NULL);
	char *out;
	size_t len;
	if (bridge_msg_serialize_fit(resp, 512, &out, &len) == 0) {
		if (len > 512)
			abort();
		free(out);
	}
	json_object_put(resp);
	json_object_put(req);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bridge_reader r;
	bridge_reader_init(&r, 1 << 20);
	size_t off = 0;
	while (off < size) {
		size_t chunk = 1 + data[off] % 64;
		if (chunk > size - off)
			chunk = size - off;
		const uint8_t *p = data + off;
		size_t left = chunk;
		off += chunk;
		while (left > 0) {
			struct bridge_frame f;
			size_t used;
			int rc = bridge_reader_feed(&r, p, left, &used, &f);
			p += used;
			left -= used;
			if (rc < 0) {
				bridge_reader_reset(&r);
				return 0;
			}
			if (rc == 1) {
				handle(&f);
				free(f.payload);
			} else if (used == 0) {
				break;
			}
		}
	}
	bridge_reader_reset(&r);
	return 0;
}
