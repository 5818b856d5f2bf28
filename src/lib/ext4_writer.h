/* ext4_writer.h: the streaming tar -> ext4 writer (../shared/spec/ext4-writer.md,
 * "Level A": a valid ext4 that e2fsck -fn accepts without a message).
 *
 * Entries arrive in tar order. File data goes straight to its final place in
 * the image, strictly sequentially; only a compact record per inode, the
 * directory names and the attributes stay in memory. ext4_writer_finish()
 * then writes directories (hashed when large), attribute blocks, the inode
 * table, bitmaps, group descriptors and the superblock. The output descriptor
 * must be seekable (metadata at the start of the image is written last).
 *
 * Replacement follows Docker's extraction: a later entry with the same path
 * wins (directories merge); anything left unreachable is freed. Paths are
 * cleaned lexically and confined to the image root. Deterministic: the same
 * sequence of calls gives the same bytes (the UUID and hash seed derive from
 * the entries, no clock is read). */
#ifndef LCOW_EXT4_WRITER_H
#define LCOW_EXT4_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/ext4_types.h"

/* Default and upper bound of the image size; the group descriptor table is
 * reserved for the maximum (§5.1), 4 KiB per 16 GiB. */
#define EXT4_WRITER_DEFAULT_MAX_SIZE (128ull << 30)
#define EXT4_WRITER_LIMIT_MAX_SIZE (16ull << 40) /* 2^32 blocks */
#define EXT4_WRITER_MIN_MAX_SIZE (1ull << 20)

struct ext4_writer_options {
	uint64_t max_size; /* bytes of ext4 image; 0 = EXT4_WRITER_DEFAULT_MAX_SIZE */
	bool background_writes; /* a second thread writes while the next batch fills */
};

struct ext4_writer_time {
	int64_t sec;
	uint32_t nsec;
};

struct ext4_writer_entry {
	const char *path;    /* as the tar spells it; cleaned and confined by the writer */
	uint8_t type;        /* EXT4_FT_REG_FILE, _DIR, _SYMLINK, _CHRDEV, _BLKDEV, _FIFO, _SOCK */
	uint32_t perm;       /* permission bits incl. setuid/setgid/sticky (07777) */
	uint32_t uid, gid;
	struct ext4_writer_time mtime, atime, ctime; /* atime/ctime zero when the tar has none */
	uint64_t size;       /* regular files: logical size; data follows via ext4_writer_write_data */
	bool sparse;         /* regular files: data may skip holes */
	const char *link_target; /* symlinks: target bytes */
	size_t link_len;
	uint32_t dev_major, dev_minor;
	const struct ext4_xattr *xattrs; /* POSIX ACLs in the VFS form (version 2) */
	size_t nxattrs;
};

struct ext4_writer;

int ext4_writer_new(int fd, const struct ext4_writer_options *opt, struct ext4_writer **out);
void ext4_writer_free(struct ext4_writer *w);

/* Adds one entry. For a regular file, its data follows through
 * ext4_writer_write_data until the next call of any other function. */
int ext4_writer_add(struct ext4_writer *w, const struct ext4_writer_entry *e);

/* Data of the current regular file: `len` bytes at logical `offset`;
 * offsets never go backwards; a gap is a hole. */
int ext4_writer_write_data(struct ext4_writer *w, uint64_t offset, const void *buf, size_t len);

/* The same without copying: `buf` is only referenced, and must stay valid
 * and unchanged until a later ext4_writer_submit() or ext4_writer_flush()
 * says it is written. The bytes then go from buf to the image in one
 * pwritev. */
int ext4_writer_write_data_lent(struct ext4_writer *w, uint64_t offset, const void *buf, size_t len);

/* Starts writing everything queued. On return, every buffer lent before
 * the previous ext4_writer_submit() is written and free again: a reader
 * can alternate between two buffers. */
int ext4_writer_submit(struct ext4_writer *w);

/* Writes everything queued and waits: no lent buffer is referenced any
 * more. */
int ext4_writer_flush(struct ext4_writer *w);

/* After a failure: waits for any write in progress and drops what is
 * queued instead, so that no lent buffer is referenced any more; the err
 * text stays that of the failure. The image is then incomplete. */
void ext4_writer_discard(struct ext4_writer *w);

/* The same, with the `len` bytes read from in_fd at in_offset and copied
 * in the kernel (copy_file_range) where possible, when the queue is
 * written: in_fd must stay open and unchanged until a later
 * ext4_writer_submit/flush/finish, which reports an input that ends early
 * ("truncated input"). */
int ext4_writer_copy_data(struct ext4_writer *w, uint64_t offset, int in_fd, uint64_t in_offset, uint64_t len);

/* Adds `path` as another name of the existing non-directory `target`. */
int ext4_writer_add_hardlink(struct ext4_writer *w, const char *path, const char *target);

/* Sets attribute `name` on directory `path` (created if missing), keeping
 * the others; used for overlay opaque markers. */
int ext4_writer_set_dir_xattr(struct ext4_writer *w, const char *path, const char *name, const void *value,
			      uint32_t len);

/* Writes all metadata. *image_size receives the size of the file system in
 * bytes (a multiple of 4096); the descriptor holds exactly that image from
 * offset 0. */
int ext4_writer_finish(struct ext4_writer *w, uint64_t *image_size);

/* The file system UUID (valid after ext4_writer_finish). */
void ext4_writer_uuid(const struct ext4_writer *w, uint8_t uuid[16]);

/* How many attributes were dropped because ext4 would not serve them
 * (unknown namespaces), as Docker's extraction ignores ENOTSUP. */
uint64_t ext4_writer_skipped_xattrs(const struct ext4_writer *w);

/* Cleans `path` lexically as if rooted (`.`, `..`, duplicate and trailing
 * slashes), writing the result without a leading '/' into out (at least
 * strlen(path) + 1 bytes). Returns its length (0 = the root), or
 * -ENAMETOOLONG when a component exceeds 255 bytes. */
int ext4_path_clean(const char *path, char *out);

#endif
