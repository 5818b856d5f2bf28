/* gcs_spawn.h: starting programs (spec §4.3, §5.4; DESIGN.md "Processes").
 *
 * clone(CLONE_VM|CLONE_VFORK) + execve, so a spawn costs no page-table copy
 * and the caller learns about exec failures synchronously. The child gets
 * exactly fds 0-2 (everything else is closed), default signal handling and
 * an empty signal mask, optionally a new session with fd 0 as controlling
 * terminal. The pid is registered with the reaper before it can be reaped. */
#ifndef LCOW_GCS_SPAWN_H
#define LCOW_GCS_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "os/gcs_reaper.h"

struct gcs_spawn_opts {
	const char *path;        /* executable; NULL = resolve argv[0] via PATH */
	char *const *argv;
	char *const *envp;       /* NULL = empty environment */
	const char *cwd;         /* NULL = inherit */
	int fd[3];               /* child's 0,1,2; -1 = /dev/null */
	bool new_session_tty;    /* setsid() + TIOCSCTTY on fd 0 (a pty slave) */
	gcs_exit_fn on_exit;     /* required: called on the loop thread */
	void *ctx;
};

/* Starts the program; 0 and *pid, or a negative errno with err text
 * (including exec and chdir failures, which the child reports back). */
int gcs_spawn(const struct gcs_spawn_opts *o, pid_t *pid);

/* Resolves name through the GCS's own PATH (§4.3); names with a '/' are
 * used as given. */
int gcs_resolve_path(const char *name, char *out, size_t size);

/* Runs argv to completion from a worker thread (never the loop thread);
 * returns the raw wait status, or a negative errno. out_fd (or -1) becomes
 * the child's stdout and stderr. */
int gcs_run(char *const argv[], int out_fd);

#endif
