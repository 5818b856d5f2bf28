#!/usr/bin/env bash
# tar2vhd on the Linux source tar (83k entries, 1.3 GB), side by side with
# `cat linux.tar > file` (the floor: the bytes must be written once) and
# with the classic way, `tar -x` + `mke2fs -t ext4 -d`. Prints hyperfine's
# medians, the ratios, and tar2vhd's peak RSS.
set -uo pipefail
ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${BIN:-$ROOT/build/bin}
CACHE=${LCOW_CACHE:-/var/cache/lcow-guest}/ext4
RUNS=${EXT4_BENCH_RUNS:-5}
mkdir -p "$CACHE"
L="$CACHE/linux.tar"
if [ ! -s "$L" ]; then
	src=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | head -1)
	[ -n "$src" ] || { echo "no /usr/src/linux-source-*.tar.xz (package linux-source-6.1)"; exit 1; }
	echo "making $L from $src"
	xz -dc "$src" >"$L.part" && mv "$L.part" "$L"
fi
W=$(mktemp -d /var/tmp/ext4-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
cat "$L" >/dev/null # same page-cache state for every command

echo "input: $L ($(stat -c %s "$L") bytes, $(tar -tf "$L" | wc -l) entries)"
# Each run starts with no dirty pages (sync, untimed) and no previous output,
# so one command's writeback does not slow the next.
hyperfine --style basic --warmup 1 --runs "$RUNS" --export-json "$W/fast.json" \
	--prepare "rm -f '$W/cat.out' '$W/layer.vhd'; sync" \
	-n cat "cat '$L' > '$W/cat.out'" \
	-n tar2vhd "'$BIN/tar2vhd' -i '$L' -o '$W/layer.vhd'"
# The classic way takes minutes: one run.
hyperfine --style basic --runs 1 --export-json "$W/slow.json" \
	--prepare "rm -rf '$W/x' '$W/mkfs.img'; sync" \
	-n "tar-x+mke2fs" "mkdir '$W/x' && tar -xf '$L' -C '$W/x' && mke2fs -q -F -t ext4 -b 4096 -d '$W/x' '$W/mkfs.img' 3G"
rm -rf "$W/x" "$W/mkfs.img"
python3 - "$W/fast.json" "$W/slow.json" <<'PY'
import json, sys
r = {}
for f in sys.argv[1:]:
    r.update({x["command"]: x["median"] for x in json.load(open(f))["results"]})
print("median seconds: cat %.2f  tar2vhd %.2f  tar-x+mke2fs %.2f" % (r["cat"], r["tar2vhd"], r["tar-x+mke2fs"]))
print("tar2vhd / cat          = %.2fx (target <= 1.5x)" % (r["tar2vhd"] / r["cat"]))
print("tar-x+mke2fs / tar2vhd = %.2fx (target >= 5x)" % (r["tar-x+mke2fs"] / r["tar2vhd"]))
PY
/usr/bin/time -f '%M' -o "$W/rss" "$BIN/tar2vhd" -i "$L" -o "$W/layer.vhd"
echo "tar2vhd peak RSS: $(( $(cat "$W/rss") / 1024 )) MiB (target <= 32 MiB)"
echo "image: $(stat -c %s "$W/layer.vhd") bytes for $(stat -c %s "$L") bytes of tar"
head -c -512 "$W/layer.vhd" >"$W/layer.ext4"
if e2fsck -fn "$W/layer.ext4" >"$W/fsck" 2>&1; then echo "e2fsck -fn: clean"; else echo "e2fsck -fn: FAILED"; cat "$W/fsck"; exit 1; fi
