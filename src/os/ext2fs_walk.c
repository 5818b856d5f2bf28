/* ext2fs_walk.c: an ext4 image's tree -> layer tar (see the header).
 *
 * One directory's listing is held at a time per level of depth (names,
 * inode numbers, sort keys), plus the first path of every inode with more
 * than one link and the set of directories already entered (which turns a
 * directory cycle in a corrupt image into an error instead of a loop). */
#include "os/ext2fs_walk.h"

#include <errno.h>
#include <et/com_err.h>
#include <ext2fs/ext2fs.h>
#include <ext2fs/ext2_ext_attr.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/err.h"
#include "lib/ext2fs_fields.h"
#include "lib/vhd2tar_acl.h"
#include "lib/whiteout.h"

#define READ_CHUNK (1u << 20)
#define MAX_DEPTH 4096

/* ---- inode number -> path map (hard links) and set (visited dirs) ---- */

struct inomap {
	uint32_t *keys; /* 0 = empty slot */
	char **values;
	size_t cap, count;
};

static size_t inomap_slot(const struct inomap *m, uint32_t ino)
{
	size_t i = (ino * 2654435761u) & (m->cap - 1);
	while (m->keys[i] && m->keys[i] != ino)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static char **inomap_get(const struct inomap *m, uint32_t ino)
{
	if (!m->cap)
		return NULL;
	size_t i = inomap_slot(m, ino);
	return m->keys[i] ? &m->values[i] : NULL;
}

static int inomap_put(struct inomap *m, uint32_t ino, char *value)
{
	if ((m->count + 1) * 2 > m->cap) {
		struct inomap n = { .cap = m->cap ? m->cap * 2 : 1024 };
		n.keys = calloc(n.cap, sizeof(*n.keys));
		n.values = calloc(n.cap, sizeof(*n.values));
		if (!n.keys || !n.values) {
			free(n.keys);
			free(n.values);
			return -ENOMEM;
		}
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->keys[i])
				continue;
			size_t j = inomap_slot(&n, m->keys[i]);
			n.keys[j] = m->keys[i];
			n.values[j] = m->values[i];
		}
		n.count = m->count;
		free(m->keys);
		free(m->values);
		*m = n;
	}
	size_t i = inomap_slot(m, ino);
	if (!m->keys[i])
		m->count++;
	m->keys[i] = ino;
	m->values[i] = value;
	return 0;
}

static void inomap_free(struct inomap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->values[i]);
	free(m->keys);
	free(m->values);
}

/* ---- walk state ---- */

struct walk {
	ext2_filsys fs;
	int fd;
	unsigned blocksize;
	unsigned inode_size;
	uint64_t blocks_count;
	const struct e2walk_options *opt;
	struct vtar *out;
	struct e2walk_stats *stats;
	struct ext2_inode_large *inode; /* inode_size bytes */
	unsigned char *buf;             /* READ_CHUNK bytes */
	char *path;
	size_t path_cap;
	struct inomap links, visited;
};

static int fs_error(errcode_t code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fs_error(errcode_t code, const char *fmt, ...)
{
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	int r = code == EXT2_ET_NO_MEMORY ? -ENOMEM : -EIO;
	return err_setmsg(r, "%s: %s", what, error_message(code));
}

static void note(struct walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct walk *w, const char *fmt, ...)
{
	if (!w->opt->note)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->opt->note(w->opt->note_ctx, msg);
}

static const char *shown(const struct walk *w)
{
	return w->path[0] ? w->path : "/";
}

/* ---- directory listing ---- */

struct listing_entry {
	char *name; /* on disk */
	char *key;  /* name in the archive (== name unless a whiteout) */
	uint32_t ino;
	uint8_t ftype;
};

struct listing {
	struct listing_entry *v;
	size_t n, cap;
	struct walk *w;
	int error;
};

static void listing_free(struct listing *l)
{
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].key != l->v[i].name)
			free(l->v[i].key);
		free(l->v[i].name);
	}
	free(l->v);
}

