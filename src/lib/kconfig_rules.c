/* kconfig_rules.c: the LCOW kernel requirements table and its check.
 *
 * One row per option, with why LCOW needs it built in. Sources: the SEED
 * build instructions (ACPI/NFIT/NVDIMM/overlay/vsock/Hyper-V built in),
 * gcs-protocol.md §9 (boot, init, GCS start-up), initrd-layout.md §1.6, §2
 * and §4.5 (initramfs, VHD and dm-verity roots), and runc's check-config
 * list ("generally necessary" plus the cgroup controllers runc drives). */
#include "lib/kconfig_rules.h"

#include <stdio.h>

const struct kconfig_rule kconfig_lcow_rules[] = {
	/* Platform and boot */
	{ "64BIT", "the utility VM is x86_64" },
	{ "SMP", "hosts give the utility VM several virtual processors" },
	{ "ACPI", "Hyper-V describes VMBus, NVDIMMs and processors through ACPI" },
	{ "PCI", "qemu's virtio devices and Hyper-V vPCI are PCI devices" },
	{ "EFI", "Hyper-V generation 2 VMs boot through UEFI" },
	{ "EFI_STUB", "the kernel is started as a UEFI application (Hyper-V gen2, OVMF)" },
	{ "BLK_DEV_INITRD", "the initrd.img boot path (initrd-layout.md §2)" },
	{ "RD_GZIP", "initrd.img is gzip-compressed (initrd-layout.md §1.6)" },
	{ "BINFMT_ELF", "/init, the GCS and containers are ELF programs" },
	{ "BINFMT_SCRIPT", "#! scripts (udhcpc_config.script, container entrypoints)" },
	{ "KALLSYMS", "initcall_blacklist=virtio_vsock_init matches initcalls by symbol name" },
	{ "PRINTK", "kernel messages reach the serial console and /dev/kmsg" },
	{ "PRINTK_TIME", "timestamps in kernel messages for boot diagnosis" },
	{ "SERIAL_8250", "the host's console pipe is COM1 (console=ttyS0)" },
	{ "SERIAL_8250_CONSOLE", "kernel console on ttyS0" },
	{ "UNIX98_PTYS", "container terminals are /dev/pts ptys" },
	{ "DEVTMPFS", "init mounts devtmpfs on /dev (gcs-protocol.md §9.2)" },
	{ "DEVTMPFS_MOUNT", "a VHD root (root=/dev/pmem0, /dev/sda) starts with /dev mounted" },
	{ "PROC_FS", "init mounts /proc; runc and the GCS read it" },
	{ "SYSFS", "init mounts /sys; device discovery walks it" },
	{ "TMPFS", "/run, /tmp, /dev/shm and the -w overlays are tmpfs" },
	{ "TMPFS_POSIX_ACL", "container files on tmpfs keep their ACLs" },
	{ "TMPFS_XATTR", "overlay upper directories on tmpfs need xattrs" },
	{ "SHMEM", "tmpfs and shared memory are backed by shmem" },
	{ "MULTIUSER", "containers run as non-root users" },
	{ "FUTEX", "threads (Go runtimes in containers, the GCS) need futexes" },
	{ "EPOLL", "event loops in the GCS, runc and containers" },
	{ "SIGNALFD", "the GCS reaps children through signalfd" },
	{ "TIMERFD", "container runtimes and systemd-style services use timerfd" },
	{ "EVENTFD", "cgroup v1 memory events and runtimes use eventfd" },
	{ "FHANDLE", "open_by_handle_at, used by runc and systemd in containers" },
	{ "INOTIFY_USER", "inotify is a basic expectation of container workloads" },
	{ "KEYS", "runc creates a session keyring per container" },
	{ "POSIX_MQUEUE", "runc mounts /dev/mqueue into containers" },
	{ "SYSVIPC", "System V IPC inside containers (and the IPC namespace)" },
	{ "SECCOMP", "runc applies the OCI seccomp profile" },
	{ "SECCOMP_FILTER", "seccomp profiles are BPF filters" },
	/* Hyper-V */
	{ "HYPERVISOR_GUEST", "the kernel must recognise it runs under a hypervisor" },
	{ "HYPERV", "VMBus: every Hyper-V device, including the bridge socket" },
	{ "HYPERV_UTILS", "host shutdown, time sync and heartbeat integration services" },
	{ "PTP_1588_CLOCK", "the Hyper-V PTP clock chronyd syncs from (gcs-protocol.md §9.4)" },
	{ "HYPERV_BALLOON", "the host hot-adds and reclaims utility VM memory" },
	{ "HYPERV_STORAGE", "container layers and scratch disks arrive as VMBus SCSI" },
	{ "HYPERV_NET", "container network adapters are netvsc devices" },
	{ "PCI_HYPERV", "assigned devices (GPUs) arrive through Hyper-V vPCI" },
	{ "HYPERV_KEYBOARD", "the Hyper-V synthetic keyboard (Ctrl-Alt-Del from the host)" },
	{ "VSOCKETS", "the host bridge, stdio relays and entropy are vsock streams" },
	{ "HYPERV_VSOCKETS", "the host bridge is Hyper-V vsock" },
	{ "VIRTIO_VSOCKETS", "the bridge transport under qemu (vhost-vsock)" },
	{ "VSOCKETS_LOOPBACK", "local vsock for tests without a host (CID 1)" },
	/* Storage: VPMem, SCSI, virtio, dm-verity */
	{ "ACPI_NFIT", "VPMem devices are described by the ACPI NFIT table" },
	{ "LIBNVDIMM", "VPMem layers and rootfs.vhd are NVDIMM regions" },
	{ "BLK_DEV_PMEM", "/dev/pmemN block devices for VPMem layers (root=/dev/pmem0)" },
	{ "DAX", "VPMem layers are mapped directly (DAX) instead of copied" },
	{ "FS_DAX", "ext4 -o dax on VPMem layers" },
	{ "BLK_DEV", "block device support" },
	{ "BLK_DEV_LOOP", "loop devices for image files (tar2vhd, tests)" },
	{ "SCSI", "SCSI disks (Hyper-V storvsc, virtio-scsi)" },
	{ "BLK_DEV_SD", "/dev/sdX for SCSI disks (root=/dev/sda)" },
	{ "EFI_PARTITION", "GPT partitions on disks (root=PARTUUID=)" },
	{ "MD", "the device-mapper menu" },
	{ "BLK_DEV_DM", "dm-linear and dm-verity targets for layers and the root" },
	{ "DM_VERITY", "the dm-verity root file system (initrd-layout.md §4.4)" },
	{ "DM_INIT", "dm-mod.create= on the kernel command line (root=/dev/dm-0)" },
	{ "VIRTIO_PCI", "virtio devices under qemu (q35 and pc)" },
	{ "VIRTIO_BLK", "virtio-blk disks under qemu (/dev/vdX)" },
	{ "SCSI_VIRTIO", "virtio-scsi disks under qemu (/dev/sdX)" },
	{ "VIRTIO_NET", "network under qemu" },
	{ "VIRTIO_CONSOLE", "virtio consoles under qemu (/dev/hvcN)" },
	/* File systems */
	{ "EXT4_FS", "layers, scratch and rootfs.vhd are ext4" },
	{ "EXT4_FS_POSIX_ACL", "image layers carry POSIX ACLs" },
	{ "EXT4_FS_SECURITY", "image layers carry security.* xattrs (file capabilities)" },
	{ "OVERLAY_FS", "container root file systems are overlays of the layers" },
	{ "NET_9P", "host directories are shared over 9p" },
	{ "NET_9P_FD", "9p runs over vsock sockets with trans=fd" },
	{ "NET_9P_VIRTIO", "9p shares under qemu (virtio-9p)" },
	{ "9P_FS", "mounting 9p shares (mapped directories)" },
	/* cgroups and namespaces */
	{ "CGROUPS", "runc confines every container in cgroups" },
	{ "CPUSETS", "runc's cpuset controller (cpus/mems limits)" },
	{ "MEMCG", "runc's memory controller; the GCS limits /pods (gcs-protocol.md §9.4)" },
	{ "BLK_CGROUP", "runc's blkio/io controller" },
	{ "BLK_DEV_THROTTLING", "blkio throttle limits from the OCI spec" },
	{ "CGROUP_PIDS", "runc's pids controller (pids.max)" },
	{ "CGROUP_DEVICE", "runc's device allow-list" },
	{ "CGROUP_FREEZER", "runc pause/resume and safe kill" },
	{ "CGROUP_SCHED", "runc's cpu controller (shares, quota)" },
	{ "FAIR_GROUP_SCHED", "cpu shares/weight" },
	{ "CFS_BANDWIDTH", "cpu quota and period" },
	{ "CGROUP_CPUACCT", "cpu usage statistics for GetProperties" },
	{ "CGROUP_HUGETLB", "runc's hugetlb controller" },
	{ "CGROUP_PERF", "runc's perf_event controller" },
	{ "CGROUP_BPF", "cgroup v2 device control is a BPF program" },
	{ "BPF_SYSCALL", "runc loads the cgroup v2 device filter with bpf(2)" },
	{ "NAMESPACES", "containers are namespaces" },
	{ "UTS_NS", "per-container hostname" },
	{ "IPC_NS", "per-container IPC" },
	{ "USER_NS", "user-namespaced containers" },
	{ "PID_NS", "per-container process tree" },
	{ "NET_NS", "per-container network stack" },
	/* Networking */
	{ "NET", "networking" },
	{ "UNIX", "Unix sockets (runc console socket, containers)" },
	{ "INET", "IPv4" },
	{ "IPV6", "IPv6" },
	{ "PACKET", "udhcpc uses packet sockets" },
	{ "VETH", "veth pairs for container networking (runc check-config)" },
	{ "BRIDGE", "Linux bridges for container networking (runc check-config)" },
	{ "NETFILTER", "packet filtering for container networking (runc check-config)" },
	{ "BRIDGE_NETFILTER", "br_netfilter (runc check-config: generally necessary)" },
	{ "NF_NAT", "NAT for container networking (runc check-config)" },
	{ "IP_NF_NAT", "iptables nat table (runc check-config)" },
	{ "IP_NF_FILTER", "iptables filter table (runc check-config)" },
	{ "IP_NF_TARGET_MASQUERADE", "iptables MASQUERADE (runc check-config)" },
	{ "NETFILTER_XT_MATCH_ADDRTYPE", "iptables addrtype match (runc check-config)" },
	{ "NETFILTER_XT_MATCH_CONNTRACK", "iptables conntrack match (runc check-config)" },
	{ "NETFILTER_XT_MATCH_IPVS", "iptables ipvs match (runc check-config)" },
};
const size_t kconfig_lcow_rule_count = sizeof(kconfig_lcow_rules) / sizeof(kconfig_lcow_rules[0]);

