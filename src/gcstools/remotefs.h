/* remotefs.h: what the remotefs sub-command files share.
 *
 * Each sub-command (../shared/spec/gcstools.md §8.4) gets its positional
 * arguments and an error record; it writes its data to stdout itself and
 * returns 0, or -1 after filling the record, which remotefs.c prints on
 * stderr as the JSON Docker parses (§8.2). */
#ifndef GCSTOOLS_REMOTEFS_H
#define GCSTOOLS_REMOTEFS_H

#include <stddef.h>

#include "lib/remotefs_error.h"

struct rfs_ctx {
	int in, out;     /* stdin / stdout */
	char **args;     /* positional arguments after the sub-command name */
	int nargs;
	struct rfs_error err;
};

typedef int (*rfs_command_fn)(struct rfs_ctx *c);

/* remotefs_fsops.c */
int rfs_cmd_stat(struct rfs_ctx *c);
int rfs_cmd_lstat(struct rfs_ctx *c);
int rfs_cmd_readlink(struct rfs_ctx *c);
int rfs_cmd_mkdir(struct rfs_ctx *c);
int rfs_cmd_mkdirall(struct rfs_ctx *c);
int rfs_cmd_remove(struct rfs_ctx *c);
int rfs_cmd_removeall(struct rfs_ctx *c);
int rfs_cmd_link(struct rfs_ctx *c);
int rfs_cmd_symlink(struct rfs_ctx *c);
int rfs_cmd_lchmod(struct rfs_ctx *c);
int rfs_cmd_lchown(struct rfs_ctx *c);
int rfs_cmd_mknod(struct rfs_ctx *c);
int rfs_cmd_mkfifo(struct rfs_ctx *c);
int rfs_cmd_readfile(struct rfs_ctx *c);
int rfs_cmd_writefile(struct rfs_ctx *c);
int rfs_cmd_readdir(struct rfs_ctx *c);
int rfs_cmd_resolvepath(struct rfs_ctx *c);
/* remotefs_openfile.c */
int rfs_cmd_openfile(struct rfs_ctx *c);
/* remotefs_extract.c, remotefs_archive.c */
int rfs_cmd_extractarchive(struct rfs_ctx *c);
int rfs_cmd_archivepath(struct rfs_ctx *c);

/* Helpers shared by the files above (remotefs_io.c). */
int rfs_write_all(int fd, const void *buf, size_t len);
/* Reads exactly len bytes: len, fewer at EOF (0..len-1), or a negative errno. */
long rfs_read_full(int fd, void *buf, size_t len);
/* Reads the TarOptions frame from c->in into o (remotefs_taroptions.h);
 * 0 or -1 with c->err filled. */
struct rfs_taroptions;
int rfs_read_taroptions(struct rfs_ctx *c, struct rfs_taroptions *o);

#endif
