#!/usr/bin/env bash
# Runs the client, batch and deployment checks against a release server it starts and stops:
# the Kubernetes manifests (scripts/validate-manifests.sh), the Python client
# (examples/python/check.sh), the Rust example (examples/tag_files.rs) and the grpcurl batch
# script (scripts/check-grpcurl-batch.sh).
# Usage: scripts/check-clients.sh [SEED]   (default ../shared/seed_article.txt; PORT, default 50161)
set -euo pipefail
SEED_ARG=${1:-}
cd "$(dirname "$0")/.."
SEED=${SEED_ARG:-../shared/seed_article.txt}
[ -f "$SEED" ] || { echo "check-clients: $SEED not found (needs ../shared beside the checkout)" >&2; exit 2; }
SEED=$(cd "$(dirname "$SEED")" && pwd)/$(basename "$SEED")
PORT=${PORT:-50161}
ADDR=127.0.0.1:$PORT

passed=0
failed=0
check() { # name, command...
  local name=$1
  shift
  echo "== $name"
  if "$@"; then
    passed=$((passed + 1))
    echo "ok   $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name"
  fi
}

check "Kubernetes manifests" timeout 120 scripts/validate-manifests.sh

timeout 1200 cargo build --release --locked --quiet --bin newstag --example tag_files
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "check-clients: port $PORT is already in use; set PORT to a free one" >&2
  exit 1
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/newstag-check-clients.XXXXXX")
target/release/newstag serve --addr "$ADDR" >"$WORK/server.log" 2>&1 &
SERVER=$!
cleanup() {
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
# The server listens once the model is loaded; wait for that (bounded).
for _ in $(seq 1 150); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
  kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.2
done
kill -0 "$SERVER" 2>/dev/null || { echo "check-clients: the server exited" >&2; cat "$WORK/server.log" >&2; exit 1; }

check "Python client" examples/python/check.sh "$ADDR" "$SEED"

rust_example() {
  local status=0
  printf '受冷空气影响,明天全市有小雨,气温下降5到7℃。\n' >"$WORK/weather.txt"
  printf '  \n' >"$WORK/blank.txt"
  timeout 120 target/release/examples/tag_files --addr "http://$ADDR" \
    "$SEED" "$WORK/weather.txt" >"$WORK/two.out" || return 1
  timeout 120 target/release/examples/tag_files --addr "http://$ADDR" \
    "$SEED" "$WORK/blank.txt" "$WORK/weather.txt" >"$WORK/three.out" 2>"$WORK/three.err" || status=$?
  python3 - "$SEED" "$WORK" "$status" <<'PY'
import json, sys
seed, work, status = sys.argv[1], sys.argv[2], int(sys.argv[3])
two = [json.loads(l) for l in open(f"{work}/two.out", encoding="utf-8")]
three = [json.loads(l) for l in open(f"{work}/three.out", encoding="utf-8")]
problems = []
if [r["id"] for r in two] != [seed, f"{work}/weather.txt"]:
    problems.append(f"ids {[r['id'] for r in two]}")
labels = [t["label"] for t in two[0].get("tags", [])] if two else []
if not {"quality_regulation", "certification"} <= set(labels):
    problems.append(f"seed tagged {labels}")
if len(two) > 1 and two[1].get("tags"):
    problems.append("weather tagged")
if status != 1:
    problems.append(f"exit {status} with a blank file, expected 1")
if [r["id"] for r in three] != [seed, f"{work}/blank.txt", f"{work}/weather.txt"]:
    problems.append(f"ids {[r['id'] for r in three]}")
elif (three[1].get("error") or {}).get("code") != 3:
    problems.append(f"blank file answered {three[1]}")
print(f"     seed tags {labels}; blank file -> exit {status}")
for p in problems:
    print(f"     {p}")
sys.exit(1 if problems else 0)
PY
}
check "Rust example tag_files" rust_example

check "grpcurl batch" scripts/check-grpcurl-batch.sh "$ADDR" "$SEED"

echo "check-clients: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
