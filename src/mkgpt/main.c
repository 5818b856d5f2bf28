/* mkgpt: assemble a raw GPT disk from partition images.
 *
 *   mkgpt --disk-guid GUID --part NAME:TYPE:GUID:FILE [--part ...] OUT
 *
 * TYPE is esp, linux, linux-root-x86-64 or a type GUID. Partitions are
 * placed in the order given, each on a 1 MiB boundary (src/lib/gpt_layout.c).
 * GUIDs are arguments so the caller decides how they are derived (the image
 * build hashes the contents, see scripts/disk-image.sh): the same inputs
 * always give the same bytes. The disk is written to a temporary file next
 * to OUT and renamed into place; zero runs stay holes. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/disk_guid.h"
#include "lib/err.h"
#include "os/replace_file.h"
#include "lib/gpt_layout.h"

struct part_source {
	const char *path;
};

static void usage(FILE *out)
{
	fprintf(out, "usage: mkgpt --disk-guid GUID --part NAME:TYPE:GUID:FILE [--part ...] OUT\n"
		     "  TYPE: esp, linux, linux-root-x86-64, or a partition type GUID\n");
}

static int parse_type(const char *s, struct disk_guid *out)
{
	static const struct { const char *alias, *guid; } types[] = {
		{ "esp", GPT_TYPE_ESP },
		{ "linux", GPT_TYPE_LINUX_FS },
		{ "linux-root-x86-64", GPT_TYPE_LINUX_ROOT_X86_64 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		if (strcmp(s, types[i].alias) == 0)
			return disk_guid_parse(types[i].guid, out);
	return disk_guid_parse(s, out);
}

/* NAME:TYPE:GUID:FILE; FILE is everything after the third colon. */
static int parse_part(char *spec, struct gpt_partition *p, struct part_source *src)
{
	char *name = spec, *type = strchr(name, ':');
	char *guid = type ? strchr(type + 1, ':') : NULL;
	char *file = guid ? strchr(guid + 1, ':') : NULL;
	if (!file)
		return err_setmsg(-EINVAL, "--part %s: want NAME:TYPE:GUID:FILE", spec);
	*type++ = *guid++ = *file++ = '\0';
	if (strlen(name) > GPT_NAME_MAX)
		return err_setmsg(-EINVAL, "partition name %s: longer than %d characters", name, GPT_NAME_MAX);
	for (const char *c = name; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
			return err_setmsg(-EINVAL, "partition name %s: printable ASCII only", name);
	snprintf(p->name, sizeof(p->name), "%s", name);
	if (parse_type(type, &p->type) < 0)
		return err_setmsg(-EINVAL, "partition %s: unknown type %s", name, type);
	if (disk_guid_parse(guid, &p->guid) < 0)
		return err_setmsg(-EINVAL, "partition %s: bad GUID %s", name, guid);
	if (!*file)
		return err_setmsg(-EINVAL, "partition %s: no image file", name);
	src->path = file;
	return 0;
}

static int write_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;
	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(-errno, "writing at offset %llu", (unsigned long long)off);
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static bool all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/* Copies size bytes of path to offset; all-zero chunks stay holes. */
static int copy_partition(int out, const char *path, uint64_t size, uint64_t offset)
{
	_cleanup_close_ int in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return err_set(-errno, "opening %s", path);
	static uint8_t buf[1 << 16];
	for (uint64_t done = 0; done < size;) {
		size_t want = size - done < sizeof(buf) ? (size_t)(size - done) : sizeof(buf);
		ssize_t n = read(in, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(-errno, "reading %s", path);
		if (n == 0)
			return err_setmsg(-EIO, "%s shrank while copying it", path);
		if (!all_zero(buf, (size_t)n)) {
			int r = write_all(out, buf, (size_t)n, offset + done);
			if (r < 0)
				return r;
		}
		done += (uint64_t)n;
	}
	return 0;
}

static int write_disk(int out, struct gpt_disk *d, const struct part_source *src)
{
	uint8_t sector[GPT_SECTOR_SIZE];
	_cleanup_free_ uint8_t *entries = malloc(GPT_ENTRIES_BYTES);
	if (!entries)
		return err_set(-ENOMEM, "allocating the entry array");
	if (ftruncate(out, (off_t)(d->total_sectors * GPT_SECTOR_SIZE)) < 0)
		return err_set(-errno, "sizing the disk");

	for (size_t i = 0; i < d->count; i++) {
		int r = copy_partition(out, src[i].path, d->parts[i].size, d->parts[i].first_lba * GPT_SECTOR_SIZE);
		if (r < 0)
			return err_wrap(r, "partition %zu (%s)", i + 1, d->parts[i].name);
	}

	gpt_build_entries(entries, d);
	uint32_t crc = gpt_crc32(entries, GPT_ENTRIES_BYTES);
	int r = write_all(out, entries, GPT_ENTRIES_BYTES, 2 * GPT_SECTOR_SIZE);
	if (r >= 0)
		r = write_all(out, entries, GPT_ENTRIES_BYTES, gpt_backup_entries_lba(d) * GPT_SECTOR_SIZE);
	if (r < 0)
		return err_wrap(r, "writing the partition entries");
	gpt_build_header(sector, d, true, crc);
	r = write_all(out, sector, sizeof(sector), (d->total_sectors - 1) * GPT_SECTOR_SIZE);
	if (r < 0)
		return err_wrap(r, "writing the backup header");
	gpt_build_header(sector, d, false, crc);
	r = write_all(out, sector, sizeof(sector), GPT_SECTOR_SIZE);
	if (r < 0)
		return err_wrap(r, "writing the primary header");
	gpt_build_protective_mbr(sector, d->total_sectors);
	r = write_all(out, sector, sizeof(sector), 0);
	if (r < 0)
		return err_wrap(r, "writing the protective MBR");
	return 0;
}

static int make_disk(const char *out_path, struct gpt_disk *d, struct part_source *src)
{
	for (size_t i = 0; i < d->count; i++) {
		struct stat st;
		if (stat(src[i].path, &st) < 0)
			return err_set(-errno, "partition %s: %s", d->parts[i].name, src[i].path);
		if (!S_ISREG(st.st_mode))
			return err_setmsg(-EINVAL, "partition %s: %s is not a regular file", d->parts[i].name,
					  src[i].path);
		d->parts[i].size = (uint64_t)st.st_size;
	}
	int r = gpt_place_partitions(d);
	if (r < 0)
		return r;

	struct replace_file out;
	if ((r = replace_file_open(&out, out_path)) < 0)
		return r;
	r = replace_file_finish(&out, write_disk(out.fd, d, src), 0644);
	if (r < 0)
		return err_wrap(r, "writing %s", out_path);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "disk-guid", required_argument, NULL, 'g' },
		{ "part", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct gpt_disk disk;
	static struct part_source src[GPT_MAX_PARTITIONS];
	bool have_guid = false;
	int c;
	while ((c = getopt_long(argc, argv, "g:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'g':
			if (disk_guid_parse(optarg, &disk.guid) < 0) {
				fprintf(stderr, "mkgpt: --disk-guid %s: not a GUID\n", optarg);
				return 2;
			}
			have_guid = true;
			break;
		case 'p':
			if (disk.count == GPT_MAX_PARTITIONS) {
				fprintf(stderr, "mkgpt: at most %d partitions\n", GPT_MAX_PARTITIONS);
				return 2;
			}
			if (parse_part(optarg, &disk.parts[disk.count], &src[disk.count]) < 0) {
				fprintf(stderr, "mkgpt: %s\n", err_text());
				return 2;
			}
			disk.count++;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (argc - optind != 1 || !have_guid || disk.count == 0) {
		usage(stderr);
		return 2;
	}
	if (make_disk(argv[optind], &disk, src) < 0) {
		fprintf(stderr, "mkgpt: %s\n", err_text());
		return 1;
	}
	return 0;
}
