/* ext4_writer.c: the streaming tar -> ext4 writer (see ext4_writer.h).
 *
 * Image layout (§3): block 0 superblock, blocks 1..G the group descriptor
 * table reserved for the maximum size, then the data region written
 * strictly sequentially (file data, slow-symlink targets and extent leaves
 * as entries arrive; at finish every directory, then attribute blocks), then
 * the inode tables of all groups back to back, then each group's block and
 * inode bitmap. Features: ext_attr, dir_index, sparse_super2 (no backups),
 * filetype, extents, flex_bg, large_file, huge_file, extra_isize, read-only,
 * and dir_nlink only when a directory has more than 64998 subdirectories.
 *
 * The data region goes out through ext4_output.c: batched pwritev of
 * copied, lent and zero pieces, optionally from a second thread.
 *
 * Memory: one struct inode_rec (72 bytes) per inode, one struct dirent_rec
 * (20 bytes) per name plus the name bytes, attributes and the few i_block
 * copies of sparse files in a byte arena. */
#include "lib/ext4_writer.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/ext4_dir.h"
#include "lib/ext4_encode.h"
#include "lib/ext4_extent.h"
#include "lib/ext4_format.h"
#include "lib/ext4_hash.h"
#include "lib/ext4_output.h"
#include "lib/ext4_xattr.h"

#define HTREE_HASH_VERSION EXT4_HASH_HALF_MD4

/* inode_rec.state bits */
#define REC_USED 0x01u          /* allocated (may become unreachable) */
#define REC_CUSTOM_IBLOCK 0x02u /* i_block kept in the arena at aux */
#define REC_REACHED 0x04u       /* reachable from the root (finish) */
#define REC_INDEXED 0x08u       /* hashed directory */
#define REC_HAS_DATA 0x10u      /* data_start/data_blocks describe blocks */

struct inode_rec {
	uint16_t mode;
	uint8_t state;
	uint8_t reserved;
	uint32_t uid, gid;
	uint32_t links;
	uint64_t size;
	struct ext4_time atime, ctime, mtime;
	/* Regular files, directories, slow symlinks: first physical block and
	 * block count. Dense data: data_blocks counts data blocks, extent leaves
	 * follow. REC_CUSTOM_IBLOCK: data_blocks counts everything. Devices:
	 * data_start holds the encoded device number. */
	uint32_t data_start, data_blocks;
	uint32_t aux;    /* arena offset: custom i_block or fast symlink target; dirs: parent (finish) */
	uint32_t xattrs; /* arena offset + 1 of the attribute list, 0 = none */
	uint32_t xattr_block;
};
_Static_assert(sizeof(struct inode_rec) == 72, "compact inode record");

struct dirent_rec {
	uint32_t parent;
	uint32_t ino; /* 0 = removed */
	uint32_t name_off;
	uint32_t next; /* hash chain, index + 1 */
	uint8_t name_len;
};

struct arena {
	uint8_t *p;
	size_t len, cap;
};

struct freed_range {
	uint32_t start, count;
};

struct current_file {
	bool active;
	uint32_t ino;
	uint64_t size;
	uint64_t logical;      /* bytes of the file accounted for so far */
	uint32_t phys_start;   /* first block written for the file */
	uint32_t run_logical;  /* logical block where the current run starts */
	uint32_t run_physical; /* physical block where it starts */
	bool sparse;           /* a hole was skipped */
	struct ext4_extent_run *runs;
	size_t nruns, cap;
};

/* The directory resolve_parent found last, by cleaned path. Invalid once
 * any name is pointed at another inode (a directory may be replaced). */
struct parent_cache {
	char *path;
	size_t len, cap;
	uint32_t ino;
	bool valid;
};

struct ext4_writer {
	int fd;
	uint64_t max_size;
	uint32_t gdt_blocks; /* G (§5.1) */

	struct ext4_output out; /* everything after the group descriptors */

	struct inode_rec *inodes; /* index = inode number */
	uint32_t ninodes, inodes_cap;
	struct dirent_rec *dirents;
	uint32_t ndirents, dirents_cap;
	uint32_t *buckets; /* index + 1 */
	uint32_t nbuckets;
	struct arena names, blob;
	struct freed_range *freed;
	size_t nfreed, freed_cap;

	struct current_file cur;
	struct parent_cache parent_cache;
	char *path_buf;
	size_t path_cap;

	uint64_t content_hash[2];
	uint64_t skipped_xattrs;
	uint8_t uuid[16];
	uint32_t hash_seed[4];
	bool dir_nlink;
	bool finished;
};

/* ---------------------------------------------------------------- arenas */

static int arena_append(struct arena *a, const void *p, size_t len, uint32_t *off)
{
	if (a->len + len > UINT32_MAX)
		return err_setmsg(-E2BIG, "too much metadata for one image");
	if (a->len + len > a->cap) {
		size_t cap = a->cap ? a->cap : 4096;
		while (cap < a->len + len)
			cap *= 2;
		uint8_t *np = realloc(a->p, cap);
		if (!np)
			return err_set(-ENOMEM, "growing metadata arena");
		a->p = np;
		a->cap = cap;
	}
	*off = (uint32_t)a->len;
	memcpy(a->p + a->len, p, len);
	a->len += len;
	return 0;
}

static int grow(void **p, uint32_t *cap, uint32_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	uint64_t n = *cap ? *cap : 1024;
	while (n < need)
		n += n / 2;
	if (n > UINT32_MAX)
		return err_setmsg(-E2BIG, "too many entries for one image");
	void *np = realloc(*p, (size_t)n * elem);
	if (!np)
		return err_set(-ENOMEM, "growing tables");
	*p = np;
	*cap = (uint32_t)n;
	return 0;
}

/* ---------------------------------------------------------------- output */

static uint64_t out_pos(const struct ext4_writer *w) { return ext4_output_pos(&w->out); }
static uint32_t out_block(const struct ext4_writer *w) { return (uint32_t)(out_pos(w) / EXT4_BLOCK_SIZE); }

static int pwrite_all(int fd, const void *p, size_t len, uint64_t off)
{
	const uint8_t *b = p;
	while (len > 0) {
		ssize_t n = pwrite(fd, b, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return err_set(-errno, "writing the image at byte %" PRIu64, off);
		}
		b += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int out_flush(struct ext4_writer *w) { return ext4_output_sync(&w->out); }

static int check_room(struct ext4_writer *w, uint64_t more)
{
	if (out_pos(w) + more > w->max_size)
		return err_setmsg(-EFBIG, "the content does not fit in the maximum image size of %" PRIu64 " bytes",
				  w->max_size);
	return 0;
}

static int out_write(struct ext4_writer *w, const void *p, size_t len)
{
	int r = check_room(w, len);
	return r < 0 ? r : ext4_output_copy(&w->out, p, len);
}

static int out_zeros(struct ext4_writer *w, uint64_t len)
{
	int r = check_room(w, len);
	return r < 0 ? r : ext4_output_zeros(&w->out, len);
}

static int out_pad_block(struct ext4_writer *w)
{
	uint64_t rem = out_pos(w) % EXT4_BLOCK_SIZE;
	return rem ? out_zeros(w, EXT4_BLOCK_SIZE - rem) : 0;
}

/* ---------------------------------------------------------------- paths */

int ext4_path_clean(const char *path, char *out)
{
	size_t o = 0;
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		const char *s = p;
		while (*p && *p != '/')
			p++;
		size_t n = (size_t)(p - s);
		if (n == 0 || (n == 1 && s[0] == '.'))
			continue;
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--; /* the separator */
			continue;
		}
		if (n > EXT4_NAME_MAX)
			return -ENAMETOOLONG;
		if (o > 0)
			out[o++] = '/';
		memcpy(out + o, s, n);
		o += n;
	}
	out[o] = '\0';
	return (int)o;
}

/* Cleans path into w->path_buf; returns its length or a negative errno. */
static int clean_into_buffer(struct ext4_writer *w, const char *path)
{
	size_t need = strlen(path) + 1;
	if (need > w->path_cap) {
		char *np = realloc(w->path_buf, need);
		if (!np)
			return err_set(-ENOMEM, "copying a path");
		w->path_buf = np;
		w->path_cap = need;
	}
	int n = ext4_path_clean(path, w->path_buf);
	if (n < 0)
		return err_setmsg(n, "%s: a name component is longer than 255 bytes", path);
	return n;
}

