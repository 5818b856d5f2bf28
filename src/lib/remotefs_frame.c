/* remotefs_frame.c: big-endian framing helpers (see remotefs_frame.h). */
#include "lib/remotefs_frame.h"

uint64_t rfs_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

uint32_t rfs_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void rfs_put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

void rfs_put_be32(uint8_t *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

void rfs_file_header_encode(const struct rfs_file_header *h, uint8_t out[12])
{
	struct rfs_file_header_wire *w = (struct rfs_file_header_wire *)out;
	rfs_put_be32(w->cmd, h->cmd);
	rfs_put_be64(w->size, h->size);
}

void rfs_file_header_decode(const uint8_t in[12], struct rfs_file_header *h)
{
	const struct rfs_file_header_wire *w = (const struct rfs_file_header_wire *)in;
	h->cmd = rfs_be32(w->cmd);
	h->size = rfs_be64(w->size);
}

void rfs_seek_header_decode(const uint8_t in[12], struct rfs_seek_header *h)
{
	const struct rfs_seek_header_wire *w = (const struct rfs_seek_header_wire *)in;
	h->offset = (int64_t)rfs_be64(w->offset);
	h->whence = (int32_t)rfs_be32(w->whence);
}

void rfs_seek_header_encode(const struct rfs_seek_header *h, uint8_t out[12])
{
	struct rfs_seek_header_wire *w = (struct rfs_seek_header_wire *)out;
	rfs_put_be64(w->offset, (uint64_t)h->offset);
	rfs_put_be32(w->whence, (uint32_t)h->whence);
}
