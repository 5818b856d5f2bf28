#!/usr/bin/env bash
# Hostile and broken requests (gcs-protocol.md §3.3, §6.5, §7.3, §10 row
# 16): each gets a clear error and HRESULT, nothing is left behind, and the
# GCS keeps serving the same connection afterwards.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/containers_lib.sh"
ct_begin

ct_busybox_tree "$T/tree"
ID=containers-hostile-$$
cfg() { # root.path, args json, schema minor
	printf '{"SchemaVersion":{"Major":2,"Minor":%s},"OciBundlePath":"%s/run/c/%s","OciSpecification":{"ociVersion":"1.0.2","root":{"path":"%s"},"process":{"args":%s,"cwd":"/../../../../escape","user":{"uid":0,"gid":0}},"linux":{"namespaces":[{"type":"mount"}]}}}' \
		"${3:-1}" "$T" "$ID" "$1" "$2"
}
REQ=$(python3 - "$T" "$ID" "$(cfg /nonexistent/rootfs '["true"]')" "$(cfg "$T/tree" '[]')" \
	"$(cfg "$T/tree" '["true"]' 0)" <<'PY'
import json, sys
T, ID, missing_root, empty_args, old_schema = sys.argv[1:]
N = "00000000-0000-0000-0000-000000000000"
def mod(rt, s, req="Add", cid=N):
    return ["ModifySettings", {"ContainerId": cid, "Request": {"ResourceType": rt, "RequestType": req, "Settings": s}}]
print(json.dumps([
    mod("MappedVirtualDisk", {"MountPath": T + "/run/mounts/m9", "Lun": 9, "Controller": 0}),
    mod("MappedVirtualDisk", {"MountPath": T + "/run/../../etc/lcow-escape", "Lun": 1}),
    mod("CombinedLayers", {"ContainerID": ID, "ContainerRootPath": T + "/run/c/x/rootfs", "Layers": [{"Path": "../layer"}]}),
    mod("MappedVirtualDisk", {"MountPath": T + "/run/m", "Lun": 300}),
    mod("HvSocket", {}),
    ["Create", {"ContainerId": ID, "ContainerConfig": missing_root}],
    ["Create", {"ContainerId": ID, "ContainerConfig": empty_args}],
    ["Create", {"ContainerId": "../" + ID, "ContainerConfig": empty_args}],
    ["Create", {"ContainerId": ID, "ContainerConfig": old_schema}],
    ["Create", {"ContainerId": ID, "ContainerConfig": "{not json"}],
    ["SignalProcess", {"ContainerId": ID, "ProcessId": 1, "Options": {"Signal": 9}}],
    ["ShutdownForced", {"ContainerId": ID}],
]))
PY
)
CT_DEVICE_TIMEOUT=1500
start=$(date +%s%N)
ct_host_start hostile raw requests="$REQ"
ct_gcs_start
ct_host_wait
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
sed 's/^/# /' "$T/hostile.out" "$T/hostile.err"

E_FAIL=2147500037 INVALID_JSON=3224830221 NOT_FOUND_SYSTEM=3224830222 E_INVALIDARG=2147942487
ok_eq "a lun that never appears fails" $E_FAIL "$(ct_get hostile r0)"
ok "the failure names the wait" grep -q 'e0=.*SCSI controller 0 lun 9 did not appear within 1500 ms' "$T/hostile.out"
ok "the device wait is bounded" test "$elapsed_ms" -lt 30000
ok_eq "a mount path with .. is refused" $INVALID_JSON "$(ct_get hostile r1)"
ok "nothing was created outside" test ! -e /etc/lcow-escape
ok_eq "a relative layer path is refused" $INVALID_JSON "$(ct_get hostile r2)"
ok_eq "a lun above 255 is refused" $INVALID_JSON "$(ct_get hostile r3)"
ok_eq "a Windows-only resource is refused (E_FAIL, §3.5.5)" $E_FAIL "$(ct_get hostile r4)"
ok_eq "a missing root fails" $E_FAIL "$(ct_get hostile r5)"
ok "the failure names the root" grep -q 'e5=.*/nonexistent/rootfs' "$T/hostile.out"
ok_eq "a spec runc rejects fails" $E_FAIL "$(ct_get hostile r6)"
ok "runc's own error text reaches the host" grep -q 'e6=.*runc create .*args' "$T/hostile.out"
ok_eq "an id that is a path is refused" $E_INVALIDARG "$(ct_get hostile r7)"
ok_eq "schema 2.0 is refused as invalid" $INVALID_JSON "$(ct_get hostile r8)"
ok_eq "a config that is not JSON is refused" $INVALID_JSON "$(ct_get hostile r9)"
ok_eq "signalling in a failed container: not found" $NOT_FOUND_SYSTEM "$(ct_get hostile r10)"
ok_eq "shutdown of a failed container: not found" $NOT_FOUND_SYSTEM "$(ct_get hostile r11)"
ok_eq "the GCS keeps serving" $NOT_FOUND_SYSTEM "$(ct_get hostile still_serving)"
ok "the failed creates left no bundle" test ! -e "$T/run/c/$ID/config.json"
ok "the cwd escape created nothing outside the root" test ! -e /escape
ok_eq "no mounts left" 0 "$(ct_mounts_under "$T/run")"
ok "no runc state left" test ! -e "/run/runc/$ID"
