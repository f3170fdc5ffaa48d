#!/usr/bin/env bash
# Retrains the shipped model from data/ with the recorded timestamp and checks that the result is
# byte-identical to models/newstag.model.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
epoch=$(sed -n 's/.*SOURCE_DATE_EPOCH=\([0-9]*\).*/\1/p' models/MODEL_CARD.md | head -1)
[ -n "$epoch" ] || { echo "no SOURCE_DATE_EPOCH in models/MODEL_CARD.md" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
SOURCE_DATE_EPOCH=$epoch target/release/newstag train --output "$out/newstag.model" --card "$out/MODEL_CARD.md" 2>"$out/log" \
  || { cat "$out/log" >&2; exit 1; }
# The card records the training time in seconds, which is not reproducible; compare the rest.
if cmp models/newstag.model "$out/newstag.model" &&
   diff <(grep -v 'trained in' models/MODEL_CARD.md) <(grep -v 'trained in' "$out/MODEL_CARD.md") >/dev/null; then
  echo "reproduced models/newstag.model and models/MODEL_CARD.md byte for byte (SOURCE_DATE_EPOCH=$epoch)"
else
  echo "retraining gave a different model: commit the retrained model or find the nondeterminism" >&2
  exit 1
fi
