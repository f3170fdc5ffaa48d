#!/usr/bin/env bash
# Bounded soak test on loopback:
#   scripts/soak.sh            # 16 clients for 60 s
#   SECONDS_TO_RUN=20 scripts/soak.sh
#
# Starts the release server on a free 127.0.0.1 port with a copy of the shipped model,
# --allow-reload and a metrics port; runs examples/soak.rs against it: 16 clients (Tag, TagBatch,
# TagStream) for $SECONDS_TO_RUN seconds, a ReloadModel call every 5 s, one bad request in ten
# (an empty text, answered INVALID_ARGUMENT), health checks every 100 ms. Fails on any
# unexpected error, any request id not answered exactly once, a health check slower than
# 100 ms, or server memory changing more than 10% after warm-up. Then it checks /metrics against
# the run, stops the server with SIGTERM and expects exit 0.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_TO_RUN=${SECONDS_TO_RUN:-60}
CLIENTS=${CLIENTS:-16}

echo "== building (release)" >&2
cargo build --release --locked --quiet --bin newstag --example soak --example loadgen
BIN=target/release/newstag

WORK=$(mktemp -d)
PID=
cleanup() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

cp models/newstag.model "$WORK/live.model"
PORT=$(target/release/examples/loadgen free-port)
MPORT=$(target/release/examples/loadgen free-port)
# glibc's malloc keeps a heap arena per thread that touched it and holds on to the pages of the
# models a reload frees; two arenas keep memory flat (see deploy/README.md). Override to compare.
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
"$BIN" serve --addr "127.0.0.1:$PORT" --metrics-addr "127.0.0.1:$MPORT" --model "$WORK/live.model" \
  --allow-reload --drain-seconds 10 2>"$WORK/server.log" &
PID=$!
target/release/examples/loadgen --addr "127.0.0.1:$PORT" health --timeout-ms 10000 >/dev/null

echo "== soak: $CLIENTS clients, ${SECONDS_TO_RUN} s, reload every 5 s, one bad request in 10" >&2
status=0
target/release/examples/soak --addr "127.0.0.1:$PORT" --clients "$CLIENTS" \
  --seconds "$SECONDS_TO_RUN" --rss-pid "$PID" || status=$?

metrics=$(curl -sf "http://127.0.0.1:$MPORT/metrics" || python3 -c "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:$MPORT/metrics').read().decode())")
echo "== /metrics after the run" >&2
grep -E '^newstag_(calls_total|model_reloads_total|articles_total|in_flight) ' <<<"$metrics" || true
grep -E '^newstag_(calls_total|model_reloads_total)\{' <<<"$metrics" || true
unexpected=$(grep -E '^newstag_calls_total\{' <<<"$metrics" \
  | grep -vE 'code="(Ok|InvalidArgument)"' || true)
if [ -n "$unexpected" ]; then
  echo "soak: the server counted unexpected status codes:" >&2
  echo "$unexpected" >&2
  status=1
fi
if grep -q 'outcome="error"' <<<"$metrics"; then
  echo "soak: a model reload failed" >&2
  status=1
fi

kill -TERM "$PID"
if wait "$PID"; then
  echo "== server stopped on SIGTERM with exit 0" >&2
else
  echo "soak: the server exited $? on SIGTERM" >&2
  status=1
fi
PID=
if [ "$status" != 0 ]; then
  echo "--- server log (last 20 lines)" >&2
  tail -20 "$WORK/server.log" >&2
fi
exit "$status"
