#!/usr/bin/env bash
# mkvhdx vs `qemu-img convert -O vhdx` on the same raw GPT disk, side by
# side: output sizes and conversion times (hyperfine). mkvhdx fsyncs its
# output before the rename; qemu-img does not, so it is also timed followed
# by `sync -f` for a like-for-like durable write.
#
# Input: the uvm raw disk when the image inputs exist (build/image/root,
# out/vmlinuz), else a 1 GiB raw disk holding an ext4 of the Debian minbase
# corpus (cached in /var/cache/lcow-guest/disk/, keyed by the corpus size).
set -euo pipefail
ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${BIN:-$ROOT/build/bin}
CACHE=${LCOW_CACHE:-/var/cache/lcow-guest}/disk
T=$(mktemp -d /tmp/lcow-bench-disk.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$CACHE"

raw=
if [ -d "$ROOT/build/image/root" ] && [ -f "$ROOT/out/vmlinuz" ] &&
	BIN=$BIN "$ROOT/scripts/disk-image.sh" uvm-vhdx "$ROOT/build/image/root" "$ROOT/out/vmlinuz" \
		"$T/uvm.vhdx" "$T/uvm.raw" 2>/dev/null; then
	raw=$T/uvm.raw
	what="uvm raw disk (ESP + root ext4)"
else
	corpus=${LCOW_CACHE:-/var/cache/lcow-guest}/corpus/debian-bookworm-minbase.tar
	[ -f "$corpus" ] || { echo "bench disk: no image inputs and no corpus $corpus"; exit 1; }
	raw=$CACHE/minbase-$(stat -c %s "$corpus").raw
	if [ ! -f "$raw" ]; then
		mkdir "$T/tree" && tar -C "$T/tree" -xf "$corpus"
		truncate -s 1G "$raw.tmp"
		mkfs.ext4 -q -F -d "$T/tree" "$raw.tmp"
		mv "$raw.tmp" "$raw"
		rm -rf "$T/tree"
	fi
	what="1 GiB raw with an ext4 of Debian minbase"
fi

size() { stat -c %s "$1"; }
alloc() { echo $(($(stat -c %b "$1") * 512)); }
echo "input: $what, $(size "$raw") bytes"

hyperfine --style basic --warmup 1 --runs 5 \
	-n "mkvhdx --dynamic" "$BIN/mkvhdx --dynamic $raw $T/ours-d.vhdx 2>/dev/null" \
	-n "qemu-img convert -O vhdx (dynamic)" "qemu-img convert -f raw -O vhdx -o subformat=dynamic $raw $T/qemu-d.vhdx" \
	-n "mkvhdx --fixed" "$BIN/mkvhdx --fixed $raw $T/ours-f.vhdx 2>/dev/null" \
	-n "qemu-img convert -O vhdx (fixed)" "qemu-img convert -f raw -O vhdx -o subformat=fixed $raw $T/qemu-f.vhdx" \
	-n "qemu-img convert -O vhdx (dynamic) + sync" "qemu-img convert -f raw -O vhdx -o subformat=dynamic $raw $T/qemu-ds.vhdx && sync -f $T/qemu-ds.vhdx" \
	-n "qemu-img convert -O vhdx (fixed) + sync" "qemu-img convert -f raw -O vhdx -o subformat=fixed $raw $T/qemu-fs.vhdx && sync -f $T/qemu-fs.vhdx" \
	--export-json "$T/times.json" >/dev/null

python3 - "$T/times.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
for mode in ("dynamic", "fixed"):
    ours = r[f"mkvhdx --{mode}"]
    theirs = r[f"qemu-img convert -O vhdx ({mode})"]
    synced = r[f"qemu-img convert -O vhdx ({mode}) + sync"]
    print(f"time {mode:7}: mkvhdx {ours['median']:.3f} s (median of {len(ours['times'])}, fsyncs)  "
          f"qemu-img {theirs['median']:.3f} s  ratio {ours['median'] / theirs['median']:.2f}  |  "
          f"qemu-img + sync {synced['median']:.3f} s  ratio {ours['median'] / synced['median']:.2f}")
    cpu = lambda x: x["user"] + x["system"]
    print(f"cpu  {mode:7}: mkvhdx {cpu(ours):.3f} s  qemu-img {cpu(theirs):.3f} s  "
          f"ratio {cpu(ours) / cpu(theirs):.2f}  (user+system, mean)")
PY
for mode in d f; do
	name=$([ $mode = d ] && echo dynamic || echo fixed)
	printf 'size %-7s: mkvhdx %d bytes (%d allocated)  qemu-img %d bytes (%d allocated)  ratio %.2f\n' \
		"$name" "$(size "$T/ours-$mode.vhdx")" "$(alloc "$T/ours-$mode.vhdx")" \
		"$(size "$T/qemu-$mode.vhdx")" "$(alloc "$T/qemu-$mode.vhdx")" \
		"$(python3 -c "print($(size "$T/ours-$mode.vhdx") / $(size "$T/qemu-$mode.vhdx"))")"
done
qemu-img compare -q -f vhdx -F vhdx "$T/ours-d.vhdx" "$T/qemu-d.vhdx" && echo "content: identical to qemu-img's (qemu-img compare)"
