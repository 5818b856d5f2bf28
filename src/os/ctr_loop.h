/* ctr_loop.h: loop devices over files or slices of devices.
 *
 * Used where a block device must stand in for something else: gcsctl
 * presents layer files to the GCS as SCSI LUNs through them, and the GCS
 * mounts one layer packed inside a VPMem device as a read-only slice
 * (gcs-protocol.md §7.4 MappingInfo) instead of a dm-linear target. */
#ifndef LCOW_CTR_LOOP_H
#define LCOW_CTR_LOOP_H

#include <stdbool.h>
#include <stdint.h>

/* Attaches PATH (from OFFSET, SIZE bytes; 0 = to the end) to a free loop
 * device; *DEV is "/dev/loopN" (malloc'd). AUTOCLEAR detaches the device
 * when its last user (a mount) goes away. */
int ctr_loop_attach(const char *path, uint64_t offset, uint64_t size, bool read_only, bool autoclear, char **dev);
/* Detaches DEV; a device that is already free counts as success. */
int ctr_loop_detach(const char *dev);

#endif
