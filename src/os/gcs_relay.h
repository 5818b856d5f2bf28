/* gcs_relay.h: one-direction byte relays on the event loop (spec §5.2-5.6).
 *
 * A relay moves bytes from src to dst until src reports EOF (or EIO, a pty
 * whose slave is gone), then finishes: with GCS_RELAY_CLEAN_CLOSE and a
 * socket dst it shutdown(SHUT_WR)s and waits for the peer to close its side
 * before closing (§5.2: hv_sock discards unread data on close). When either
 * side is a pipe the bytes move with splice() and never enter user space;
 * otherwise (socket <-> pty) a small buffer is used. A relay owns both
 * descriptors and closes them when it finishes. All functions run on the
 * event loop thread (use gcs_loop_call from elsewhere). */
#ifndef LCOW_GCS_RELAY_H
#define LCOW_GCS_RELAY_H

#include <stdint.h>

struct gcs_relay;

enum {
	GCS_RELAY_CLEAN_CLOSE = 1 << 0, /* half-close dst and wait for the peer */
};

/* Called once, on the loop thread, after both descriptors are closed.
 * bytes = how many bytes went through; err = 0 or the errno that ended it. */
typedef void (*gcs_relay_done_fn)(void *ctx, struct gcs_relay *r, uint64_t bytes, int err);

int gcs_relay_start(int src, int dst, unsigned flags, gcs_relay_done_fn done, void *ctx, struct gcs_relay **out);
/* Stops now (no clean close), closes both descriptors, calls done. */
void gcs_relay_stop(struct gcs_relay *r);
/* Number of running relays (for dumps and leak checks). */
unsigned gcs_relay_count(void);

#endif
