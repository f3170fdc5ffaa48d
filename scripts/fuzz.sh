#!/usr/bin/env bash
# Runs the cargo-fuzz targets in fuzz/ one after another, each for a fixed time, and reports per
# target how many inputs libFuzzer executed and whether one crashed.
#
# Usage: scripts/fuzz.sh [seconds-per-target]     (default 60)
#   FUZZ_TARGETS="metadata"   run only these targets (default: every target in fuzz/Cargo.toml)
#   FUZZ_SANITIZER=address    build with a sanitizer (default none: the crate forbids unsafe code,
#                             so panics and failed invariants are what we look for, and
#                             uninstrumented builds run several times more inputs)
#
# cargo-fuzz needs nightly compiler flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain accept
# them. The seeds are the hostile inputs in fuzz/seeds/ (committed) and the project's own fixture
# articles (tests/fixtures, benches/fixtures), each fed both as text and as HTML (the first byte
# picks the format: '0' text, '1' HTML); they are copied into the working corpus
# (fuzz/corpus/<target>/, ignored), which keeps growing across runs. Crashes land in
# fuzz/artifacts/<target>/; the full libFuzzer log of the last run is fuzz/artifacts/<target>.log.
# Exits 1 if any target crashed or timed out.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

SECONDS_PER_TARGET=${1:-60}
SANITIZER=${FUZZ_SANITIZER:-none}
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz from crates.io"
  cargo install cargo-fuzz --locked
fi

TARGETS=${FUZZ_TARGETS:-$(cargo fuzz list)}
echo "fuzz: targets: $(echo $TARGETS)"
echo "fuzz: ${SECONDS_PER_TARGET}s each, one after another; -max_len=16384 -rss_limit_mb=2048" \
  "-timeout=60, dictionary dict/news.dict, sanitizer: $SANITIZER"
echo "fuzz: building (release, debug assertions on)"
cargo fuzz build --sanitizer "$SANITIZER"

declare -a SUMMARY
failed=0
for target in $TARGETS; do
  corpus=corpus/$target
  artifacts=artifacts/$target
  log=artifacts/$target.log
  mkdir -p "$corpus" "$artifacts"
  cp -n seeds/* "$corpus"/ 2>/dev/null || true
  for fixture in ../tests/fixtures/*.txt ../tests/fixtures/pages/*.txt \
                 ../tests/fixtures/pages/*.html ../benches/fixtures/*.txt; do
    name=$(basename "$fixture")
    [ -e "$corpus/text_$name" ] || { printf 0; cat "$fixture"; } >"$corpus/text_$name"
    [ -e "$corpus/html_$name" ] || { printf 1; cat "$fixture"; } >"$corpus/html_$name"
  done
  echo "fuzz: running $target for ${SECONDS_PER_TARGET}s on $(ls "$corpus" | wc -l) corpus inputs" \
    "(log: fuzz/$log)"
  set +e
  cargo fuzz run --sanitizer "$SANITIZER" "$target" "$corpus" -- \
    -max_total_time="$SECONDS_PER_TARGET" -max_len=16384 -rss_limit_mb=2048 -timeout=60 \
    -dict=dict/news.dict -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  runs=${runs:-$(grep -o 'Done [0-9]* runs' "$log" | grep -o '[0-9]*' | tail -1 || true)}
  crash=$(grep -o 'Test unit written to [^ ]*' "$log" | sed 's/Test unit written to //' | tail -1 || true)
  if [ "$rc" -eq 0 ] && [ -z "$crash" ]; then
    line="$target: ${runs:-?} executions in ${SECONDS_PER_TARGET}s, no crash"
  else
    failed=1
    line="$target: CRASH after ${runs:-?} executions (exit $rc): ${crash:-see fuzz/$log}"
    grep -m1 -E "panicked at|ERROR: libFuzzer|SUMMARY" "$log" | sed 's/^/  /' || true
  fi
  echo "fuzz: $line"
  SUMMARY+=("$line")
done

echo
echo "fuzz: summary"
printf '  %s\n' "${SUMMARY[@]}"
if [ "$failed" -ne 0 ]; then
  echo "fuzz: minimise a crash with: RUSTC_BOOTSTRAP=1 cargo fuzz tmin -s $SANITIZER <target> <path>" >&2
fi
exit "$failed"