/* ---------------------------------------------------------------- tree */

static uint32_t name_hash(uint32_t parent, const char *name, size_t len)
{
	uint32_t h = 2166136261u ^ parent;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;
	return h ^ (h >> 15);
}

static bool is_dir(const struct inode_rec *r) { return (r->mode & EXT4_S_IFMT) == EXT4_S_IFDIR; }

static int64_t dirent_lookup(const struct ext4_writer *w, uint32_t parent, const char *name, size_t len)
{
	uint32_t i = w->buckets[name_hash(parent, name, len) & (w->nbuckets - 1)];
	while (i) {
		const struct dirent_rec *d = &w->dirents[i - 1];
		if (d->parent == parent && d->name_len == len && memcmp(w->names.p + d->name_off, name, len) == 0)
			return i - 1;
		i = d->next;
	}
	return -1;
}

static int rehash(struct ext4_writer *w)
{
	uint32_t n = w->nbuckets * 2;
	uint32_t *b = calloc(n, sizeof(*b));
	if (!b)
		return err_set(-ENOMEM, "growing the name index");
	for (uint32_t i = 0; i < w->ndirents; i++) {
		struct dirent_rec *d = &w->dirents[i];
		uint32_t h = name_hash(d->parent, (const char *)w->names.p + d->name_off, d->name_len) & (n - 1);
		d->next = b[h];
		b[h] = i + 1;
	}
	free(w->buckets);
	w->buckets = b;
	w->nbuckets = n;
	return 0;
}

static int dirent_add(struct ext4_writer *w, uint32_t parent, const char *name, size_t len, uint32_t ino)
{
	int r = grow((void **)&w->dirents, &w->dirents_cap, w->ndirents + 1, sizeof(*w->dirents));
	if (r < 0)
		return r;
	if (w->ndirents + 1 > w->nbuckets && (r = rehash(w)) < 0)
		return r;
	uint32_t off;
	if ((r = arena_append(&w->names, name, len, &off)) < 0)
		return r;
	uint32_t h = name_hash(parent, name, len) & (w->nbuckets - 1);
	w->dirents[w->ndirents] = (struct dirent_rec){
		.parent = parent, .ino = ino, .name_off = off, .next = w->buckets[h], .name_len = (uint8_t)len,
	};
	w->buckets[h] = ++w->ndirents;
	return 0;
}

static int inode_new(struct ext4_writer *w, uint32_t *ino)
{
	if (w->ninodes >= UINT32_MAX - 1)
		return err_setmsg(-E2BIG, "too many inodes");
	int r = grow((void **)&w->inodes, &w->inodes_cap, w->ninodes + 1, sizeof(*w->inodes));
	if (r < 0)
		return r;
	*ino = w->ninodes++;
	memset(&w->inodes[*ino], 0, sizeof(w->inodes[0]));
	w->inodes[*ino].state = REC_USED;
	return 0;
}

/* A directory created because a child names it before it appears: the
 * root's current attributes (§17.3). */
static int implicit_dir(struct ext4_writer *w, uint32_t *ino)
{
	int r = inode_new(w, ino);
	if (r < 0)
		return r;
	struct inode_rec *d = &w->inodes[*ino], *root = &w->inodes[EXT4_ROOT_INO];
	d->mode = root->mode;
	d->uid = root->uid;
	d->gid = root->gid;
	d->atime = root->atime;
	d->ctime = root->ctime;
	d->mtime = root->mtime;
	return 0;
}

/* Walks `clean` (a cleaned path of length len) up to, not including, its
 * last component, creating missing directories. *parent receives the
 * directory's inode, *name the last component. */
static int resolve_parent(struct ext4_writer *w, const char *clean, size_t len, const char *shown, uint32_t *parent,
			  const char **name, size_t *name_len)
{
	uint32_t dir = EXT4_ROOT_INO;
	const char *p = clean, *end = clean + len;
	const char *last = memrchr(clean, '/', len);
	size_t dir_len = last ? (size_t)(last - clean) : 0;
	/* Tars list a directory's entries together: the last directory
	 * resolved is usually this one. */
	struct parent_cache *c = &w->parent_cache;
	if (last && c->valid && c->len == dir_len && memcmp(c->path, clean, dir_len) == 0) {
		*parent = c->ino;
		*name = last + 1;
		*name_len = (size_t)(end - last - 1);
		return 0;
	}
	for (;;) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		if (!slash)
			break;
		size_t n = (size_t)(slash - p);
		int64_t d = dirent_lookup(w, dir, p, n);
		uint32_t child;
		if (d < 0) {
			int r = implicit_dir(w, &child);
			if (r < 0 || (r = dirent_add(w, dir, p, n, child)) < 0)
				return r;
		} else {
			child = w->dirents[d].ino;
			if (!is_dir(&w->inodes[child]))
				return err_setmsg(-ENOTDIR, "%s: %.*s is not a directory", shown, (int)(slash - clean), clean);
		}
		dir = child;
		p = slash + 1;
	}
	*parent = dir;
	*name = p;
	*name_len = (size_t)(end - p);
	c->valid = false;
	if (last && dir_len + 1 > c->cap) {
		char *np = realloc(c->path, dir_len + 1);
		if (!np)
			return 0; /* no cache this time */
		c->path = np;
		c->cap = dir_len + 1;
	}
	if (last) {
		memcpy(c->path, clean, dir_len);
		c->len = dir_len;
		c->ino = dir;
		c->valid = true;
	}
	return 0;
}

/* Looks up an existing cleaned path without creating anything. */
static int resolve_existing(struct ext4_writer *w, const char *clean, size_t len, uint32_t *ino)
{
	uint32_t dir = EXT4_ROOT_INO;
	const char *p = clean, *end = clean + len;
	while (p < end) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		size_t n = slash ? (size_t)(slash - p) : (size_t)(end - p);
		if (!is_dir(&w->inodes[dir]))
			return -ENOENT;
		int64_t d = dirent_lookup(w, dir, p, n);
		if (d < 0)
			return -ENOENT;
		dir = w->dirents[d].ino;
		p += n + (slash ? 1 : 0);
	}
	*ino = dir;
	return 0;
}

/* ---------------------------------------------------------------- xattrs */

/* Attribute lists live in the arena as: u32 count, then per attribute
 * u16 name length (with NUL), name, NUL, u32 value length, value. */
struct xattr_list {
	struct ext4_xattr *items;
	size_t n;
};

