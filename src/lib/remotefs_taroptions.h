/* remotefs_taroptions.h: Docker's archive.TarOptions as remotefs receives it.
 *
 * extractarchive and archivepath read an 8-byte big-endian length and that
 * many bytes of JSON before anything else on stdin (../shared/spec/
 * gcstools.md §8.3). Keys are Go's field names matched case-insensitively,
 * unknown keys are ignored, null means "not given". Also the id-map look-ups
 * Docker's idtools did with these options. Pure (json-c). */
#ifndef LCOW_REMOTEFS_TAROPTIONS_H
#define LCOW_REMOTEFS_TAROPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rfs_idmap {
	int64_t container_id, host_id, size;
};

struct rfs_rebase {
	char *from, *to;
};

enum { RFS_WHITEOUT_AUFS = 0, RFS_WHITEOUT_OVERLAY = 1 };
enum { RFS_COMPRESS_NONE = 0, RFS_COMPRESS_BZIP2 = 1, RFS_COMPRESS_GZIP = 2, RFS_COMPRESS_XZ = 3 };

struct rfs_taroptions {
	char **include_files;
	size_t n_include_files;
	char **exclude_patterns;
	size_t n_exclude_patterns;
	int64_t compression;
	bool no_lchown;
	struct rfs_idmap *uid_maps, *gid_maps;
	size_t n_uid_maps, n_gid_maps;
	bool has_chown_opts;
	int64_t chown_uid, chown_gid;
	bool include_source_dir;
	int64_t whiteout_format;
	bool no_overwrite_dir_non_dir;
	struct rfs_rebase *rebase_names;
	size_t n_rebase_names;
	bool in_userns;
};

/* Parses len bytes of JSON into o (zeroed first). 0, or -EINVAL / -ENOMEM
 * with a reason in msg. o must be released with rfs_taroptions_free either
 * way. */
int rfs_taroptions_parse(const char *json, size_t len, struct rfs_taroptions *o, char *msg, size_t msglen);
void rfs_taroptions_free(struct rfs_taroptions *o);

/* The rename for an include (RebaseNames[include]) or NULL. */
const char *rfs_taroptions_rebase(const struct rfs_taroptions *o, const char *include);

/* idtools: container id -> host id (extract) and back (archive). With no
 * maps the id is unchanged. 0, or -EINVAL with Docker's message in msg. */
int rfs_idmap_to_host(const struct rfs_idmap *maps, size_t n, int64_t id, bool is_uid, int64_t *out, char *msg,
		      size_t msglen);
int rfs_idmap_to_container(const struct rfs_idmap *maps, size_t n, int64_t id, bool is_uid, int64_t *out, char *msg,
			   size_t msglen);

#endif
