#!/usr/bin/env bash
# Layers made by tar2vhd stacked by the kernel's overlayfs, read-only, as the
# guest mounts them (../shared/spec/ext4-writer.md §17.8): .wh.NAME hides
# NAME, .wh..wh..opq hides a directory's lower content, in whatever order
# the entries come, also at the root.
. "$(dirname "$0")/../lib.sh"
need_root
tmpdir
LAYERS="$ROOT/tests/integration/ext4_layers.py"

layer() { # name -> $T/NAME.ext4 mounted at $T/l-NAME
	python3 "$LAYERS" make "$1" "$T/$1.tar" &&
		"$BIN/tar2vhd" -i "$T/$1.tar" -o "$T/$1.vhd" &&
		head -c -512 "$T/$1.vhd" >"$T/$1.ext4" &&
		e2fsck -fn "$T/$1.ext4" >/dev/null 2>&1 &&
		mkdir -p "$T/l-$1" && mount -t ext4 -o ro,loop "$T/$1.ext4" "$T/l-$1" &&
		at_exit "umount '$T/l-$1'"
}
union() { # dir lowerdirs (top first)
	mkdir -p "$1" && mount -t overlay overlay -o ro,lowerdir="$2" "$1" && at_exit "umount '$1'"
}
# Every path with its type and content, lost+found (one per layer) left out.
tree() {
	(cd "$1" && find . -mindepth 1 -path ./lost+found -prune -o -printf '%y %p\n' | sort |
		while read -r y p; do
			if [ "$y" = f ]; then echo "$y $p $(cat "$p")"; else echo "$y $p"; fi
		done)
}

for l in lower upper top; do
	ok "layer $l: converts, e2fsck clean, mounts" layer $l
done
ok "upper layer stores whiteouts as 0/0 character devices" \
	bash -c "[ -c '$T/l-upper/etc/removed' ] && [ \"\$(stat -c '%t:%T %a' '$T/l-upper/etc/removed')\" = '0:0 0' ]"
ok "upper layer marks var/cache opaque" \
	bash -c "[ \"\$(getfattr --only-values -n trusted.overlay.opaque '$T/l-upper/var/cache' 2>/dev/null)\" = y ]"

# Two layers: whiteouts before and after their directory's entry, an opaque
# directory declared before its own entry, a whited-out directory.
union "$T/two" "$T/l-upper:$T/l-lower"
ok_eq "two layers: overlayfs shows exactly the expected tree" "$(cat <<'EOF'
d ./etc
d ./opt
d ./var
d ./var/cache
f ./etc/hosts new hosts
f ./etc/passwd etc/passwd
f ./opt/keep opt/keep
f ./opt/new n
f ./var/cache/fresh fresh
EOF
)" "$(tree "$T/two")"
ok_eq "two layers: the opaque directory keeps the upper mode" 700 "$(stat -c %a "$T/two/var/cache")"

# Three layers: a directory recreated above its whiteout and made opaque,
# and a whiteout of a file that only the middle layer has. The top layer's
# root also carries the opaque marker (§17.5); overlayfs always merges layer
# roots, so the marker is checked on the layer itself.
ok "top layer marks its root opaque" \
	bash -c "[ \"\$(getfattr --only-values -n trusted.overlay.opaque '$T/l-top' 2>/dev/null)\" = y ]"
union "$T/three" "$T/l-top:$T/l-upper:$T/l-lower"
ok_eq "three layers: recreated directory and a whited-out upper file" "$(cat <<'EOF'
d ./etc
d ./olddir
d ./opt
d ./var
d ./var/cache
f ./etc/hosts new hosts
f ./etc/passwd etc/passwd
f ./olddir/y y
f ./opt/keep opt/keep
f ./opt/new n
EOF
)" "$(tree "$T/three")"
