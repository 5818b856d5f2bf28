# Inputs for the disk image tests (bash; source after tests/lib.sh).
#
#   disk_inputs   builds the root tree and the kernel through make (both
#                 cached or quick when up to date) and sets TREE and KERNEL;
#                 skips the calling test file when a piece is not available
#   disk_build DIR
#                 writes DIR/rootfs.vhd, DIR/uvm.vhdx and DIR/disk.raw (the
#                 raw disk inside uvm.vhdx) exactly as `make image` does
#
# Images are products, so they are always built from the plain build
# (SANITIZE=0), also under `make check SANITIZE=1`.
DISK_BUILD=build
DISK_BIN=$ROOT/$DISK_BUILD/bin

disk_inputs() {
	local log
	log=$(mktemp /tmp/lcow-disk-make.XXXXXX)
	at_exit "rm -f '$log'"
	if ! make -C "$ROOT" --no-print-directory SANITIZE=0 BUILD=$DISK_BUILD all rootfs-tree >"$log" 2>&1; then
		skip "$(basename "$0" .sh)" "no root tree: make rootfs-tree failed: $(tail -n 3 "$log" | tr '\n' ' ')"
		exit 0
	fi
	TREE=$ROOT/build/image/root
	if ! make -C "$ROOT" --no-print-directory SANITIZE=0 BUILD=$DISK_BUILD kernel >"$log" 2>&1 || [ ! -f "$ROOT/out/vmlinuz" ]; then
		skip "$(basename "$0" .sh)" "no kernel: make kernel failed: $(tail -n 3 "$log" | tr '\n' ' ')"
		exit 0
	fi
	KERNEL=$ROOT/out/vmlinuz
	if ! timeout 10 "$DISK_BIN/gcstools" tar2vhd --help </dev/null >/dev/null 2>&1; then
		skip "$(basename "$0" .sh)" "gcstools has no tar2vhd yet"
		exit 0
	fi
}

disk_build() { # dir
	mkdir -p "$1"
	local epoch
	epoch=$(git -C "$ROOT" log -1 --format=%ct)
	BIN=$DISK_BIN SOURCE_DATE_EPOCH=$epoch "$ROOT/scripts/disk-image.sh" rootfs-vhd "$TREE" "$1/rootfs.vhd" &&
		BIN=$DISK_BIN SOURCE_DATE_EPOCH=$epoch "$ROOT/scripts/disk-image.sh" uvm-vhdx "$TREE" "$KERNEL" \
			"$1/uvm.vhdx" "$1/disk.raw"
}