static int listing_add(struct ext2_dir_entry *dirent, int offset, int blocksize, char *buf, void *priv)
{
	struct listing *l = priv;
	int len = ext2fs_dirent_name_len(dirent);
	const char *name = dirent->name;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return 0;
	if (len == 0 || memchr(name, '/', (size_t)len) || memchr(name, '\0', (size_t)len)) {
		l->error = err_setmsg(-EUCLEAN, "directory %s: entry at byte %d has an invalid name", shown(l->w),
				      offset);
		return DIRENT_ABORT;
	}
	if (dirent->inode > l->w->fs->super->s_inodes_count || dirent->inode < EXT2_FIRST_INO(l->w->fs->super)) {
		/* Reserved inodes (below the first regular one) are never
		 * linked from a directory except by lost+found's "..". */
		if (dirent->inode != EXT2_ROOT_INO) {
			l->error = err_setmsg(-EUCLEAN, "directory %s: entry %.*s points to invalid inode %u",
					      shown(l->w), len, name, dirent->inode);
			return DIRENT_ABORT;
		}
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct listing_entry *v = realloc(l->v, cap * sizeof(*v));
		if (!v) {
			l->error = err_set(-ENOMEM, "listing directory %s", shown(l->w));
			return DIRENT_ABORT;
		}
		l->v = v;
		l->cap = cap;
	}
	char *copy = strndup(name, (size_t)len);
	if (!copy) {
		l->error = err_set(-ENOMEM, "listing directory %s", shown(l->w));
		return DIRENT_ABORT;
	}
	l->v[l->n++] = (struct listing_entry){ .name = copy, .key = copy, .ino = dirent->inode,
					       .ftype = (uint8_t)ext2fs_dirent_file_type(dirent) };
	return 0;
}

static int key_compare(const void *a, const void *b)
{
	const struct listing_entry *x = a, *y = b;
	return strcmp(x->key, y->key);
}

static int read_inode(struct walk *w, uint32_t ino)
{
	errcode_t e = ext2fs_read_inode2(w->fs, ino, (struct ext2_inode *)w->inode, (int)w->inode_size, 0);
	if (e)
		return fs_error(e, "%s: reading inode %u", shown(w), ino);
	return 0;
}

static void inode_rdev(const struct ext2_inode_large *in, uint32_t *major, uint32_t *minor)
{
	e2field_decode_rdev(in->i_block[0], in->i_block[1], major, minor);
}

static int iterate_cb(ext2_ino_t dir, int entry, struct ext2_dir_entry *dirent, int offset, int blocksize, char *buf,
		      void *priv)
{
	(void)dir;
	(void)entry;
	return listing_add(dirent, offset, blocksize, buf, priv);
}

/* Lists a directory sorted by archive name. In the overlay whiteout format
 * a whiteout NAME is written as .wh.NAME, so that is its sort key. */
static int list_sorted(struct walk *w, uint32_t dir_ino, struct listing *l)
{
	*l = (struct listing){ .w = w };
	errcode_t e = ext2fs_dir_iterate2(w->fs, dir_ino, 0, NULL, iterate_cb, l);
	if (l->error)
		return l->error;
	if (e)
		return fs_error(e, "reading directory %s", shown(w));

	if (w->opt->whiteout == VTAR_WHITEOUT_OVERLAY) {
		for (size_t i = 0; i < l->n; i++) {
			struct listing_entry *le = &l->v[i];
			if (le->ftype != EXT2_FT_CHRDEV && le->ftype != EXT2_FT_UNKNOWN)
				continue;
			int r = read_inode(w, le->ino);
			if (r < 0)
				return r;
			uint32_t major, minor;
			inode_rdev(w->inode, &major, &minor);
			if (!vtar_is_whiteout(w->opt->whiteout, w->inode->i_mode, major, minor))
				continue;
			char *key;
			if (asprintf(&key, WHITEOUT_PREFIX "%s", le->name) < 0)
				return err_set(-ENOMEM, "listing directory %s", shown(w));
			le->key = key;
		}
	}
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), key_compare);
	return 0;
}

/* ---- paths ---- */


static int path_push(struct walk *w, size_t base, const char *name)
{
	size_t need = base + 1 + strlen(name) + 1;
	if (need > w->path_cap) {
		size_t cap = need * 2;
		char *p = realloc(w->path, cap);
		if (!p)
			return err_set(-ENOMEM, "building a path");
		w->path = p;
		w->path_cap = cap;
	}
	if (base)
		w->path[base++] = '/';
	strcpy(w->path + base, name);
	return 0;
}

