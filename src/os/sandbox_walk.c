/* sandbox_walk.c: a directory tree -> layer tar (see the header).
 *
 * Paths are built as one string from the root so that lstat, llistxattr
 * and open work on them directly; nothing follows a symlink (lstat,
 * O_NOFOLLOW, l*xattr). A file that disappears while the tree is archived
 * (a live container) is skipped and noted, as Docker's archiver does. */
#include "os/sandbox_walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/err.h"
#include "lib/whiteout.h"

#define READ_CHUNK (1u << 20)

struct link_entry {
	dev_t dev;
	ino_t ino;
	char *path; /* relative */
};

struct walk {
	const struct sandbox_walk_options *opt;
	struct vtar *out;
	struct sandbox_walk_stats *stats;
	char *path; /* root + "/" + relative */
	size_t root_len, cap;
	unsigned char *buf;
	struct link_entry *links;
	size_t nlinks, links_cap;
};

static const char *rel(const struct walk *w)
{
	return w->path[w->root_len] ? w->path + w->root_len + 1 : "";
}

static void note(struct walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct walk *w, const char *fmt, ...)
{
	w->stats->skipped++;
	if (!w->opt->note)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->opt->note(w->opt->note_ctx, msg);
}

static int path_set(struct walk *w, size_t base, const char *name)
{
	size_t need = base + 1 + strlen(name) + 1;
	if (need > w->cap) {
		char *p = realloc(w->path, need * 2);
		if (!p)
			return err_set(-ENOMEM, "building a path");
		w->path = p;
		w->cap = need * 2;
	}
	w->path[base] = '/';
	strcpy(w->path + base + 1, name);
	return 0;
}

/* ---- xattrs ---- */

struct xattrs {
	struct vtar_xattr *v;
	size_t n;
	char *names;
};

static void xattrs_free(struct xattrs *x)
{
	for (size_t i = 0; i < x->n; i++)
		free((void *)x->v[i].value);
	free(x->v);
	free(x->names);
	*x = (struct xattrs){ 0 };
}

static int xattr_compare(const void *a, const void *b)
{
	return strcmp(((const struct vtar_xattr *)a)->name, ((const struct vtar_xattr *)b)->name);
}

static int read_xattrs(struct walk *w, struct xattrs *x)
{
	*x = (struct xattrs){ 0 };
	ssize_t len = llistxattr(w->path, NULL, 0);
	if (len < 0)
		return (errno == ENOTSUP || errno == ENOENT) ? 0 : err_set(-errno, "%s: listing xattrs", rel(w));
	if (len == 0)
		return 0;
	x->names = malloc((size_t)len);
	if (!x->names)
		return err_set(-ENOMEM, "%s: xattrs", rel(w));
	len = llistxattr(w->path, x->names, (size_t)len);
	if (len < 0)
		return err_set(-errno, "%s: listing xattrs", rel(w));
	size_t count = 0;
	for (ssize_t i = 0; i < len; i += (ssize_t)strlen(x->names + i) + 1)
		count++;
	x->v = calloc(count, sizeof(*x->v));
	if (!x->v)
		return err_set(-ENOMEM, "%s: xattrs", rel(w));
	for (ssize_t i = 0; i < len; i += (ssize_t)strlen(x->names + i) + 1) {
		const char *name = x->names + i;
		/* overlayfs bookkeeping is not part of the layer */
		if (w->opt->whiteout == VTAR_WHITEOUT_OVERLAY && strncmp(name, "trusted.overlay.", 16) == 0 &&
		    strcmp(name, WHITEOUT_OPAQUE_XATTR) != 0)
			continue;
		ssize_t vlen = lgetxattr(w->path, name, NULL, 0);
		if (vlen < 0) {
			if (errno == ENODATA)
				continue;
			return err_set(-errno, "%s: reading xattr %s", rel(w), name);
		}
		void *value = malloc(vlen ? (size_t)vlen : 1);
		if (!value)
			return err_set(-ENOMEM, "%s: xattrs", rel(w));
		vlen = lgetxattr(w->path, name, value, (size_t)vlen);
		if (vlen < 0) {
			free(value);
			return err_set(-errno, "%s: reading xattr %s", rel(w), name);
		}
		x->v[x->n++] = (struct vtar_xattr){ .name = name, .value = value, .len = (size_t)vlen };
	}
	if (x->n)
		qsort(x->v, x->n, sizeof(*x->v), xattr_compare);
	return 0;
}

/* ---- regular file data ---- */

/* Data regions from SEEK_DATA/SEEK_HOLE, only for files with fewer blocks
 * than their size suggests. *n == 0 means dense. */
