/* container_ops.h: bridge steps shared by gcsctl's container commands
 * (run, mount-scsi, combine, create, start, delete, ...). */
#ifndef GCSCTL_CONTAINER_OPS_H
#define GCSCTL_CONTAINER_OPS_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "gcsctl/session.h"

/* A request of TYPE (REQ consumed); prints the failure as WHAT. 0 or -1. */
int gcsctl_ctr_call(struct gcsctl_session *s, uint32_t type, struct json_object *req, const char *what);
/* UVM ModifySettings of TYPE/REQUEST with SETTINGS (consumed). 0 or -1. */
int gcsctl_ctr_modify(struct gcsctl_session *s, const char *type, const char *request, struct json_object *settings,
		      const char *what);
/* ExecuteProcess with PARAMS (consumed) for CID, stdio streamed to this
 * process, then WaitForProcess: the exit code, or -1 after printing. */
int gcsctl_ctr_run_process(struct gcsctl_session *s, const char *cid, struct json_object *params, bool tty);

#endif