static void xattr_list_free(struct xattr_list *l)
{
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

static int xattr_list_load(const struct ext4_writer *w, uint32_t ref, struct xattr_list *l)
{
	l->items = NULL;
	l->n = 0;
	if (ref == 0)
		return 0;
	const uint8_t *p = w->blob.p + ref - 1;
	uint32_t n;
	memcpy(&n, p, 4);
	p += 4;
	l->items = calloc(n ? n : 1, sizeof(*l->items));
	if (!l->items)
		return err_set(-ENOMEM, "loading attributes");
	for (uint32_t i = 0; i < n; i++) {
		uint16_t nl;
		uint32_t vl;
		memcpy(&nl, p, 2);
		l->items[i].name = (const char *)p + 2;
		p += 2 + nl;
		memcpy(&vl, p, 4);
		l->items[i].value = p + 4;
		l->items[i].len = vl;
		p += 4 + vl;
	}
	l->n = n;
	return 0;
}

/* Stores items[0..n) as a new list; *ref receives its reference. */
static int xattr_list_store(struct ext4_writer *w, const struct ext4_xattr *items, size_t n, uint32_t *ref)
{
	if (n == 0) {
		*ref = 0;
		return 0;
	}
	size_t size = 4;
	for (size_t i = 0; i < n; i++)
		size += 2 + strlen(items[i].name) + 1 + 4 + items[i].len;
	uint8_t *tmp = malloc(size), *p = tmp;
	if (!tmp)
		return err_set(-ENOMEM, "storing attributes");
	uint32_t cnt = (uint32_t)n;
	memcpy(p, &cnt, 4);
	p += 4;
	for (size_t i = 0; i < n; i++) {
		uint16_t nl = (uint16_t)(strlen(items[i].name) + 1);
		memcpy(p, &nl, 2);
		memcpy(p + 2, items[i].name, nl);
		p += 2 + nl;
		memcpy(p, &items[i].len, 4);
		if (items[i].len)
			memcpy(p + 4, items[i].value, items[i].len);
		p += 4 + items[i].len;
	}
	uint32_t off;
	int r = arena_append(&w->blob, tmp, size, &off);
	free(tmp);
	if (r < 0)
		return r;
	*ref = off + 1;
	return 0;
}

/* Merges `add` over the inode's current list (same name: `add` wins),
 * validating names, converting ACLs and checking that the result fits.
 * `shown` names the entry in errors. */
static int xattrs_merge(struct ext4_writer *w, uint32_t ino, const struct ext4_xattr *add, size_t nadd,
			const char *shown)
{
	struct xattr_list old;
	int r = xattr_list_load(w, w->inodes[ino].xattrs, &old);
	if (r < 0)
		return r;
	size_t cap = old.n + nadd;
	struct ext4_xattr *all = calloc(cap ? cap : 1, sizeof(*all));
	uint8_t **converted = calloc(nadd ? nadd : 1, sizeof(*converted));
	struct ext4_xattr_layout *layout = NULL;
	size_t n = 0;
	if (!all || !converted) {
		r = err_set(-ENOMEM, "merging attributes");
		goto out;
	}
	for (size_t i = 0; i < old.n; i++)
		all[n++] = old.items[i];
	for (size_t i = 0; i < nadd; i++) {
		struct ext4_xattr x = add[i];
		uint8_t index;
		const char *suffix;
		r = ext4_xattr_name_index(x.name, &index, &suffix);
		if (r == -EOPNOTSUPP) {
			w->skipped_xattrs++;
			r = 0;
			continue;
		}
		if (r < 0) {
			r = err_setmsg(r, "%s: attribute name %s is too long", shown, x.name);
			goto out;
		}
		if (ext4_xattr_is_posix_acl(x.name)) {
			converted[i] = malloc(x.len ? x.len : 1);
			if (!converted[i]) {
				r = err_set(-ENOMEM, "converting an ACL");
				goto out;
			}
			int len = ext4_acl_from_vfs(x.value, x.len, converted[i]);
			if (len < 0) {
				r = err_setmsg(-EINVAL, "%s: %s is not a valid POSIX ACL", shown, x.name);
				goto out;
			}
			x.value = converted[i];
			x.len = (uint32_t)len;
		}
		size_t j;
		for (j = 0; j < n; j++)
			if (strcmp(all[j].name, x.name) == 0)
				break;
		all[j] = x;
		if (j == n)
			n++;
	}
	layout = malloc(sizeof(*layout));
	if (!layout) {
		r = err_set(-ENOMEM, "placing attributes");
		goto out;
	}
	r = ext4_xattr_place(all, n, layout);
	if (r == -E2BIG) {
		r = err_setmsg(-E2BIG, "%s: extended attributes do not fit in the inode and one 4 KiB block", shown);
		goto out;
	}
	if (r < 0)
		goto out;
	r = xattr_list_store(w, all, n, &w->inodes[ino].xattrs);
out:
	for (size_t i = 0; converted && i < nadd; i++)
		free(converted[i]);
	free(converted);
	free(all);
	free(layout);
	xattr_list_free(&old);
	return r;
}

/* ---------------------------------------------------------------- files */

static void content_hash_add(struct ext4_writer *w, const void *p, size_t len)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < len; i++) {
		w->content_hash[0] = (w->content_hash[0] ^ b[i]) * 0x100000001b3ull;
		w->content_hash[1] = (w->content_hash[1] ^ b[i]) * 0x100000001b3ull + 0x9E3779B97F4A7C15ull;
	}
}

/* Ends the current run of blocks (output already block aligned). */
static int close_run(struct ext4_writer *w)
{
	struct current_file *c = &w->cur;
	uint64_t blocks = out_block(w) - c->run_physical;
	size_t need = c->nruns + (size_t)ext4_div_round_up(blocks, EXT4_MAX_EXTENT_LEN);
	if (need > c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		while (cap < need)
			cap *= 2;
		struct ext4_extent_run *np = realloc(c->runs, cap * sizeof(*np));
		if (!np)
			return err_set(-ENOMEM, "recording extents");
		c->runs = np;
		c->cap = cap;
	}
	int r = ext4_extent_split_run(c->run_logical, c->run_physical, blocks, c->runs, &c->nruns, c->cap);
	return r < 0 ? err_setmsg(r, "too many extents") : 0;
}

/* Writes the extent leaves for runs[0..n), if any, and stores the inode's
 * mapping. `dense` means a single run from logical block 0, rebuilt from
 * data_start/data_blocks at finish instead of being kept. */
static int commit_extents(struct ext4_writer *w, uint32_t ino, const struct ext4_extent_run *runs, size_t n,
			  uint32_t phys_start, bool dense)
{
	struct inode_rec *rec = &w->inodes[ino];
	uint32_t nleaves = ext4_extent_leaf_blocks(n);
	uint32_t leaf_start = out_block(w);
	uint8_t i_block[60];
	uint8_t *leaves = NULL;
	if (nleaves) {
		leaves = malloc((size_t)nleaves * EXT4_BLOCK_SIZE);
		if (!leaves)
			return err_set(-ENOMEM, "building extent leaves");
	}
	int r = ext4_extent_build(runs, n, i_block, leaves, leaf_start);
	if (r == 0 && nleaves)
		r = out_write(w, leaves, (size_t)nleaves * EXT4_BLOCK_SIZE);
	free(leaves);
	if (r < 0)
		return r;
	rec = &w->inodes[ino];
	rec->data_start = phys_start;
	rec->state |= REC_HAS_DATA;
	if (dense) {
		rec->data_blocks = leaf_start - phys_start;
		return 0;
	}
	rec->data_blocks = out_block(w) - phys_start;
	uint32_t off;
	if ((r = arena_append(&w->blob, i_block, sizeof(i_block), &off)) < 0)
		return r;
	w->inodes[ino].aux = off;
	w->inodes[ino].state |= REC_CUSTOM_IBLOCK;
	return 0;
}

static int finish_file(struct ext4_writer *w)
{
	struct current_file *c = &w->cur;
	if (!c->active)
		return 0;
	c->active = false;
	int r = out_pad_block(w);
	if (r < 0 || (r = close_run(w)) < 0)
		return r;
	if (c->nruns == 0)
		return 0; /* empty or entirely a hole */
	bool dense = !c->sparse && c->runs[0].logical == 0;
	return commit_extents(w, c->ino, c->runs, c->nruns, c->phys_start, dense);
}

/* Checks a piece of file data and lays down the hole before it, if any. */
static int prepare_data(struct ext4_writer *w, uint64_t offset, uint64_t len)
{
	struct current_file *c = &w->cur;
	if (!c->active)
		return err_setmsg(-EINVAL, "file data outside a regular file");
	if (offset < c->logical || offset > c->size || len > c->size - offset)
		return err_setmsg(-EINVAL, "file data at byte %" PRIu64 " (+%" PRIu64 ") outside the file's %" PRIu64 " bytes",
				  offset, len, c->size);
	int r;
	if (offset > c->logical) {
		uint64_t next_block = ext4_div_round_up(c->logical, EXT4_BLOCK_SIZE);
		uint64_t target_block = offset / EXT4_BLOCK_SIZE;
		/* Keep whole-block holes as holes while the extent budget allows
		 * (worst case: every later block of the file in its own run). */
		uint64_t later = ext4_div_round_up(c->size - offset, (uint64_t)EXT4_MAX_EXTENT_LEN * EXT4_BLOCK_SIZE);
		if (target_block > next_block && c->nruns + 2 + later + 1 < EXT4_EXTENT_MAX_RUNS) {
			if ((r = out_pad_block(w)) < 0 || (r = close_run(w)) < 0)
				return r;
			c->sparse = true;
			c->run_logical = (uint32_t)target_block;
			c->run_physical = out_block(w);
			c->logical = target_block * EXT4_BLOCK_SIZE;
		}
		if ((r = out_zeros(w, offset - c->logical)) < 0)
			return r;
	}
	return 0;
}

