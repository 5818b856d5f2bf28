/* remotefs_archive.c: `remotefs archivepath PATH`: a TarOptions frame on
 * stdin, a tar of PATH on stdout (../shared/spec/gcstools.md §5.2, §6.2,
 * §8.3), as Docker's TarWithOptions produced it.
 *
 * The walk is depth-first in byte order; names are relative with `/` after
 * directories; IncludeFiles, ExcludePatterns (with `!` exceptions),
 * IncludeSourceDir, RebaseNames, id maps and ChownOpts follow Docker. A file
 * with several links is stored once and then as hard links to its first
 * name. Only the security.capability xattr is kept. With WhiteoutFormat 1 a
 * 0/0 character device becomes `.wh.NAME` and an opaque directory gains a
 * `.wh..wh..opq` entry right after it. Errors on single files are logged and
 * the file skipped; the stream still ends properly, as in Docker.
 * libarchive writes the tar (ustar, PAX when a field needs it). */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "gcstools/remotefs.h"
#include "lib/cleanup.h"
#include "lib/remotefs_path.h"
#include "lib/remotefs_pattern.h"
#include "lib/remotefs_taroptions.h"
#include "lib/whiteout.h"
#include "os/remotefs_log.h"

DEFINE_CLEANUP_FUNC(struct archive, archive_write_free)
DEFINE_CLEANUP_FUNC(struct archive_entry, archive_entry_free)
DEFINE_CLEANUP_FUNC(struct rfs_patterns, rfs_patterns_free)

struct inode_name {
	dev_t dev;
	ino_t ino;
	char *name;
};

struct archiver {
	struct rfs_ctx *c;
	struct rfs_taroptions *o;
	struct rfs_patterns *pm;
	struct archive *a;
	const char *src;
	void *seen;   /* tsearch tree of relative names already written */
	void *inodes; /* tsearch tree of struct inode_name */
	bool broken;  /* the reader went away: stop */
};

static int cmp_inode(const void *a, const void *b)
{
	const struct inode_name *x = a, *y = b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

static void free_inode(void *p)
{
	struct inode_name *n = p;
	free(n->name);
	free(n);
}

static void archiver_free(struct archiver *ar)
{
	tdestroy(ar->seen, free);
	tdestroy(ar->inodes, free_inode);
}

static void set_owner_names(struct archive_entry *e, uid_t uid, gid_t gid)
{
	/* Best effort, as Go's archive/tar did. */
	char buf[4096];
	struct passwd pw, *pwp = NULL;
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &pwp) == 0 && pwp)
		archive_entry_copy_uname(e, pwp->pw_name);
	struct group gr, *grp = NULL;
	if (getgrgid_r(gid, &gr, buf, sizeof(buf), &grp) == 0 && grp)
		archive_entry_copy_gname(e, grp->gr_name);
}

static int write_header(struct archiver *ar, struct archive_entry *e)
{
	if (archive_write_header(ar->a, e) < ARCHIVE_WARN) {
		log_error("tar: writing header of %s: %s", archive_entry_pathname(e), archive_error_string(ar->a));
		if (archive_errno(ar->a) == EPIPE)
			ar->broken = true;
		return -1;
	}
	return 0;
}

static int copy_file(struct archiver *ar, const char *path, int64_t size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	char buf[65536];
	int64_t left = size;
	while (left > 0) {
		ssize_t n = fd >= 0 ? read(fd, buf, left < (int64_t)sizeof(buf) ? (size_t)left : sizeof(buf)) : 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* The header promised size bytes: pad a shrunk file. */
			log_error("tar: %s shrank while archived", path);
			memset(buf, 0, sizeof(buf));
			n = left < (int64_t)sizeof(buf) ? (ssize_t)left : (ssize_t)sizeof(buf);
		}
		if (archive_write_data(ar->a, buf, (size_t)n) < 0) {
			if (archive_errno(ar->a) == EPIPE)
				ar->broken = true;
			return -1;
		}
		left -= n;
	}
	return 0;
}

