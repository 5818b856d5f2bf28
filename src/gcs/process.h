/* process.h: processes the GCS started or adopted, their stdio and exits.
 *
 * A gcs_process is one pid in a process table, with its stdio relays, its
 * exit status and the WaitForProcess requests pending on it. The exit code
 * is published only when the process has exited AND its output relays have
 * drained and cleanly closed (§5.5); then pending waits are answered.
 *
 * Tables: gcs_v3_processes (protocol 3: one table for everything, pid-keyed,
 * exit records kept, §4.1) and gcs_uvm_processes (protocol 4: processes
 * outside containers, records dropped after the first completed wait,
 * §4.3). Containers (V4) keep their own table made with gcs_proc_table_new().
 *
 * Starting a process the GCS runs itself (external, §4.3):
 *   struct gcs_stdio io; gcs_stdio_dial(&exec, &io);
 *   gcs_process_spawn(table, &(struct gcs_process_start){...}, &io, &p);
 * Adopting one that runc created (re-parented to the GCS, §6.3):
 *   gcs_stdio_pipes_new(...) before runc; runc gets the child ends;
 *   gcs_process_adopt(table, pid, &pipes, &start, &p) after the pid file;
 *   gcs_process_attach_stdio(p, &io) when the host's sockets exist. */
#ifndef LCOW_GCS_PROCESS_H
#define LCOW_GCS_PROCESS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "gcs/gcs.h"
#include "lib/bridge_msg.h"

struct gcs_process;
struct gcs_proc_table;

enum gcs_retention {
	GCS_KEEP_EXIT_RECORDS,   /* V3: answer late waits from the kept record */
	GCS_DROP_AFTER_FIRST_WAIT, /* V4: later waits get HR_NOT_FOUND */
};

enum gcs_exit_style {
	GCS_EXIT_EXTERNAL,  /* killed by a signal -> 0xFFFFFFFF (§4.5) */
	GCS_EXIT_CONTAINER, /* killed by signal n -> 128 + n (§4.5, §10 row 6) */
};

extern struct gcs_proc_table *gcs_v3_processes;
extern struct gcs_proc_table *gcs_uvm_processes;

struct gcs_proc_table *gcs_proc_table_new(const char *name, enum gcs_retention retention);
/* Drops the table's references; processes still running keep running. */
void gcs_proc_table_free(struct gcs_proc_table *t);

/* Host-side stdio sockets, one per requested stream (-1 = not requested). */
struct gcs_stdio {
	int sock[3];
};
#define GCS_STDIO_NONE ((struct gcs_stdio){ { -1, -1, -1 } })
/* Dials, in order stdin, stdout, stderr, each stream whose CreateStd*Pipe
 * flag is set (§5.1). On failure closes what was opened. */
int gcs_stdio_dial(const struct bridge_exec *e, struct gcs_stdio *out);
void gcs_stdio_close(struct gcs_stdio *s);

/* Descriptors prepared before a runtime starts the process. child[] go to
 * the process (or runc), ours[] stay with the GCS (stdin write end, stdout
 * and stderr read ends); -1 where the stream is not wanted (child gets
 * /dev/null for it). pty_master >= 0 for terminal processes instead. */
struct gcs_stdio_pipes {
	int child[3];
	int ours[3];
	int pty_master;
};
int gcs_stdio_pipes_new(const bool want[3], struct gcs_stdio_pipes *p);
void gcs_stdio_pipes_close_child(struct gcs_stdio_pipes *p);
void gcs_stdio_pipes_close(struct gcs_stdio_pipes *p);

struct gcs_process_hooks {
	/* Exit known and output drained, before waits are answered (SEED
	 * container teardown, §4.1.7). Must lead to gcs_process_publish(p). */
	void (*before_publish)(struct gcs_process *p, void *ctx);
	/* The first WaitForProcess answer carrying the exit code has been
	 * queued (§4.4: time to send the container notification). */
	void (*after_first_wait)(struct gcs_process *p, void *ctx);
	/* A signal was delivered through gcs_process_signal (§4.2.5). */
	void (*signaled)(struct gcs_process *p, int sig, void *ctx);
	void *ctx;
};

