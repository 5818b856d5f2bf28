# The utility VM's root tree and initrd (docs/rootfs.md).
#
#   make rootfs-tree      assemble build/image/root (the 2018 layout)
#   make out/initrd.img   gzip-compressed cpio newc of that tree
#
# Both are rebuilt on every request: assembling takes about a second and
# mkinitrd's output depends only on the tree, so unchanged inputs give
# byte-identical images.
ROOTFS_DIR := build/image/root
ROOTFS_EPOCH = $(or $(SOURCE_DATE_EPOCH),$(shell git log -1 --format=%ct 2>/dev/null),0)

.PHONY: rootfs-tree $(OUT)/initrd.img
rootfs-tree: all
	@SOURCE_DATE_EPOCH=$(ROOTFS_EPOCH) scripts/build-rootfs.sh -b $(BUILD)/bin $(ROOTFS_DIR)

# dev/console is added as a node (initrd-layout.md §2: harmless, and init
# has a console even with a kernel whose built-in archive lacks it).
$(OUT)/initrd.img: rootfs-tree
	@mkdir -p $(OUT)
	$(BUILD)/bin/mkinitrd -o $@ -t $(ROOTFS_EPOCH) -n dev/console,c,5,1,0600 $(ROOTFS_DIR)

IMAGE_PARTS += $(OUT)/initrd.img
