/* oci_mount_options.h: the mount-options vocabulary (gcs-protocol.md
 * §6.1.6): option words → MS_* flags, propagation flags, and the remaining
 * file-system data string. */
#ifndef LCOW_OCI_MOUNT_OPTIONS_H
#define LCOW_OCI_MOUNT_OPTIONS_H

#include <stddef.h>

struct oci_mount_options {
	unsigned long flags;         /* MS_* to set */
	unsigned long propagation[8];/* MS_SHARED/MS_SLAVE/... (| MS_REC), in order */
	size_t n_propagation;
	char *data;                  /* "a,b=c" of the unknown words, malloc'd, or NULL */
};

/* Parses N option WORDS. A word the vocabulary clears (rw, suid, ...) clears
 * the bit set by an earlier word. Returns 0 or -ENOMEM / -E2BIG. */
int oci_mount_options_parse(const char *const *words, size_t n, struct oci_mount_options *out);
void oci_mount_options_free(struct oci_mount_options *o);

#endif