/* ---- xattrs ---- */

struct xattr_list {
	struct vtar_xattr *v;
	size_t n, cap;
	int error;
	const char *path;
};

static void xattr_list_free(struct xattr_list *x)
{
	for (size_t i = 0; i < x->n; i++) {
		free((void *)x->v[i].name);
		free((void *)x->v[i].value);
	}
	free(x->v);
	x->v = NULL;
	x->n = x->cap = 0;
}

static int xattr_collect(char *name, char *value, size_t value_len, void *priv)
{
	struct xattr_list *x = priv;
	/* system.data holds inline file data (ext4-writer.md §14.7), not an
	 * attribute of the file. */
	if (strcmp(name, "system.data") == 0)
		return 0;
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 8;
		struct vtar_xattr *v = realloc(x->v, cap * sizeof(*v));
		if (!v)
			goto nomem;
		x->v = v;
		x->cap = cap;
	}
	uint8_t *copy = NULL;
	size_t copy_len = 0;
	if (acl_xattr_name_is_posix_acl(name)) {
		int r = acl_ext4_to_vfs((const uint8_t *)value, value_len, &copy, &copy_len);
		if (r < 0) {
			x->error = err_wrap(r, "%s: xattr %s", x->path, name);
			return XATTR_ABORT;
		}
	} else {
		copy = malloc(value_len ? value_len : 1);
		if (!copy)
			goto nomem;
		if (value_len)
			memcpy(copy, value, value_len);
		copy_len = value_len;
	}
	char *n = strdup(name);
	if (!n) {
		free(copy);
		goto nomem;
	}
	x->v[x->n++] = (struct vtar_xattr){ .name = n, .value = copy, .len = copy_len };
	return 0;
nomem:
	x->error = err_set(-ENOMEM, "%s: reading xattrs", x->path);
	return XATTR_ABORT;
}

static int xattr_compare(const void *a, const void *b)
{
	return strcmp(((const struct vtar_xattr *)a)->name, ((const struct vtar_xattr *)b)->name);
}

/* True when the inode may have xattrs: an xattr block, or the in-inode
 * magic after the extra fields. Saves opening a handle for every inode. */
static bool inode_may_have_xattrs(const struct walk *w)
{
	const struct ext2_inode_large *in = w->inode;
	if (ext2fs_file_acl_block(w->fs, (const struct ext2_inode *)in))
		return true;
	if (w->inode_size <= EXT2_GOOD_OLD_INODE_SIZE)
		return false;
	size_t off = EXT2_GOOD_OLD_INODE_SIZE + in->i_extra_isize;
	if (off + 4 > w->inode_size)
		return false;
	uint32_t magic;
	memcpy(&magic, (const unsigned char *)in + off, 4);
	return ext2fs_le32_to_cpu(magic) == EXT2_EXT_ATTR_MAGIC;
}

static int read_xattrs(struct walk *w, uint32_t ino, struct xattr_list *x)
{
	*x = (struct xattr_list){ .path = shown(w) };
	if (!inode_may_have_xattrs(w))
		return 0;
	struct ext2_xattr_handle *h = NULL;
	errcode_t e = ext2fs_xattrs_open(w->fs, ino, &h);
	if (e)
		return fs_error(e, "%s: opening xattrs", shown(w));
	/* Raw values: the ACL conversion is ours (lib/vhd2tar_acl.c). */
	unsigned int flags = XATTR_HANDLE_FLAG_RAW;
	ext2fs_xattrs_flags(h, &flags, NULL);
	e = ext2fs_xattrs_read_inode(h, w->inode);
	if (e) {
		ext2fs_xattrs_close(&h);
		return fs_error(e, "%s: reading xattrs", shown(w));
	}
	e = ext2fs_xattrs_iterate(h, xattr_collect, x);
	ext2fs_xattrs_close(&h);
	if (x->error) {
		xattr_list_free(x);
		return x->error;
	}
	if (e) {
		xattr_list_free(x);
		return fs_error(e, "%s: listing xattrs", shown(w));
	}
	if (x->n)
		qsort(x->v, x->n, sizeof(*x->v), xattr_compare);
	return 0;
}

/* ---- file block maps ---- */

struct run {
	uint64_t lblk, pblk, len;
};

