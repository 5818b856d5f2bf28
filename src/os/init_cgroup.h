/* init_cgroup.h: /init's cgroup setup (../shared/spec/gcs-protocol.md §9.2
 * step 7): cgroup v2 when the kernel has it and runc can manage devices
 * with it, unless /proc/cmdline holds hcsshim.cgroup=v1; otherwise one v1
 * hierarchy per enabled controller under a tmpfs on /sys/fs/cgroup (the
 * only layout of the 2018 image, §9.5). */
#ifndef LCOW_INIT_CGROUP_H
#define LCOW_INIT_CGROUP_H

/* Returns 2 or 1 for the version mounted, or a negative errno with err
 * text when nothing could be mounted. */
int init_mount_cgroups(void);

/* The rest, once the GCS runs (off the boot's critical path): closes what
 * init_mount_cgroups() left open and, on v2, writes every controller of
 * the root's cgroup.controllers into its cgroup.subtree_control (one by
 * one if the kernel refuses the set; what still fails is logged in one
 * line). Nothing needs the controllers before the first container, and
 * runc enables them from the root down when it creates a container's
 * cgroup anyway (docs/init.md). Returns 0 or a negative errno with err
 * text when the files cannot be used. */
int init_cgroup_finish(void);

#endif