int ext4_writer_write_data(struct ext4_writer *w, uint64_t offset, const void *buf, size_t len)
{
	int r = prepare_data(w, offset, len);
	if (r < 0 || (r = out_write(w, buf, len)) < 0)
		return r;
	w->cur.logical = offset + len;
	return 0;
}

int ext4_writer_write_data_lent(struct ext4_writer *w, uint64_t offset, const void *buf, size_t len)
{
	int r = prepare_data(w, offset, len);
	if (r < 0 || (r = check_room(w, len)) < 0 || (r = ext4_output_lend(&w->out, buf, len)) < 0)
		return r;
	w->cur.logical = offset + len;
	return 0;
}

int ext4_writer_submit(struct ext4_writer *w) { return ext4_output_submit(&w->out); }

int ext4_writer_flush(struct ext4_writer *w) { return ext4_output_sync(&w->out); }

void ext4_writer_discard(struct ext4_writer *w) { ext4_output_discard(&w->out); }

int ext4_writer_copy_data(struct ext4_writer *w, uint64_t offset, int in_fd, uint64_t in_offset, uint64_t len)
{
	int r = prepare_data(w, offset, len);
	if (r < 0 || (r = check_room(w, len)) < 0 || (r = ext4_output_copy_from(&w->out, in_fd, in_offset, len)) < 0)
		return r;
	w->cur.logical = offset + len;
	return 0;
}

/* Writes `len` bytes as the whole data of inode ino (slow symlink target,
 * directory blocks): one dense run and its extent tree. */
static int write_dense(struct ext4_writer *w, uint32_t ino, const void *p, size_t len)
{
	uint32_t start = out_block(w);
	int r = out_write(w, p, len);
	if (r < 0 || (r = out_pad_block(w)) < 0)
		return r;
	uint64_t blocks = out_block(w) - start;
	size_t n = 0, cap = (size_t)ext4_div_round_up(blocks, EXT4_MAX_EXTENT_LEN);
	struct ext4_extent_run *runs = calloc(cap ? cap : 1, sizeof(*runs));
	if (!runs)
		return err_set(-ENOMEM, "recording extents");
	r = ext4_extent_split_run(0, start, blocks, runs, &n, cap);
	if (r == 0)
		r = commit_extents(w, ino, runs, n, start, true);
	free(runs);
	return r;
}

/* Sets the attributes an entry carries on inode ino (type bits from the
 * entry type). */
static int apply_attributes(struct ext4_writer *w, uint32_t ino, const struct ext4_writer_entry *e, uint32_t type_bits)
{
	struct inode_rec *rec = &w->inodes[ino];
	uint32_t perm = e->perm & 07777u;
	if (type_bits == EXT4_S_IFLNK)
		perm = 0777;
	rec->mode = (uint16_t)(type_bits | perm);
	rec->uid = e->uid;
	rec->gid = e->gid;
	rec->mtime = ext4_time_encode(e->mtime.sec, e->mtime.nsec);
	rec->atime = ext4_time_encode(e->atime.sec, e->atime.nsec);
	rec->ctime = ext4_time_encode(e->ctime.sec, e->ctime.nsec);
	return e->nxattrs ? xattrs_merge(w, ino, e->xattrs, e->nxattrs, e->path) : 0;
}

static uint32_t type_bits_of(uint8_t type)
{
	switch (type) {
	case EXT4_FT_REG_FILE: return EXT4_S_IFREG;
	case EXT4_FT_DIR: return EXT4_S_IFDIR;
	case EXT4_FT_CHRDEV: return EXT4_S_IFCHR;
	case EXT4_FT_BLKDEV: return EXT4_S_IFBLK;
	case EXT4_FT_FIFO: return EXT4_S_IFIFO;
	case EXT4_FT_SOCK: return EXT4_S_IFSOCK;
	case EXT4_FT_SYMLINK: return EXT4_S_IFLNK;
	default: return 0;
	}
}

int ext4_writer_add(struct ext4_writer *w, const struct ext4_writer_entry *e)
{
	int r = finish_file(w);
	if (r < 0)
		return r;
	uint32_t type_bits = type_bits_of(e->type);
	if (!type_bits)
		return err_setmsg(-EINVAL, "%s: unsupported entry type %u", e->path, e->type);

	/* Checks that need nothing allocated. */
	if (e->type == EXT4_FT_REG_FILE) {
		uint64_t max_file = (uint64_t)(EXT4_EXTENT_MAX_RUNS - 8) * EXT4_MAX_EXTENT_LEN * EXT4_BLOCK_SIZE;
		if (e->size > max_file)
			return err_setmsg(-EFBIG, "%s: size %" PRIu64 " exceeds the largest file this writer maps (%" PRIu64 " bytes)",
					  e->path, e->size, max_file);
		if (!e->sparse && out_pos(w) + ext4_div_round_up(e->size, EXT4_BLOCK_SIZE) * EXT4_BLOCK_SIZE > w->max_size)
			return err_setmsg(-EFBIG, "%s: %" PRIu64 " bytes do not fit in the maximum image size of %" PRIu64 " bytes",
					  e->path, e->size, w->max_size);
	}
	if (e->type == EXT4_FT_SYMLINK) {
		if (e->link_len == 0)
			return err_setmsg(-EINVAL, "%s: symbolic link with an empty target", e->path);
		if (e->link_len >= EXT4_BLOCK_SIZE)
			return err_setmsg(-ENAMETOOLONG, "%s: symbolic link target of %zu bytes (at most 4095)", e->path,
					  e->link_len);
		if (memchr(e->link_target, '\0', e->link_len))
			return err_setmsg(-EINVAL, "%s: symbolic link target contains a NUL byte", e->path);
	}
	if ((e->type == EXT4_FT_CHRDEV || e->type == EXT4_FT_BLKDEV) &&
	    (e->dev_major > EXT4_DEV_MAJOR_MAX || e->dev_minor > EXT4_DEV_MINOR_MAX))
		return err_setmsg(-EINVAL, "%s: device number %" PRIu32 ":%" PRIu32 " out of range", e->path, e->dev_major,
				  e->dev_minor);

	int len = clean_into_buffer(w, e->path);
	if (len < 0)
		return len;
	content_hash_add(w, w->path_buf, (size_t)len + 1);
	uint64_t facts[6] = { e->type, e->perm, e->uid, e->gid, e->size, (uint64_t)e->mtime.sec };
	content_hash_add(w, facts, sizeof(facts));

	if (len == 0) {
		if (e->type != EXT4_FT_DIR)
			return err_setmsg(-EINVAL, "%s: names the image root but is not a directory", e->path);
		return apply_attributes(w, EXT4_ROOT_INO, e, EXT4_S_IFDIR);
	}
	uint32_t parent;
	const char *name;
	size_t name_len;
	if ((r = resolve_parent(w, w->path_buf, (size_t)len, e->path, &parent, &name, &name_len)) < 0)
		return r;
	int64_t d = dirent_lookup(w, parent, name, name_len);
	if (d >= 0 && e->type == EXT4_FT_DIR && is_dir(&w->inodes[w->dirents[d].ino]))
		return apply_attributes(w, w->dirents[d].ino, e, EXT4_S_IFDIR); /* directories merge */

	uint32_t ino;
	if ((r = inode_new(w, &ino)) < 0)
		return r;
	if (d >= 0) {
		w->dirents[d].ino = ino; /* last entry wins; the old inode is freed if unreachable */
		w->parent_cache.valid = false;
	} else if ((r = dirent_add(w, parent, name, name_len, ino)) < 0)
		return r;
	if ((r = apply_attributes(w, ino, e, type_bits)) < 0)
		return r;

	struct inode_rec *rec = &w->inodes[ino];
	switch (e->type) {
	case EXT4_FT_REG_FILE:
		rec->size = e->size;
		w->cur = (struct current_file){
			.active = true, .ino = ino, .size = e->size, .phys_start = out_block(w),
			.run_physical = out_block(w), .runs = w->cur.runs, .cap = w->cur.cap,
		};
		return 0;
	case EXT4_FT_SYMLINK:
		rec->size = e->link_len;
		if (e->link_len <= EXT4_FAST_SYMLINK_MAX) {
			uint32_t off;
			if ((r = arena_append(&w->blob, e->link_target, e->link_len, &off)) < 0)
				return r;
			w->inodes[ino].aux = off;
			return 0;
		}
		return write_dense(w, ino, e->link_target, e->link_len);
	case EXT4_FT_CHRDEV:
	case EXT4_FT_BLKDEV:
		rec->data_start = ext4_dev_encode(e->dev_major, e->dev_minor);
		return 0;
	default:
		return 0;
	}
}

