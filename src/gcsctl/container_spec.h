/* container_spec.h: a default OCI runtime spec for gcsctl's container
 * commands, the way a host builds one for a plain `docker run` (pid, ipc,
 * uts and mount namespaces; proc, dev, devpts, shm, mqueue, sysfs). */
#ifndef GCSCTL_CONTAINER_SPEC_H
#define GCSCTL_CONTAINER_SPEC_H

#include <json-c/json.h>
#include <stdbool.h>

/* ARGV (NULL-terminated), ENV ("K=V", NULL-terminated, may be NULL),
 * ROOT ("rootfs" for V3, an absolute UVM path for V4). */
json_object *gcsctl_container_spec(char *const *argv, char *const *env, const char *cwd, bool tty, const char *root);

#endif
