/* ctr_runc.h: the runc command lines of gcs-protocol.md §6.2.
 *
 * The runtime binary is a setting (-runtime PATH, default /sbin/runc); crun
 * takes the same arguments. Per-process helper state lives under the state
 * directory (default /run/gcsrunc): <dir>/<id>/initpid and one
 * <dir>/<id>/<pid>/ per process (pid, process.json, master.sock, runc.log).
 *
 * On failure a function returns a negative errno, sets the err text to
 * runc's own words (its JSON log's last error, else its output) and, when
 * HR is not NULL, the HRESULT those words map to (§6.5). */
#ifndef LCOW_CTR_RUNC_H
#define LCOW_CTR_RUNC_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

void ctr_runc_set_binary(const char *path);
const char *ctr_runc_binary(void);
void ctr_runc_set_state_dir(const char *dir);
const char *ctr_runc_state_dir(void);

struct ctr_runc_process {
	bool terminal;  /* receive the pty master over the console socket */
	int stdio[3];   /* runc's (and, without a tty, the process's) stdio; -1 = /dev/null */
	pid_t pid;      /* out */
	int pty_master; /* out: -1 without a terminal */
};

/* runc create --bundle B --no-pivot --pid-file ... [--console-socket] ID */
int ctr_runc_create(const char *id, const char *bundle, struct ctr_runc_process *p, int32_t *hr);
/* runc start ID */
int ctr_runc_start(const char *id, const char *bundle, int32_t *hr);
/* runc exec -d --process FILE --pid-file ... [--console-socket] ID */
int ctr_runc_exec(const char *id, const char *bundle, json_object *process, struct ctr_runc_process *p,
		  int32_t *hr);
/* runc kill [--all] ID SIG */
int ctr_runc_kill(const char *id, int sig, bool all, int32_t *hr);
/* runc delete [--force] ID, then removes <state>/<id> */
int ctr_runc_delete(const char *id, bool force, int32_t *hr);
/* runc state ID → "status" string ("created", "running", "stopped", ...),
 * malloc'd */
int ctr_runc_status(const char *id, char **status, int32_t *hr);
/* runc update --resources - ID with RESOURCES (an OCI LinuxResources) */
int ctr_runc_update(const char *id, json_object *resources, int32_t *hr);
/* Removes <state>/<id>/<pid> (§4.4: after the process's exit was reported). */
void ctr_runc_forget_process(const char *id, pid_t pid);

#endif
