#!/usr/bin/env bash
# mkvhdx against qemu's VHDX driver as the oracle: qemu-img check/info accept
# what we write, convert gives back exactly the raw bytes, and files broken
# on purpose are rejected (so the check can fail).
. "$(dirname "$0")/../lib.sh"
tmpdir
M=$BIN/mkvhdx
command -v qemu-img >/dev/null || { skip disk_vhdx "qemu-img missing"; exit 0; }

# A raw disk with data scattered between holes.
raw=$T/disk.raw
truncate -s 300M "$raw"
mkfs.ext4 -q -F -d "$ROOT/src" "$T/fs.ext4" 16M
dd if="$T/fs.ext4" of="$raw" conv=notrunc status=none
head -c 3M /dev/urandom | dd of="$raw" bs=1M seek=100 conv=notrunc status=none
head -c 4096 /dev/urandom | dd of="$raw" bs=4096 seek=$((300 * 256 - 1)) conv=notrunc status=none

poke() { # file offset hexbytes
	printf "$(echo "$3" | sed 's/../\\x&/g')" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

for mode in dynamic fixed; do
	v=$T/$mode.vhdx
	ok "$mode: mkvhdx writes a VHDX" "$M" --$mode "$raw" "$v"
	ok "$mode: qemu-img check finds no errors" qemu-img check -f vhdx "$v"
	info=$(qemu-img info --output=json "$v")
	ok_eq "$mode: qemu-img info says format vhdx" vhdx "$(echo "$info" | python3 -c 'import json,sys; print(json.load(sys.stdin)["format"])')"
	ok_eq "$mode: virtual size is the raw size" $((300 << 20)) "$(echo "$info" | python3 -c 'import json,sys; print(json.load(sys.stdin)["virtual-size"])')"
	qemu-img convert -f vhdx -O raw "$v" "$T/back.raw"
	ok "$mode: convert -O raw gives back exactly the raw disk" cmp "$T/back.raw" "$raw"
	rm -f "$T/back.raw"
done

nonzero=$(python3 -c '
import sys
n = 0
with open(sys.argv[1], "rb") as f:
    while (b := f.read(1 << 20)):
        n += b.count(0) != len(b)
print(n)' "$raw")
ok_eq "dynamic: only the $nonzero non-zero 1 MiB blocks follow the 4 MiB head" \
	$(((4 + nonzero) << 20)) "$(stat -c %s "$T/dynamic.vhdx")"
ok_eq "fixed: every 32 MiB block present (10 blocks after the 4 MiB head)" \
	$(((4 + 320) << 20)) "$(stat -c %s "$T/fixed.vhdx")"

"$M" "$raw" "$T/again.vhdx" 2>/dev/null
ok "same input gives byte-identical output" cmp "$T/again.vhdx" "$T/dynamic.vhdx"

qemu-img convert -f raw -O vhdx "$raw" "$T/qemu.vhdx"
ok "qemu-img compare: ours and qemu's own VHDX hold the same disk" \
	qemu-img compare -f vhdx -F vhdx "$T/dynamic.vhdx" "$T/qemu.vhdx"

# A size that is not a multiple of 1 MiB is rounded up; the tail reads zero.
head -c $((5 * 1024 * 1024 + 4096)) /dev/urandom >"$T/odd.raw"
"$M" "$T/odd.raw" "$T/odd.vhdx" 2>/dev/null
qemu-img convert -f vhdx -O raw "$T/odd.vhdx" "$T/odd.back"
ok_eq "odd size rounds up to 6 MiB" $((6 << 20)) "$(stat -c %s "$T/odd.back")"
ok "odd size: the data comes back, then zeros" \
	bash -c "cmp -n $(stat -c %s "$T/odd.raw") '$T/odd.raw' '$T/odd.back' && \
		tail -c $((1048576 - 4096)) '$T/odd.back' | cmp -s - <(head -c $((1048576 - 4096)) /dev/zero)"

# More than one chunk of 32 MiB blocks: the BAT interleaves a sector-bitmap
# entry after every 128 payload entries (vhd-vhdx.md B.7).
big=$T/big.raw
truncate -s 4600M "$big"
head -c 1M /dev/urandom | dd of="$big" bs=1M seek=4500 conv=notrunc status=none
head -c 1M /dev/urandom | dd of="$big" bs=1M seek=4096 conv=notrunc status=none
head -c 1M /dev/urandom | dd of="$big" bs=1M seek=7 conv=notrunc status=none
"$M" --block-size 32 "$big" "$T/big.vhdx" 2>/dev/null
ok "4.5 GiB, 32 MiB blocks: qemu-img check" qemu-img check -f vhdx "$T/big.vhdx"
ok "4.5 GiB, 32 MiB blocks: same content past the first chunk" \
	qemu-img compare -f vhdx -F raw "$T/big.vhdx" "$big"
rm -f "$big" "$T/big.vhdx"

# Broken on purpose: the oracle must reject these.
cp "$T/dynamic.vhdx" "$T/badcrc.vhdx"
poke "$T/badcrc.vhdx" $((64 * 1024 + 4)) 00000000
poke "$T/badcrc.vhdx" $((128 * 1024 + 4)) 00000000
if qemu-img info -f vhdx "$T/badcrc.vhdx" >/dev/null 2>&1; then
	fail "both header CRCs zeroed: qemu-img info refuses the file" "qemu-img info accepted it"
else
	pass "both header CRCs zeroed: qemu-img info refuses the file"
fi
cp "$T/dynamic.vhdx" "$T/onecrc.vhdx"
poke "$T/onecrc.vhdx" $((64 * 1024 + 4)) 00000000
ok "one header CRC zeroed: the other header still opens the file" qemu-img check -f vhdx "$T/onecrc.vhdx"

cp "$T/dynamic.vhdx" "$T/badbat.vhdx"
# BAT entry 0 → FULLY_PRESENT at 1 TiB, far past the end of the file.
poke "$T/badbat.vhdx" $((3 << 20)) 0600000000010000
if qemu-img check -f vhdx "$T/badbat.vhdx" >/dev/null 2>&1; then
	fail "BAT entry past EOF: qemu-img check reports it" "qemu-img check passed"
else
	pass "BAT entry past EOF: qemu-img check reports it"
fi

cp "$T/dynamic.vhdx" "$T/badregion.vhdx"
poke "$T/badregion.vhdx" $((192 * 1024 + 20)) ff
poke "$T/badregion.vhdx" $((256 * 1024 + 20)) ff
if qemu-img info -f vhdx "$T/badregion.vhdx" >/dev/null 2>&1; then
	fail "both region tables corrupted: qemu-img info refuses the file" "accepted"
else
	pass "both region tables corrupted: qemu-img info refuses the file"
fi

# Bad input: a clear error, a non-zero exit, nothing left behind.
mkdir "$T/outdir"
err=$("$M" "$T/missing.raw" "$T/outdir/x.vhdx" 2>&1); rc=$?
ok_eq "missing input: exit 1" 1 "$rc"
ok "missing input: the error names the file" grep -q "missing.raw" <<<"$err"
ok_eq "missing input: nothing written" "" "$(ls -A "$T/outdir")"
: >"$T/empty.raw"
"$M" "$T/empty.raw" "$T/outdir/x.vhdx" 2>/dev/null
ok_eq "empty input: refused, nothing written" "" "$(ls -A "$T/outdir")"
"$M" --block-size 3 "$raw" "$T/outdir/x.vhdx" 2>/dev/null; rc=$?
ok_eq "block size not a power of two: refused" "1 " "$rc $(ls -A "$T/outdir")"
"$M" "$raw" "$T/nodir/x.vhdx" 2>/dev/null; rc=$?
ok_eq "output directory missing: exit 1" 1 "$rc"