static int find_regions(int fd, const struct stat *st, struct vtar_region **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if ((uint64_t)st->st_blocks * 512 >= (uint64_t)st->st_size || st->st_size == 0)
		return 0;
	size_t cap = 0;
	off_t pos = 0;
	while (pos < st->st_size) {
		off_t data = lseek(fd, pos, SEEK_DATA);
		if (data < 0) {
			if (errno == ENXIO)
				break;
			free(*out);
			*out = NULL;
			*n = 0;
			return 0; /* no SEEK_DATA here: write densely */
		}
		off_t hole = lseek(fd, data, SEEK_HOLE);
		if (hole < 0 || hole > st->st_size)
			hole = st->st_size;
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			struct vtar_region *v = realloc(*out, cap * sizeof(*v));
			if (!v) {
				free(*out);
				return -ENOMEM;
			}
			*out = v;
		}
		(*out)[(*n)++] = (struct vtar_region){ (uint64_t)data, (uint64_t)(hole - data) };
		pos = hole;
	}
	if (*n == 0) {
		*out = malloc(sizeof(**out));
		if (!*out)
			return -ENOMEM;
		(*out)[(*n)++] = (struct vtar_region){ (uint64_t)st->st_size, 0 };
	}
	return 0;
}

/* Sends [off, off+len) of fd; a file that shrank meanwhile is padded with
 * zeros so the archive stays well formed (noted). */
static int send_range(struct walk *w, int fd, uint64_t off, uint64_t len)
{
	int shrank = 0;
	while (len > 0) {
		size_t want = len > READ_CHUNK ? READ_CHUNK : (size_t)len;
		ssize_t n = shrank ? 0 : pread(fd, w->buf, want, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return err_set(-errno, "%s: reading", rel(w));
		}
		if (n == 0) {
			if (!shrank)
				note(w, "%s shrank while being archived; padded with zeros", rel(w));
			shrank = 1;
			memset(w->buf, 0, want);
			n = (ssize_t)want;
		}
		int r = vtar_data(w->out, w->buf, (size_t)n);
		if (r < 0)
			return err_wrap(r, "%s", rel(w));
		w->stats->data_bytes += (uint64_t)n;
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return 0;
}

static int emit_regular(struct walk *w, struct vtar_entry *e, const struct stat *st)
{
	_cleanup_close_ int fd = open(w->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT) {
			note(w, "%s vanished; skipped", rel(w));
			return 0;
		}
		return err_set(-errno, "%s: opening", rel(w));
	}
	_cleanup_free_ struct vtar_region *regions = NULL;
	size_t n = 0;
	if (find_regions(fd, st, &regions, &n) < 0)
		return err_set(-ENOMEM, "%s: sparse map", rel(w));
	e->size = (uint64_t)st->st_size;
	e->regions = regions;
	e->nregions = n;
	int r = vtar_header(w->out, e);
	if (r < 0)
		return r;
	if (n == 0)
		return send_range(w, fd, 0, e->size);
	uint64_t pos = 0;
	for (size_t i = 0; i < n && r >= 0; i++) {
		if (regions[i].offset > pos)
			r = vtar_data(w->out, NULL, regions[i].offset - pos);
		if (r >= 0)
			r = send_range(w, fd, regions[i].offset, regions[i].length);
		pos = regions[i].offset + regions[i].length;
	}
	if (r >= 0 && pos < e->size)
		r = vtar_data(w->out, NULL, e->size - pos);
	return r;
}

/* ---- tree ---- */

struct name_entry {
	char *name, *key;
};

static int key_compare(const void *a, const void *b)
{
	return strcmp(((const struct name_entry *)a)->key, ((const struct name_entry *)b)->key);
}

static int walk_directory(struct walk *w, size_t base, int depth);

static int emit_entry(struct walk *w, size_t base, int depth)
{
	struct stat st;
	if (lstat(w->path, &st) < 0) {
		if (errno == ENOENT) {
			note(w, "%s vanished; skipped", rel(w));
			return 0;
		}
		return err_set(-errno, "%s: lstat", rel(w));
	}
	if (S_ISSOCK(st.st_mode)) {
		note(w, "skipping socket %s", rel(w));
		return 0;
	}
	struct vtar_entry e = {
		.path = rel(w),
		.mode = st.st_mode,
		.uid = st.st_uid,
		.gid = st.st_gid,
		.mtime = { st.st_mtim.tv_sec, (uint32_t)st.st_mtim.tv_nsec },
		.atime = { st.st_atim.tv_sec, (uint32_t)st.st_atim.tv_nsec },
		.ctime = { st.st_ctim.tv_sec, (uint32_t)st.st_ctim.tv_nsec },
		.has_atime = 1,
		.has_ctime = 1,
		.rdev_major = major(st.st_rdev),
		.rdev_minor = minor(st.st_rdev),
	};
	w->stats->entries++;
	int whiteout = vtar_is_whiteout(w->opt->whiteout, e.mode, e.rdev_major, e.rdev_minor);
	if (!S_ISDIR(st.st_mode) && !whiteout && st.st_nlink > 1) {
		for (size_t i = 0; i < w->nlinks; i++) {
			if (w->links[i].dev == st.st_dev && w->links[i].ino == st.st_ino) {
				e.hardlink = w->links[i].path;
				return vtar_header(w->out, &e);
			}
		}
		if (w->nlinks == w->links_cap) {
			size_t cap = w->links_cap ? w->links_cap * 2 : 64;
			struct link_entry *v = realloc(w->links, cap * sizeof(*v));
			if (!v)
				return err_set(-ENOMEM, "%s: hard links", rel(w));
			w->links = v;
			w->links_cap = cap;
		}
		char *copy = strdup(rel(w));
		if (!copy)
			return err_set(-ENOMEM, "%s: hard links", rel(w));
		w->links[w->nlinks++] = (struct link_entry){ st.st_dev, st.st_ino, copy };
	}

	struct xattrs x;
	int r = read_xattrs(w, &x);
	if (r < 0) {
		xattrs_free(&x);
		return r;
	}
	e.xattrs = x.v;
	e.nxattrs = x.n;
	if (S_ISREG(st.st_mode)) {
		r = emit_regular(w, &e, &st);
	} else if (S_ISLNK(st.st_mode)) {
		char target[4097];
		ssize_t n = readlink(w->path, target, sizeof(target) - 1);
		if (n < 0) {
			r = errno == ENOENT ? 0 : err_set(-errno, "%s: readlink", rel(w));
		} else {
			target[n] = '\0';
			e.symlink = target;
			r = vtar_header(w->out, &e);
		}
	} else if (S_ISDIR(st.st_mode)) {
		r = vtar_header(w->out, &e);
		if (r >= 0) {
			xattrs_free(&x);
			return walk_directory(w, base, depth + 1);
		}
	} else {
		r = vtar_header(w->out, &e);
	}
	xattrs_free(&x);
	return r;
}

