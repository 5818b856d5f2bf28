/* boot_dial.h: connecting a stream to the host for /init (entropy) and
 * vsockexec (stdio). The host always listens, the guest dials
 * (../shared/spec/gcs-protocol.md §1.1-§1.2).
 *
 * A transport is "vsock" (AF_VSOCK to CID 2) or "unix:DIR" (a Unix stream
 * socket at DIR/PORT), the second being the seam that lets tests run the
 * same code on a machine without /dev/vhost-vsock. */
#ifndef LCOW_BOOT_DIAL_H
#define LCOW_BOOT_DIAL_H

#include <stdint.h>

#define BOOT_DIAL_HOST_CID 2u

struct boot_transport {
	const char *unix_dir; /* NULL: vsock */
};

/* Parses "vsock" or "unix:DIR"; -EINVAL otherwise. */
int boot_transport_parse(const char *spec, struct boot_transport *out);

/* Returns a connected SOCK_CLOEXEC stream descriptor or a negative errno
 * with err text. vsock follows the §1.2 policy: up to 10 attempts, 100 ms
 * apart, retrying only ETIMEDOUT (and EINTR at once); other errors fail at
 * once. */
int boot_dial(const struct boot_transport *t, uint32_t port);

#endif
