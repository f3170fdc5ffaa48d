#!/usr/bin/env bash
# Measures metadata extraction on the real pages of ../shared/data/dev.jsonl against what a
# careful reader found (`meta`). Usage: scripts/eval-meta-dev.sh [--errors] [--json]
set -euo pipefail
cd "$(dirname "$0")/.."
DEV=${DEV:-../shared/data/dev.jsonl}
if [ ! -f "$DEV" ]; then
  echo "eval-meta-dev: $DEV is missing: these figures need the shared evaluation set beside the checkout" >&2
  exit 1
fi
cargo build --release --locked --quiet
target/release/newstag eval-meta --data "$DEV" "$@"