static int meets(const struct kconfig_entry *e)
{
	return e && e->kind == KCONFIG_YES;
}

size_t kconfig_check(const struct kconfig *cfg, const struct kconfig_rule *rules, size_t count,
		     struct kconfig_finding *out, size_t max)
{
	size_t unmet = 0;
	for (size_t i = 0; i < count; i++) {
		const struct kconfig_entry *e = kconfig_lookup(cfg, rules[i].name);
		if (meets(e))
			continue;
		if (unmet < max)
			out[unmet] = (struct kconfig_finding){ .rule = &rules[i], .entry = e };
		unmet++;
	}
	return unmet;
}

int kconfig_finding_format(const struct kconfig_finding *f, char *buf, size_t len)
{
	const char *name = f->rule->name, *reason = f->rule->reason;
	const struct kconfig_entry *e = f->entry;
	const char *want = "must be built in (=y)";
	if (!e)
		return snprintf(buf, len, "%s is absent: %s: %s", name, want, reason);
	switch (e->kind) {
	case KCONFIG_NOT_SET:
		return snprintf(buf, len, "%s is not set: %s: %s", name, want, reason);
	case KCONFIG_MODULE:
		return snprintf(buf, len, "%s=m: %s: %s", name, want, reason);
	case KCONFIG_NO:
		return snprintf(buf, len, "%s=n: %s: %s", name, want, reason);
	case KCONFIG_STRING:
		return snprintf(buf, len, "%s=\"%s\": %s: %s", name, e->value, want, reason);
	case KCONFIG_NUMBER:
		return snprintf(buf, len, "%s=%s: %s: %s", name, e->value, want, reason);
	case KCONFIG_YES:
		break;
	}
	return snprintf(buf, len, "%s=y: %s", name, reason);
}
