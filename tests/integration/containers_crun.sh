#!/usr/bin/env bash
# The same V4 flow with crun as the runtime (-runtime /usr/bin/crun): crun
# takes runc's command lines (§6.2). crun needs a cgroup layout it supports
# (v2 only, or v1 without controllers on the v2 hierarchy) and may be refused
# by a sandboxed build machine; a probe run decides, and its reason is shown
# when the test is skipped.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/containers_lib.sh"
ct_begin
CRUN=$(command -v crun) || { skip "$(basename "$0")" "crun is not installed"; exit 0; }
ct_busybox_tree "$T/tree"

# probe: can crun run anything here at all?
mkdir -p "$T/probe" && (cd "$T/probe" && "$CRUN" spec >/dev/null 2>&1)
python3 - "$T/probe/config.json" "$T/tree" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["root"] = {"path": sys.argv[2], "readonly": True}
d["process"]["terminal"] = False
d["process"]["args"] = ["true"]
json.dump(d, open(sys.argv[1], "w"))
PY
if ! why=$("$CRUN" run -b "$T/probe" containers-crun-probe-$$ 2>&1 </dev/null); then
	"$CRUN" delete -f containers-crun-probe-$$ >/dev/null 2>&1
	skip "$(basename "$0")" "crun cannot run containers on this machine: $why"
	exit 0
fi

ct_layer_image "$T/tree" "$T/layer.img" 32
ct_loop LAYER "$T/layer.img" || { fail setup "no loop device"; exit 0; }
ct_present_lun "$T/sys" 1 "$LAYER"
ID=containers-crun-$$
CT_RUNTIME=$CRUN
ct_host_start crun v4 id=$ID run="$T/run" luns=1 cmd='["sh","-c","echo via-crun; exit 5"]' exec='["echo","exec"]'
ct_gcs_start
ct_host_wait
sed 's/^/# /' "$T/crun.out" "$T/crun.err"
ok_eq "crun create" 0 "$(ct_get crun create_result)"
ok_eq "init output" via-crun "$(ct_get crun init_stdout)"
ok_eq "init exit code" 5 "$(ct_get crun init_exit)"
ok_eq "exec output" exec "$(ct_get crun exec_stdout)"
ok_eq "deleted" 0 "$(ct_get crun delete_result)"
ok_eq "no mounts left" 0 "$(ct_mounts_under "$T/run")"
