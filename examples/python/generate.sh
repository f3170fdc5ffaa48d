#!/usr/bin/env bash
# Generates the Python stubs of the newstag API from ../../proto into newstag_pb/ (not committed).
# Usage: examples/python/generate.sh      (PYTHON picks the interpreter; it needs grpcio-tools)
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
OUT=newstag_pb
if ! "$PYTHON" -c 'import grpc_tools' 2>/dev/null; then
  echo "generate.sh: grpcio-tools is not installed for $PYTHON; run: $PYTHON -m pip install -r requirements.txt" >&2
  exit 1
fi

rm -rf "$OUT"
mkdir -p "$OUT"
"$PYTHON" -m grpc_tools.protoc \
  --proto_path=../../proto \
  --python_out="$OUT" \
  --pyi_out="$OUT" \
  --grpc_python_out="$OUT" \
  newstag/v1/tagger.proto
echo "generate.sh: stubs in examples/python/$OUT/newstag/v1/" >&2
