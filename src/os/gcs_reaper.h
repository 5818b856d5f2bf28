/* gcs_reaper.h: the one place that reaps children (spec §6.3, DESIGN.md).
 *
 * The GCS is a child subreaper, so container inits and orphans re-parent to
 * it. SIGCHLD is blocked in every thread (gcs_reaper_block_sigchld() before
 * the first thread starts) and read from a signalfd on the event loop, which
 * calls waitpid(-1, WNOHANG) and hands each status to the watcher of that
 * pid. A pid must be watched before it can be reaped: gcs_spawn() registers
 * under the reaper lock; for pids learnt later (runc's pid file) statuses of
 * unwatched pids are kept in a small buffer and delivered when the watch
 * arrives. Nobody else may call wait*(). */
#ifndef LCOW_GCS_REAPER_H
#define LCOW_GCS_REAPER_H

#include <stdbool.h>
#include <sys/types.h>

/* Called on the event loop thread with the raw wait status. */
typedef void (*gcs_exit_fn)(void *ctx, pid_t pid, int status);

void gcs_reaper_block_sigchld(void);
/* Marks the process a child subreaper and starts watching SIGCHLD (the
 * event loop must be running). */
int gcs_reaper_start(void);

/* Watches pid. If its status was already collected, fn runs soon on the loop
 * thread. Returns -EEXIST if pid is already watched. */
int gcs_reaper_watch(pid_t pid, gcs_exit_fn fn, void *ctx);
/* Forgets a watch that has not fired (e.g. spawn failed after clone). */
void gcs_reaper_unwatch(pid_t pid);

/* Blocking wait for a watched-by-us child, for worker threads running
 * helpers (runc, mkfs): spawn with fn = gcs_reaper_sync_exit and ctx = a
 * struct gcs_reaper_sync, then gcs_reaper_sync_wait(). */
struct gcs_reaper_sync {
	bool done;
	int status;
};
void gcs_reaper_sync_exit(void *ctx, pid_t pid, int status);
int gcs_reaper_sync_wait(struct gcs_reaper_sync *s);

/* Held by gcs_spawn() across clone()+watch so no exit is lost. */
void gcs_reaper_lock(void);
void gcs_reaper_unlock(void);
int gcs_reaper_watch_locked(pid_t pid, gcs_exit_fn fn, void *ctx);
/* For a child just created by this process: a status buffered for an
 * earlier process with the same pid is stale and dropped. */
int gcs_reaper_new_child_locked(pid_t pid, gcs_exit_fn fn, void *ctx);

/* Number of watched pids (for dumps and leak checks). */
unsigned gcs_reaper_count(void);

#endif