int ext4_writer_add_hardlink(struct ext4_writer *w, const char *path, const char *target)
{
	int r = finish_file(w);
	if (r < 0)
		return r;
	int len = clean_into_buffer(w, target);
	if (len < 0)
		return len;
	uint32_t target_ino;
	if (len == 0 || resolve_existing(w, w->path_buf, (size_t)len, &target_ino) < 0)
		return err_setmsg(-ENOENT, "%s: hard link target %s does not exist", path, target);
	if (is_dir(&w->inodes[target_ino]))
		return err_setmsg(-EPERM, "%s: hard link to directory %s", path, target);

	if ((len = clean_into_buffer(w, path)) < 0)
		return len;
	content_hash_add(w, w->path_buf, (size_t)len + 1);
	content_hash_add(w, &target_ino, sizeof(target_ino));
	if (len == 0)
		return err_setmsg(-EINVAL, "%s: a hard link cannot replace the image root", path);
	uint32_t parent;
	const char *name;
	size_t name_len;
	if ((r = resolve_parent(w, w->path_buf, (size_t)len, path, &parent, &name, &name_len)) < 0)
		return r;
	int64_t d = dirent_lookup(w, parent, name, name_len);
	if (d >= 0) {
		w->dirents[d].ino = target_ino;
		w->parent_cache.valid = false;
		return 0;
	}
	return dirent_add(w, parent, name, name_len, target_ino);
}

int ext4_writer_set_dir_xattr(struct ext4_writer *w, const char *path, const char *name, const void *value,
			      uint32_t vlen)
{
	int r = finish_file(w);
	if (r < 0)
		return r;
	int len = clean_into_buffer(w, path);
	if (len < 0)
		return len;
	content_hash_add(w, w->path_buf, (size_t)len + 1);
	content_hash_add(w, name, strlen(name));
	uint32_t ino = EXT4_ROOT_INO;
	if (len > 0) {
		/* Treat the directory as "dir/x" so resolve_parent creates it. */
		size_t need = (size_t)len + 3;
		char *tmp = malloc(need);
		if (!tmp)
			return err_set(-ENOMEM, "resolving %s", path);
		memcpy(tmp, w->path_buf, (size_t)len);
		memcpy(tmp + len, "/x", 3);
		const char *leaf;
		size_t leaf_len;
		r = resolve_parent(w, tmp, (size_t)len + 2, path, &ino, &leaf, &leaf_len);
		free(tmp);
		if (r < 0)
			return r;
	}
	struct ext4_xattr x = { .name = name, .value = value, .len = vlen };
	return xattrs_merge(w, ino, &x, 1, path);
}

/* ---------------------------------------------------------------- setup */

int ext4_writer_new(int fd, const struct ext4_writer_options *opt, struct ext4_writer **out)
{
	uint64_t max = opt && opt->max_size ? opt->max_size : EXT4_WRITER_DEFAULT_MAX_SIZE;
	if (max > EXT4_WRITER_LIMIT_MAX_SIZE)
		return err_setmsg(-EINVAL, "maximum image size %" PRIu64 " exceeds 16 TiB", max);
	if (max < EXT4_WRITER_MIN_MAX_SIZE)
		return err_setmsg(-EINVAL, "maximum image size %" PRIu64 " is below 1 MiB", max);
	max -= max % EXT4_BLOCK_SIZE;

	struct ext4_writer *w = calloc(1, sizeof(*w));
	if (!w)
		return err_set(-ENOMEM, "allocating the writer");
	w->fd = fd;
	w->max_size = max;
	uint64_t max_groups = ext4_div_round_up(max / EXT4_BLOCK_SIZE, EXT4_BLOCKS_PER_GROUP);
	w->gdt_blocks = (uint32_t)ext4_div_round_up(max_groups, EXT4_DESCS_PER_BLOCK);
	w->nbuckets = 1024;
	w->buckets = calloc(w->nbuckets, sizeof(*w->buckets));
	w->content_hash[0] = 0xcbf29ce484222325ull;
	w->content_hash[1] = 0x84222325cbf29ce4ull;
	int r = ext4_output_init(&w->out, fd, (uint64_t)(1 + w->gdt_blocks) * EXT4_BLOCK_SIZE,
				 opt && opt->background_writes);
	if (r == 0 && !w->buckets)
		r = err_set(-ENOMEM, "allocating the writer");
	/* Inodes 0 (unused slot), 1..10 reserved, 11 lost+found; 2 is the root. */
	for (uint32_t i = 0; r == 0 && i <= EXT4_FIRST_INO; i++) {
		uint32_t ino;
		r = inode_new(w, &ino);
		if (r == 0 && ino != EXT4_ROOT_INO && ino != EXT4_FIRST_INO)
			w->inodes[ino].state = 0;
	}
	if (r == 0) {
		w->inodes[EXT4_ROOT_INO].mode = EXT4_S_IFDIR | 0755;
		w->inodes[EXT4_FIRST_INO].mode = EXT4_S_IFDIR | 0700;
		r = dirent_add(w, EXT4_ROOT_INO, "lost+found", 10, EXT4_FIRST_INO);
	}
	if (r < 0) {
		ext4_writer_free(w);
		return r;
	}
	*out = w;
	return 0;
}

void ext4_writer_free(struct ext4_writer *w)
{
	if (!w)
		return;
	ext4_output_destroy(&w->out);
	free(w->inodes);
	free(w->dirents);
	free(w->buckets);
	free(w->names.p);
	free(w->blob.p);
	free(w->freed);
	free(w->cur.runs);
	free(w->path_buf);
	free(w->parent_cache.path);
	free(w);
}

void ext4_writer_uuid(const struct ext4_writer *w, uint8_t uuid[16]) { memcpy(uuid, w->uuid, 16); }

uint64_t ext4_writer_skipped_xattrs(const struct ext4_writer *w) { return w->skipped_xattrs; }

/* ---------------------------------------------------------------- finish */

static uint8_t file_type_of(const struct inode_rec *r)
{
	switch (r->mode & EXT4_S_IFMT) {
	case EXT4_S_IFREG: return EXT4_FT_REG_FILE;
	case EXT4_S_IFDIR: return EXT4_FT_DIR;
	case EXT4_S_IFCHR: return EXT4_FT_CHRDEV;
	case EXT4_S_IFBLK: return EXT4_FT_BLKDEV;
	case EXT4_S_IFIFO: return EXT4_FT_FIFO;
	case EXT4_S_IFSOCK: return EXT4_FT_SOCK;
	case EXT4_S_IFLNK: return EXT4_FT_SYMLINK;
	default: return EXT4_FT_UNKNOWN;
	}
}

/* Physical blocks an inode owns, excluding its attribute block. */
static uint32_t owned_blocks(const struct inode_rec *r)
{
	if (!(r->state & REC_HAS_DATA))
		return 0;
	if (r->state & REC_CUSTOM_IBLOCK)
		return r->data_blocks;
	uint64_t n = ext4_div_round_up(r->data_blocks, EXT4_MAX_EXTENT_LEN);
	return r->data_blocks + ext4_extent_leaf_blocks((size_t)n);
}

static int add_freed(struct ext4_writer *w, uint32_t start, uint32_t count)
{
	if (count == 0)
		return 0;
	if (w->nfreed == w->freed_cap) {
		size_t cap = w->freed_cap ? w->freed_cap * 2 : 64;
		struct freed_range *np = realloc(w->freed, cap * sizeof(*np));
		if (!np)
			return err_set(-ENOMEM, "recording freed blocks");
		w->freed = np;
		w->freed_cap = cap;
	}
	w->freed[w->nfreed++] = (struct freed_range){ start, count };
	return 0;
}

