/* ctr_devices.h: finding the block device behind a SCSI LUN or a VPMem
 * device (gcs-protocol.md §7.3, §7.4, §10 row 16).
 *
 * Everything is read below a sysfs root (default /sys, `-sysfs-root DIR`)
 * so tests can present loop devices as SCSI LUNs:
 *   DIR/bus/vmbus/devices/<controller GUID>/host<N>     → SCSI host N
 *   DIR/bus/scsi/devices/<N>:0:0:<lun>/block/<name>     → /dev/<name>
 *   DIR/bus/scsi/devices/0:0:<controller>:<lun>/block/<name>  (older form)
 *   DIR/bus/nd/devices/namespace<N>.0/block/<name>      → /dev/<name> (pmem N)
 * Every wait is bounded (ctr_devices_set_timeout_ms), always below the
 * host's 5-minute request limit. */
#ifndef LCOW_CTR_DEVICES_H
#define LCOW_CTR_DEVICES_H

#include <stddef.h>
#include <stdint.h>

void ctr_devices_set_sysfs_root(const char *dir);
const char *ctr_devices_sysfs_root(void);
void ctr_devices_set_timeout_ms(unsigned ms);

/* §7.3 discovery: waits for the LUN's block device (and PARTITION if > 0)
 * and for its /dev node. *DEV is "/dev/<name>" (malloc'd). -ETIMEDOUT with
 * err text naming the sysfs path when the device never appears. */
int ctr_scsi_find(uint8_t controller, uint8_t lun, uint64_t partition, char **dev);

/* §4.2.9 SCSIDevice Remove: writes "1\n" to the LUN's delete file; a
 * missing device counts as success. */
int ctr_scsi_unplug(uint8_t controller, uint8_t lun);

/* §7.4: the block device of VPMem device N (malloc'd "/dev/<name>"). */
int ctr_pmem_find(uint32_t number, char **dev);

#endif
