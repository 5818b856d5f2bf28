#!/usr/bin/env bash
# /sbin/udhcpc_config.script for real: busybox udhcpd serves a lease over a
# veth pair between two network namespaces made for this test, and the
# image's own udhcpc runs the script chrooted in the image tree (so the
# resolv.conf it writes is the tree's, as in the VM). Checks the address,
# the default route and resolv.conf (gcs-protocol.md §8.1), then deconfig.
. "$(dirname "$0")/../lib.sh"
need_root
tmpdir

if ! out=$(env -u BUILD -u SANITIZE make -C "$ROOT" --no-print-directory all 2>&1); then
	fail "build" "$(echo "$out" | tail -n 5)"; exit 0
fi
R=$T/root
if ! out=$("$ROOT/scripts/build-rootfs.sh" -b "$ROOT/build/bin" "$R" 2>&1); then
	fail "build-rootfs" "$out"; exit 0
fi

srv=lcow-rootfs-dhcp-srv-$$ cli=lcow-rootfs-dhcp-cli-$$
if ! ip netns add "$srv" 2>/dev/null; then
	skip "dhcp" "cannot create network namespaces here"; exit 0
fi
at_exit "ip netns del $srv"
ip netns add "$cli"
at_exit "ip netns del $cli"
ip -n "$srv" link add veth-srv type veth peer name veth-cli
ip -n "$srv" link set veth-cli netns "$cli"
ip -n "$srv" addr add 10.213.0.1/24 dev veth-srv
ip -n "$srv" link set veth-srv up
ip -n "$srv" link set lo up
ip -n "$cli" link set lo up

cat >"$T/udhcpd.conf" <<EOF
start 10.213.0.10
end 10.213.0.20
interface veth-srv
lease_file $T/udhcpd.leases
pidfile $T/udhcpd.pid
option subnet 255.255.255.0
option router 10.213.0.1
option dns 10.213.0.53 10.213.0.54
option domain lcow.test
EOF
touch "$T/udhcpd.leases"
ip netns exec "$srv" busybox udhcpd -f "$T/udhcpd.conf" >"$T/udhcpd.log" 2>&1 &
server=$!
at_exit "kill $server"
sleep 0.5

out=$(timeout 30 ip netns exec "$cli" chroot "$R" /bin/udhcpc -q -n -t 5 -T 1 -i veth-cli \
	-s /sbin/udhcpc_config.script 2>&1)
rc=$?
ok_eq "udhcpc with the image's script gets a lease" "0" "$rc"
addr=$(ip -n "$cli" -4 -o addr show dev veth-cli | awk '{ print $4 }')
ok "bound: the leased address is on the interface with its /24" grep -qE '^10\.213\.0\.(1[0-9]|20)/24$' <<<"$addr"
ok_eq "bound: the default route goes through the DHCP router" "default via 10.213.0.1 dev veth-cli" \
	"$(ip -n "$cli" -4 route show default | awk '{ print $1, $2, $3, $4, $5 }')"
ok_eq "bound: resolv.conf has the domain and both name servers" \
	"search lcow.test
nameserver 10.213.0.53
nameserver 10.213.0.54" "$(cat "$R/etc/resolv.conf" 2>/dev/null)"
ok_eq "bound: no temporary file is left in /etc" "resolv.conf" "$(ls "$R/etc")"

ip netns exec "$cli" chroot "$R" env interface=veth-cli /sbin/udhcpc_config.script deconfig
ok_eq "deconfig: the address is gone" "" "$(ip -n "$cli" -4 -o addr show dev veth-cli)"
ok "deconfig: the interface stays up" grep -q 'UP' <<<"$(ip -n "$cli" link show veth-cli)"
out=$(chroot "$R" /sbin/udhcpc_config.script 2>&1); rc=$?
ok_eq "without an event the script refuses with status 1" "1" "$rc"
