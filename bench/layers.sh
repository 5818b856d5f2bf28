#!/usr/bin/env bash
# Layer conversion benchmark on the Linux source tar (tests/corpus.sh):
# tar2vhd and vhd2tar against their baselines, measured side by side in one
# run, interleaved, BENCH_REPS repetitions (default 3), medians printed.
#
#   tar2vhd            vs  cat linux.tar > file (the I/O floor)    target <= 1.5x
#   tar2vhd            vs  tar -x + mke2fs -t ext4 -d DIR           target >= 5x faster
#   tar2vhd CPU time   (user + sys of both threads) vs cat's       shown
#   tar2vhd peak RSS   (/usr/bin/time %M)                           target <= 32 MiB
#   vhd2tar IMAGE      vs  tar -c of the image loop-mounted ro     target <= 1.0x
#                          (a fresh mount, as SEED's vhd2tar did; a second
#                          tar -c on the warm mount is shown too)
#
# Every input and output lives on one file system: a tmpfs directory
# (BENCH_DIR, default /dev/shm/lcow-bench-vhd2tar.$$), so the disk's speed
# and other users' disk traffic do not enter the numbers. Needs root (loop
# mount). Before tar2vhd is built, its rows say "tar2vhd not built" and the
# image for vhd2tar comes from mke2fs -d.
set -uo pipefail
ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${BIN:-$ROOT/build/bin}
. "$ROOT/tests/corpus.sh"
REPS=${BENCH_REPS:-3}
D=${BENCH_DIR:-/dev/shm/lcow-bench-vhd2tar.$$}
TIME=/usr/bin/time

[ "$(id -u)" -eq 0 ] || { echo "layers: needs root (loop mount); skipped"; exit 0; }
[ -x "$TIME" ] || { echo "layers: /usr/bin/time missing (package time)"; exit 1; }
linux=$(corpus_linux_source) || { echo "layers: Linux source corpus unavailable"; exit 1; }

mkdir -p "$D" "$D/mnt"
cleanup() { umount "$D/mnt" 2>/dev/null; rm -rf "$D"; }
trap cleanup EXIT
fstype=$(stat -f -c %T "$D")
cp "$linux" "$D/linux.tar"
entries=$(tar -tf "$D/linux.tar" | wc -l)
bytes=$(stat -c %s "$D/linux.tar")

have_tar2vhd=0
if "$BIN/tar2vhd" </dev/null >/dev/null 2>&1 || printf '' | tar -cf - -T - 2>/dev/null | "$BIN/tar2vhd" >/dev/null 2>&1; then
	have_tar2vhd=1
fi

# measure NAME COMMAND: runs COMMAND under /usr/bin/time, appends
# "seconds rss_kib user_s sys_s" to $D/NAME.times; fails loudly if COMMAND
# fails.
measure() {
	local name=$1; shift
	if ! "$TIME" -f '%e %M %U %S' -o "$D/$name.last" "$@"; then
		echo "layers: $name failed: $*" >&2
		return 1
	fi
	cat "$D/$name.last" >>"$D/$name.times"
}
median() { # NAME FIELD(1 time, 2 rss, cpu = 3 + 4)
	[ -s "$D/$1.times" ] || { echo nan; return; }
	awk -v f="$2" '{print (f == "cpu" ? $3 + $4 : $f)}' "$D/$1.times" | sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
}

