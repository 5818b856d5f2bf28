# Disk images (docs/disk.md): out/rootfs.vhd, the root tree as ext4 with a
# fixed VHD footer (hcsshim attaches it as root=/dev/sda), and out/uvm.vhdx,
# a UEFI-bootable GPT disk (ESP with BOOTX64.EFI + ext4 root) as VHDX (the
# 2018 host's boot disk). scripts/disk-image.sh does the work; both are
# byte-identical for the same commit (SOURCE_DATE_EPOCH = commit time).
ROOTFS_TREE ?= build/image/root
DISK_KERNEL = $(OUT)/vmlinuz
DISK_PROGRAMS := $(BUILD)/bin/gcstools $(BUILD)/bin/mkgpt $(BUILD)/bin/mkvhdx
DISK_SCRIPTS := scripts/disk-image.sh scripts/pe-stamp.py
DISK_EPOCH = $(or $(SOURCE_DATE_EPOCH),$(shell git log -1 --format=%ct 2>/dev/null),0)
DISK_ENV = BIN=$(abspath $(BUILD)/bin) SOURCE_DATE_EPOCH=$(DISK_EPOCH)

IMAGE_PARTS += $(OUT)/rootfs.vhd $(OUT)/uvm.vhdx

.PHONY: disk-images
disk-images: $(OUT)/rootfs.vhd $(OUT)/uvm.vhdx

$(OUT)/rootfs.vhd: rootfs-tree $(DISK_PROGRAMS) $(DISK_SCRIPTS)
	@mkdir -p $(dir $@)
	$(DISK_ENV) scripts/disk-image.sh rootfs-vhd $(ROOTFS_TREE) $@

$(OUT)/uvm.vhdx: rootfs-tree kernel $(DISK_PROGRAMS) $(DISK_SCRIPTS)
	@mkdir -p $(dir $@)
	$(DISK_ENV) scripts/disk-image.sh uvm-vhdx $(ROOTFS_TREE) $(DISK_KERNEL) $@