static int walk_directory(struct walk *w, size_t base, int depth)
{
	if (depth > 4096)
		return err_setmsg(-ELOOP, "%s: nested too deep", rel(w));
	DIR *d = opendir(w->path);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return err_set(-errno, "%s: opening the directory", w->path);
	}
	struct name_entry *v = NULL;
	size_t n = 0, cap = 0;
	int r = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			struct name_entry *nv = realloc(v, cap * sizeof(*nv));
			if (!nv) {
				r = err_set(-ENOMEM, "listing %s", w->path);
				break;
			}
			v = nv;
		}
		char *name = strdup(de->d_name);
		if (!name) {
			r = err_set(-ENOMEM, "listing %s", w->path);
			break;
		}
		v[n] = (struct name_entry){ name, name };
		/* A whiteout sorts under the name it is written as. */
		if (w->opt->whiteout == VTAR_WHITEOUT_OVERLAY && (de->d_type == DT_CHR || de->d_type == DT_UNKNOWN)) {
			struct stat st;
			if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    vtar_is_whiteout(w->opt->whiteout, st.st_mode, major(st.st_rdev), minor(st.st_rdev)) &&
			    asprintf(&v[n].key, WHITEOUT_PREFIX "%s", name) < 0)
				v[n].key = name;
		}
		n++;
	}
	closedir(d);
	if (r >= 0 && n)
		qsort(v, n, sizeof(*v), key_compare);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		r = path_set(w, base, v[i].name);
		if (r >= 0)
			r = emit_entry(w, strlen(w->path), depth);
		w->path[base] = '\0';
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i].key != v[i].name)
			free(v[i].key);
		free(v[i].name);
	}
	free(v);
	return r;
}

int sandbox_walk_to_tar(const char *root, const struct sandbox_walk_options *opt, struct vtar *out,
			struct sandbox_walk_stats *stats)
{
	struct sandbox_walk_stats local;
	if (!stats)
		stats = &local;
	*stats = (struct sandbox_walk_stats){ 0 };
	struct walk w = { .opt = opt, .out = out, .stats = stats };
	size_t len = strlen(root);
	while (len > 1 && root[len - 1] == '/')
		len--;
	w.cap = len + 256;
	w.path = malloc(w.cap);
	w.buf = malloc(READ_CHUNK);
	int r;
	if (!w.path || !w.buf) {
		r = err_set(-ENOMEM, "allocating buffers");
		goto out;
	}
	memcpy(w.path, root, len);
	w.path[len] = '\0';
	w.root_len = len;
	struct stat st;
	if (stat(w.path, &st) < 0) {
		r = err_set(-errno, "%s", root);
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		r = err_setmsg(-ENOTDIR, "%s is not a directory", root);
		goto out;
	}
	/* The root's own opaque marker (an opaque upper root). */
	if (opt->whiteout == VTAR_WHITEOUT_OVERLAY) {
		char v[2];
		ssize_t n = lgetxattr(w.path, WHITEOUT_OPAQUE_XATTR, v, sizeof(v));
		if (n > 0 && whiteout_is_opaque_value(v, (size_t)n)) {
			struct vtar_entry m = { .path = WHITEOUT_OPAQUE_NAME, .mode = S_IFREG | (st.st_mode & 0777),
						.uid = st.st_uid, .gid = st.st_gid };
			r = vtar_header(out, &m);
			if (r < 0)
				goto out;
		}
	}
	r = walk_directory(&w, len, 0);
out:
	for (size_t i = 0; i < w.nlinks; i++)
		free(w.links[i].path);
	free(w.links);
	free(w.path);
	free(w.buf);
	return r;
}
