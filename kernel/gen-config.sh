#!/usr/bin/env bash
# gen-config.sh: resolves kernel/lcow.fragment into kernel/lcow.config.
#
#   kernel/gen-config.sh           rewrite kernel/lcow.config
#   kernel/gen-config.sh --check   exit 1 if kernel/lcow.config differs from
#                                  what the fragment resolves to (no writes)
#
# The base is `allnoconfig` for ARCH=x86_64 with the fragment as
# KCONFIG_ALLCONFIG, so every option is off unless the fragment (or a
# `select`) turns it on, or it is one of the core options Kconfig keeps on
# when EXPERT is off. Any fragment line that does not survive resolution
# (usually an unmet `depends on`) is an error: the fragment stays truthful.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/source.sh"

check=0
case "${1:-}" in
--check) check=1 ;;
"") ;;
-h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
*) kernel_die "unknown option '$1' (see --help)" ;;
esac

kernel_source_tree
obj=$(mktemp -d /tmp/lcow-kernel-config.XXXXXX)
trap 'rm -rf "$obj"' EXIT

make -s -C "$KERNEL_SRC" O="$obj" ARCH=x86_64 KCONFIG_ALLCONFIG="$HERE/lcow.fragment" allnoconfig >"$obj/log" 2>&1 ||
	{ cat "$obj/log" >&2; kernel_die "allnoconfig failed"; }

lost=0
while IFS= read -r line; do
	if ! grep -qxF -- "$line" "$obj/.config"; then
		name=$(echo "$line" | grep -oE 'CONFIG_[A-Za-z0-9_]+')
		got=$(grep -E "^($name=|# $name is not set)" "$obj/.config" || echo "absent")
		kernel_log "fragment asks '$line' but the resolved config has '$got' (unmet dependency?)"
		lost=1
	fi
done < <(grep -E '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set)' "$HERE/lcow.fragment")
[ "$lost" -eq 0 ] || kernel_die "kernel/lcow.fragment does not resolve as written"

if [ "$check" -eq 1 ]; then
	if ! diff -u "$HERE/lcow.config" "$obj/.config" >&2; then
		kernel_die "kernel/lcow.config is stale: run kernel/gen-config.sh"
	fi
	kernel_log "kernel/lcow.config matches kernel/lcow.fragment"
else
	cp "$obj/.config" "$HERE/lcow.config"
	kernel_log "wrote kernel/lcow.config ($(grep -c '=y$' "$HERE/lcow.config") options built in)"
fi
