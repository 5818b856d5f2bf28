/* ctr_runc_state.h: `runc start` and `runc delete` done by the GCS itself
 * for the common case, through runc's own on-disk protocol, saving a Go
 * runtime start-up (~3 ms) and runc's work each (docs/containers.md "Start
 * and delete in the GCS").
 *
 * Only for runc (the runtime's file name is "runc": its state lives in
 * /run/runc/<id>, the root runc uses for uid 0 without --root); crun keeps
 * the command line. Both functions return -ENOTSUP, with the reason in the
 * err text, when the caller must run the runtime instead; that fallback
 * gives the host runc's own words for every failure. */
#ifndef LCOW_CTR_RUNC_STATE_H
#define LCOW_CTR_RUNC_STATE_H

#include <sys/types.h>

/* runc's state root when the runtime is runc, else NULL. */
const char *ctr_runc_state_root(void);

/* What `runc start` of a created container does (runc 1.1
 * libcontainer exec()): open <root>/<id>/exec.fifo for reading, which lets
 * the waiting init write one byte and exec the container's process; read
 * to end of file (the init's exec closes its end), then remove the fifo so
 * runc reports the container as running. INIT_PID is the init (from runc
 * create's pid file). -ENOTSUP when the fifo is absent or the init died
 * before it wrote: runc start then reports the state in its own words.
 * The caller leaves containers with poststart hooks to the runtime. */
int ctr_runc_state_start(const char *id, pid_t init_pid);

/* What `runc delete` of a stopped container does (runc 1.1 destroy()):
 * remove the cgroup directories of state.json's "cgroup_paths" (retrying
 * while the kernel still counts exiting tasks), then the state directory.
 * -ENOTSUP when the state is unreadable, the init still runs, runc would
 * have a poststop hook or an Intel RDT group to handle, or a cgroup stays
 * busy. The caller only asks for containers with a private pid namespace
 * whose init was reaped (nothing left to kill). */
int ctr_runc_state_delete(const char *id);

#endif
