/* ctr_cgroup.h: the containers' cgroups (gcs-protocol.md §6.1.2-6.1.4
 * cgroupsPath, §4.2.8 Statistics, §6.4 process lists, §10 row 19).
 *
 * runc creates and removes each container's cgroup from the spec's
 * linux.cgroupsPath; this file reads them (statistics, member pids) and
 * removes what runc leaves (pod parents, stale cgroups after a restart).
 * Works on cgroup v1 (one hierarchy per controller below the root) and v2
 * (the unified hierarchy at the root). */
#ifndef LCOW_CTR_CGROUP_H
#define LCOW_CTR_CGROUP_H

#include <json-c/json.h>
#include <sys/types.h>

/* Default /sys/fs/cgroup. */
void ctr_cgroup_set_root(const char *dir);
const char *ctr_cgroup_root(void);
/* 1 or 2. */
int ctr_cgroup_version(void);

/* LCOWMetrics (§3.5.6) of cgroup PATH (e.g. "/pods/c1"). */
int ctr_cgroup_statistics(const char *path, json_object **out);

/* All pids in cgroup PATH and its descendants (malloc'd array). */
int ctr_cgroup_pids(const char *path, pid_t **pids, size_t *n);

/* Removes cgroup PATH and its descendants in every hierarchy, deepest
 * first; absent → 0. Fails (-EBUSY) while processes remain. */
int ctr_cgroup_remove(const char *path);

/* Removes the cgroup directory DIR (absolute, as runc records it in
 * state.json) and its descendants, deepest first; absent → 0. */
int ctr_cgroup_remove_dir(const char *dir);

#endif
