/* oci_user.h: OCI-image user strings → uid/gid (gcs-protocol.md §6.1.5).
 *
 * Only the guest can read the image's /etc/passwd and /etc/group, so the
 * host leaves "name", "uid", "name:group", "uid:gid", ... for it to resolve.
 * Pure: the caller passes the two files' contents (NULL = file absent). */
#ifndef LCOW_OCI_USER_H
#define LCOW_OCI_USER_H

#include <stddef.h>
#include <stdint.h>

int oci_user_resolve(const char *user, const char *passwd, const char *group, uint32_t *uid, uint32_t *gid);

#endif
