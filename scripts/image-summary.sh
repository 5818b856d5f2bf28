#!/usr/bin/env bash
# Prints what `make image` made in OUT (default out/) and the sizes.
set -euo pipefail
out=${1:-out}
mkdir -p "$out"
echo "image: $(cd "$out" && pwd)"
for f in vmlinuz vmlinux initrd.img rootfs.vhd uvm.vhdx; do
	if [ -f "$out/$f" ]; then
		printf '  %-12s %10d bytes  %s\n' "$f" "$(stat -c %s "$out/$f")" "$(sha256sum "$out/$f" | cut -c1-16)"
	else
		printf '  %-12s (not built)\n' "$f"
	fi
done
