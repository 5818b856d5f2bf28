/* mkvhdx: convert a raw disk image into a VHDX file.
 *
 *   mkvhdx [--fixed|--dynamic] [--block-size MIB] RAW OUT.vhdx
 *
 * The layout and bytes are src/lib/vhdx_writer.c's; this program owns the
 * file handling (temporary file next to OUT, fsync, rename, nothing left
 * behind on failure) and the identity: the FileWriteGuid, DataWriteGuid and
 * Page 83 GUID are derived from a SHA-256 of the raw content and the chosen
 * format, so the same input always gives the same bytes. */
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
#include "lib/vhdx_writer.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: mkvhdx [--fixed|--dynamic] [--block-size MIB] RAW OUT.vhdx\n"
		     "  --dynamic         all-zero blocks take no space (default)\n"
		     "  --fixed           every block allocated (LeaveBlocksAllocated)\n"
		     "  --block-size MIB  payload block size, a power of two 1..256\n"
		     "                    (default 1 for dynamic, 32 for fixed)\n");
}

/* SHA-256 of the raw image, the format choice mixed in. */
static int hash_image(int fd, uint64_t size, const char *mode, uint32_t block_size, uint8_t digest[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx)
		return err_set(-ENOMEM, "creating a SHA-256 context");
	int r = 0;
	char tag[64];
	int n = snprintf(tag, sizeof(tag), "vhdx %s %u\n", mode, block_size);
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 || EVP_DigestUpdate(ctx, tag, (size_t)n) != 1) {
		r = err_setmsg(-EIO, "starting SHA-256");
		goto out;
	}
	static uint8_t buf[1 << 20];
	for (uint64_t off = 0; off < size;) {
		ssize_t got = pread(fd, buf, sizeof(buf), (off_t)off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = err_set(-errno, "reading the raw image");
			goto out;
		}
		if (got == 0) {
			r = err_setmsg(-EIO, "raw image shrank while reading it");
			goto out;
		}
		EVP_DigestUpdate(ctx, buf, (size_t)got);
		off += (uint64_t)got;
	}
	if (EVP_DigestFinal_ex(ctx, digest, NULL) != 1)
		r = err_setmsg(-EIO, "finishing SHA-256");
out:
	EVP_MD_CTX_free(ctx);
	return r;
}

/* One GUID per purpose: SHA-256(purpose || image digest), first 16 bytes. */
static void derive_guid(const uint8_t image_digest[32], const char *purpose, struct disk_guid *out)
{
	uint8_t d[32];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	EVP_DigestUpdate(ctx, purpose, strlen(purpose));
	EVP_DigestUpdate(ctx, image_digest, 32);
	EVP_DigestFinal_ex(ctx, d, NULL);
	EVP_MD_CTX_free(ctx);
	disk_guid_from_digest(d, out);
}

static int convert(const char *raw_path, const char *out_path, struct vhdx_write_options *o)
{
	_cleanup_close_ int raw = open(raw_path, O_RDONLY | O_CLOEXEC);
	if (raw < 0)
		return err_set(-errno, "opening %s", raw_path);
	struct stat st;
	if (fstat(raw, &st) < 0)
		return err_set(-errno, "reading the size of %s", raw_path);
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return err_setmsg(-EINVAL, "%s: not a regular file", raw_path);
	uint64_t size = (uint64_t)st.st_size;
	if (size == 0)
		return err_setmsg(-EINVAL, "%s: empty raw image", raw_path);

	uint8_t digest[32];
	int r = hash_image(raw, size, o->fixed ? "fixed" : "dynamic", o->block_size, digest);
	if (r < 0)
		return err_wrap(r, "hashing %s", raw_path);
	derive_guid(digest, "file-write", &o->identity.file_write);
	derive_guid(digest, "data-write", &o->identity.data_write);
	derive_guid(digest, "page83", &o->identity.page83);

	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", out_path) >= (int)sizeof(tmp))
		return err_setmsg(-ENAMETOOLONG, "%s: path too long", out_path);
	_cleanup_close_ int out = mkostemp(tmp, O_CLOEXEC);
	if (out < 0)
		return err_set(-errno, "creating a temporary file next to %s", out_path);

	struct vhdx_write_stats stats;
	r = vhdx_write(raw, size, out, o, &stats);
	if (r >= 0 && fchmod(out, 0644) < 0)
		r = err_set(-errno, "setting the mode of %s", tmp);
	if (r >= 0 && fsync(out) < 0)
		r = err_set(-errno, "flushing %s", tmp);
	if (r >= 0 && rename(tmp, out_path) < 0)
		r = err_set(-errno, "renaming %s to %s", tmp, out_path);
	if (r < 0) {
		unlink(tmp);
		return err_wrap(r, "writing %s", out_path);
	}
	fprintf(stderr, "mkvhdx: %s: %s, virtual size %llu, %llu of %llu blocks of %u MiB present, %llu bytes\n",
		out_path, o->fixed ? "fixed" : "dynamic", (unsigned long long)stats.virtual_size,
		(unsigned long long)stats.blocks_present, (unsigned long long)stats.blocks_total,
		o->block_size >> 20, (unsigned long long)stats.file_size);
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
	struct vhdx_write_options o = { .fixed = false, .creator = "lcow-guest mkvhdx" };
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
