/* handlers.h: functions of the bridge's built-in handlers that the container
 * code reuses when it registers its own (higher-priority) handlers for the
 * same messages. */
#ifndef LCOW_GCS_HANDLERS_H
#define LCOW_GCS_HANDLERS_H

#include <stdbool.h>

#include "gcs/gcs.h"
#include "lib/bridge_msg.h"

/* True when an ExecuteProcess targets the UVM rather than a container:
 * CreateInUtilityVM, or (V4) the null GUID as ContainerId (§4.2.3, §4.3). */
bool gcs_exec_is_external(const struct gcs_request *req, const struct bridge_exec *e);
/* Runs an external process for req (dials stdio, spawns, adds ProcessId to
 * the response). Returns 0 or a negative errno (err text set). */
int gcs_exec_external(struct gcs_request *req, struct bridge_exec *e);

/* ShutdownGraceful/ShutdownForced for the null GUID in V4 (§4.2.7): answers
 * and then ends the GCS (init powers the VM off when its GCS child exits). */
int gcs_shutdown_uvm(struct gcs_request *req);

#endif
