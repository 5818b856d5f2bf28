#!/usr/bin/env bash
# remotefs extractarchive / archivepath against GNU tar on the same tree,
# side by side (hyperfine, interleaved runs): the Debian minbase corpus when
# it is cached (/var/cache/lcow-guest/corpus), else a generated tree of
# 4000 small files and a few large ones.
set -euo pipefail
ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${BIN:-$ROOT/build/bin}
T=$(mktemp -d /tmp/lcow-bench-remotefs.XXXXXX)
trap 'rm -rf "$T"' EXIT
corpus=${LCOW_CACHE:-/var/cache/lcow-guest}/corpus/debian-bookworm-minbase.tar
if [ -f "$corpus" ]; then
	cp "$corpus" "$T/in.tar"
	what="Debian minbase corpus"
else
	mkdir -p "$T/src"
	for d in $(seq 1 40); do
		mkdir "$T/src/d$d"
		for f in $(seq 1 100); do printf 'file %d/%d\n' "$d" "$f" >"$T/src/d$d/f$f"; done
	done
	for b in 1 2 3 4; do head -c $((16 << 20)) /dev/urandom >"$T/src/big$b"; done
	tar -C "$T/src" -cf "$T/in.tar" .
	what="generated tree (4000 small files, 4 x 16 MiB)"
fi
python3 -c 'import struct,sys; j=b"{}"; sys.stdout.buffer.write(struct.pack(">Q",len(j))+j)' >"$T/frame"
cat "$T/frame" "$T/in.tar" >"$T/framed.tar"
echo "input: $what, $(stat -c %s "$T/in.tar") bytes"
mkdir -p "$T/tree" && tar -C "$T/tree" -xpf "$T/in.tar"

hyperfine --style basic --warmup 1 --runs 5 \
	--prepare "rm -rf $T/x && mkdir $T/x" \
	-n "remotefs extractarchive" "$BIN/remotefs -logfile $T/log extractarchive $T/x <$T/framed.tar" \
	-n "tar -xpf" "tar -C $T/x -xpf $T/in.tar" \
	--export-json "$T/x.json" | grep -E '^(Benchmark|  Time)'
hyperfine --style basic --warmup 1 --runs 5 \
	-n "remotefs archivepath" "$BIN/remotefs -logfile $T/log archivepath $T/tree <$T/frame | cat >/dev/null" \
	-n "tar -cf" "tar -C $T/tree -cf - . | cat >/dev/null" \
	--export-json "$T/a.json" | grep -E '^(Benchmark|  Time)'
python3 - "$T/x.json" "$T/a.json" <<'PY'
import json, sys
for f in sys.argv[1:]:
    r = json.load(open(f))["results"]
    print("ratio %s / %s (median): %.2f" % (r[0]["command"], r[1]["command"], r[0]["median"] / r[1]["median"]))
PY