static int add_file(struct archiver *ar, const char *path, const char *name)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		log_error("tar: lstat %s: %s", path, strerror(errno));
		return 0;
	}
	if (S_ISSOCK(st.st_mode)) {
		log_info("tar: skipping socket %s", path);
		return 0;
	}
	_cleanup_(archive_entry_free_cleanup) struct archive_entry *e = archive_entry_new();
	if (!e)
		return -ENOMEM;
	_cleanup_free_ char *tarname = NULL;
	if (asprintf(&tarname, "%s%s", name, S_ISDIR(st.st_mode) && name[strlen(name) - 1] != '/' ? "/" : "") < 0)
		return -ENOMEM;
	archive_entry_copy_pathname(e, tarname);
	archive_entry_set_mode(e, st.st_mode);
	archive_entry_set_mtime(e, st.st_mtim.tv_sec, 0);
	int64_t uid = st.st_uid, gid = st.st_gid;
	archive_entry_set_size(e, S_ISREG(st.st_mode) ? st.st_size : 0);
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		archive_entry_set_rdev(e, st.st_rdev);
	if (S_ISLNK(st.st_mode)) {
		char target[4097];
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		if (n < 0) {
			log_error("tar: readlink %s: %s", path, strerror(errno));
			return 0;
		}
		target[n] = '\0';
		archive_entry_copy_symlink(e, target);
	}
	char cap[1024];
	ssize_t caplen = lgetxattr(path, "security.capability", cap, sizeof(cap));
	if (caplen > 0)
		archive_entry_xattr_add_entry(e, "security.capability", cap, (size_t)caplen);

	if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
		struct inode_name key = {.dev = st.st_dev, .ino = st.st_ino};
		struct inode_name **hit = tfind(&key, &ar->inodes, cmp_inode);
		if (hit) {
			archive_entry_copy_hardlink(e, (*hit)->name);
			archive_entry_set_size(e, 0);
		} else {
			struct inode_name *n = calloc(1, sizeof(*n));
			if (!n || !(n->name = strdup(tarname)) || !tsearch(n, &ar->inodes, cmp_inode)) {
				if (n)
					free(n->name);
				free(n);
				return -ENOMEM;
			}
			*n = (struct inode_name){.dev = st.st_dev, .ino = st.st_ino, .name = n->name};
		}
	}

	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	char msg[256];
	if (strncmp(base, ".wh.", 4) != 0 && (ar->o->n_uid_maps || ar->o->n_gid_maps)) {
		if (rfs_idmap_to_container(ar->o->uid_maps, ar->o->n_uid_maps, uid, true, &uid, msg, sizeof(msg)) < 0 ||
		    rfs_idmap_to_container(ar->o->gid_maps, ar->o->n_gid_maps, gid, false, &gid, msg, sizeof(msg)) < 0) {
			log_error("tar: %s: %s", path, msg);
			return 0;
		}
	}
	if (ar->o->has_chown_opts) {
		uid = ar->o->chown_uid;
		gid = ar->o->chown_gid;
	}
	archive_entry_set_uid(e, uid);
	archive_entry_set_gid(e, gid);
	set_owner_names(e, (uid_t)st.st_uid, (gid_t)st.st_gid);

	_cleanup_(archive_entry_free_cleanup) struct archive_entry *opaque = NULL;
	if (ar->o->whiteout_format == RFS_WHITEOUT_OVERLAY) {
		if (whiteout_is_disk_whiteout(st.st_mode, major(st.st_rdev), minor(st.st_rdev))) {
			/* A 0/0 device is an overlay whiteout: .wh.NAME (§6.2). */
			char wo[8192];
			if (whiteout_tar_name_for_whiteout(name, wo, sizeof(wo)) < 0) {
				log_error("tar: whiteout name for %s", name);
				return 0;
			}
			archive_entry_copy_pathname(e, wo);
			archive_entry_set_mode(e, WHITEOUT_TAR_FILE_MODE);
			archive_entry_set_size(e, 0);
			archive_entry_set_rdev(e, 0);
		}
		if (S_ISDIR(st.st_mode)) {
			char v[2];
			ssize_t n = lgetxattr(path, WHITEOUT_OPAQUE_XATTR, v, sizeof(v));
			if (n > 0 && whiteout_is_opaque_value(v, (size_t)n)) {
				opaque = archive_entry_new();
				if (!opaque)
					return -ENOMEM;
				char oname[8192];
				if (whiteout_tar_name_for_opaque(tarname, oname, sizeof(oname)) < 0)
					return 0;
				archive_entry_copy_pathname(opaque, oname);
				archive_entry_set_mode(opaque, AE_IFREG | (st.st_mode & 0777));
				archive_entry_set_size(opaque, 0);
				archive_entry_set_uid(opaque, uid);
				archive_entry_set_gid(opaque, gid);
				if (archive_entry_uname(e))
					archive_entry_copy_uname(opaque, archive_entry_uname(e));
				if (archive_entry_gname(e))
					archive_entry_copy_gname(opaque, archive_entry_gname(e));
				archive_entry_set_mtime(opaque, 0, 0);
			}
		}
	}

	if (write_header(ar, e) < 0)
		return 0;
	if (opaque) {
		if (write_header(ar, opaque) < 0)
			return 0;
	} else if (S_ISREG(st.st_mode) && archive_entry_size(e) > 0) {
		copy_file(ar, path, archive_entry_size(e));
	}
	return 0;
}

