#!/usr/bin/env bash
# netnscfg against real network namespaces: a veth pair whose ends live in
# namespaces this test creates (never the root namespace), a process in a
# target namespace, netnscfg run from the "uvm" namespace to move and
# configure one end; checked with `ip -n NS` and a ping between namespaces.
# Covers the static path (in-subnet gateway + MTU, out-of-subnet gateway,
# low metric) and DHCP (busybox udhcpd in the peer namespace).
. "$(dirname "$0")/../lib.sh"
need_root
command -v ip >/dev/null || { skip netnscfg "no ip(8)"; exit 0; }
tmpdir
tag=rfs$$
uvm=$tag-uvm peer=$tag-peer
ip netns add "$uvm" && at_exit "ip netns del $uvm"
ip netns add "$peer" && at_exit "ip netns del $peer"

# A process holding a fresh target namespace; its pid in $pid.
start_target() { # name
	ip netns add "$1" && at_exit "ip netns del $1"
	ip netns exec "$1" sleep 600 </dev/null >/dev/null 2>&1 &
	pid=$!
	at_exit "kill $pid"
	sleep 0.2
}
# A veth pair: $1 in uvm, $2 in peer with address $3 (up).
make_pair() {
	ip -n "$uvm" link add "$1" type veth peer name "$2" netns "$peer"
	ip -n "$peer" addr add "$3" dev "$2"
	ip -n "$peer" link set "$2" up
}

# 1. Static, gateway inside the subnet, MTU lowered by EncapOverhead.
tgt=$tag-t1
start_target "$tgt"
make_pair rfsa0 rfsb0 10.213.7.1/24
out=$(ip netns exec "$uvm" "$BIN/netnscfg" -if rfsa0 -nspid "$pid" \
	-cfg '{"AdapterInstanceId":"x","NatEnabled":true,"AllocatedIpAddress":"10.213.7.2","HostIpAddress":"10.213.7.1","HostIpPrefixLength":24,"EncapOverhead":50,"unknownKey":1}' 2>&1)
ok_eq "static: exit 0" 0 $?
ok_eq "static: link left the uvm namespace" "" "$(ip -n "$uvm" -o link show rfsa0 2>/dev/null)"
ok "static: address in the target namespace" bash -c "ip -n $tgt -o -4 addr show dev rfsa0 | grep -q 'inet 10.213.7.2/24'"
ok_eq "static: mtu lowered by EncapOverhead" 1450 "$(cat /proc/"$pid"/root/sys/class/net/rfsa0/mtu 2>/dev/null || ip -n "$tgt" -o link show rfsa0 | sed -n 's/.* mtu \([0-9]*\).*/\1/p')"
ok_eq "static: default route via gateway, metric 1" "default via 10.213.7.1 dev rfsa0 metric 1" \
	"$(ip -n "$tgt" route show default | sed 's/ *$//')"
ok "static: link is up" bash -c "ip -n $tgt -o link show rfsa0 | grep -q 'state UP\|,UP'"
ok "static: ping the peer from the target namespace" ip netns exec "$tgt" busybox ping -c 1 -W 3 10.213.7.1
[ -n "$out" ] && echo "# $out" | head -5

# 2. Static, gateway outside the subnet, low metric.
tgt=$tag-t2
start_target "$tgt"
make_pair rfsa1 rfsb1 10.213.8.1/24
ip netns exec "$uvm" "$BIN/netnscfg" --if=rfsa1 --nspid "$pid" \
	-cfg='{"natenabled":true,"allocatedipaddress":"10.213.8.2","hostipaddress":"10.213.9.1","hostipprefixlength":24,"EnableLowMetric":true}' >/dev/null 2>&1
ok_eq "off-subnet: exit 0" 0 $?
ok "off-subnet: gateway added as /32" bash -c "ip -n $tgt -o -4 addr show dev rfsa1 | grep -q 'inet 10.213.9.1/32'"
ok_eq "off-subnet: default route with metric 500" "default via 10.213.9.1 dev rfsa1 metric 500" \
	"$(ip -n "$tgt" route show default | sed 's/ *$//')"
ok "off-subnet: ping the peer" ip netns exec "$tgt" busybox ping -c 1 -W 3 10.213.8.1