struct block_map {
	struct run *v;
	size_t n, cap;
	int error;
	struct walk *w;
};

static int map_add(struct block_map *m, uint64_t lblk, uint64_t pblk, uint64_t len)
{
	struct walk *w = m->w;
	if (pblk < w->fs->super->s_first_data_block || pblk >= w->blocks_count || len > w->blocks_count - pblk)
		return err_setmsg(-EUCLEAN, "%s: data blocks %llu+%llu lie outside the file system", shown(w),
				  (unsigned long long)pblk, (unsigned long long)len);
	if (m->n) {
		struct run *last = &m->v[m->n - 1];
		if (lblk < last->lblk + last->len)
			return err_setmsg(-EUCLEAN, "%s: block map out of order at logical block %llu", shown(w),
					  (unsigned long long)lblk);
		if (last->lblk + last->len == lblk && last->pblk + last->len == pblk) {
			last->len += len;
			return 0;
		}
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		struct run *v = realloc(m->v, cap * sizeof(*v));
		if (!v)
			return err_set(-ENOMEM, "%s: mapping blocks", shown(w));
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n++] = (struct run){ lblk, pblk, len };
	return 0;
}

static int map_extents(struct walk *w, uint32_t ino, struct block_map *m)
{
	ext2_extent_handle_t h;
	errcode_t e = ext2fs_extent_open2(w->fs, ino, (struct ext2_inode *)w->inode, &h);
	if (e)
		return fs_error(e, "%s: opening the extent tree", shown(w));
	struct ext2fs_extent ext;
	int r = 0;
	e = ext2fs_extent_get(h, EXT2_EXTENT_ROOT, &ext);
	while (!e) {
		if ((ext.e_flags & EXT2_EXTENT_FLAGS_LEAF) && !(ext.e_flags & EXT2_EXTENT_FLAGS_SECOND_VISIT) &&
		    !(ext.e_flags & EXT2_EXTENT_FLAGS_UNINIT) && ext.e_len) {
			r = map_add(m, ext.e_lblk, ext.e_pblk, ext.e_len);
			if (r < 0)
				break;
		}
		e = ext2fs_extent_get(h, EXT2_EXTENT_NEXT, &ext);
	}
	ext2fs_extent_free(h);
	if (r < 0)
		return r;
	if (e && e != EXT2_ET_EXTENT_NO_NEXT)
		return fs_error(e, "%s: reading the extent tree", shown(w));
	return 0;
}

static int block_cb(ext2_filsys fs, blk64_t *blocknr, e2_blkcnt_t blockcnt, blk64_t ref_blk, int ref_offset,
		    void *priv)
{
	(void)fs;
	(void)ref_blk;
	(void)ref_offset;
	struct block_map *m = priv;
	if (blockcnt < 0)
		return 0;
	int r = map_add(m, (uint64_t)blockcnt, *blocknr, 1);
	if (r < 0) {
		m->error = r;
		return BLOCK_ABORT;
	}
	return 0;
}

static int map_blocks(struct walk *w, uint32_t ino, struct block_map *m)
{
	*m = (struct block_map){ .w = w };
	if (w->inode->i_flags & EXT4_EXTENTS_FL)
		return map_extents(w, ino, m);
	errcode_t e = ext2fs_block_iterate3(w->fs, ino, BLOCK_FLAG_READ_ONLY | BLOCK_FLAG_DATA_ONLY, NULL, block_cb, m);
	if (m->error)
		return m->error;
	if (e)
		return fs_error(e, "%s: reading the block map", shown(w));
	return 0;
}

/* ---- file data ---- */