status=0
for rep in $(seq 1 "$REPS"); do
	measure cat sh -c "cat '$D/linux.tar' > '$D/floor.out'" || status=1
	rm -f "$D/floor.out"
	if [ $have_tar2vhd = 1 ]; then
		# Like cat's, the output does not exist yet: truncating the previous
		# 1.5 GB image is not tar2vhd's work.
		rm -f "$D/layer.vhd"
		measure tar2vhd sh -c "'$BIN/tar2vhd' < '$D/linux.tar' > '$D/layer.vhd'" || status=1
		# RSS of tar2vhd itself, not of the shell around it
		rm -f "$D/layer.vhd"
		"$TIME" -f '%M' -o "$D/rss.last" "$BIN/tar2vhd" <"$D/linux.tar" >"$D/layer.vhd" && cat "$D/rss.last" >>"$D/tar2vhd-rss.times"
	fi
	rm -rf "$D/tree" "$D/mke2fs.img"
	mkdir "$D/tree"
	measure untar-mke2fs sh -c "tar -x -C '$D/tree' -f '$D/linux.tar' && mke2fs -q -F -t ext4 -d '$D/tree' '$D/mke2fs.img' 3G" || status=1
	rm -rf "$D/tree"
	img="$D/layer.vhd"
	[ $have_tar2vhd = 1 ] || img="$D/mke2fs.img"
	measure vhd2tar "$BIN/vhd2tar" -i "$img" -o "$D/out.tar" || status=1
	rm -f "$D/out.tar"
	if mount -o ro,loop "$img" "$D/mnt"; then
		measure tar-c tar -cf "$D/mnt.tar" -C "$D/mnt" . || status=1
		# again on the same mount: its page cache now warm
		measure tar-c-warm tar -cf "$D/mnt.tar" -C "$D/mnt" . || status=1
		umount "$D/mnt"
		rm -f "$D/mnt.tar"
	else
		echo "layers: loop mount failed" >&2; status=1
	fi
	[ $have_tar2vhd = 1 ] && rm -f "$D/mke2fs.img"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0 && a != "nan" && b != "nan") printf "%.2f", a / b; else print "nan" }'; }
verdict() { # value op target
	awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN{ if (v == "nan") { print "n/a"; exit } ok = (op == "le") ? (v <= t) : (v >= t); print ok ? "meets target" : "MISSES target" }'
}

t_cat=$(median cat 1)
t_mk=$(median untar-mke2fs 1)
t_v2t=$(median vhd2tar 1)
t_tarc=$(median tar-c 1)
echo "layers: Linux source tar, $entries entries, $bytes bytes; files on $fstype ($D); $REPS interleaved repetitions, medians"
printf '  %-44s %8s s\n' "cat linux.tar > file (I/O floor)" "$t_cat"
if [ $have_tar2vhd = 1 ]; then
	t_t2v=$(median tar2vhd 1)
	rss=$(median tar2vhd-rss 1)
	r1=$(ratio "$t_t2v" "$t_cat")
	r2=$(ratio "$t_mk" "$t_t2v")
	rss_mib=$(awk -v k="$rss" 'BEGIN{printf "%.1f", k / 1024}')
	printf '  %-44s %8s s   %sx the I/O floor (target <= 1.5x): %s\n' "tar2vhd < linux.tar > layer.vhd" "$t_t2v" "$r1" "$(verdict "$r1" le 1.5)"
	# tar2vhd writes on a second thread: on a busy machine its elapsed time
	# tends to its CPU time, so show that against cat's too.
	c_cat=$(median cat cpu)
	c_t2v=$(median tar2vhd cpu)
	printf '  %-44s %8s s   cat %s s; %sx cat'"'"'s\n' "tar2vhd CPU time (user + sys, both threads)" "$c_t2v" "$c_cat" "$(ratio "$c_t2v" "$c_cat")"
	printf '  %-44s %8s s   tar2vhd is %sx faster (target >= 5x): %s\n' "tar -x + mke2fs -t ext4 -d DIR" "$t_mk" "$r2" "$(verdict "$r2" ge 5)"
	printf '  %-44s %8s MiB (target <= 32 MiB): %s\n' "tar2vhd peak RSS" "$rss_mib" "$(verdict "$rss_mib" le 32)"
else
	printf '  %-44s %8s\n' "tar2vhd < linux.tar > layer.vhd" "tar2vhd not built"
	printf '  %-44s %8s s   (no tar2vhd to compare)\n' "tar -x + mke2fs -t ext4 -d DIR" "$t_mk"
fi
t_warm=$(median tar-c-warm 1)
r3=$(ratio "$t_v2t" "$t_tarc")
r4=$(ratio "$t_v2t" "$t_warm")
printf '  %-44s %8s s\n' "tar -c of the image, fresh ro loop mount" "$t_tarc"
printf '  %-44s %8s s\n' "tar -c again on that mount (warm cache)" "$t_warm"
printf '  %-44s %8s s   %sx tar -c (target <= 1.0x): %s; %sx the warm tar -c\n' "vhd2tar -i IMAGE -o out.tar" "$t_v2t" "$r3" "$(verdict "$r3" le 1.0)" "$r4"
printf '  %-44s %8s MiB\n' "vhd2tar peak RSS" "$(awk -v k="$(median vhd2tar 2)" 'BEGIN{printf "%.1f", k / 1024}')"
exit $status
