/* gcs_loop.h: the GCS's one event loop (epoll), on its own thread.
 *
 * It owns everything that waits on descriptors without blocking anybody:
 * stdio relays, the SIGCHLD signalfd of the reaper, and timers (wait
 * timeouts). Other threads hand work to it with gcs_loop_call(); watches are
 * added, changed and removed only on the loop thread, so a callback never
 * races with the removal of its own watch. */
#ifndef LCOW_GCS_LOOP_H
#define LCOW_GCS_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct gcs_watch;
struct gcs_timer;

typedef void (*gcs_watch_fn)(void *ctx, uint32_t events);
typedef void (*gcs_call_fn)(void *ctx);

/* Creates the loop and starts its thread. */
int gcs_loop_start(void);
bool gcs_loop_in_thread(void);

/* Runs fn(ctx) on the loop thread, in call order. Thread-safe. */
int gcs_loop_call(gcs_call_fn fn, void *ctx);
/* Like gcs_loop_call, then waits until fn has returned (not from the loop). */
int gcs_loop_call_sync(gcs_call_fn fn, void *ctx);

/* Loop thread only. events are EPOLLIN/EPOLLOUT (level-triggered). */
int gcs_watch_add(int fd, uint32_t events, gcs_watch_fn fn, void *ctx, struct gcs_watch **out);
int gcs_watch_set(struct gcs_watch *w, uint32_t events);
/* Removes the watch (does not close fd); safe inside its own callback. */
void gcs_watch_del(struct gcs_watch *w);

/* Runs fn(ctx) on the loop thread after ms milliseconds. Thread-safe. */
struct gcs_timer *gcs_timer_add(uint64_t ms, gcs_call_fn fn, void *ctx);
/* Loop thread only: cancels a timer that has not fired yet. */
void gcs_timer_cancel(struct gcs_timer *t);

uint64_t gcs_now_ms(void);

#endif