# 3. Errors: missing flags, unknown link, bad flag.
ip netns exec "$uvm" "$BIN/netnscfg" -if x -nspid 1 >"$T/o" 2>&1
ok_eq "missing -cfg: exit 1" 1 $?
ok "missing -cfg: message" grep -q "All three arguments must be specified" "$T/o"
ip netns exec "$uvm" "$BIN/netnscfg" -if rfsnone -nspid "$pid" -cfg '{"NatEnabled":true}' >"$T/o" 2>&1
ok_eq "unknown link: exit 1" 1 $?
ok "unknown link: says which" grep -q "netnscfg returned: looking up link rfsnone" "$T/o"
"$BIN/netnscfg" -bogus 1 >"$T/o" 2>&1
ok_eq "unknown flag: exit 2" 2 $?
ok "unknown flag: Go's wording" grep -q "flag provided but not defined: -bogus" "$T/o"
"$BIN/netnscfg" --help >"$T/o" 2>&1
ok_eq "--help: exit 2 (Go flag package)" 2 $?
ok "--help lists -nspid" grep -q -- "-nspid" "$T/o"

# 4. DHCP: busybox udhcpd serves the peer end, udhcpc runs in the target.
# (The applet list is read whole: grep -q closing the pipe early would make
# busybox die of SIGPIPE and, with pipefail, the check fail at random.)
applets=$(busybox --list 2>/dev/null || true)
if grep -qx udhcpd <<<"$applets" && grep -qx udhcpc <<<"$applets"; then
	tgt=$tag-t3
	start_target "$tgt"
	make_pair rfsa2 rfsb2 10.213.10.1/24
	mkdir -p "$T/bin"
	ln -s "$(command -v busybox)" "$T/bin/udhcpc"
	cat >"$T/udhcpd.conf" <<CONF
start 10.213.10.50
end 10.213.10.60
interface rfsb2
lease_file $T/leases
pidfile $T/udhcpd.pid
opt router 10.213.10.1
opt subnet 255.255.255.0
CONF
	touch "$T/leases"
	ip netns exec "$peer" busybox udhcpd -f "$T/udhcpd.conf" >/dev/null 2>&1 &
	dpid=$!
	at_exit "kill $dpid"
	# The event script: what /sbin/udhcpc_config.script does, minus
	# resolv.conf (the root's must not change).
	cat >"$T/script" <<'SCRIPT'
#!/bin/sh
case "$1" in
deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
bound|renew) ip addr add "$ip/${mask:-24}" dev "$interface"
	[ -n "$router" ] && ip route replace default via "$router" dev "$interface" ;;
esac
exit 0
SCRIPT
	chmod +x "$T/script"
	ip netns exec "$uvm" "$BIN/netnscfg" -if rfsa2 -nspid "$pid" -udhcpc "$T/bin/udhcpc" \
		-udhcpc-script "$T/script" -cfg '{"NatEnabled":false}' >"$T/o" 2>&1
	ok_eq "dhcp: exit 0" 0 $?
	ok "dhcp: leased address in the target namespace" bash -c "ip -n $tgt -o -4 addr show dev rfsa2 | grep -q 'inet 10.213.10.5[0-9]/24\|inet 10.213.10.60/24'"
	ok "dhcp: default route from the lease" bash -c "ip -n $tgt route show default | grep -q 'via 10.213.10.1'"
	ok "dhcp: ping the server" ip netns exec "$tgt" busybox ping -c 1 -W 3 10.213.10.1
	# A failing DHCP client is reported.
	tgt=$tag-t4
	start_target "$tgt"
	ip -n "$uvm" link add rfsa3 type veth peer name rfsb3 netns "$peer"
	ip netns exec "$uvm" "$BIN/netnscfg" -if rfsa3 -nspid "$pid" -udhcpc false -cfg '{"NatEnabled":false}' >"$T/o" 2>&1
	ok_eq "dhcp failure: exit 1" 1 $?
	ok "dhcp failure: udhcpc failed" grep -q "udhcpc failed: exit status 1" "$T/o"
else
	skip "dhcp" "busybox without udhcpc/udhcpd"
fi
