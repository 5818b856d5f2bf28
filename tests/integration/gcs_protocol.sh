#!/usr/bin/env bash
# gcs protocol behaviour over --transport unix:DIR with a raw-frame host
# (tests/gcs/test_protocol.py): negotiation, dispatch, malformed/oversized/
# truncated/unknown frames, processes, stdio, pty, 100 MB round trip,
# concurrency, reconnects with queued notifications, fd/zombie leaks.
. "$(dirname "$0")/../lib.sh"
tmpdir
timeout 900 python3 "$ROOT/tests/gcs/test_protocol.py" "$BIN" "$T"
