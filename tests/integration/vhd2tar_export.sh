#!/usr/bin/env bash
# exportSandbox: the upper directory of a real overlay mount (whiteouts and
# opaque directories made by the kernel) and a plain "FROM scratch"
# directory, archived and compared entry by entry with the tree.
. "$(dirname "$0")/../lib.sh"
need_root
tmpdir
TOOLS="$ROOT/tests/tools"
EXP="$BIN/exportSandbox"

"$EXP" </dev/null >/dev/null 2>"$T/err"
ok_eq "no -path: exit 1" 1 "$?"
ok "no -path: says path is required" grep -q "path is required" "$T/err"

# An overlay as Docker's LCOW driver builds it: lower layer, then upper and
# work directories under the sandbox mount path.
sb="$T/sandbox"
mkdir -p "$T/lower/etc" "$T/lower/var/lib/old" "$sb/upper" "$sb/work" "$T/merged"
echo base >"$T/lower/etc/passwd"
echo gone >"$T/lower/etc/shadow"
echo old >"$T/lower/var/lib/old/file"
if mount -t overlay overlay -o "lowerdir=$T/lower,upperdir=$sb/upper,workdir=$sb/work" "$T/merged" 2>"$T/err"; then
	at_exit "umount '$T/merged'"
	echo changed >"$T/merged/etc/passwd"
	rm "$T/merged/etc/shadow"
	rm -rf "$T/merged/var/lib"
	mkdir -p "$T/merged/var/lib/new"
	echo fresh >"$T/merged/var/lib/new/file"
	ln "$T/merged/var/lib/new/file" "$T/merged/var/lib/new/link"
	setfattr -n user.note -v hi "$T/merged/var/lib/new/file"
	sync
	# the mount table line for the sandbox path mentions overlay
	if "$EXP" -path "$sb" -mounts <(echo "overlay $sb/merged overlay rw,upperdir=$sb/upper 0 0") >"$T/up.tar" 2>"$T/err"; then
		ok "the whiteout for etc/shadow is .wh.shadow" bash -c "tar -tf '$T/up.tar' | grep -qx 'etc/.wh.shadow'"
		ok "the re-created var/lib is opaque" bash -c "tar -tf '$T/up.tar' | grep -qx 'var/lib/.wh..wh..opq'"
		ok "no overlayfs-private xattrs in the archive" bash -c "! grep -aq 'SCHILY.xattr.trusted.overlay' '$T/up.tar'"
		out=$(python3 "$TOOLS/tarcmp.py" --ignore-xattr trusted.overlay. "$sb/upper" "$T/up.tar" 2>&1) &&
			pass "upper directory archived entry by entry" || fail "upper directory archived entry by entry" "$out"
	else
		fail "exportSandbox of an overlay upper" "$(cat "$T/err")"
	fi
else
	skip "exportSandbox of an overlay upper" "overlay mount failed: $(cat "$T/err")"
fi

# FROM scratch: a plain directory (no upper, not an overlay) is archived itself.
python3 "$TOOLS/mktree.py" "$T/scratch" >/dev/null
if "$EXP" -path "$T/scratch" -mounts /dev/null -o "$T/scratch.tar" 2>"$T/err"; then
	out=$(python3 "$TOOLS/tarcmp.py" "$T/scratch" "$T/scratch.tar" 2>&1) &&
		pass "FROM scratch directory archived entry by entry" || fail "FROM scratch directory archived entry by entry" "$out"
else
	fail "exportSandbox of a plain directory" "$(cat "$T/err")"
fi
