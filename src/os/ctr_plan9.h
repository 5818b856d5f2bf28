/* ctr_plan9.h: mounting a host directory share over 9p (gcs-protocol.md
 * §7.5). The caller dials the share's port (vsock, or a Unix socket in
 * tests) and hands the connected descriptor over. */
#ifndef LCOW_CTR_PLAN9_H
#define LCOW_CTR_PLAN9_H

#include <stdbool.h>

/* mkdir -p TARGET (0700) and mount 9p with trans=fd over FD (which the
 * caller still closes afterwards; the kernel keeps its own reference). */
int ctr_plan9_mount(int fd, const char *target, bool read_only, const char *share_name);

#endif
