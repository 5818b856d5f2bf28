/* remotefs_beneath.h: opening paths confined to a directory tree.
 *
 * extractarchive writes whatever a tar names, and a tar can first plant a
 * symlink (`a -> /etc`) and then write through it (`a/passwd`). Docker made
 * this safe by extracting inside a chroot; here every parent directory is
 * opened with openat2(RESOLVE_IN_ROOT), which resolves `..` and absolute
 * symlinks as if the extraction root were `/`, and the last component is
 * only ever handled with *at() calls that do not follow it. */
#ifndef LCOW_REMOTEFS_BENEATH_H
#define LCOW_REMOTEFS_BENEATH_H

#include <sys/types.h>

/* openat2(rootfd, path, flags, RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS); path
 * "" or "." opens the root itself. O_CLOEXEC is added. Returns the fd or a
 * negative errno. */
int beneath_open(int rootfd, const char *path, int flags);

/* Opens directory `path` under rootfd for reading, creating missing
 * components with mode (then chowned to uid:gid) like `mkdir -p`. */
int beneath_mkdir_p(int rootfd, const char *path, mode_t mode, uid_t uid, gid_t gid);

/* Removes the entry `name` in dirfd (not following it), recursively for
 * directories. 0 or a negative errno. */
int beneath_remove_all(int dirfd, const char *name);

#endif
