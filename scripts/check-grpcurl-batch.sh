#!/usr/bin/env bash
# Checks scripts/grpcurl-batch.sh against a running server: 1,000 requests built here from the
# seed article, slices of it, short weather and sports items and an empty text every 100 lines
# must come back as 1,000 one-line responses, ids in order, the empty ones with error code 3.
# Also checks that the script fails when the server is unreachable or a response is missing.
# Usage: scripts/check-grpcurl-batch.sh ADDR SEED    e.g. 127.0.0.1:50161 ../shared/seed_article.txt
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 ADDR SEED_ARTICLE" >&2
  exit 2
fi
ADDR=$1
SEED=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
cd "$(dirname "$0")/.."
[ -f "$SEED" ] || { echo "check-grpcurl-batch: $SEED not found" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/newstag-grpcurl-batch.XXXXXX")
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

N=1000
python3 - "$SEED" "$N" >"$WORK/in.jsonl" <<'PY'
import json, sys
seed = open(sys.argv[1], encoding="utf-8").read()
n = int(sys.argv[2])
weather = [
    "受冷空气影响,明天全市有小雨,气温下降5到7℃。",
    "气象台发布大风蓝色预警,今天夜里到明天白天沿江地区阵风可达8级。",
    "本周后期以晴好天气为主,最高气温将回升至25℃左右。",
    "台风逐渐远离,市区降雨明显减弱,周末有望迎来阳光。",
]
sports = [
    "在昨晚结束的联赛第28轮比赛中,主队凭借下半场的两粒进球2比1逆转取胜。",
    "女排姑娘们以3比0横扫对手,提前一轮锁定小组第一。",
    "马拉松比赛今晨鸣枪开跑,两万余名跑者参赛,男子组冠军成绩为2小时09分。",
    "中国选手在男子100米决赛中跑出9秒97,获得银牌。",
]
for i in range(n):
    item = {"id": f"b{i:04d}"}
    kind = i % 6
    if i % 100 == 99:
        text = ""
    elif kind == 0:
        text = seed
    elif kind == 1:  # a window moving through the article
        start = (i * 97) % max(1, len(seed) - 400)
        text = seed[start:start + 200 + (i % 5) * 150]
    elif kind == 2:  # the head of the page, of varied length
        text = seed[: 300 + (i % 9) * 250]
    elif kind == 3:
        text = weather[i % len(weather)]
    elif kind == 4:
        text = sports[i % len(sports)]
    else:  # the tail of the page
        text = seed[-(200 + (i % 7) * 300):]
    item["text"] = text
    if i % 10 == 0:
        item["includeBody"] = True
    print(json.dumps(item, ensure_ascii=False))
PY

ok_batch() {
  local start=$SECONDS
  ADDR=$ADDR timeout 900 scripts/grpcurl-batch.sh "$WORK/in.jsonl" >"$WORK/out.jsonl" 2>"$WORK/err" || {
    echo "     $(tr '\n' ' ' <"$WORK/err" | cut -c1-300)"
    return 1
  }
  echo "     $(wc -l <"$WORK/out.jsonl") lines in $((SECONDS - start)) s"
}
check "grpcurl-batch.sh tags $N requests and exits 0" ok_batch

check "$N output lines, each one JSON object, ids in order, empty texts with error code 3" \
  python3 - "$WORK/in.jsonl" "$WORK/out.jsonl" <<'PY'
import json, sys
inputs = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
lines = open(sys.argv[2], encoding="utf-8").read().split("\n")
if lines and lines[-1] == "":
    lines.pop()
problems = []
if len(lines) != len(inputs):
    problems.append(f"{len(lines)} lines for {len(inputs)} requests")
out = []
for number, line in enumerate(lines, start=1):
    try:
        obj = json.loads(line)
    except ValueError as e:
        problems.append(f"line {number} is not JSON: {e}")
        break
    if not isinstance(obj, dict):
        problems.append(f"line {number} is not an object")
    out.append(obj)
if [o.get("id") for o in out] != [r["id"] for r in inputs]:
    problems.append("ids differ from the input's, or are out of order")
for req, resp in zip(inputs, out):
    error = resp.get("error") or {}
    if not req["text"]:
        if error.get("code") != 3:
            problems.append(f"{req['id']}: empty text answered with {error!r}")
    elif error:
        problems.append(f"{req['id']}: unexpected error {error!r}")
empties = sum(1 for r in inputs if not r["text"])
print(f"     {len(out)} responses, {empties} empty texts")
for p in problems[:10]:
    print(f"     {p}")
sys.exit(1 if problems else 0)
PY

check "whole seed tagged quality_regulation+certification, weather/sports untagged, bodies when asked" \
  python3 - "$WORK/in.jsonl" "$WORK/out.jsonl" "$SEED" <<'PY'
import json, sys
seed = open(sys.argv[3], encoding="utf-8").read()
inputs = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
out = [json.loads(line) for line in open(sys.argv[2], encoding="utf-8")]
problems = []
short = 0
for req, resp in zip(inputs, out):
    labels = {t["label"] for t in resp.get("tags") or []}
    meta = resp.get("metadata") or {}
    if req["text"] == seed and not {"quality_regulation", "certification"} <= labels:
        problems.append(f"{req['id']}: seed tagged {sorted(labels)}")
    if req["text"] and len(req["text"]) < 60:  # the weather and sports sentences
        short += 1
        if labels:
            problems.append(f"{req['id']}: {req['text'][:20]}… tagged {sorted(labels)}")
    if req["text"] == seed and req.get("includeBody") and not meta.get("body"):
        problems.append(f"{req['id']}: includeBody but no body")
print(f"     {short} weather/sports items")
for p in problems[:10]:
    print(f"     {p}")
sys.exit(1 if problems else 0)
PY

fails_unreachable() {
  local port status=0
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  head -n 3 "$WORK/in.jsonl" >"$WORK/three.jsonl"
  ADDR=127.0.0.1:$port timeout 60 scripts/grpcurl-batch.sh "$WORK/three.jsonl" >/dev/null 2>"$WORK/err" || status=$?
  echo "     exit $status: $(tr '\n' ' ' <"$WORK/err" | cut -c1-200)"
  [ "$status" -ne 0 ]
}
check "grpcurl-batch.sh exits non-zero when the server is unreachable" fails_unreachable

fails_on_missing_response() {
  # A stand-in grpcurl that answers two requests with one (pretty-printed) response.
  mkdir -p "$WORK/fake"
  cat >"$WORK/fake/grpcurl" <<'SH'
#!/bin/sh
cat >/dev/null
printf '{\n  "id": "b0000",\n  "tags": []\n}\n'
SH
  chmod +x "$WORK/fake/grpcurl"
  head -n 2 "$WORK/in.jsonl" >"$WORK/two.jsonl"
  local status=0
  PATH="$WORK/fake:$PATH" timeout 60 scripts/grpcurl-batch.sh "$WORK/two.jsonl" >"$WORK/two.out" 2>"$WORK/err" || status=$?
  echo "     exit $status: $(tr '\n' ' ' <"$WORK/err" | cut -c1-200)"
  [ "$status" -ne 0 ] && grep -q "1 responses for 2 input lines" "$WORK/err"
}
check "grpcurl-batch.sh exits non-zero when a response is missing" fails_on_missing_response

echo "grpcurl-batch: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
