/* oci_metrics.h: cgroup statistics → the LCOWMetrics document
 * (gcs-protocol.md §3.5.6): containerd's cgroup-v1 Metrics in JSON, snake
 * case keys, every zero member omitted. cgroup v2 files are translated into
 * the same v1 shape (§11 item 6).
 *
 * Pure: the caller supplies a reader for cgroup files, so tests feed text. */
#ifndef LCOW_OCI_METRICS_H
#define LCOW_OCI_METRICS_H

#include <json-c/json.h>

/* Reads FILE of CONTROLLER ("memory", "cpuacct", ...; "" for cgroup v2) into
 * a malloc'd NUL-terminated *TEXT. Returns 0 or a negative errno (a missing
 * file is simply skipped). */
typedef int (*oci_cgroup_reader)(void *ctx, const char *controller, const char *file, char **text);

/* Builds the LCOWMetrics object. CGROUP_VERSION is 1 or 2. */
int oci_metrics_build(int cgroup_version, oci_cgroup_reader read, void *ctx, json_object **out);

#endif
