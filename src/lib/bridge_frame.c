/* bridge_frame.c: frame reassembly across arbitrary read boundaries (§1.4). */
#include "lib/bridge_frame.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"

void bridge_reader_init(struct bridge_reader *r, uint32_t cap)
{
	memset(r, 0, sizeof(*r));
	r->cap = cap;
}

void bridge_reader_reset(struct bridge_reader *r)
{
	free(r->payload);
	bridge_reader_init(r, r->cap);
}

int bridge_reader_partial(const struct bridge_reader *r)
{
	return r->hdr_have > 0;
}

int bridge_reader_feed(struct bridge_reader *r, const void *data, size_t len, size_t *used,
		       struct bridge_frame *out)
{
	const uint8_t *p = data;
	size_t off = 0;

	*used = 0;
	if (r->hdr_have < BRIDGE_HEADER_SIZE) {
		size_t n = BRIDGE_HEADER_SIZE - r->hdr_have;
		if (n > len)
			n = len;
		memcpy(r->hdr + r->hdr_have, p, n);
		r->hdr_have += n;
		off += n;
		*used = off;
		if (r->hdr_have < BRIDGE_HEADER_SIZE)
			return 0;
		bridge_header_decode(r->hdr, &r->h);
		if (r->h.size < BRIDGE_HEADER_SIZE)
			return err_setmsg(-EBADMSG, "frame size %u is smaller than the 16-byte header", r->h.size);
		if (r->h.size > r->cap)
			return err_setmsg(-EMSGSIZE, "frame size %u is above the limit of %u bytes", r->h.size,
					  r->cap);
		r->payload = malloc(r->h.size - BRIDGE_HEADER_SIZE + 1);
		if (!r->payload)
			return err_set(-ENOMEM, "allocating a %u-byte frame", r->h.size);
		r->have = 0;
	}
	size_t want = r->h.size - BRIDGE_HEADER_SIZE - r->have;
	size_t n = len - off < want ? len - off : want;
	memcpy(r->payload + r->have, p + off, n);
	r->have += n;
	off += n;
	*used = off;
	if (r->have < r->h.size - BRIDGE_HEADER_SIZE)
		return 0;
	r->payload[r->have] = '\0';
	out->header = r->h;
	out->payload = r->payload;
	out->payload_len = r->have;
	r->payload = NULL;
	r->have = 0;
	r->hdr_have = 0;
	return 1;
}

int bridge_frame_encode(uint32_t type, uint64_t id, const char *payload, size_t len, size_t max,
			uint8_t **out, size_t *out_len)
{
	if (len > max - BRIDGE_HEADER_SIZE)
		return err_setmsg(-EMSGSIZE, "a %zu-byte frame is above the %zu-byte limit",
				  len + BRIDGE_HEADER_SIZE, max);
	uint8_t *buf = malloc(BRIDGE_HEADER_SIZE + len);
	if (!buf)
		return -ENOMEM;
	struct bridge_header h = { .type = type, .size = (uint32_t)(BRIDGE_HEADER_SIZE + len), .id = id };
	bridge_header_encode(&h, buf);
	memcpy(buf + BRIDGE_HEADER_SIZE, payload, len);
	*out = buf;
	*out_len = BRIDGE_HEADER_SIZE + len;
	return 0;
}
