#!/usr/bin/env bash
# The Linux source tree (linux-source-6.1, ~83,000 entries, 1.3 GB) through
# tar2vhd, e2fsck -fn and vhd2tar, compared entry by entry with the input.
# Without tar2vhd, the image is made by mke2fs -d from the extracted tree.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/corpus.sh"
need_root
tmpdir
TOOLS="$ROOT/tests/tools"

linux=$(corpus_linux_source) || { fail "Linux source corpus" "could not be built"; exit 0; }
cmpopts=()
if "$BIN/tar2vhd" <"$linux" >"$T/linux.vhd" 2>"$T/err"; then
	how="tar2vhd"
else
	how="mke2fs -d"
	# mke2fs -d leaves some directories with the time it ran as mtime
	cmpopts=(--ignore-dir-mtime)
	mkdir "$T/tree"
	tar -C "$T/tree" -xf "$linux"
	mke2fs -q -F -t ext4 -b 4096 -d "$T/tree" "$T/linux.vhd" 3G
	rm -rf "$T/tree"
fi
ok "Linux source via $how: e2fsck -fn accepts the image" e2fsck -fn "$T/linux.vhd"
if "$BIN/vhd2tar" -i "$T/linux.vhd" -o "$T/linux.tar" 2>"$T/err"; then
	out=$(python3 "$TOOLS/tarcmp.py" --count "${cmpopts[@]}" "$linux" "$T/linux.tar" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		pass "Linux source via $how: same entries after vhd2tar ($out entries)"
		ok "Linux source via $how: about 83,000 entries compared" test "$out" -gt 80000
	else
		fail "Linux source via $how: same entries after vhd2tar" "$out"
	fi
else
	fail "Linux source via $how: vhd2tar" "$(cat "$T/err")"
fi