/* Children of each directory, grouped: order[first[d] .. first[d+1]) are
 * the indexes of d's dirents, in the order they were added. */
struct children_index {
	uint32_t *first;
	uint32_t *order;
};

static int index_children(struct ext4_writer *w, struct children_index *ci)
{
	ci->first = calloc((size_t)w->ninodes + 1, sizeof(uint32_t));
	ci->order = malloc(((size_t)w->ndirents + 1) * sizeof(uint32_t));
	if (!ci->first || !ci->order)
		return err_set(-ENOMEM, "indexing directories");
	for (uint32_t i = 0; i < w->ndirents; i++)
		if (w->dirents[i].ino)
			ci->first[w->dirents[i].parent + 1]++;
	for (uint32_t d = 0; d < w->ninodes; d++)
		ci->first[d + 1] += ci->first[d];
	uint32_t *fill = calloc(w->ninodes ? w->ninodes : 1, sizeof(uint32_t));
	if (!fill)
		return err_set(-ENOMEM, "indexing directories");
	for (uint32_t i = 0; i < w->ndirents; i++) {
		uint32_t p = w->dirents[i].parent;
		if (w->dirents[i].ino)
			ci->order[ci->first[p] + fill[p]++] = i;
	}
	free(fill);
	return 0;
}

/* Marks everything reachable from the root, counts links and frees the
 * blocks of whatever a later entry replaced. */
static int compute_links(struct ext4_writer *w, const struct children_index *ci)
{
	uint32_t *queue = malloc((size_t)w->ninodes * sizeof(uint32_t));
	if (!queue)
		return err_set(-ENOMEM, "walking the tree");
	size_t head = 0, tail = 0;
	for (uint32_t i = 0; i < w->ninodes; i++) {
		w->inodes[i].state &= (uint8_t)~REC_REACHED;
		w->inodes[i].links = 0;
	}
	w->inodes[EXT4_ROOT_INO].state |= REC_REACHED;
	w->inodes[EXT4_ROOT_INO].aux = EXT4_ROOT_INO;
	queue[tail++] = EXT4_ROOT_INO;
	int r = 0;
	while (head < tail) {
		uint32_t d = queue[head++];
		uint32_t subdirs = 0;
		for (uint32_t k = ci->first[d]; k < ci->first[d + 1]; k++) {
			uint32_t c = w->dirents[ci->order[k]].ino;
			struct inode_rec *rec = &w->inodes[c];
			if (is_dir(rec)) {
				if (rec->state & REC_REACHED)
					continue; /* never happens: directories have one name */
				rec->state |= REC_REACHED;
				rec->aux = d;
				queue[tail++] = c;
				subdirs++;
			} else {
				rec->state |= REC_REACHED;
				if (++rec->links > EXT4_LINK_MAX) {
					r = err_setmsg(-EMLINK, "more than %u hard links to one file", EXT4_LINK_MAX);
					goto out;
				}
			}
		}
		uint32_t links = 2 + subdirs;
		if (links >= EXT4_LINK_MAX) {
			links = 1; /* dir_nlink: "many" */
			w->dir_nlink = true;
		}
		w->inodes[d].links = links;
	}
	for (uint32_t i = 1; i < w->ninodes; i++) {
		struct inode_rec *rec = &w->inodes[i];
		if ((rec->state & REC_USED) && !(rec->state & REC_REACHED)) {
			if ((r = add_freed(w, rec->data_start, owned_blocks(rec))) < 0)
				goto out;
			rec->state = 0;
		}
	}
out:
	free(queue);
	return r;
}

static int write_directories(struct ext4_writer *w, const struct children_index *ci)
{
	struct ext4_dir_hashing hashing = { .version = HTREE_HASH_VERSION, .unsigned_chars = true };
	memcpy(hashing.seed, w->hash_seed, sizeof(hashing.seed));
	struct ext4_dir_child *children = NULL;
	size_t cap = 0;
	int r = 0;
	for (uint32_t d = 1; d < w->ninodes && r == 0; d++) {
		struct inode_rec *rec = &w->inodes[d];
		if (!(rec->state & REC_REACHED) || !is_dir(rec))
			continue;
		size_t n = ci->first[d + 1] - ci->first[d];
		if (n > cap) {
			free(children);
			cap = n;
			children = malloc(cap * sizeof(*children));
			if (!children)
				return err_set(-ENOMEM, "building directories");
		}
		for (size_t k = 0; k < n; k++) {
			const struct dirent_rec *de = &w->dirents[ci->order[ci->first[d] + k]];
			children[k] = (struct ext4_dir_child){
				.name = w->names.p + de->name_off,
				.name_len = de->name_len,
				.file_type = file_type_of(&w->inodes[de->ino]),
				.ino = de->ino,
			};
		}
		uint8_t *blocks;
		uint32_t nblocks;
		bool indexed;
		r = ext4_dir_build(d, rec->aux, children, n, &hashing, &blocks, &nblocks, &indexed);
		if (r == -E2BIG)
			r = err_setmsg(r, "a directory with %zu entries is too large for a two-level index", n);
		else if (r < 0)
			r = err_set(r, "building a directory");
		if (r < 0)
			break;
		r = write_dense(w, d, blocks, (size_t)nblocks * EXT4_BLOCK_SIZE);
		free(blocks);
		w->inodes[d].size = (uint64_t)nblocks * EXT4_BLOCK_SIZE;
		if (indexed)
			w->inodes[d].state |= REC_INDEXED;
	}
	free(children);
	return r;
}

static int write_xattr_blocks(struct ext4_writer *w)
{
	struct ext4_xattr_layout *layout = malloc(sizeof(*layout));
	if (!layout)
		return err_set(-ENOMEM, "placing attributes");
	int r = 0;
	for (uint32_t i = 1; i < w->ninodes && r == 0; i++) {
		struct inode_rec *rec = &w->inodes[i];
		if (!(rec->state & REC_REACHED) || !rec->xattrs)
			continue;
		struct xattr_list l;
		if ((r = xattr_list_load(w, rec->xattrs, &l)) < 0)
			break;
		r = ext4_xattr_place(l.items, l.n, layout);
		xattr_list_free(&l);
		if (r < 0) {
			r = err_setmsg(r, "inode %u: placing extended attributes", i);
			break;
		}
		if (layout->in_block) {
			rec->xattr_block = out_block(w);
			r = out_write(w, layout->block, EXT4_BLOCK_SIZE);
		}
	}
	free(layout);
	return r;
}

static int encode_inode(struct ext4_writer *w, uint32_t ino, struct ext4_inode *out,
			struct ext4_xattr_layout *layout)
{
	const struct inode_rec *rec = &w->inodes[ino];
	memset(out, 0, sizeof(*out));
	out->i_mode = le16(rec->mode);
	out->i_uid = le16((uint16_t)rec->uid);
	out->i_uid_high = le16((uint16_t)(rec->uid >> 16));
	out->i_gid = le16((uint16_t)rec->gid);
	out->i_gid_high = le16((uint16_t)(rec->gid >> 16));
	out->i_size_lo = le32((uint32_t)rec->size);
	out->i_size_high = le32((uint32_t)(rec->size >> 32));
	out->i_atime = le32(rec->atime.lo);
	out->i_atime_extra = le32(rec->atime.extra);
	out->i_ctime = le32(rec->ctime.lo);
	out->i_ctime_extra = le32(rec->ctime.extra);
	out->i_mtime = le32(rec->mtime.lo);
	out->i_mtime_extra = le32(rec->mtime.extra);
	out->i_crtime = le32(rec->mtime.lo);
	out->i_crtime_extra = le32(rec->mtime.extra);
	out->i_links_count = le16((uint16_t)rec->links);
	out->i_extra_isize = le16(EXT4_EXTRA_ISIZE);
	uint32_t flags = EXT4_HUGE_FILE_FL;
	uint32_t blocks = owned_blocks(rec);

