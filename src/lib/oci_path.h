/* oci_path.h: path confinement for paths that come from the host.
 *
 * The host names UVM paths (mount points, bundle directories, sandbox mount
 * sources) and container ids that become directory names. A hostile or
 * buggy request must not make the guest write, mount or delete outside the
 * directory it meant (gcs-protocol.md §6.1.4 "each result must stay inside
 * its directory"). Everything here is lexical: no file system access. */
#ifndef LCOW_OCI_PATH_H
#define LCOW_OCI_PATH_H

/* Joins DIR and the relative (or absolute, treated as relative) path REL,
 * resolving "." and ".." lexically; fails with -EINVAL if the result would
 * leave DIR. *OUT is malloc'd and has no trailing slash. */
int oci_path_join_confined(const char *dir, const char *rel, char **out);

/* An absolute path with no "." or ".." components and no empty name
 * ("//" is tolerated and collapsed by the kernel, refused here for clarity).
 * Returns 0 or -EINVAL with err text naming WHAT. */
int oci_path_check_absolute(const char *what, const char *path);

/* A container id usable as one directory name and as a runc id:
 * [A-Za-z0-9_+.-], 1..128 characters, not "." or "..". */
int oci_container_id_check(const char *id);

#endif
