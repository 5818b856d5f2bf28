#!/bin/sh
# The end-to-end test's program for init (after "--"): runs /bin/gcs with its
# bridge on the virtio-serial port named "gcs" (-use-inouterr), because this
# machine has no vsock. Not part of the image: the test appends it in a
# second cpio archive (docs/e2e.md).
#
# A virtio-serial port allows one open at a time, so stdin and stdout share
# one read-write open. Over vsock a GCS re-dials after bridge loss; over the
# port the host's disconnect is end-of-file on stdin, where the GCS exits
# (§9), so this loop starts it again for the host's next connection. The
# loop ends when a GCS run answered a UVM shutdown; init then powers off.
dev=
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	for p in /sys/class/virtio-ports/*; do
		[ "$(cat "$p/name" 2>/dev/null)" = gcs ] && dev=/dev/${p##*/}
	done
	[ -n "$dev" ] && [ -c "$dev" ] && break
	dev=
	sleep 1
done
echo "E2E-PORT ${dev:-none}"
[ -n "$dev" ] || exit 1
runs=0
while :; do
	/bin/gcs -use-inouterr -v4 -loglevel debug "$@" <>"$dev" >&0 2>/tmp/e2e-gcs.log
	rc=$?
	# A run that only met a disconnected host logs nothing else; keep the
	# console to the runs that served a request.
	if grep -q 'request\|shutdown' /tmp/e2e-gcs.log; then
		runs=$((runs + 1))
		echo "E2E-RUN $runs exit $rc"
		sed 's/^/E2E-GCS /' /tmp/e2e-gcs.log
	fi
	if grep -q 'shutdown of the utility VM requested' /tmp/e2e-gcs.log; then
		echo "E2E-SHUTDOWN"
		exit "$rc"
	fi
	sleep 1
done