	switch (rec->mode & EXT4_S_IFMT) {
	case EXT4_S_IFREG:
	case EXT4_S_IFDIR:
	case EXT4_S_IFLNK:
		if ((rec->mode & EXT4_S_IFMT) == EXT4_S_IFLNK && rec->size <= EXT4_FAST_SYMLINK_MAX) {
			memcpy(out->i_block, w->blob.p + rec->aux, rec->size);
			break;
		}
		if (rec->size == 0)
			break; /* empty regular file: no mapping at all (§7.2) */
		flags |= EXT4_EXTENTS_FL;
		if (rec->state & REC_CUSTOM_IBLOCK) {
			memcpy(out->i_block, w->blob.p + rec->aux, 60);
		} else {
			struct ext4_extent_run runs[EXT4_EXTENT_MAX_RUNS];
			size_t n = 0;
			if (rec->state & REC_HAS_DATA)
				ext4_extent_split_run(0, rec->data_start, rec->data_blocks, runs, &n, EXT4_EXTENT_MAX_RUNS);
			/* Leaves already written: only the root is rebuilt here. */
			uint8_t scratch_leaves[EXT4_BLOCK_SIZE * 4];
			int r = ext4_extent_build(runs, n, out->i_block, scratch_leaves,
						  rec->data_start + rec->data_blocks);
			if (r < 0)
				return err_setmsg(r, "inode %u: rebuilding its extent tree", ino);
		}
		if (rec->state & REC_INDEXED)
			flags |= EXT4_INDEX_FL;
		break;
	case EXT4_S_IFCHR:
	case EXT4_S_IFBLK:
		put_le32(out->i_block + 4, rec->data_start);
		break;
	default:
		break;
	}
	if (rec->xattrs) {
		struct xattr_list l;
		int r = xattr_list_load(w, rec->xattrs, &l);
		if (r < 0)
			return r;
		r = ext4_xattr_place(l.items, l.n, layout);
		xattr_list_free(&l);
		if (r < 0)
			return err_setmsg(r, "inode %u: placing extended attributes", ino);
		if (layout->in_inode)
			memcpy(out->i_xattr_area, layout->inode_area, EXT4_INODE_XATTR_AREA);
		if (rec->xattr_block) {
			out->i_file_acl_lo = le32(rec->xattr_block);
			blocks++;
		}
	}
	out->i_blocks_lo = le32(blocks);
	out->i_flags = le32(flags);
	return 0;
}

struct geometry {
	uint32_t groups, ipg, itb;
	uint32_t inode_table; /* B */
	uint32_t valid_data;  /* B + T + 2 x groups */
	uint32_t blocks;      /* D */
};

/* §5.2: the inodes-per-group giving the fewest groups (ties: fewest
 * inodes), and §5.3 the final block count. */
static int choose_geometry(const struct ext4_writer *w, uint32_t data_end, struct geometry *g)
{
	uint64_t n = w->ninodes - 1; /* highest inode number */
	uint64_t best_groups = UINT64_MAX, best_ipg = 0;
	for (uint64_t ipg = 16; ipg <= 32768; ipg += 16) {
		uint64_t itb = ipg / EXT4_INODES_PER_BLOCK;
		uint64_t dpg = EXT4_BLOCKS_PER_GROUP - itb - 2;
		uint64_t min_b = ((n - 1) / ipg) * dpg + 1;
		uint64_t b = data_end > min_b ? data_end : min_b;
		uint64_t groups = ext4_div_round_up(b, dpg);
		if (groups < best_groups) {
			best_groups = groups;
			best_ipg = ipg;
		}
	}
	if (best_groups * best_ipg > UINT32_MAX)
		return err_setmsg(-E2BIG, "too many inodes for one file system");
	g->groups = (uint32_t)best_groups;
	g->ipg = (uint32_t)best_ipg;
	g->itb = g->ipg / EXT4_INODES_PER_BLOCK;
	g->inode_table = data_end;
	uint64_t valid = (uint64_t)data_end + (uint64_t)g->groups * g->itb + 2ull * g->groups;
	uint64_t min_last = (uint64_t)(g->groups - 1) * EXT4_BLOCKS_PER_GROUP + 1;
	uint64_t d = valid > min_last ? valid : min_last;
	if (d * EXT4_BLOCK_SIZE > w->max_size ||
	    ext4_div_round_up(g->groups, EXT4_DESCS_PER_BLOCK) > w->gdt_blocks)
		return err_setmsg(-EFBIG, "the content needs %" PRIu64 " bytes, more than the maximum image size of %" PRIu64 " bytes",
				  d * EXT4_BLOCK_SIZE, w->max_size);
	g->valid_data = (uint32_t)valid;
	g->blocks = (uint32_t)d;
	return 0;
}

static int cmp_freed(const void *a, const void *b)
{
	const struct freed_range *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

static void bits_set(uint8_t *bm, uint32_t from, uint32_t to)
{
	for (uint32_t i = from; i < to; i++)
		bm[i >> 3] |= (uint8_t)(1u << (i & 7));
}

static void bits_clear(uint8_t *bm, uint32_t from, uint32_t to)
{
	for (uint32_t i = from; i < to; i++)
		bm[i >> 3] &= (uint8_t)~(1u << (i & 7));
}

static uint32_t bits_count(const uint8_t *bm, uint32_t nbits)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < nbits / 8; i++)
		n += (uint32_t)__builtin_popcount(bm[i]);
	return n;
}

static int write_bitmaps(struct ext4_writer *w, const struct geometry *g, struct ext4_group_desc *gd,
			 uint64_t *free_blocks, uint64_t *free_inodes)
{
	uint8_t *bb = malloc(EXT4_BLOCK_SIZE), *ib = malloc(EXT4_BLOCK_SIZE);
	if (!bb || !ib) {
		free(bb);
		free(ib);
		return err_set(-ENOMEM, "building bitmaps");
	}
	if (w->nfreed)
		qsort(w->freed, w->nfreed, sizeof(*w->freed), cmp_freed);
	uint32_t used_gdt = (uint32_t)ext4_div_round_up(g->groups, EXT4_DESCS_PER_BLOCK);
	size_t fi = 0;
	int r = 0;
	*free_blocks = *free_inodes = 0;
	for (uint32_t grp = 0; grp < g->groups && r == 0; grp++) {
		uint64_t first = (uint64_t)grp * EXT4_BLOCKS_PER_GROUP, last = first + EXT4_BLOCKS_PER_GROUP;
		memset(bb, 0, EXT4_BLOCK_SIZE);
		if (g->valid_data > first)
			bits_set(bb, 0, (uint32_t)((g->valid_data < last ? g->valid_data : last) - first));
		if (grp == 0)
			bits_clear(bb, 1 + used_gdt, 1 + w->gdt_blocks);
		while (fi < w->nfreed && w->freed[fi].start < last) {
			uint64_t s = w->freed[fi].start, e = s + w->freed[fi].count;
			uint64_t cs = s > first ? s : first, ce = e < last ? e : last;
			bits_clear(bb, (uint32_t)(cs - first), (uint32_t)(ce - first));
			if (e > last)
				break; /* continues in the next group */
			fi++;
		}
		if (g->blocks < last)
			bits_set(bb, (uint32_t)(g->blocks - first), EXT4_BLOCKS_PER_GROUP);
		uint32_t free_b = EXT4_BLOCKS_PER_GROUP - bits_count(bb, EXT4_BLOCKS_PER_GROUP);

		memset(ib, 0, EXT4_BLOCK_SIZE);
		uint32_t used_i = 0, dirs = 0;
		for (uint32_t j = 0; j < g->ipg; j++) {
			uint64_t ino = (uint64_t)grp * g->ipg + j + 1;
			bool used = ino < EXT4_FIRST_INO;
			if (ino < w->ninodes && (w->inodes[ino].state & REC_REACHED)) {
				used = true;
				dirs += is_dir(&w->inodes[ino]);
			}
			if (used) {
				ib[j >> 3] |= (uint8_t)(1u << (j & 7));
				used_i++;
			}
		}
		bits_set(ib, g->ipg, EXT4_BLOCK_SIZE * 8); /* padding (§8.2) */

		gd[grp] = (struct ext4_group_desc){
			.bg_block_bitmap_lo = le32(g->inode_table + g->groups * g->itb + 2 * grp),
			.bg_inode_bitmap_lo = le32(g->inode_table + g->groups * g->itb + 2 * grp + 1),
			.bg_inode_table_lo = le32(g->inode_table + grp * g->itb),
			.bg_free_blocks_count_lo = le16((uint16_t)free_b),
			.bg_free_inodes_count_lo = le16((uint16_t)(g->ipg - used_i)),
			.bg_used_dirs_count_lo = le16((uint16_t)dirs),
		};
		*free_blocks += free_b;
		*free_inodes += g->ipg - used_i;
		if ((r = out_write(w, bb, EXT4_BLOCK_SIZE)) == 0)
			r = out_write(w, ib, EXT4_BLOCK_SIZE);
	}
	free(bb);
	free(ib);
	return r;
}

