/* mkvhdx: convert a raw disk image into a VHDX file.
 *
 *   mkvhdx [--fixed|--dynamic] [--block-size MIB] RAW OUT.vhdx
 *
 * The layout and bytes are src/lib/vhdx_writer.c's; this program owns the
 * file handling (temporary file next to OUT, fsync, rename, nothing left
 * behind on failure) and the identity: the FileWriteGuid, DataWriteGuid and
 * Page 83 GUID are derived from a SHA-256 of the raw content and the chosen
 * format, computed while the payload is copied (headers are written last),
 * so the same input always gives the same bytes. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/disk_guid.h"
#include "lib/err.h"
#include "os/replace_file.h"
#include "lib/vhdx_writer.h"

struct options {
	bool fixed;
	uint32_t block_size;
	const char *creator;
	struct vhdx_identity identity;
};

static void usage(FILE *out)
{
	fprintf(out, "usage: mkvhdx [--fixed|--dynamic] [--block-size MIB] RAW OUT.vhdx\n"
		     "  --dynamic         all-zero blocks take no space (default)\n"
		     "  --fixed           every block allocated (LeaveBlocksAllocated)\n"
		     "  --block-size MIB  payload block size, a power of two 1..256\n"
		     "                    (default 1 for dynamic, 32 for fixed)\n");
}

/* The content hash behind the GUIDs: the format choice and raw size, then
 * each non-zero block with its index (zero blocks read the same whether
 * they are holes or written zeros, so they are left out). */
struct content_hash {
	EVP_MD_CTX *ctx;
};

static void hash_block(void *ctx, uint64_t block, const uint8_t *data, size_t len)
{
	struct content_hash *h = ctx;
	uint8_t index[8];
	for (int i = 0; i < 8; i++)
		index[i] = (uint8_t)(block >> (8 * i));
	EVP_DigestUpdate(h->ctx, index, sizeof(index));
	EVP_DigestUpdate(h->ctx, data, len);
}

/* One GUID per purpose: SHA-256(purpose || content digest), 16 bytes. */
static void derive_guid(const uint8_t digest[32], const char *purpose, struct disk_guid *out)
{
	uint8_t d[32];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	EVP_DigestUpdate(ctx, purpose, strlen(purpose));
	EVP_DigestUpdate(ctx, digest, 32);
	EVP_DigestFinal_ex(ctx, d, NULL);
	EVP_MD_CTX_free(ctx);
	disk_guid_from_digest(d, out);
}

static void release_hash(struct content_hash *h) { EVP_MD_CTX_free(h->ctx); }
static void release_writer(struct vhdx_writer *w) { vhdx_writer_release(w); }

static int convert(const char *raw_path, const char *out_path, struct options *o)
{
	_cleanup_close_ int raw = open(raw_path, O_RDONLY | O_CLOEXEC);
	if (raw < 0)
		return err_set(-errno, "opening %s", raw_path);
	struct stat st;
	if (fstat(raw, &st) < 0)
		return err_set(-errno, "reading the size of %s", raw_path);
	if (!S_ISREG(st.st_mode))
		return err_setmsg(-EINVAL, "%s: not a regular file", raw_path);
	uint64_t size = (uint64_t)st.st_size;
	if (size == 0)
		return err_setmsg(-EINVAL, "%s: empty raw image", raw_path);

	__attribute__((cleanup(release_writer))) struct vhdx_writer w = { 0 };
	__attribute__((cleanup(release_hash))) struct content_hash h = { EVP_MD_CTX_new() };
	char tag[96];
	int n = snprintf(tag, sizeof(tag), "vhdx %s %u %llu\n", o->fixed ? "fixed" : "dynamic", o->block_size,
			 (unsigned long long)size);
	if (!h.ctx || EVP_DigestInit_ex(h.ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(h.ctx, tag, (size_t)n) != 1)
		return err_setmsg(-ENOMEM, "starting SHA-256");

	int r = vhdx_writer_init(&w, size, o->block_size, o->fixed);
	if (r < 0)
		return r;

	struct replace_file out;
	if ((r = replace_file_open(&out, out_path)) < 0)
		return r;

	r = vhdx_writer_payload(&w, raw, out.fd, hash_block, &h);
	if (r >= 0) {
		uint8_t digest[32];
		EVP_DigestFinal_ex(h.ctx, digest, NULL);
		derive_guid(digest, "file-write", &o->identity.file_write);
		derive_guid(digest, "data-write", &o->identity.data_write);
		derive_guid(digest, "page83", &o->identity.page83);
		r = vhdx_writer_finish(&w, out.fd, &o->identity, o->creator);
	}
	r = replace_file_finish(&out, r, 0644);
	if (r < 0)
		return err_wrap(r, "writing %s", out_path);
	fprintf(stderr, "mkvhdx: %s: %s, virtual size %llu, %llu of %llu blocks of %u MiB present, %llu bytes\n",
		out_path, o->fixed ? "fixed" : "dynamic", (unsigned long long)w.geometry.virtual_size,
		(unsigned long long)w.blocks_present, (unsigned long long)w.geometry.payload_blocks,
		o->block_size >> 20, (unsigned long long)vhdx_writer_file_size(&w));
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "fixed", no_argument, NULL, 'f' },
		{ "dynamic", no_argument, NULL, 'd' },
		{ "block-size", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct options o = { .fixed = false, .creator = "lcow-guest mkvhdx" };
	unsigned long block_mib = 0;
	int c;
	while ((c = getopt_long(argc, argv, "fdb:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': o.fixed = true; break;
		case 'd': o.fixed = false; break;
		case 'b': {
			char *end;
			errno = 0;
			block_mib = strtoul(optarg, &end, 10);
			if (errno || *end || block_mib == 0 || block_mib > 256) {
				fprintf(stderr, "mkvhdx: --block-size %s: want a number of MiB, 1..256\n", optarg);
				return 2;
			}
			break;
		}
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	if (!block_mib)
		block_mib = o.fixed ? 32 : 1;
	o.block_size = (uint32_t)(block_mib << 20);
	if (convert(argv[optind], argv[optind + 1], &o) < 0) {
		fprintf(stderr, "mkvhdx: %s\n", err_text());
		return 1;
	}
	return 0;
}
