/* bridge_proto.h: the GCS bridge wire vocabulary (../shared/spec/gcs-protocol.md §1.4-1.8, §3.3).
 *
 * Owns the 16-byte frame header layout (declared once, little-endian on the
 * wire), the message identifiers and their bit fields, the size limits and
 * the HRESULT codes the guest sends. Pure: no I/O. */
#ifndef LCOW_BRIDGE_PROTO_H
#define LCOW_BRIDGE_PROTO_H

#include <stdbool.h>
#include <stdint.h>

/* §1.4: Type (u32) | Size (u32, header included) | ID (u64), little-endian. */
struct bridge_header_wire {
	uint8_t type[4];
	uint8_t size[4];
	uint8_t id[8];
} __attribute__((packed));
_Static_assert(sizeof(struct bridge_header_wire) == 16, "bridge header is 16 bytes");

#define BRIDGE_HEADER_SIZE 16u
/* §1.8: the host rejects guest frames larger than 64 KiB, header included. */
#define BRIDGE_OUT_MAX 0x10000u
/* §1.8/§11.8: inbound cap (recommendation); bigger frames close the bridge. */
#define BRIDGE_IN_MAX_DEFAULT (16u << 20)

struct bridge_header {
	uint32_t type;
	uint32_t size;
	uint64_t id;
};

void bridge_header_encode(const struct bridge_header *h, uint8_t out[BRIDGE_HEADER_SIZE]);
void bridge_header_decode(const uint8_t in[BRIDGE_HEADER_SIZE], struct bridge_header *h);

/* §1.5 identifier bit fields. */
#define BRIDGE_TYPE_MASK 0xF0000000u
#define BRIDGE_CATEGORY_MASK 0x0FF00000u
#define BRIDGE_ORDINAL_MASK 0x000FFF00u
#define BRIDGE_VERSION_MASK 0x000000FFu

enum bridge_kind {
	BRIDGE_KIND_NONE = 0x0,
	BRIDGE_KIND_REQUEST = 0x1,
	BRIDGE_KIND_RESPONSE = 0x2,
	BRIDGE_KIND_NOTIFICATION = 0x3,
};

enum bridge_category {
	BRIDGE_CATEGORY_COMPUTE_SYSTEM = 0x01,
	BRIDGE_CATEGORY_COMPUTE_SERVICE = 0x02,
};

static inline unsigned bridge_id_kind(uint32_t id) { return (id & BRIDGE_TYPE_MASK) >> 28; }
static inline unsigned bridge_id_category(uint32_t id) { return (id & BRIDGE_CATEGORY_MASK) >> 20; }
static inline unsigned bridge_id_ordinal(uint32_t id) { return (id & BRIDGE_ORDINAL_MASK) >> 8; }
static inline unsigned bridge_id_version(uint32_t id) { return id & BRIDGE_VERSION_MASK; }
/* §1.5: response identifier = request identifier with top nibble 2. */
static inline uint32_t bridge_response_id(uint32_t req) { return 0x20000000u | (req & 0x0FFFFFFFu); }

/* Request identifiers (§1.5 table). */
enum bridge_msg {
	BRIDGE_MSG_CREATE = 0x10100101u,
	BRIDGE_MSG_START = 0x10100201u,
	BRIDGE_MSG_SHUTDOWN_GRACEFUL = 0x10100301u,
	BRIDGE_MSG_SHUTDOWN_FORCED = 0x10100401u,
	BRIDGE_MSG_EXECUTE_PROCESS = 0x10100501u,
	BRIDGE_MSG_WAIT_FOR_PROCESS = 0x10100601u,
	BRIDGE_MSG_SIGNAL_PROCESS = 0x10100701u,
	BRIDGE_MSG_RESIZE_CONSOLE = 0x10100801u,
	BRIDGE_MSG_GET_PROPERTIES = 0x10100901u,
	BRIDGE_MSG_MODIFY_SETTINGS = 0x10100a01u,
	BRIDGE_MSG_NEGOTIATE_PROTOCOL = 0x10100b01u,
	BRIDGE_MSG_DUMP_STACKS = 0x10100c01u,
	BRIDGE_MSG_DELETE_CONTAINER_STATE = 0x10100d01u,
	BRIDGE_MSG_UPDATE_CONTAINER = 0x10100e01u,
	BRIDGE_MSG_LIFECYCLE_NOTIFICATION = 0x10100f01u,
	BRIDGE_MSG_MODIFY_SERVICE_SETTINGS = 0x10200101u,
	/* The only guest -> host notification (§3.4.14). */
	BRIDGE_MSG_CONTAINER_NOTIFICATION = 0x30100101u,
};

/* Name of a request/response/notification identifier ("ExecuteProcess"),
 * or NULL when the identifier is not in the §1.5 table. */
const char *bridge_msg_name(uint32_t id);
/* Looks a request up by name (case-insensitive); 0 when unknown. */
uint32_t bridge_msg_by_name(const char *name);

/* HRESULTs (§3.3), as the signed 32-bit values written on the wire. */
#define HR_OK 0
#define HR_E_NOTIMPL ((int32_t)0x80004001u)
#define HR_E_FAIL ((int32_t)0x80004005u)
#define HR_E_INVALIDARG ((int32_t)0x80070057u)
#define HR_NOT_FOUND ((int32_t)0x80070490u)
#define HR_INVALID_STATE ((int32_t)0x80370105u)
#define HR_TIMEOUT ((int32_t)0xC0370109u)
#define HR_UNSUPPORTED_PROTOCOL ((int32_t)0xC037010Cu)
#define HR_INVALID_JSON ((int32_t)0xC037010Du)
#define HR_SYSTEM_NOT_FOUND ((int32_t)0xC037010Eu)
#define HR_SYSTEM_EXISTS ((int32_t)0xC037010Fu)
#define HR_SYSTEM_STOPPED ((int32_t)0xC0370110u)

/* Protocol versions (§2). */
#define BRIDGE_PROTOCOL_NONE 0
#define BRIDGE_PROTOCOL_V3 3
#define BRIDGE_PROTOCOL_V4 4

/* §4.5: exit code sent for "killed by a signal" (external) and wait errors. */
#define BRIDGE_EXIT_CODE_SIGNALED 0xFFFFFFFFu
/* §3.4.5: TimeoutInMs meaning "no timeout" (both modes, §10 row 9). */
#define BRIDGE_WAIT_INFINITE 0xFFFFFFFFu

/* §1.2 dial retry policy: after connect() failed with -err on attempt n
 * (1-based), how many milliseconds to wait before the next attempt, or -1
 * to give up: only ETIMEDOUT is retried, 100 ms apart, 10 attempts in all. */
#define BRIDGE_DIAL_ATTEMPTS 10
#define BRIDGE_DIAL_RETRY_MS 100
int bridge_dial_retry_delay(int err, int attempt);

#define BRIDGE_NULL_GUID "00000000-0000-0000-0000-000000000000"
/* §1.1: the bridge port; stdio ports are opaque values from requests. */
#define BRIDGE_VSOCK_PORT 0x40000000u
#define BRIDGE_HOST_CID 2u

#endif
