/* oci_runc_state.h: reading runc's own records of a container, so the GCS
 * can do what `runc start` and `runc delete` do for the common case without
 * starting a runc process (docs/containers.md "Start and delete in the
 * GCS").
 *
 * runc 1.1 keeps <root>/<id>/state.json: the init's pid and start time
 * ("init_process_pid", "init_process_start", the start time in clock ticks
 * as /proc/<pid>/stat field 22 gives it), the cgroup directories it created
 * ("cgroup_paths": controller → absolute path), "intel_rdt_path" and the
 * libcontainer config with its "hooks". Pure: text in, facts out. */
#ifndef LCOW_OCI_RUNC_STATE_H
#define LCOW_OCI_RUNC_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct oci_runc_state {
	pid_t init_pid;
	uint64_t init_start;   /* clock ticks after boot */
	char **cgroup_paths;   /* absolute directories, deduplicated */
	size_t n_cgroup_paths;
	bool has_intel_rdt;    /* a resctrl group runc would have to remove */
	bool has_poststop;     /* config.hooks.poststop is not empty */
};
void oci_runc_state_free(struct oci_runc_state *s);

/* Parses state.json TEXT. Every cgroup path must be absolute, below
 * CGROUP_ROOT (e.g. "/sys/fs/cgroup") and free of "." and ".." components,
 * or the state is refused (-EINVAL with err text): the GCS removes those
 * directories. */
int oci_runc_state_parse(const char *text, size_t len, const char *cgroup_root, struct oci_runc_state *out);

/* From the text of /proc/<pid>/stat: the state letter (field 3) and the
 * start time (field 22). The command name (field 2) may hold spaces and
 * parentheses; the fields follow its last ')'. -EINVAL when malformed. */
int oci_proc_stat_parse(const char *text, size_t len, char *state, uint64_t *start_time);

#endif
