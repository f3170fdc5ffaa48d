#!/usr/bin/env bash
# Measures the shipped model on the real articles of ../shared/data/dev.jsonl (never used for
# training or tuning). Usage: scripts/eval-dev.sh [extra newstag eval flags, e.g. --errors]
set -euo pipefail
cd "$(dirname "$0")/.."
DEV=${DEV:-../shared/data/dev.jsonl}
if [ ! -f "$DEV" ]; then
  echo "eval-dev: $DEV is missing: these figures need the shared evaluation set beside the checkout" >&2
  exit 1
fi
cargo build --release --locked --quiet
target/release/newstag eval --data "$DEV" "$@"
