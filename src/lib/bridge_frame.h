/* bridge_frame.h: incremental frame reader and frame encoder (§1.4, §1.8).
 *
 * The reader is fed whatever a read() returned (any split: partial headers,
 * several frames in one chunk) and hands back complete frames. Frames whose
 * Size is below 16 or above the reader's cap are a protocol error: the
 * caller closes the connection (§1.8). Pure: no I/O. */
#ifndef LCOW_BRIDGE_FRAME_H
#define LCOW_BRIDGE_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "lib/bridge_proto.h"

struct bridge_frame {
	struct bridge_header header;
	char *payload; /* NUL-terminated copy, payload_len bytes; caller frees */
	size_t payload_len;
};

struct bridge_reader {
	uint32_t cap; /* largest accepted Size, header included */
	uint8_t hdr[BRIDGE_HEADER_SIZE];
	size_t hdr_have;
	struct bridge_header h;
	char *payload;
	size_t have;
};

void bridge_reader_init(struct bridge_reader *r, uint32_t cap);
void bridge_reader_reset(struct bridge_reader *r);
/* Consumes bytes from data[0..len). Returns 1 when a frame is complete
 * (*out filled, payload owned by the caller), 0 when all of data was consumed
 * without completing one, -EBADMSG (Size < 16), -EMSGSIZE (Size > cap) or
 * -ENOMEM. *used says how many bytes were consumed in every case. */
int bridge_reader_feed(struct bridge_reader *r, const void *data, size_t len, size_t *used,
		       struct bridge_frame *out);
/* True while a frame is partly received (EOF now means a truncated frame). */
int bridge_reader_partial(const struct bridge_reader *r);

/* Builds header+payload into a new buffer; -EMSGSIZE if the frame would be
 * larger than max (BRIDGE_OUT_MAX for guest -> host). */
int bridge_frame_encode(uint32_t type, uint64_t id, const char *payload, size_t len, size_t max,
			uint8_t **out, size_t *out_len);

#endif
