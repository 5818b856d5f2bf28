/* gcs_transport.h: how the guest reaches the host (../shared/spec/gcs-protocol.md §1.1-1.2).
 *
 * The guest always dials. Every dial of a port P goes to AF_VSOCK CID:P
 * (CID 2 by default, -vsock-cid N) or, with the unix:DIR seam used by tests
 * and debugging, to the Unix stream socket DIR/P (P in decimal; the bridge is
 * DIR/1073741824). One helper, one retry policy (§1.2): up to 10 attempts,
 * 100 ms apart, only while connect() fails with ETIMEDOUT. */
#ifndef LCOW_GCS_TRANSPORT_H
#define LCOW_GCS_TRANSPORT_H

#include <stdint.h>

enum gcs_transport_kind {
	GCS_TRANSPORT_VSOCK,
	GCS_TRANSPORT_UNIX,
};

/* Parses "vsock", "vsock:CID" or "unix:DIR" and makes it the transport. */
int gcs_transport_set(const char *spec);
void gcs_transport_set_vsock_cid(uint32_t cid);
enum gcs_transport_kind gcs_transport_kind(void);
/* Human-readable address of port P ("vsock 2:1073741824", "unix /d/5"). */
void gcs_transport_describe(uint32_t port, char *buf, unsigned size);

/* Dials port P with the §1.2 retry rules; returns a connected SOCK_STREAM
 * descriptor (O_CLOEXEC) or a negative errno with err text. */
int gcs_dial(uint32_t port);

#endif
