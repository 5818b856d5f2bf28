/* bridge_proto.c: header encoding and identifier names (§1.4, §1.5). */
#include "lib/bridge_proto.h"

#include <errno.h>
#include <stddef.h>
#include <strings.h>

#include "lib/cleanup.h"

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

void bridge_header_encode(const struct bridge_header *h, uint8_t out[BRIDGE_HEADER_SIZE])
{
	struct bridge_header_wire *w = (struct bridge_header_wire *)out;
	put_le32(w->type, h->type);
	put_le32(w->size, h->size);
	put_le64(w->id, h->id);
}

void bridge_header_decode(const uint8_t in[BRIDGE_HEADER_SIZE], struct bridge_header *h)
{
	const struct bridge_header_wire *w = (const struct bridge_header_wire *)in;
	h->type = get_le32(w->type);
	h->size = get_le32(w->size);
	h->id = get_le64(w->id);
}

static const struct {
	uint32_t id;
	const char *name;
} msg_names[] = {
	{ BRIDGE_MSG_CREATE, "Create" },
	{ BRIDGE_MSG_START, "Start" },
	{ BRIDGE_MSG_SHUTDOWN_GRACEFUL, "ShutdownGraceful" },
	{ BRIDGE_MSG_SHUTDOWN_FORCED, "ShutdownForced" },
	{ BRIDGE_MSG_EXECUTE_PROCESS, "ExecuteProcess" },
	{ BRIDGE_MSG_WAIT_FOR_PROCESS, "WaitForProcess" },
	{ BRIDGE_MSG_SIGNAL_PROCESS, "SignalProcess" },
	{ BRIDGE_MSG_RESIZE_CONSOLE, "ResizeConsole" },
	{ BRIDGE_MSG_GET_PROPERTIES, "GetProperties" },
	{ BRIDGE_MSG_MODIFY_SETTINGS, "ModifySettings" },
	{ BRIDGE_MSG_NEGOTIATE_PROTOCOL, "NegotiateProtocol" },
	{ BRIDGE_MSG_DUMP_STACKS, "DumpStacks" },
	{ BRIDGE_MSG_DELETE_CONTAINER_STATE, "DeleteContainerState" },
	{ BRIDGE_MSG_UPDATE_CONTAINER, "UpdateContainer" },
	{ BRIDGE_MSG_LIFECYCLE_NOTIFICATION, "LifecycleNotification" },
	{ BRIDGE_MSG_MODIFY_SERVICE_SETTINGS, "ModifyServiceSettings" },
};

const char *bridge_msg_name(uint32_t id)
{
	if (id == BRIDGE_MSG_CONTAINER_NOTIFICATION)
		return "ContainerNotification";
	uint32_t req = 0x10000000u | (id & 0x0FFFFFFFu);
	if (bridge_id_kind(id) != BRIDGE_KIND_REQUEST && bridge_id_kind(id) != BRIDGE_KIND_RESPONSE)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(msg_names); i++)
		if (msg_names[i].id == req)
			return msg_names[i].name;
	return NULL;
}

uint32_t bridge_msg_by_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(msg_names); i++)
		if (strcasecmp(msg_names[i].name, name) == 0)
			return msg_names[i].id;
	return 0;
}

int bridge_dial_retry_delay(int err, int attempt)
{
	if (err != -ETIMEDOUT || attempt >= BRIDGE_DIAL_ATTEMPTS)
		return -1;
	return BRIDGE_DIAL_RETRY_MS;
}
