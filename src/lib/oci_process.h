/* oci_process.h: OCI "process" objects for execs into a container.
 *
 * V3 hosts describe an exec with ProcessParameters and the guest builds the
 * OCI process itself (gcs-protocol.md §4.1.2 step 6); V4 hosts send an
 * OciProcess that inherits rlimits and the resolved user from the container
 * (§4.2.3). Command lines are split by bridge_cmdline_split (bridge_msg.h). */
#ifndef LCOW_OCI_PROCESS_H
#define LCOW_OCI_PROCESS_H

#include <json-c/json.h>
#include <stdbool.h>

/* §4.1.2 step 6: the OCI process for a V3 exec from ProcessParameters
 * (CommandArgs or CommandLine, WorkingDirectory, Environment,
 * EmulateConsole). */
int oci_process_from_parameters(json_object *params, json_object **out);

/* §4.2.3 exec steps 2-3: PROCESS gets the container's rlimits and, if it has
 * no username but the container's spec had one, the container's resolved
 * user. (A username on PROCESS is resolved by oci_process_resolve_user.) */
int oci_process_inherit(json_object *process, json_object *container_process, bool container_had_username);

#endif
