#!/usr/bin/env bash
# lcow-kconfig-check against real configs: ours passes, Debian's stock
# amd64 config (HYPERV_VSOCKETS and friends as modules) is refused, the
# committed kernel/lcow.config is exactly what kernel/lcow.fragment resolves
# to, and the kernel actually built from it carries a fit .config.
. "$(dirname "$0")/../lib.sh"
CHECK="$BIN/lcow-kconfig-check"
DEBIAN_CONFIG=/usr/src/linux-config-6.1/config.amd64_none_amd64.xz
tmpdir

out=$("$CHECK" "$ROOT/kernel/lcow.config" 2>&1); rc=$?
ok_eq "kernel/lcow.config is fit (exit 0)" 0 "$rc"
case "$out" in *"fit for LCOW"*) pass "a fit config says so" ;; *) fail "a fit config says so" "$out" ;; esac

gzip -c "$ROOT/kernel/lcow.config" >"$T/config.gz"
"$CHECK" -q "$T/config.gz"; ok_eq "a gzip-compressed config is read like /proc/config.gz" 0 $?
"$CHECK" -q - <"$ROOT/kernel/lcow.config"; ok_eq "'-' reads the config from stdin" 0 $?

if [ -r "$DEBIAN_CONFIG" ]; then
	out=$("$CHECK" "$DEBIAN_CONFIG" 2>"$T/err"); rc=$?
	ok_eq "Debian's stock amd64 config (.xz) is unfit (exit 1)" 1 "$rc"
	if grep -qxF "HYPERV_VSOCKETS=m: must be built in (=y): the host bridge is Hyper-V vsock" <<<"$out"; then
		pass "the refusal names HYPERV_VSOCKETS=m with its reason"
	else
		fail "the refusal names HYPERV_VSOCKETS=m with its reason" "$(head -n 5 <<<"$out")"
	fi
	# Cross-check a few findings against the file itself.
	for sym in HYPERV VSOCKETS OVERLAY_FS; do
		want=$(xz -dc "$DEBIAN_CONFIG" | grep -E "^CONFIG_$sym=" | sed 's/^CONFIG_//')
		if [ -n "$want" ] && grep -q "^$want: " <<<"$out"; then
			pass "reports $want as Debian has it"
		else
			fail "reports $sym as Debian has it ($want)" "$(grep "^$sym" <<<"$out")"
		fi
	done
	n=$(grep -c ': must be built in (=y): ' <<<"$out")
	if grep -q "unfit for LCOW: $n of " "$T/err"; then pass "the summary counts the $n findings"; else fail "the summary counts the findings" "$(cat "$T/err")"; fi
else
	skip "Debian's stock amd64 config is unfit" "linux-config-6.1 not installed"
fi

# A module is not enough: flip one requirement in our own config.
sed 's/^CONFIG_HYPERV_VSOCKETS=y$/CONFIG_HYPERV_VSOCKETS=m/' "$ROOT/kernel/lcow.config" >"$T/m.config"
out=$("$CHECK" "$T/m.config" 2>/dev/null); rc=$?
ok_eq "one requirement as a module makes the config unfit" \
	"1|HYPERV_VSOCKETS=m: must be built in (=y): the host bridge is Hyper-V vsock" "$rc|$out"
sed '/^CONFIG_OVERLAY_FS=y$/d' "$ROOT/kernel/lcow.config" >"$T/absent.config"
out=$("$CHECK" "$T/absent.config" 2>/dev/null)
case "$out" in "OVERLAY_FS is absent: "*) pass "a missing line is reported as absent" ;; *) fail "a missing line is reported as absent" "$out" ;; esac

# Usage and input errors are exit 2, never "fit".
"$CHECK" >/dev/null 2>&1; ok_eq "no FILE is a usage error" 2 $?
"$CHECK" --bogus x >/dev/null 2>&1; ok_eq "an unknown option is a usage error" 2 $?
"$CHECK" "$T/does-not-exist" >/dev/null 2>"$T/err"; ok_eq "a missing file is exit 2" 2 $?
if grep -q "does-not-exist" "$T/err"; then pass "the error names the file"; else fail "the error names the file" "$(cat "$T/err")"; fi
printf 'hello\n' >"$T/hello"
"$CHECK" "$T/hello" >/dev/null 2>&1; ok_eq "a text file that is not a config is exit 2" 2 $?
: >"$T/empty"
"$CHECK" "$T/empty" >/dev/null 2>&1; ok_eq "an empty file is exit 2" 2 $?
"$CHECK" "$CHECK" >/dev/null 2>&1; ok_eq "a binary file is exit 2" 2 $?
help=$("$CHECK" --help); rc=$?
ok_eq "--help exits 0" 0 "$rc"
if grep -q "Exit status: 0 the config is fit" <<<"$help"; then pass "--help documents the exit status"; else fail "--help documents the exit status" "$help"; fi
n=$("$CHECK" --list | wc -l)
if [ "$n" -ge 100 ]; then pass "--list prints every requirement ($n)"; else fail "--list prints every requirement" "only $n lines"; fi

# The fragment and the resolved config never drift apart.
if out=$("$ROOT/kernel/gen-config.sh" --check 2>&1); then
	pass "kernel/lcow.config is what kernel/lcow.fragment resolves to"
else
	fail "kernel/lcow.config is what kernel/lcow.fragment resolves to" "$(tail -n 15 <<<"$out")"
fi

# The .config the kernel was really built with (from the build cache).
if make -C "$ROOT" --no-print-directory OUT="$T/out" kernel >"$T/build.log" 2>&1; then
	built=$("$ROOT/kernel/build.sh" --cached-config)
	"$CHECK" -q "$built"; ok_eq "the built kernel's .config ($built) is fit" 0 $?
	ok "the built kernel's .config equals kernel/lcow.config" cmp "$built" "$ROOT/kernel/lcow.config"
	# Hyper-V cannot be exercised under qemu, so check the drivers' entry
	# points are linked in (built in, not left to modules).
	if command -v nm >/dev/null; then
		nm "$T/out/vmlinux" >"$T/syms" 2>/dev/null
		for fn in hv_acpi_init hvs_init storvsc_drv_init netvsc_drv_init init_balloon_drv init_hyperv_utils \
			hv_pci_init hv_kbd_init virtio_vsock_init vsock_loopback_init p9_trans_fd_init nfit_init; do
			if grep -qE " [tT] $fn\$" "$T/syms"; then pass "vmlinux contains $fn"; else fail "vmlinux contains $fn" "symbol not found"; fi
		done
	else
		skip "vmlinux symbols" "nm (binutils) missing"
	fi
else
	fail "make kernel" "$(tail -n 20 "$T/build.log")"
fi
