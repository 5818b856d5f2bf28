#!/usr/bin/env bash
# tar -> tar2vhd -> vhd2tar gives back the same entries: a generated tree
# (every entry kind, ns and pre-1970/post-2038 times, ACLs, xattrs, AUFS
# whiteouts, hard links, sparse files) archived by GNU tar, and the Debian
# bookworm minbase corpus. Each image also passes e2fsck -fn.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/corpus.sh"
need_root
tmpdir
TOOLS="$ROOT/tests/tools"

# tar2vhd comes from the ext4 writer; until it is built, nothing to test.
printf '' | tar -cf "$T/empty.tar" -T - 2>/dev/null
if [ ! -x "$BIN/tar2vhd" ] || ! "$BIN/tar2vhd" <"$T/empty.tar" >"$T/empty.vhd" 2>"$T/err"; then
	skip "tar -> tar2vhd -> vhd2tar round trips" "tar2vhd not built or not working: $(head -c 200 "$T/err" 2>/dev/null)"
	exit 0
fi

roundtrip() { # name source.tar [tarcmp options...]
	local name=$1 src=$2; shift 2
	if ! "$BIN/tar2vhd" <"$src" >"$T/rt.vhd" 2>"$T/err"; then
		fail "$name: tar2vhd" "$(cat "$T/err")"; return
	fi
	ok "$name: e2fsck -fn accepts the image" e2fsck -fn "$T/rt.vhd"
	if ! "$BIN/vhd2tar" <"$T/rt.vhd" >"$T/rt.tar" 2>"$T/err"; then
		fail "$name: vhd2tar" "$(cat "$T/err")"; return
	fi
	local out
	if out=$(python3 "$TOOLS/tarcmp.py" "$@" "$src" "$T/rt.tar" 2>&1); then
		pass "$name: same entries after tar2vhd and vhd2tar"
	else
		fail "$name: same entries after tar2vhd and vhd2tar" "$out"
	fi
	rm -f "$T/rt.vhd" "$T/rt.tar"
}

python3 "$TOOLS/mktree.py" --aufs-whiteouts "$T/tree" >/dev/null
tar --sort=name --numeric-owner --format=pax --xattrs --xattrs-include='*' -C "$T/tree" \
	-cf "$T/tree.tar" . 2>/dev/null # (the socket is refused, as it must be)
roundtrip "generated tree (GNU tar pax)" "$T/tree.tar"

# The same tree without GNU tar: vhd2tar's own output goes round again and
# must come back byte for byte.
"$BIN/tar2vhd" <"$T/tree.tar" | "$BIN/vhd2tar" >"$T/once.tar"
"$BIN/tar2vhd" <"$T/once.tar" | "$BIN/vhd2tar" >"$T/twice.tar"
ok "vhd2tar output is a fixed point of tar2vhd + vhd2tar" cmp "$T/once.tar" "$T/twice.tar"

if minbase=$(corpus_debian_minbase); then
	roundtrip "Debian bookworm minbase" "$minbase"
else
	fail "Debian bookworm minbase corpus" "could not be built (see stderr)"
fi