static int write_superblock(struct ext4_writer *w, const struct geometry *g, uint64_t free_blocks,
			    uint64_t free_inodes)
{
	uint8_t block[EXT4_BLOCK_SIZE];
	memset(block, 0, sizeof(block));
	struct ext4_superblock sb;
	memset(&sb, 0, sizeof(sb));
	sb.s_inodes_count = le32(g->groups * g->ipg);
	sb.s_blocks_count_lo = le32(g->blocks);
	sb.s_free_blocks_count_lo = le32((uint32_t)free_blocks);
	sb.s_free_inodes_count = le32((uint32_t)free_inodes);
	sb.s_first_data_block = 0;
	sb.s_log_block_size = le32(EXT4_LOG_BLOCK_SIZE);
	sb.s_log_cluster_size = le32(EXT4_LOG_BLOCK_SIZE);
	sb.s_blocks_per_group = le32(EXT4_BLOCKS_PER_GROUP);
	sb.s_clusters_per_group = le32(EXT4_BLOCKS_PER_GROUP);
	sb.s_inodes_per_group = le32(g->ipg);
	sb.s_magic = le16(EXT4_SUPER_MAGIC);
	sb.s_state = le16(1);
	sb.s_errors = le16(1);
	sb.s_rev_level = le32(1);
	sb.s_first_ino = le32(EXT4_FIRST_INO);
	sb.s_inode_size = le16(EXT4_INODE_SIZE);
	sb.s_feature_compat = le32(EXT4_FEATURE_COMPAT_EXT_ATTR | EXT4_FEATURE_COMPAT_DIR_INDEX |
				   EXT4_FEATURE_COMPAT_SPARSE_SUPER2);
	sb.s_feature_incompat =
		le32(EXT4_FEATURE_INCOMPAT_FILETYPE | EXT4_FEATURE_INCOMPAT_EXTENTS | EXT4_FEATURE_INCOMPAT_FLEX_BG);
	sb.s_feature_ro_compat =
		le32(EXT4_FEATURE_RO_COMPAT_LARGE_FILE | EXT4_FEATURE_RO_COMPAT_HUGE_FILE |
		     EXT4_FEATURE_RO_COMPAT_EXTRA_ISIZE | EXT4_FEATURE_RO_COMPAT_READONLY |
		     (w->dir_nlink ? EXT4_FEATURE_RO_COMPAT_DIR_NLINK : 0));
	memcpy(sb.s_uuid, w->uuid, 16);
	for (int i = 0; i < 4; i++)
		sb.s_hash_seed[i] = le32(w->hash_seed[i]);
	sb.s_def_hash_version = HTREE_HASH_VERSION;
	sb.s_flags = le32(EXT4_FLAGS_UNSIGNED_HASH);
	sb.s_min_extra_isize = le16(EXT4_EXTRA_ISIZE);
	sb.s_want_extra_isize = le16(EXT4_EXTRA_ISIZE);
	sb.s_log_groups_per_flex = 31;
	/* A layer may replace lost+found with something else. */
	const struct inode_rec *lpf = &w->inodes[EXT4_FIRST_INO];
	sb.s_lpf_ino = le32((lpf->state & REC_REACHED) && is_dir(lpf) ? EXT4_FIRST_INO : 0);
	memcpy(block + 1024, &sb, sizeof(sb));
	return pwrite_all(w->fd, block, sizeof(block), 0);
}

/* A fixed UUID and hash seed derived from the entries (§ determinism). */
static void derive_identity(struct ext4_writer *w)
{
	uint64_t a = w->content_hash[0], b = w->content_hash[1];
	for (int i = 0; i < 8; i++) {
		w->uuid[i] = (uint8_t)(a >> (8 * i));
		w->uuid[8 + i] = (uint8_t)(b >> (8 * i));
	}
	w->uuid[6] = (uint8_t)((w->uuid[6] & 0x0F) | 0x40); /* RFC 4122 version 4 layout */
	w->uuid[8] = (uint8_t)((w->uuid[8] & 0x3F) | 0x80);
	uint64_t s1 = a * 0x9E3779B97F4A7C15ull ^ b, s2 = b * 0xC2B2AE3D27D4EB4Full ^ a;
	w->hash_seed[0] = (uint32_t)s1;
	w->hash_seed[1] = (uint32_t)(s1 >> 32);
	w->hash_seed[2] = (uint32_t)s2;
	w->hash_seed[3] = (uint32_t)(s2 >> 32) | 1; /* never the all-zero "default" seed */
}

int ext4_writer_finish(struct ext4_writer *w, uint64_t *image_size)
{
	if (w->finished)
		return err_setmsg(-EINVAL, "the image is already finished");
	w->finished = true;
	int r = finish_file(w);
	if (r < 0)
		return r;
	derive_identity(w);

	struct children_index ci = { NULL, NULL };
	struct ext4_group_desc *gd = NULL;
	struct ext4_xattr_layout *layout = NULL;
	struct geometry g;
	uint64_t free_blocks = 0, free_inodes = 0;
	if ((r = index_children(w, &ci)) < 0 || (r = compute_links(w, &ci)) < 0)
		goto out;
	if ((r = write_directories(w, &ci)) < 0 || (r = write_xattr_blocks(w)) < 0)
		goto out;
	if ((r = choose_geometry(w, out_block(w), &g)) < 0)
		goto out;

	layout = malloc(sizeof(*layout));
	if (!layout) {
		r = err_set(-ENOMEM, "writing inodes");
		goto out;
	}
	struct ext4_inode inode;
	uint64_t total_inodes = (uint64_t)g.groups * g.ipg;
	for (uint64_t ino = 1; ino <= total_inodes; ino++) {
		if (ino < w->ninodes && (w->inodes[ino].state & REC_REACHED)) {
			if ((r = encode_inode(w, (uint32_t)ino, &inode, layout)) < 0 ||
			    (r = out_write(w, &inode, sizeof(inode))) < 0)
				goto out;
		} else {
			uint64_t end = ino;
			while (end + 1 <= total_inodes && !(end + 1 < w->ninodes && (w->inodes[end + 1].state & REC_REACHED)))
				end++;
			if ((r = out_zeros(w, (end - ino + 1) * EXT4_INODE_SIZE)) < 0)
				goto out;
			ino = end;
		}
	}
	gd = calloc(g.groups, sizeof(*gd));
	if (!gd) {
		r = err_set(-ENOMEM, "building group descriptors");
		goto out;
	}
	if ((r = write_bitmaps(w, &g, gd, &free_blocks, &free_inodes)) < 0 || (r = out_flush(w)) < 0)
		goto out;
	if (ftruncate(w->fd, (off_t)((uint64_t)g.blocks * EXT4_BLOCK_SIZE)) < 0) {
		r = err_set(-errno, "sizing the image");
		goto out;
	}
	if ((r = pwrite_all(w->fd, gd, (size_t)g.groups * sizeof(*gd), EXT4_BLOCK_SIZE)) < 0)
		goto out;
	if ((r = write_superblock(w, &g, free_blocks, free_inodes)) < 0)
		goto out;
	*image_size = (uint64_t)g.blocks * EXT4_BLOCK_SIZE;
out:
	free(ci.first);
	free(ci.order);
	free(gd);
	free(layout);
	return r;
}