struct gcs_process_start {
	char *const *argv;       /* spawn only */
	char *const *envp;       /* spawn only; NULL = empty environment */
	const char *cwd;         /* spawn only */
	bool tty;                /* spawn: allocate a pty (EmulateConsole) */
	unsigned short rows, cols; /* spawn: initial pty size (0 = leave) */
	enum gcs_exit_style exit_style;
	const char *container_id; /* for dumps ("" = UVM) */
	const struct gcs_process_hooks *hooks; /* optional; copied */
};

/* Spawns s->argv with its stdio relayed over io (taken over, also on
 * failure). *out gets a reference (gcs_process_unref) if out != NULL. */
int gcs_process_spawn(struct gcs_proc_table *t, const struct gcs_process_start *s, struct gcs_stdio *io,
		      struct gcs_process **out);
/* Registers a pid the GCS did not fork (its exit is collected through the
 * reaper's early-status buffer if it already ended). pipes (taken over) are
 * the GCS ends; stdio is attached later. */
int gcs_process_adopt(struct gcs_proc_table *t, pid_t pid, struct gcs_stdio_pipes *pipes,
		      const struct gcs_process_start *s, struct gcs_process **out);
/* Starts the relays between the process's pipes/pty and the host sockets
 * (taken over). Streams without a socket are closed on the GCS side. Once
 * per process (-EALREADY after); attaching GCS_STDIO_NONE just releases the
 * process so its exit can be published. */
int gcs_process_attach_stdio(struct gcs_process *p, struct gcs_stdio *io);

pid_t gcs_process_pid(const struct gcs_process *p);
const char *gcs_process_container_id(const struct gcs_process *p);
void gcs_process_unref(struct gcs_process *p);
/* Lookup by pid; a new reference or NULL. */
struct gcs_process *gcs_proc_table_get(struct gcs_proc_table *t, pid_t pid);
void gcs_proc_table_remove(struct gcs_proc_table *t, struct gcs_process *p);

/* Ends a before_publish hook: the exit code becomes visible to waiters. */
void gcs_process_publish(struct gcs_process *p);
/* True once exited (exit status collected). */
bool gcs_process_exited(const struct gcs_process *p, uint32_t *exit_code);

/* WaitForProcess (§3.4.5, §4.2.4): takes req over, answers it with ExitCode
 * when published or HR_TIMEOUT after timeout_ms (BRIDGE_WAIT_INFINITE = none).
 * Always returns GCS_DEFERRED. */
int gcs_process_wait(struct gcs_process *p, struct gcs_request *req, uint32_t timeout_ms);
/* kill(pid, sig); -ESRCH once the process has exited. */
int gcs_process_signal(struct gcs_process *p, int sig);
/* TIOCSWINSZ; -ENOTTY without a pty; 0 if the pty is already closed. */
int gcs_process_resize(struct gcs_process *p, unsigned rows, unsigned cols);

/* For V4 requests naming a container: finds that container's process table
 * (set by the container code). Without a resolver every container lookup
 * fails with HR_SYSTEM_NOT_FOUND. Returns 0 or a negative errno with
 * *hresult set (e.g. HR_SYSTEM_NOT_FOUND, HR_INVALID_STATE). */
typedef int (*gcs_container_table_fn)(const char *container_id, struct gcs_proc_table **out, int32_t *hresult);
void gcs_set_container_table_resolver(gcs_container_table_fn fn);
/* The table a Wait/Signal/Resize request addresses (§4.1.4, §4.2.4-6,
 * §10 row 4): V3 -> gcs_v3_processes; V4 null GUID -> gcs_uvm_processes;
 * V4 other ids -> the container's table. */
int gcs_request_proc_table(struct gcs_request *req, struct gcs_proc_table **out);

/* Number of live (not yet published) processes, for dumps and tests. */
unsigned gcs_process_live_count(void);
void gcs_process_dump(struct gcs_dump *d);

#endif
