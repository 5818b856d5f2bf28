/* init_mounts.h: the file systems /init mounts before anything runs
 * (../shared/spec/gcs-protocol.md §9.2 steps 4-6, with the SEED-era extras
 * of §9.5: mqueue, devpts gid=5,mode=0620, /dev/shm and /tmp 1777, the
 * basic device nodes when devtmpfs lacks them). */
#ifndef LCOW_INIT_MOUNTS_H
#define LCOW_INIT_MOUNTS_H

#include <stdbool.h>

/* Mounts devtmpfs on /dev (already mounted is fine). Done first, so the
 * console, /dev/null and /dev/kmsg can be opened. Returns 1 when it
 * mounted devtmpfs, 0 when /dev was already a mount point, or a negative
 * errno with err text. */
int init_mount_dev(void);

/* proc, the /dev links, /run, /tmp, /dev/shm, /dev/pts, /dev/mqueue,
 * sysfs, and with `create_nodes` the basic device nodes that are missing
 * (a devtmpfs init mounted itself already has a node for every device the
 * kernel has). Returns 0 or a negative errno with err text for the first
 * required mount that failed; optional ones are only logged. */
int init_mount_basic(bool create_nodes);

/* -w: tmpfs on /run/over and overlays on /etc and /var (§9.2 step 6). */
int init_mount_writable_overlays(void);

#endif
