#!/usr/bin/env bash
# Checks the Python client against a running newstag server: installs requirements.txt into a
# venv under $TMPDIR (pip --user when venv is unavailable), generates the stubs, then tags the
# seed article and streams a small JSONL built here. Starts no server.
# Usage: examples/python/check.sh ADDR SEED     e.g. check.sh 127.0.0.1:50161 ../shared/seed_article.txt
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 ADDR SEED_ARTICLE" >&2
  exit 2
fi
ADDR=$1
SEED=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
cd "$(dirname "$0")"
[ -f "$SEED" ] || { echo "check.sh: $SEED not found" >&2; exit 2; }

# Python with the pinned requirements: a venv keyed by the requirements' hash, reused when present.
TMP=${TMPDIR:-/tmp}
VENV="$TMP/newstag-pyclient-$(sha256sum requirements.txt | cut -c1-12)"
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import grpc, grpc_tools' 2>/dev/null; then
  PYTHON=$VENV/bin/python
elif timeout 120 python3 -m venv "$VENV" >/dev/null 2>&1; then
  PYTHON=$VENV/bin/python
  timeout 600 "$PYTHON" -m pip install --quiet --disable-pip-version-check -r requirements.txt
else
  echo "check.sh: python3 -m venv is unavailable; installing with pip --user" >&2
  rm -rf "$VENV"
  PYTHON=python3
  timeout 600 "$PYTHON" -m pip install --quiet --disable-pip-version-check --user -r requirements.txt
fi
PYTHON=$PYTHON timeout 120 ./generate.sh

WORK=$(mktemp -d "$TMP/newstag-pyclient-check.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

passed=0
failed=0
check() { # name, command...
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "ok   $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name"
  fi
}
client() { timeout 120 "$PYTHON" client.py "$@"; }

check "server reachable at $ADDR (30 s)" "$PYTHON" -c '
import sys, grpc
with grpc.insecure_channel(sys.argv[1]) as channel:
    grpc.channel_ready_future(channel).result(timeout=30)
' "$ADDR"

tag_seed() {
  client --addr "$ADDR" tag "$SEED" >"$WORK/seed.json" || return 1
  python3 - "$WORK/seed.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
labels = [t["label"] for t in r.get("tags", [])]
m = r.get("metadata", {})
problems = [f"missing tag {want}" for want in ("quality_regulation", "certification") if want not in labels]
expect = {
    "title": "增强质量意识 推进高质量发展丨上海:提升服务效能 促进互联互通",
    "publishedAt": "2023-09-25T16:19:47+08:00",
    "source": "中国消费者报•中国消费网",
    "editors": ["陈俊男"],
    "site": "杭州网",
}
problems += [f"{k}: {m.get(k)!r} != {v!r}" for k, v in expect.items() if m.get(k) != v]
print(f"     tags {labels} (recall {'present' if 'recall' in labels else 'absent'})")
for p in problems:
    print(f"     {p}")
sys.exit(1 if problems else 0)
PY
}
check "tag: seed article tags and metadata" tag_seed

# Three requests built here, the middle one with empty text.
python3 - "$SEED" >"$WORK/three.jsonl" <<'PY'
import json, sys
seed = open(sys.argv[1], encoding="utf-8").read()
for id_, text in (("first", seed), ("empty", ""), ("weather", "受冷空气影响,明天全市有小雨,气温下降5到7℃。")):
    print(json.dumps({"id": id_, "text": text}, ensure_ascii=False))
PY
stream_three() {
  client --addr "$ADDR" stream "$WORK/three.jsonl" >"$WORK/three.out" || return 1
  python3 - "$WORK/three.out" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
items = [json.loads(line) for line in lines]
ids = [x.get("id") for x in items]
ok = ids == ["first", "empty", "weather"]
ok = ok and items[1].get("error", {}).get("code") == 3
ok = ok and "error" not in items[0] and "error" not in items[2]
ok = ok and any(t["label"] == "quality_regulation" for t in items[0].get("tags", []))
print(f"     {len(items)} responses, ids {ids}, empty -> {items[1].get('error') if len(items) > 1 else None}")
sys.exit(0 if ok else 1)
PY
}
check "stream: 3 responses in order, empty text has error.code 3" stream_three

expect_failure() { # want_status, want_stderr_text, client args...
  local want=$1 text=$2 status=0
  shift 2
  client "$@" >/dev/null 2>"$WORK/err" || status=$?
  echo "     exit $status: $(tr '\n' ' ' <"$WORK/err" | cut -c1-240)"
  [ "$status" -eq "$want" ] && grep -q "$text" "$WORK/err"
}
printf '   \n' >"$WORK/blank.txt"
check "tag: blank article is INVALID_ARGUMENT, exit 1" \
  expect_failure 1 INVALID_ARGUMENT --addr "$ADDR" tag "$WORK/blank.txt"
CLOSED=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
check "tag: unreachable server is UNAVAILABLE, exit 1" \
  expect_failure 1 UNAVAILABLE --addr "127.0.0.1:$CLOSED" --timeout 5 tag "$WORK/blank.txt"
printf '{"id":"a","text":"小雨"}\n{"id": 5,\n' >"$WORK/bad.jsonl"
check "stream: malformed JSONL line is reported with its number, exit 2" \
  expect_failure 2 "bad.jsonl:2" --addr "$ADDR" stream "$WORK/bad.jsonl"

echo "python-client: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
