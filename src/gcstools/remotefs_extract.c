/* remotefs_extract.c: `remotefs extractarchive DIR`: TarOptions frame and a
 * tar stream on stdin, extracted into DIR with Docker's semantics
 * (../shared/spec/gcstools.md §5.1, §6.1, §8.3).
 *
 * libarchive reads the stream (plain, gzip, bzip2 or xz, autodetected).
 * Names are cleaned lexically and re-rooted (`/etc/x` lands in DIR/etc/x);
 * a name that climbs out (`../x`) aborts the extraction with Docker's
 * breakout error. Every parent directory is opened confined to DIR
 * (remotefs_beneath.h), so a symlink planted by an earlier entry cannot
 * carry a later write outside DIR, which Docker got from its chroot.
 * Directory times are set in a final pass, after their contents exist. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
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
#include "lib/remotefs_strconv.h"
#include "lib/remotefs_taroptions.h"
#include "lib/whiteout.h"
#include "os/remotefs_beneath.h"
#include "os/remotefs_log.h"

DEFINE_CLEANUP_FUNC(struct archive, archive_read_free)

struct dir_time {
	char *name;
	struct timespec times[2];
};

struct extract {
	struct rfs_ctx *c;
	struct rfs_taroptions *o;
	const char *dest;
	int destfd;
	uid_t root_uid;
	gid_t root_gid;
	struct dir_time *dirs;
	size_t ndirs, capdirs;
};

static void extract_free(struct extract *x)
{
	for (size_t i = 0; i < x->ndirs; i++)
		free(x->dirs[i].name);
	free(x->dirs);
	if (x->destfd >= 0)
		close(x->destfd);
}

/* True when a cleaned relative name leaves the root. */
static bool climbs_out(const char *rel)
{
	return strcmp(rel, "..") == 0 || strncmp(rel, "../", 3) == 0;
}

/* Docker's view of an entry name: Clean, then joined to DIR, so a leading
 * slash is dropped; "." for the root itself. malloc'd. */
static char *entry_relative_name(const char *raw)
{
	_cleanup_free_ char *clean = go_path_clean(raw);
	if (!clean)
		return NULL;
	const char *p = clean;
	while (*p == '/')
		p++;
	return strdup(*p ? p : ".");
}

/* Docker's breakout errors: "%q is outside of %q", "invalid symlink %q ->
 * %q", "invalid hardlink %q -> %q" (prefix NULL selects the first form). */
static int breakout(struct extract *x, const char *prefix, const char *a, const char *b)
{
	char qa[4200], qb[4200];
	go_quote(a, qa, sizeof(qa));
	go_quote(b, qb, sizeof(qb));
	if (!prefix)
		return rfs_error_text(&x->c->err, "%s is outside of %s", qa, qb);
	return rfs_error_text(&x->c->err, "%s %s -> %s", prefix, qa, qb);
}

static int remember_dir(struct extract *x, const char *name, const struct timespec times[2])
{
	if (x->ndirs == x->capdirs) {
		size_t cap = x->capdirs ? x->capdirs * 2 : 64;
		struct dir_time *p = realloc(x->dirs, cap * sizeof(*p));
		if (!p)
			return rfs_error_errno(&x->c->err, ENOMEM);
		x->dirs = p;
		x->capdirs = cap;
	}
	x->dirs[x->ndirs].name = strdup(name);
	if (!x->dirs[x->ndirs].name)
		return rfs_error_errno(&x->c->err, ENOMEM);
	memcpy(x->dirs[x->ndirs].times, times, sizeof(struct timespec) * 2);
	x->ndirs++;
	return 0;
}

static int copy_data(struct extract *x, struct archive *a, int fd, const char *path)
{
	for (;;) {
		const void *buf;
		size_t size;
		la_int64_t offset;
		int r = archive_read_data_block(a, &buf, &size, &offset);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return rfs_error_text(&x->c->err, "archive/tar: %s", archive_error_string(a));
		/* Sparse entries come with offsets; holes stay holes. */
		if (lseek(fd, (off_t)offset, SEEK_SET) < 0)
			return rfs_error_path(&x->c->err, "seek", path, errno);
		int w = rfs_write_all(fd, buf, size);
		if (w < 0)
			return rfs_error_path(&x->c->err, "write", path, -w);
	}
}

