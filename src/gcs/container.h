/* container.h: the container service shared by the container_*.c handlers.
 *
 * One table of containers for both protocols (gcs-protocol.md §4.1, §4.2).
 * A container is reference counted; its fields are guarded by its own
 * lock, the table by the table lock. Mounts the GCS makes are recorded in a
 * journal under the runc state directory so a GCS killed mid-way cleans them
 * up at its next start (container_journal.c). */
#ifndef LCOW_GCS_CONTAINER_H
#define LCOW_GCS_CONTAINER_H

#include <json-c/json.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "gcs/gcs.h"
#include "gcs/process.h"
#include "lib/oci_spec.h"

enum container_status { CONTAINER_CREATING, CONTAINER_CREATED, CONTAINER_RUNNING, CONTAINER_TERMINATED };

/* A V3 mapped disk or directory, unmounted at teardown (§4.1.7 step 3). */
struct container_mapping {
	char *path;
	uint32_t key; /* lun, or port for directories */
	bool directory;
};

struct container {
	pthread_mutex_t lock;
	int refs;
	char *id;
	int protocol;               /* 3 or 4 */
	enum container_status status;
	char *activity_id;          /* of the Create request (notification) */
	char *bundle;
	char *scratch_dir;          /* V4 ScratchDirPath or NULL */
	enum oci_kind kind;
	char *sandbox_id;
	char *cgroups_path;
	json_object *spec;          /* as written to config.json */
	bool had_username;
	bool owns_pid_namespace;
	bool terminal;              /* init has a pty */
	struct gcs_proc_table *procs; /* V4: the container's processes */
	struct gcs_process *init;
	pid_t init_pid;
	struct gcs_stdio_pipes init_pipes; /* V4 init, until ExecuteProcess */
	const char *exit_type;      /* "UnexpectedExit", "GracefulExit", "ForcedExit" */
	bool notified;
	/* V3 (SEED storage, §7.1) */
	int storage_index;          /* -1 when none */
	bool init_started;
	struct container_mapping *mappings;
	size_t n_mappings;
	size_t n_layers;
};

/* Service settings (command-line options, container_core.c). */
struct container_settings {
	const char *cgroup_parent;  /* -cgroup-parent, default /pods */
	const char *v3_root;        /* -v3-root, default /tmp */
	const char *state_dir;      /* -runc-state-dir, default /run/gcsrunc */
	unsigned device_timeout_ms; /* -device-timeout-ms, default 120000 */
};
extern struct container_settings container_settings;

/* Table. container_new inserts a CREATING container (-EEXIST if the id is
 * taken); container_get returns a new reference or NULL. */
int container_new(const char *id, int protocol, const char *activity_id, struct container **out);
struct container *container_get(const char *id);
void container_put(struct container *c);
void container_remove(struct container *c);
/* The sandbox bundle of pod SANDBOX_ID (malloc'd) or NULL. */
char *container_sandbox_root(const char *sandbox_id);

/* Lookup for a request: unknown → HR_SYSTEM_NOT_FOUND, still creating →
 * HR_INVALID_STATE (§4.2). Sets the request's HRESULT on failure. */
int container_lookup(struct gcs_request *req, struct container **out);

/* Process hooks shared by the V3 and V4 inits. */
extern const struct gcs_process_hooks container_init_hooks_v4;
extern const struct gcs_process_hooks container_exec_hooks;

/* Sends the container's exit notification once (§4.4). */
void container_notify_exit(struct container *c);

/* Sets the request's HRESULT and returns R (an errno), for handlers. */
int container_fail(struct gcs_request *req, int32_t hresult, int r);

/* Reads <root>/etc/<name> without leaving ROOT (symlinks resolved inside
 * it); NULL when absent. */
char *container_read_rootfs_file(const char *root, const char *name);
/* Writes TEXT to PATH (mode 0644), replacing it. */
int container_write_file(const char *path, const char *text, mode_t mode);

/* Mount journal (container_journal.c). */
void container_journal_add(const char *path);
void container_journal_remove(const char *path);
int container_cleanup_stale(void);

/* Runs the adopted init/exec: pipes for a non-terminal process. */
int container_start_v4_exec(struct container *c, struct gcs_request *req, const struct bridge_exec *e);

/* Starts C's created init (runc start): in the GCS through runc's exec
 * fifo when C has no poststart hooks, else, or when that does not apply,
 * by running the runtime (docs/containers.md "Start and delete in the
 * GCS"). On failure *HR is the HRESULT for the host. */
int container_runtime_start(struct container *c, int32_t *hr);
/* Deletes C's runtime state (runc delete, not forced): in the GCS when the
 * init was reaped, C owns its pid namespace and has no poststop hooks;
 * else by running the runtime. */
int container_runtime_delete(struct container *c, int32_t *hr);

/* V3 teardown (container_v3.c). */
void container_v3_teardown(struct container *c);

#endif