static int pread_all(struct walk *w, void *buf, size_t len, uint64_t off)
{
	unsigned char *p = buf;
	while (len > 0) {
		ssize_t n = pread(w->fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return err_set(-errno, "%s: reading data at image byte %llu", shown(w), (unsigned long long)off);
		}
		if (n == 0)
			return err_setmsg(-EUCLEAN, "%s: image ends before its data at byte %llu", shown(w),
					  (unsigned long long)off);
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int count_data(struct walk *w, uint64_t n)
{
	w->stats->data_bytes += n;
	if (w->opt->max_data_bytes && w->stats->data_bytes > w->opt->max_data_bytes)
		return err_setmsg(-EFBIG, "more than %llu bytes of file data", (unsigned long long)w->opt->max_data_bytes);
	return 0;
}

/* Reads [lblk*bs, lblk*bs+len) of a run (clamped by the caller) and sends it. */
static int send_run(struct walk *w, const struct run *run, uint64_t bytes)
{
	uint64_t off = run->pblk * w->blocksize;
	while (bytes > 0) {
		size_t n = bytes > READ_CHUNK ? READ_CHUNK : (size_t)bytes;
		int r = count_data(w, n);
		if (r < 0)
			return r;
		r = pread_all(w, w->buf, n, off);
		if (r < 0)
			return r;
		r = vtar_data(w->out, w->buf, n);
		if (r < 0)
			return err_wrap(r, "%s", shown(w));
		off += n;
		bytes -= n;
	}
	return 0;
}

/* Regular file with its data in blocks: dense when the block map covers
 * the whole size, otherwise sparse with the mapped regions. */
static int emit_block_file(struct walk *w, uint32_t ino, struct vtar_entry *e)
{
	struct block_map m;
	int r = map_blocks(w, ino, &m);
	if (r < 0) {
		free(m.v);
		return r;
	}
	_cleanup_free_ struct run *runs = m.v;
	uint64_t size = e->size, bs = w->blocksize;
	uint64_t size_blocks = size / bs + (size % bs != 0);

	/* Drop blocks past the end (preallocated), clamp the last run. */
	size_t n = 0;
	while (n < m.n && runs[n].lblk < size_blocks) {
		if (runs[n].lblk + runs[n].len > size_blocks)
			runs[n].len = size_blocks - runs[n].lblk;
		n++;
	}
	uint64_t mapped = 0;
	for (size_t i = 0; i < n; i++)
		mapped += runs[i].len;

	_cleanup_free_ struct vtar_region *regions = NULL;
	if (mapped < size_blocks) {
		/* Runs merge into regions when only their physical places differ. */
		regions = calloc(n ? n : 1, sizeof(*regions));
		if (!regions)
			return err_set(-ENOMEM, "%s: sparse map", shown(w));
		size_t k = 0;
		for (size_t i = 0; i < n; i++) {
			uint64_t start = runs[i].lblk * bs, end = (runs[i].lblk + runs[i].len) * bs;
			if (end > size)
				end = size;
			if (k && regions[k - 1].offset + regions[k - 1].length == start)
				regions[k - 1].length += end - start;
			else
				regions[k++] = (struct vtar_region){ start, end - start };
		}
		if (k == 0) /* all hole: an empty region at the end keeps it sparse */
			regions[k++] = (struct vtar_region){ size, 0 };
		e->regions = regions;
		e->nregions = k;
		w->stats->sparse_files++;
	}

	r = vtar_header(w->out, e);
	if (r < 0)
		return r;

	uint64_t pos = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t start = runs[i].lblk * bs;
		uint64_t end = (runs[i].lblk + runs[i].len) * bs;
		if (end > size)
			end = size;
		if (start > pos) {
			r = vtar_data(w->out, NULL, start - pos);
			if (r < 0)
				return err_wrap(r, "%s", shown(w));
		}
		r = send_run(w, &runs[i], end - start);
		if (r < 0)
			return r;
		pos = end;
	}
	if (pos < size) {
		if (!regions) /* cannot happen: dense means fully mapped */
			return err_setmsg(-EUCLEAN, "%s: block map shorter than the file", shown(w));
		/* The trailing hole; also the call that makes libarchive write
		 * the sparse map of a file that is all hole. */
		r = vtar_data(w->out, NULL, size - pos);
		if (r < 0)
			return err_wrap(r, "%s", shown(w));
	}
	return 0;
}

static int read_inline(struct walk *w, uint32_t ino, size_t *len)
{
	size_t got = 0;
	errcode_t e = ext2fs_inline_data_get(w->fs, ino, (struct ext2_inode *)w->inode, w->buf, &got);
	if (e)
		return fs_error(e, "%s: reading inline data", shown(w));
	*len = got;
	return 0;
}

static int emit_regular(struct walk *w, uint32_t ino, struct vtar_entry *e)
{
	/* Logical block numbers are 32 bits: no ext4 file is larger. A
	 * corrupt size beyond that would make the archive write an absurdly
	 * long hole (2 GiB per libarchive call). */
	uint64_t max_size = (uint64_t)w->blocksize << 32;
	if (e->size > max_size)
		return err_setmsg(-EUCLEAN, "%s: size %llu is beyond the largest ext4 file (%llu bytes)", shown(w),
				  (unsigned long long)e->size, (unsigned long long)max_size);
	if (!(w->inode->i_flags & EXT4_INLINE_DATA_FL))
		return emit_block_file(w, ino, e);
	size_t got;
	int r = read_inline(w, ino, &got);
	if (r < 0)
		return r;
	/* A file longer than its inline data reads as zeros past it (the
	 * kernel zero-fills; mke2fs -d makes such files from all-zero ones):
	 * the rest is a hole. */
	size_t len = e->size < got ? (size_t)e->size : got;
	struct vtar_region region = { len ? 0 : e->size, len };
	if (len < e->size) {
		e->regions = &region;
		e->nregions = 1;
		w->stats->sparse_files++;
	}
	r = vtar_header(w->out, e);
	if (r < 0)
		return r;
	r = count_data(w, len);
	if (r >= 0 && len)
		r = vtar_data(w->out, w->buf, len);
	if (r >= 0 && len < e->size)
		r = vtar_data(w->out, NULL, e->size - len);
	return r < 0 ? err_wrap(r, "%s", shown(w)) : 0;
}

/* The target of a symlink: in i_block (fast), inline data, or one block. */
static int read_symlink(struct walk *w, uint32_t ino, char **target)
{
	struct ext2_inode_large *in = w->inode;
	uint64_t size = EXT2_I_SIZE(in);
	if (size == 0 || size >= w->blocksize)
		return err_setmsg(-EUCLEAN, "%s: symlink target of %llu bytes", shown(w), (unsigned long long)size);
	size_t len = (size_t)size;
	/* The kernel's rule (ext4_inode_is_fast_symlink): not inline, and no
	 * data blocks besides an xattr block -> the target is in i_block. */
	if (!(in->i_flags & EXT4_INLINE_DATA_FL) && ext2fs_inode_data_blocks2(w->fs, (struct ext2_inode *)in) == 0) {
		if (len >= sizeof(in->i_block))
			return err_setmsg(-EUCLEAN, "%s: fast symlink of %zu bytes", shown(w), len);
		*target = strndup((const char *)in->i_block, len);
	} else if (in->i_flags & EXT4_INLINE_DATA_FL) {
		size_t got;
		int r = read_inline(w, ino, &got);
		if (r < 0)
			return r;
		if (got < len)
			return err_setmsg(-EUCLEAN, "%s: inline symlink shorter than its size", shown(w));
		*target = strndup((const char *)w->buf, len);
	} else {
		struct block_map m;
		int r = map_blocks(w, ino, &m);
		_cleanup_free_ struct run *runs = m.v;
		if (r < 0)
			return r;
		if (m.n == 0 || runs[0].lblk != 0)
			return err_setmsg(-EUCLEAN, "%s: symlink without a data block", shown(w));
		r = pread_all(w, w->buf, len, runs[0].pblk * w->blocksize);
		if (r < 0)
			return r;
		*target = strndup((const char *)w->buf, len);
	}
	if (!*target)
		return err_set(-ENOMEM, "%s: reading the symlink", shown(w));
	if (strlen(*target) != len) {
		free(*target);
		*target = NULL;
		return err_setmsg(-EUCLEAN, "%s: symlink target contains a NUL byte", shown(w));
	}
	return 0;
}

/* ---- entries ---- */

static struct vtar_time inode_time(const struct walk *w, uint32_t lo, size_t extra_off)
{
	const struct ext2_inode_large *in = w->inode;
	int has_extra = w->inode_size > EXT2_GOOD_OLD_INODE_SIZE &&
			EXT2_GOOD_OLD_INODE_SIZE + (size_t)in->i_extra_isize >= extra_off + 4;
	uint32_t extra = 0;
	if (has_extra)
		memcpy(&extra, (const unsigned char *)in + extra_off, 4);
	struct e2field_time t = e2field_decode_time(lo, ext2fs_le32_to_cpu(extra), has_extra);
	return (struct vtar_time){ .sec = t.sec, .nsec = t.nsec };
}

static int walk_directory(struct walk *w, uint32_t dir_ino, size_t base, int depth);

static int emit_entry(struct walk *w, uint32_t ino, size_t base, int depth)
{
	int r = read_inode(w, ino);
	if (r < 0)
		return r;
	struct ext2_inode_large *in = w->inode;
	if (in->i_links_count == 0)
		return err_setmsg(-EUCLEAN, "%s: inode %u is not in use (link count 0)", shown(w), ino);

	uint32_t mode = in->i_mode;
	struct vtar_entry e = {
		.path = w->path,
		.mode = mode,
		.uid = inode_uid(*in),
		.gid = inode_gid(*in),
		.mtime = inode_time(w, in->i_mtime, offsetof(struct ext2_inode_large, i_mtime_extra)),
		.atime = inode_time(w, in->i_atime, offsetof(struct ext2_inode_large, i_atime_extra)),
		.ctime = inode_time(w, in->i_ctime, offsetof(struct ext2_inode_large, i_ctime_extra)),
	};
	e.has_atime = e.atime.sec || e.atime.nsec;
	e.has_ctime = e.ctime.sec || e.ctime.nsec;
	if (S_ISCHR(mode) || S_ISBLK(mode))
		inode_rdev(in, &e.rdev_major, &e.rdev_minor);

	if (S_ISSOCK(mode)) {
		note(w, "skipping socket %s", w->path);
		w->stats->skipped++;
		return 0;
	}
	if (!S_ISREG(mode) && !S_ISDIR(mode) && !S_ISLNK(mode) && !S_ISCHR(mode) && !S_ISBLK(mode) && !S_ISFIFO(mode))
		return err_setmsg(-EUCLEAN, "%s: inode %u has unknown file type 0%o", shown(w), ino, mode & S_IFMT);

	int whiteout = vtar_is_whiteout(w->opt->whiteout, mode, e.rdev_major, e.rdev_minor);
	w->stats->entries++;
	if (whiteout) /* never a hard link: overlayfs shares one whiteout inode */
		w->stats->whiteouts++;

	/* Later names of a multiply-linked inode are hard links to the first. */
	if (!S_ISDIR(mode) && !whiteout && in->i_links_count > 1) {
		char **first = inomap_get(&w->links, ino);
		if (first) {
			e.hardlink = *first;
			w->stats->hardlinks++;
			return vtar_header(w->out, &e);
		}
		char *copy = strdup(w->path);
		if (!copy || inomap_put(&w->links, ino, copy) < 0) {
			free(copy);
			return err_set(-ENOMEM, "%s: remembering hard links", shown(w));
		}
	}

	struct xattr_list x;
	r = read_xattrs(w, ino, &x);
	if (r < 0)
		return r;
	e.xattrs = x.v;
	e.nxattrs = x.n;

	if (S_ISREG(mode)) {
		e.size = EXT2_I_SIZE(in);
		r = emit_regular(w, ino, &e);
	} else if (S_ISLNK(mode)) {
		_cleanup_free_ char *target = NULL;
		r = read_symlink(w, ino, &target);
		if (r >= 0) {
			e.symlink = target;
			r = vtar_header(w->out, &e);
		}
	} else if (S_ISDIR(mode)) {
		if (inomap_get(&w->visited, ino)) {
			r = err_setmsg(-EUCLEAN, "%s: directory inode %u is linked more than once", shown(w), ino);
		} else if ((r = inomap_put(&w->visited, ino, NULL)) < 0) {
			r = err_set(r, "%s: remembering directories", shown(w));
		} else if ((r = vtar_header(w->out, &e)) >= 0) {
			xattr_list_free(&x);
			return walk_directory(w, ino, base, depth + 1);
		}
	} else {
		r = vtar_header(w->out, &e);
	}
	xattr_list_free(&x);
	return r;
}

static int walk_directory(struct walk *w, uint32_t dir_ino, size_t base, int depth)
{
	if (depth > MAX_DEPTH)
		return err_setmsg(-ELOOP, "%s: directories nested deeper than %d", shown(w), MAX_DEPTH);
	struct listing l;
	int r = list_sorted(w, dir_ino, &l);
	for (size_t i = 0; r >= 0 && i < l.n; i++) {
		if (depth == 0 && !w->opt->keep_lost_found && strcmp(l.v[i].name, "lost+found") == 0 &&
		    (l.v[i].ftype == EXT2_FT_DIR || l.v[i].ftype == EXT2_FT_UNKNOWN))
			continue;
		if (l.v[i].ino == EXT2_ROOT_INO) {
			r = err_setmsg(-EUCLEAN, "directory %s: entry %s links the root directory", shown(w), l.v[i].name);
			break;
		}
		r = path_push(w, base, l.v[i].name);
		if (r >= 0)
			r = emit_entry(w, l.v[i].ino, strlen(w->path), depth);
		w->path[base] = '\0';
	}
	listing_free(&l);
	return r;
}

int e2walk_to_tar(const char *image_path, int image_fd, uint64_t image_size, const struct e2walk_options *opt,
		  struct vtar *out, struct e2walk_stats *stats)
{
	struct e2walk_stats local_stats;
	if (!stats)
		stats = &local_stats;
	*stats = (struct e2walk_stats){ 0 };
	struct walk w = { .fd = image_fd, .opt = opt, .out = out, .stats = stats };

	initialize_ext2_error_table();
	errcode_t e = ext2fs_open2(image_path, NULL, EXT2_FLAG_64BITS, 0, 0, unix_io_manager, &w.fs);
	if (e)
		return fs_error(e, "opening the ext4 file system");

	int r;
	w.blocksize = EXT2_BLOCK_SIZE(w.fs->super);
	w.inode_size = EXT2_INODE_SIZE(w.fs->super);
	w.blocks_count = ext2fs_blocks_count(w.fs->super);
	if (w.blocks_count > image_size / w.blocksize) {
		r = err_setmsg(-EUCLEAN, "image truncated: the file system needs %llu bytes, the image has %llu",
			       (unsigned long long)w.blocks_count * w.blocksize, (unsigned long long)image_size);
		goto out;
	}
	if (w.inode_size < EXT2_GOOD_OLD_INODE_SIZE || w.inode_size > w.blocksize) {
		r = err_setmsg(-EUCLEAN, "unsupported inode size %u", w.inode_size);
		goto out;
	}
	w.inode = calloc(1, w.inode_size > sizeof(struct ext2_inode_large) ? w.inode_size
									     : sizeof(struct ext2_inode_large));
	w.buf = malloc(READ_CHUNK > w.blocksize + w.inode_size ? READ_CHUNK : w.blocksize + w.inode_size);
	w.path = calloc(1, 256);
	w.path_cap = 256;
	if (!w.inode || !w.buf || !w.path) {
		r = err_set(-ENOMEM, "allocating buffers");
		goto out;
	}

	r = read_inode(&w, EXT2_ROOT_INO);
	if (r >= 0 && !S_ISDIR(w.inode->i_mode))
		r = err_setmsg(-EUCLEAN, "the root inode is not a directory");
	if (r >= 0)
		r = inomap_put(&w.visited, EXT2_ROOT_INO, NULL);
	if (r >= 0) {
		/* The root's own attributes have no entry; an opaque root still
		 * needs its marker (§6.2). */
		struct xattr_list x;
		r = read_xattrs(&w, EXT2_ROOT_INO, &x);
		if (r >= 0) {
			for (size_t i = 0; i < x.n && opt->whiteout == VTAR_WHITEOUT_OVERLAY; i++) {
				if (strcmp(x.v[i].name, WHITEOUT_OPAQUE_XATTR) == 0 &&
				    whiteout_is_opaque_value(x.v[i].value, x.v[i].len)) {
					struct vtar_entry m = { .path = WHITEOUT_OPAQUE_NAME, .mode = S_IFREG | (w.inode->i_mode & 0777),
								.uid = inode_uid(*w.inode), .gid = inode_gid(*w.inode) };
					r = vtar_header(out, &m);
				}
			}
			xattr_list_free(&x);
		}
	}
	if (r >= 0)
		r = walk_directory(&w, EXT2_ROOT_INO, 0, 0);
out:
	inomap_free(&w.links);
	inomap_free(&w.visited);
	free(w.inode);
	free(w.buf);
	free(w.path);
	ext2fs_close_free(&w.fs);
	return r;
}