/* Relative path of p under root, both clean; NULL when p is outside. */
static char *relative_to(const char *root, const char *p)
{
	size_t n = strlen(root);
	if (strcmp(root, p) == 0)
		return strdup(".");
	if (strcmp(root, "/") == 0)
		return p[0] == '/' ? strdup(p + 1) : NULL;
	if (strncmp(root, p, n) == 0 && p[n] == '/')
		return strdup(p + n + 1);
	return NULL;
}

enum { WALK_CONTINUE = 0, WALK_SKIP_DIR = 1 };

static int visit(struct archiver *ar, const char *include, const char *rebase, const char *path,
		 const struct stat *st)
{
	_cleanup_free_ char *clean = go_path_clean(path);
	_cleanup_free_ char *rel = clean ? relative_to(ar->src, clean) : NULL;
	if (!rel)
		return WALK_CONTINUE;
	bool is_dir = S_ISDIR(st->st_mode);
	if (!ar->o->include_source_dir && strcmp(rel, ".") == 0 && is_dir)
		return WALK_CONTINUE;
	if (ar->o->include_source_dir && strcmp(include, ".") == 0 && strcmp(rel, ".") != 0) {
		char *dotted = NULL;
		if (asprintf(&dotted, "./%s", rel) < 0)
			return -ENOMEM;
		free(rel);
		rel = dotted;
	}
	if (strcmp(include, rel) != 0 && rfs_patterns_match(ar->pm, rel)) {
		if (!is_dir)
			return WALK_CONTINUE;
		if (!rfs_patterns_have_exclusions(ar->pm) || !rfs_patterns_exception_under(ar->pm, rel))
			return WALK_SKIP_DIR;
		return WALK_CONTINUE;
	}
	if (tfind(rel, &ar->seen, (int (*)(const void *, const void *))strcmp))
		return WALK_CONTINUE;
	char *key = strdup(rel);
	if (!key || !tsearch(key, &ar->seen, (int (*)(const void *, const void *))strcmp)) {
		free(key);
		return -ENOMEM;
	}
	if (rebase) {
		const char *replacement = strcmp(rebase, "/") == 0 ? "" : rebase;
		char *at = strstr(rel, include);
		if (at) {
			char *renamed = NULL;
			if (asprintf(&renamed, "%.*s%s%s", (int)(at - rel), rel, replacement, at + strlen(include)) < 0)
				return -ENOMEM;
			free(rel);
			rel = renamed;
		}
	}
	int r = add_file(ar, path, rel);
	return r < 0 ? r : WALK_CONTINUE;
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* filepath.Walk: lexical order, lstat, the callback may skip a directory. */
static int walk(struct archiver *ar, const char *include, const char *rebase, const char *path)
{
	if (ar->broken)
		return 0;
	struct stat st;
	if (lstat(path, &st) < 0) {
		log_error("Tar: Can't stat file %s to tar: %s", path, strerror(errno));
		return 0;
	}
	int r = visit(ar, include, rebase, path, &st);
	if (r < 0)
		return r;
	if (r == WALK_SKIP_DIR || !S_ISDIR(st.st_mode))
		return 0;
	DIR *d = opendir(path);
	if (!d) {
		log_error("Tar: Can't open directory %s: %s", path, strerror(errno));
		return 0;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	r = 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			char **p = realloc(names, cap * sizeof(*names));
			if (!p) {
				r = -ENOMEM;
				break;
			}
			names = p;
		}
		if (!(names[n] = strdup(de->d_name))) {
			r = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (r == 0 && n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		if (r == 0) {
			_cleanup_free_ char *child = go_path_join(path, names[i]);
			r = child ? walk(ar, include, rebase, child) : -ENOMEM;
		}
		free(names[i]);
	}
	free(names);
	return r;
}

int rfs_cmd_archivepath(struct rfs_ctx *c)
{
	__attribute__((cleanup(rfs_taroptions_free))) struct rfs_taroptions o = {0};
	if (rfs_read_taroptions(c, &o) < 0)
		return -1;
	char msg[512];
	_cleanup_(rfs_patterns_free_cleanup) struct rfs_patterns *pm =
		rfs_patterns_new(o.exclude_patterns, o.n_exclude_patterns, msg, sizeof(msg));
	if (!pm)
		return rfs_error_text(&c->err, "%s", msg);

	_cleanup_(archive_write_free_cleanup) struct archive *a = archive_write_new();
	if (!a)
		return rfs_error_errno(&c->err, ENOMEM);
	archive_write_set_format_pax_restricted(a);
	switch (o.compression) {
	case RFS_COMPRESS_NONE:
		break;
	case RFS_COMPRESS_GZIP:
		archive_write_add_filter_gzip(a);
		break;
	case RFS_COMPRESS_BZIP2:
		return rfs_error_text(&c->err, "Unsupported compression format tar.bz2");
	case RFS_COMPRESS_XZ:
		return rfs_error_text(&c->err, "Unsupported compression format tar.xz");
	default:
		return rfs_error_text(&c->err, "Unsupported compression format ");
	}
	/* End with the two zero blocks, no padding to a 10 KiB record. */
	archive_write_set_bytes_in_last_block(a, 1);
	if (archive_write_open_fd(a, c->out) != ARCHIVE_OK)
		return rfs_error_text(&c->err, "%s", archive_error_string(a));

	__attribute__((cleanup(archiver_free))) struct archiver ar = {.c = c, .o = &o, .pm = pm, .a = a};
	_cleanup_free_ char *src = go_path_clean(c->args[0]);
	if (!src)
		return rfs_error_errno(&c->err, ENOMEM);
	char **includes = o.include_files;
	size_t nincludes = o.n_include_files;
	char *dot = ".";
	_cleanup_free_ char *base = NULL;
	struct stat st;
	int r = 0;
	if (lstat(src, &st) < 0) {
		/* Docker logs this and still sends a (empty) archive. */
		log_error("archivepath: lstat %s: %s", src, strerror(errno));
		nincludes = 0;
	} else {
		if (!S_ISDIR(st.st_mode)) {
			/* A file: archive its directory with the file as the only
			 * include (Docker's SplitPathDirEntry). */
			char *slash = strrchr(src, '/');
			base = strdup(slash ? slash + 1 : src);
			if (!base)
				return rfs_error_errno(&c->err, ENOMEM);
			if (!slash)
				strcpy(src, ".");
			else if (slash == src)
				src[1] = '\0';
			else
				*slash = '\0';
			includes = &base;
			nincludes = 1;
		} else if (nincludes == 0) {
			includes = &dot;
			nincludes = 1;
		}
		ar.src = src;
		for (size_t i = 0; i < nincludes && r == 0 && !ar.broken; i++) {
			_cleanup_free_ char *root = NULL;
			if (asprintf(&root, "%s/%s", src, includes[i]) < 0)
				return rfs_error_errno(&c->err, ENOMEM);
			r = walk(&ar, includes[i], rfs_taroptions_rebase(&o, includes[i]), root);
		}
	}
	if (r < 0)
		return rfs_error_errno(&c->err, -r);
	if (archive_write_close(a) != ARCHIVE_OK)
		log_error("Can't close tar writer: %s", archive_error_string(a));
	return 0;
}