/* Splits a relative name into its parent ("" at the top) and base. */
static void split_name(const char *name, char **parent, const char **base)
{
	const char *slash = strrchr(name, '/');
	*parent = slash ? strndup(name, (size_t)(slash - name)) : strdup("");
	*base = slash ? slash + 1 : name;
}

/* Tar -> disk whiteouts for WhiteoutFormat 1 (§6.1), by the shared rules
 * of lib/whiteout.h: `.wh..wh..opq` marks the parent opaque, `.wh.NAME`
 * becomes a 0/0 character device NAME; neither is written as a file. */
static int whiteout_overlay(struct extract *x, int parentfd, const char *path, const char *base, uid_t uid,
			    gid_t gid, bool *consumed)
{
	*consumed = false;
	const char *hidden;
	size_t hidden_len;
	switch (whiteout_classify_tar_name(base, NULL, &hidden, &hidden_len)) {
	case WHITEOUT_NONE:
		return 0;
	case WHITEOUT_OPAQUE:
		*consumed = true;
		if (fsetxattr(parentfd, WHITEOUT_OPAQUE_XATTR, WHITEOUT_OPAQUE_VALUE, 1, 0) < 0)
			return rfs_error_errno(&x->c->err, errno);
		return 0;
	case WHITEOUT_FILE: {
		*consumed = true;
		_cleanup_free_ char *orig = strndup(hidden, hidden_len);
		if (!orig)
			return rfs_error_errno(&x->c->err, ENOMEM);
		if (mknodat(parentfd, orig, WHITEOUT_DISK_MODE, makedev(0, 0)) < 0)
			return rfs_error_errno(&x->c->err, errno);
		if (fchownat(parentfd, orig, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
			return rfs_error_path(&x->c->err, "chown", path, errno);
		return 0;
	}
	default:
		*consumed = true;
		return rfs_error_text(&x->c->err, "invalid whiteout name %s", path);
	}
}

static int extract_entry(struct extract *x, struct archive *a, struct archive_entry *e)
{
	struct rfs_ctx *c = x->c;
	const char *raw = archive_entry_pathname(e);
	if (!raw)
		raw = "";
	_cleanup_free_ char *name = entry_relative_name(raw);
	if (!name)
		return rfs_error_errno(&c->err, ENOMEM);
	_cleanup_free_ char *cleaned_raw = go_path_clean(raw);
	if (!cleaned_raw)
		return rfs_error_errno(&c->err, ENOMEM);
	for (size_t i = 0; i < x->o->n_exclude_patterns; i++)
		if (strncmp(cleaned_raw, x->o->exclude_patterns[i], strlen(x->o->exclude_patterns[i])) == 0)
			return 0;
	if (climbs_out(name))
		return breakout(x, NULL, cleaned_raw, x->dest);

	const char *hardlink = archive_entry_hardlink(e);
	mode_t type = archive_entry_filetype(e);
	bool is_dir = !hardlink && type == AE_IFDIR;
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/%s", x->dest, name) < 0)
		return rfs_error_errno(&c->err, ENOMEM);

	_cleanup_free_ char *parent = NULL;
	const char *base;
	bool is_root = strcmp(name, ".") == 0;
	split_name(is_root ? "" : name, &parent, &base);
	if (!parent)
		return rfs_error_errno(&c->err, ENOMEM);
	_cleanup_close_ int parentfd = beneath_mkdir_p(x->destfd, parent, 0777, x->root_uid, x->root_gid);
	if (parentfd < 0)
		return rfs_error_path(&c->err, "mkdir", parent[0] ? parent : x->dest, -parentfd);

	struct stat old;
	if (is_root) {
		/* The destination exists and is a directory: Docker skips "." */
		return 0;
	}
	if (fstatat(parentfd, base, &old, AT_SYMLINK_NOFOLLOW) == 0) {
		bool old_dir = S_ISDIR(old.st_mode);
		if (x->o->no_overwrite_dir_non_dir && old_dir && !is_dir)
			return rfs_error_text(&c->err, "cannot overwrite directory \"%s\" with non-directory \"%s\"",
					      path, x->dest);
		if (x->o->no_overwrite_dir_non_dir && !old_dir && is_dir)
			return rfs_error_text(&c->err, "cannot overwrite non-directory \"%s\" with directory \"%s\"",
					      path, x->dest);
		if (!(old_dir && is_dir)) {
			int r = beneath_remove_all(parentfd, base);
			if (r < 0)
				return rfs_error_path(&c->err, "unlinkat", path, -r);
		}
	}

	char msg[512];
	int64_t uid, gid;
	if (rfs_idmap_to_host(x->o->uid_maps, x->o->n_uid_maps, archive_entry_uid(e), true, &uid, msg, sizeof(msg)) < 0 ||
	    rfs_idmap_to_host(x->o->gid_maps, x->o->n_gid_maps, archive_entry_gid(e), false, &gid, msg, sizeof(msg)) < 0)
		return rfs_error_text(&c->err, "%s", msg);

	if (x->o->whiteout_format == RFS_WHITEOUT_OVERLAY) {
		bool consumed;
		if (whiteout_overlay(x, parentfd, path, base, (uid_t)uid, (gid_t)gid, &consumed) < 0)
			return -1;
		if (consumed)
			return 0;
	}

	mode_t perm = archive_entry_perm(e) & 07777;
	bool link_to_symlink = false;
	if (hardlink) {
		_cleanup_free_ char *target = entry_relative_name(hardlink);
		if (!target)
			return rfs_error_errno(&c->err, ENOMEM);
		if (climbs_out(target)) {
			_cleanup_free_ char *tpath = go_path_join(x->dest, hardlink);
			return breakout(x, "invalid hardlink", tpath ? tpath : hardlink, hardlink);
		}
		_cleanup_free_ char *tparent = NULL;
		const char *tbase;
		split_name(target, &tparent, &tbase);
		if (!tparent)
			return rfs_error_errno(&c->err, ENOMEM);
		_cleanup_close_ int tfd = beneath_open(x->destfd, tparent, O_RDONLY | O_DIRECTORY);
		if (tfd < 0 || linkat(tfd, tbase, parentfd, base, 0) < 0) {
			_cleanup_free_ char *tpath = go_path_join(x->dest, target);
			return rfs_error_link(&c->err, "link", tpath ? tpath : target, path, tfd < 0 ? -tfd : errno);
		}
		struct stat tst;
		link_to_symlink = fstatat(parentfd, base, &tst, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(tst.st_mode);
	} else {
		switch (type) {
		case AE_IFDIR:
			if (fstatat(parentfd, base, &old, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(old.st_mode))
				if (mkdirat(parentfd, base, perm) < 0)
					return rfs_error_path(&c->err, "mkdir", path, errno);
			break;
		case AE_IFREG: {
			_cleanup_close_ int fd =
				openat(parentfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, perm);
			if (fd < 0)
				return rfs_error_path(&c->err, "open", path, errno);
			if (copy_data(x, a, fd, path) < 0)
				return -1;
			break;
		}
		case AE_IFCHR:
		case AE_IFBLK:
			if (x->o->in_userns)
				return 0; /* no devices in a user namespace */
			/* fall through */
		case AE_IFIFO:
			if (mknodat(parentfd, base, perm | type, archive_entry_rdev(e)) < 0)
				return rfs_error_errno(&c->err, errno);
			break;
		case AE_IFLNK: {
			const char *target = archive_entry_symlink(e);
			if (!target)
				target = "";
			/* Docker: Join(Dir(path), target) must stay in DIR; an
			 * absolute target is taken relative to the entry's dir. */
			_cleanup_free_ char *joined = NULL;
			if (asprintf(&joined, "%s/%s", parent[0] ? parent : ".", target) < 0)
				return rfs_error_errno(&c->err, ENOMEM);
			_cleanup_free_ char *rel = go_path_clean(joined);
			if (!rel)
				return rfs_error_errno(&c->err, ENOMEM);
			if (climbs_out(rel))
				return breakout(x, "invalid symlink", path, target);
			if (symlinkat(target, parentfd, base) < 0)
				return rfs_error_link(&c->err, "symlink", target, path, errno);
			break;
		}
		default:
			return rfs_error_text(&c->err, "Unhandled tar header type %u", (unsigned)(type >> 12));
		}
	}

	if (!x->o->no_lchown) {
		int64_t ou = x->o->has_chown_opts ? x->o->chown_uid : uid;
		int64_t og = x->o->has_chown_opts ? x->o->chown_gid : gid;
		if (fchownat(parentfd, base, (uid_t)ou, (gid_t)og, AT_SYMLINK_NOFOLLOW) < 0)
			return rfs_error_path(&c->err, "lchown", path, errno);
	}

	/* xattrs go through the parent's descriptor so nothing is followed. */
	archive_entry_xattr_reset(e);
	const char *xname;
	const void *xvalue;
	size_t xsize;
	while (archive_entry_xattr_next(e, &xname, &xvalue, &xsize) == ARCHIVE_OK) {
		char proc[64 + 4096];
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d/%s", parentfd, base);
		if (lsetxattr(proc, xname, xvalue, xsize, 0) < 0) {
			if (errno == ENOTSUP) {
				log_warning("ignored xattr %s on %s: not supported", xname, path);
				continue;
			}
			return rfs_error_errno(&c->err, errno);
		}
	}

	bool is_symlink = !hardlink && type == AE_IFLNK;
	if (!is_symlink && !link_to_symlink) {
		/* After chown, which may clear setuid/setgid. */
		if (fchmodat(parentfd, base, perm, 0) < 0)
			return rfs_error_path(&c->err, "chmod", path, errno);
	}

	struct timespec times[2];
	times[1].tv_sec = archive_entry_mtime(e);
	times[1].tv_nsec = archive_entry_mtime_nsec(e);
	times[0] = times[1];
	if (archive_entry_atime_is_set(e) &&
	    (archive_entry_atime(e) > times[1].tv_sec ||
	     (archive_entry_atime(e) == times[1].tv_sec && archive_entry_atime_nsec(e) > times[1].tv_nsec))) {
		times[0].tv_sec = archive_entry_atime(e);
		times[0].tv_nsec = archive_entry_atime_nsec(e);
	}
	if (is_dir)
		return remember_dir(x, name, times);
	if (!link_to_symlink && utimensat(parentfd, base, times, AT_SYMLINK_NOFOLLOW) < 0)
		return rfs_error_path(&c->err, "chtimes", path, errno);
	return 0;
}

static int set_dir_times(struct extract *x)
{
	for (size_t i = 0; i < x->ndirs; i++) {
		int fd = beneath_open(x->destfd, x->dirs[i].name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
		if (fd < 0)
			continue; /* replaced by a later entry */
		int r = futimens(fd, x->dirs[i].times);
		int e = errno;
		close(fd);
		if (r < 0) {
			_cleanup_free_ char *path = go_path_join(x->dest, x->dirs[i].name);
			return rfs_error_path(&x->c->err, "chtimes", path ? path : x->dirs[i].name, e);
		}
	}
	return 0;
}

int rfs_cmd_extractarchive(struct rfs_ctx *c)
{
	__attribute__((cleanup(rfs_taroptions_free))) struct rfs_taroptions o = {0};
	if (rfs_read_taroptions(c, &o) < 0)
		return -1;
	_cleanup_free_ char *dest = go_path_clean(c->args[0]);
	if (!dest)
		return rfs_error_errno(&c->err, ENOMEM);
	__attribute__((cleanup(extract_free))) struct extract x = {.c = c, .o = &o, .dest = dest, .destfd = -1};
	char msg[512];
	int64_t ru, rg;
	if (rfs_idmap_to_host(o.uid_maps, o.n_uid_maps, 0, true, &ru, msg, sizeof(msg)) < 0 ||
	    rfs_idmap_to_host(o.gid_maps, o.n_gid_maps, 0, false, &rg, msg, sizeof(msg)) < 0)
		return rfs_error_text(&c->err, "%s", msg);
	x.root_uid = (uid_t)ru;
	x.root_gid = (gid_t)rg;

	/* A missing destination is created like Docker's chrootarchive did. */
	int rootfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return rfs_error_path(&c->err, "open", "/", errno);
	x.destfd = beneath_mkdir_p(rootfd, dest, 0755, x.root_uid, x.root_gid);
	close(rootfd);
	if (x.destfd < 0)
		return rfs_error_path(&c->err, "mkdir", dest, -x.destfd);

	_cleanup_(archive_read_free_cleanup) struct archive *a = archive_read_new();
	if (!a)
		return rfs_error_errno(&c->err, ENOMEM);
	/* The compressions Docker's layers use (gcstools.md §8.4), and no
	 * filter that would spawn an external program. */
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_fd(a, c->in, 65536) != ARCHIVE_OK)
		return rfs_error_text(&c->err, "archive/tar: %s", archive_error_string(a));
	for (;;) {
		struct archive_entry *e;
		int r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			return rfs_error_text(&c->err, "archive/tar: %s", archive_error_string(a));
		if (extract_entry(&x, a, e) < 0)
			return -1;
	}
	return set_dir_times(&x);
}
