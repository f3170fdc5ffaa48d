#!/usr/bin/env bash
# Load and throughput benchmark of newstag, all in one command, on loopback only:
#   scripts/bench-load.sh
#
# 1. builds the release binary and examples/loadgen;
# 2. builds two 10,000-line JSONL files at run time: "mix" (benches/fixtures/*.txt plus the seed
#    article when present, cycled) and "seed" (the seed article only);
# 3. in-process rate: `newstag tag --jobs 1` and `--jobs 2` over the mix, alternating, best of
#    $CLI_ROUNDS, model-load time (a one-line run) subtracted; `--jobs 2` over the seed file too;
# 4. the side-by-side pass of benches/pipeline.rs (whole `tag` vs jieba-rs `cut`, single thread,
#    over the seed, the fixture mix and a feed of ~200 distinct corpus articles);
# 5. server start-up: process start to health SERVING, $STARTS times, median;
# 6. one server on a free 127.0.0.1 port: VmRSS after start; unary at concurrency 1, 4, 16 with the
#    seed article; unary 16 and TagBatch 64 and TagStream 10,000 with the mix; VmRSS after;
# 7. a long unary pass ($RSS_REQUESTS requests, default 200,000, bounded by $RSS_MAX_SECONDS) with
#    VmRSS sampled throughout; then the server is stopped with SIGTERM;
# 8. one table of the figures, with the ratios against the targets of BENCHMARKS.md.
#
# Knobs (environment): QUICK=1 (short runs, for trying the script), SEED=path (default
# ../shared/seed_article.txt, then /work/shared/seed_article.txt), RSS_REQUESTS, RSS_CONCURRENCY
# (default 64), RSS_MAX_SECONDS (default 480), CLI_ROUNDS (default 3), STARTS (default 5),
# IDLE_WAIT (seconds to wait before each in-process round for a quiet machine, default 60),
# SKIP_SIDE_BY_SIDE=1, KEEP=dir (keep the JSON reports and logs there).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in jq timeout; do
  command -v "$tool" >/dev/null || { echo "bench-load: $tool is required (apt-get install $tool)" >&2; exit 1; }
done

QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
  LINES=2000 N1=100 N4=300 N16=600 BATCHES=10 STREAM=2000 RSS_REQUESTS=${RSS_REQUESTS:-5000}
else
  LINES=10000 N1=1000 N4=3000 N16=6000 BATCHES=100 STREAM=10000 RSS_REQUESTS=${RSS_REQUESTS:-200000}
fi
RSS_CONCURRENCY=${RSS_CONCURRENCY:-64}
RSS_MAX_SECONDS=${RSS_MAX_SECONDS:-480}
CLI_ROUNDS=${CLI_ROUNDS:-3}
STARTS=${STARTS:-5}

SEED=${SEED:-}
if [ -z "$SEED" ]; then
  for candidate in ../shared/seed_article.txt /work/shared/seed_article.txt; do
    if [ -f "$candidate" ]; then SEED=$candidate; break; fi
  done
fi
if [ -n "$SEED" ] && [ ! -f "$SEED" ]; then
  echo "bench-load: SEED=$SEED does not exist" >&2
  exit 1
fi
if [ -z "$SEED" ]; then
  SEED_LIKE=$(ls -S benches/fixtures/*.txt | head -1)
  echo "bench-load: the seed article was not found (../shared/seed_article.txt or /work/shared/seed_article.txt; set SEED=path)." >&2
  echo "bench-load: seed-sized runs use the longest fixture instead: $SEED_LIKE" >&2
else
  SEED_LIKE=$SEED
fi

echo "== building (release)" >&2
cargo build --release --locked --quiet --bin newstag --example loadgen
BIN=target/release/newstag
LG=target/release/examples/loadgen

WORK=$(mktemp -d)
PID=
cleanup() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && cp -r "$WORK"/. "$KEEP"/; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

ms_now() { echo $(( $(date +%s%N) / 1000000 )); }
busy_ticks() { awk '/^cpu / {print $2+$3+$4+$7+$8+$9}' /proc/stat; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
median() { sort -n | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

MIX_INPUTS=(--input benches/fixtures)
if [ -n "$SEED" ]; then MIX_INPUTS+=(--input "$SEED"); fi
"$LG" "${MIX_INPUTS[@]}" gen --lines "$LINES" --out "$WORK/mix.jsonl" 2>/dev/null
"$LG" --input "$SEED_LIKE" gen --lines "$LINES" --out "$WORK/seed.jsonl" 2>/dev/null
head -1 "$WORK/mix.jsonl" >"$WORK/one.jsonl"
MIX_ARTICLES=$(( $(ls benches/fixtures/*.txt | wc -l) + $([ -n "$SEED" ] && echo 1 || echo 0) ))

# --- in-process rate ------------------------------------------------------------------------
echo "== in-process: newstag tag over $LINES JSONL lines, --jobs 1 and --jobs 2, $CLI_ROUNDS rounds" >&2
run_cli() { # jobs file -> "wall_ms our_cpu_ms others_cpu_ms" (others: CPU used by other processes)
  local TIMEFORMAT='%R %U %S' t s0 s1
  s0=$(awk '/^cpu / {print $2+$3+$4+$7+$8+$9}' /proc/stat)
  t=$( { time timeout 600 "$BIN" tag --quiet --jobs "$1" "$2" >/dev/null 2>/dev/null; } 2>&1 )
  s1=$(awk '/^cpu / {print $2+$3+$4+$7+$8+$9}' /proc/stat)
  awk -v t="$t" -v d="$((s1 - s0))" -v hz="$(getconf CLK_TCK)" 'BEGIN {
    split(t, a, " "); ours = (a[2] + a[3]) * 1000; others = d * 1000 / hz - ours
    printf "%d %d %d", a[1] * 1000, ours, (others > 0 ? others : 0) }'
}
wait_idle() { # waits (at most $IDLE_WAIT s, default 60) for a second in which other processes use < 0.25 CPU
  local a b
  for _ in $(seq 1 "${IDLE_WAIT:-60}"); do
    a=$(busy_ticks); sleep 1; b=$(busy_ticks)
    if [ $((b - a)) -lt $(( $(getconf CLK_TCK) / 4 )) ]; then return 0; fi
  done
  echo "   (the machine stayed busy: measuring anyway)" >&2
}
LOAD_MS=$(for _ in 1 2 3; do run_cli 1 "$WORK/one.jsonl" | cut -d' ' -f1; done | median)
J1=() J2=() J2S=()
for round in $(seq 1 "$CLI_ROUNDS"); do
  wait_idle
  if [ $((round % 2)) = 1 ]; then
    J1+=("$(run_cli 1 "$WORK/mix.jsonl")"); J2+=("$(run_cli 2 "$WORK/mix.jsonl")")
  else
    J2+=("$(run_cli 2 "$WORK/mix.jsonl")"); J1+=("$(run_cli 1 "$WORK/mix.jsonl")")
  fi
  J2S+=("$(run_cli 2 "$WORK/seed.jsonl")")
  echo "   round $round (wall ms, our CPU ms, other processes' CPU ms): jobs1 ${J1[-1]}; jobs2 ${J2[-1]}; jobs2 seed ${J2S[-1]} (model load ~${LOAD_MS} ms)" >&2
done
best() { printf '%s\n' "$@" | sort -n | head -1; } # the run with the lowest wall time
rate() { awk -v n="$LINES" -v t="${1%% *}" -v l="$LOAD_MS" 'BEGIN {printf "%.1f", n / ((t - l) / 1000)}'; }
cores() { awk -v r="$1" 'BEGIN {split(r, a, " "); printf "%.2f", a[2] / a[1]}'; }      # CPUs we got
others() { awk -v r="$1" 'BEGIN {split(r, a, " "); printf "%.2f", a[3] / a[1]}'; }     # CPUs others used
B1=$(best "${J1[@]}") B2=$(best "${J2[@]}") B2S=$(best "${J2S[@]}")
IN1=$(rate "$B1")
IN2=$(rate "$B2")
IN2S=$(rate "$B2S")

# --- side by side: tag vs jieba cut -----------------------------------------------------------
SBS_SEED=n/a SBS_MIX=n/a SBS_FEED=n/a
if [ "${SKIP_SIDE_BY_SIDE:-0}" != 1 ]; then
  echo "== side by side: whole tag vs jieba-rs cut (benches/pipeline.rs, single thread)" >&2
  if NEWSTAG_SEED="${SEED:-/nonexistent}" NEWSTAG_BENCH_MODE=side-by-side NEWSTAG_BENCH_JSON="$WORK/side_by_side.json" \
      timeout 900 cargo bench --locked --quiet --bench pipeline >"$WORK/side_by_side.txt" 2>&1; then
    SBS_SEED=$(jq -r '.side_by_side[] | select(.input=="seed") | .tag_over_cut_ratio' "$WORK/side_by_side.json")
    SBS_MIX=$(jq -r '.side_by_side[] | select(.input=="mix") | .tag_over_cut_ratio' "$WORK/side_by_side.json")
    SBS_FEED=$(jq -r '.side_by_side[] | select(.input=="feed") | .tag_over_cut_ratio' "$WORK/side_by_side.json")
    SBS_FEED=${SBS_FEED:-n/a}
    SBS_SEED=${SBS_SEED:-n/a}
    grep -v '^\s*$' "$WORK/side_by_side.txt" | grep -v 'Compiling\|Finished\|Running' >&2 || true
  else
    echo "bench-load: the side-by-side bench failed:" >&2
    tail -20 "$WORK/side_by_side.txt" >&2
  fi
fi

# --- server start-up ------------------------------------------------------------------------
PORT=$("$LG" free-port)
ADDR=127.0.0.1:$PORT
start_server() {
  T0=$(date +%s%N)
  "$BIN" serve --addr "$ADDR" >>"$WORK/server.log" 2>&1 &
  PID=$!
  "$LG" --addr "$ADDR" --json health --timeout-ms 10000 --since-ns "$T0" | jq -r .serving_after_ms >"$WORK/startup_ms"
}
stop_server() {
  kill -TERM "$PID"
  wait "$PID" 2>/dev/null || true
  PID=
}
echo "== server start-up to SERVING, $STARTS starts" >&2
STARTUPS=()
for _ in $(seq 1 "$STARTS"); do
  start_server
  STARTUPS+=("$(cat "$WORK/startup_ms")")
  stop_server
done
STARTUP_MS=$(printf '%s\n' "${STARTUPS[@]}" | median | awk '{printf "%.1f", $1}')
echo "   ${STARTUPS[*]} ms" >&2

# --- load runs ------------------------------------------------------------------------------
start_server
RSS_START=$(rss_kb "$PID")
LGA=("$LG" --addr "$ADDR" --json --timeout 30)
pid_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
load() { # name, loadgen args... -> $WORK/name.json (and name.cpu: server CPUs, everything else's CPUs)
  local name=$1 t0 p0 s0 t1 p1 s1; shift
  echo "== $name" >&2
  t0=$(date +%s%N) p0=$(pid_ticks "$PID") s0=$(busy_ticks)
  "${LGA[@]}" --max-seconds "${MAX_SECONDS:-180}" --label "$name" "$@" >"$WORK/$name.json"
  t1=$(date +%s%N) p1=$(pid_ticks "$PID") s1=$(busy_ticks)
  awk -v w="$(( (t1 - t0) / 1000000 ))" -v p="$((p1 - p0))" -v s="$((s1 - s0))" -v hz="$(getconf CLK_TCK)" \
    'BEGIN {printf "%.2f %.2f", p * 1000 / hz / w, (s - p) * 1000 / hz / w}' >"$WORK/$name.cpu"
  jq -r --arg cpu "$(cat "$WORK/$name.cpu")" \
    '"   \(.completed) in \(.elapsed_s|.*100|round/100) s: \(.articles_per_s|round) articles/s, p50 \(.latency.p50_ms|.*100|round/100) p99 \(.latency.p99_ms|.*100|round/100) ms, errors \(.errors); CPUs server / client+others: \($cpu)"' \
    "$WORK/$name.json" >&2
}
load unary_c1_seed --input "$SEED_LIKE" unary --concurrency 1 --requests "$N1"
load unary_c4_seed --input "$SEED_LIKE" unary --concurrency 4 --requests "$N4"
load unary_c16_seed --input "$SEED_LIKE" unary --concurrency 16 --requests "$N16"
load unary_c16_mix --input "$WORK/mix.jsonl" unary --concurrency 16 --requests "$N16"
load batch64_mix --input "$WORK/mix.jsonl" batch --size 64 --requests "$BATCHES"
load stream_mix --input "$WORK/mix.jsonl" stream --messages "$STREAM"
RSS_AFTER_RUNS=$(rss_kb "$PID")
MAX_SECONDS=$RSS_MAX_SECONDS load rss_pass --input "$WORK/mix.jsonl" --rss-pid "$PID" \
  unary --concurrency "$RSS_CONCURRENCY" --requests "$RSS_REQUESTS"
RSS_AFTER_PASS=$(rss_kb "$PID")
stop_server

# --- the table ------------------------------------------------------------------------------
j() { jq -r "$2" "$WORK/$1.json"; }
f1() { awk -v x="$1" 'BEGIN {printf "%.1f", x}'; }
f2() { awk -v x="$1" 'BEGIN {printf "%.2f", x}'; }
ERRORS=0
for f in unary_c1_seed unary_c4_seed unary_c16_seed unary_c16_mix batch64_mix stream_mix rss_pass; do
  ERRORS=$((ERRORS + $(j $f .errors)))
done
verdict() { # value op target -> MET/MISSED
  awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN {
    if (v == "n/a") { print "n/a"; exit }
    ok = (op == ">=") ? (v + 0 >= t + 0) : (op == "<=") ? (v + 0 <= t + 0) : (v + 0 == t + 0)
    print ok ? "MET" : "MISSED" }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
SCALE=$(ratio "$IN2" "$IN1")
STREAM_RATE=$(f1 "$(j stream_mix .articles_per_s)")
U16S_RATE=$(f1 "$(j unary_c16_seed .articles_per_s)")
U16M_RATE=$(f1 "$(j unary_c16_mix .articles_per_s)")
SBS_SEED=$([ "$SBS_SEED" = n/a ] && echo n/a || f2 "$SBS_SEED")
SBS_MIX=$([ "$SBS_MIX" = n/a ] && echo n/a || f2 "$SBS_MIX")
SBS_FEED=$([ "$SBS_FEED" = n/a ] && echo n/a || f2 "$SBS_FEED")
STREAM_RATIO=$(ratio "$STREAM_RATE" "$IN2")
U16_RATIO=$(ratio "$U16S_RATE" "$IN2S")
U16M_RATIO=$(ratio "$U16M_RATE" "$IN2")
PASS_DONE=$(j rss_pass .completed)
RSS_MAX=$(j rss_pass .rss.max_kb)
DRIFT=$(awk -v a="$RSS_AFTER_RUNS" -v b="$RSS_AFTER_PASS" 'BEGIN {printf "%+.1f", 100 * (b - a) / a}')
DRIFT_MAX=$(awk -v a="$RSS_AFTER_RUNS" -v b="$RSS_MAX" 'BEGIN {printf "%+.1f", 100 * (b - a) / a}')
FLAT=$(awk -v d="$DRIFT" -v m="$DRIFT_MAX" 'BEGIN {print (d <= 10 && d >= -10 && m <= 10) ? "MET" : "MISSED"}')
MB() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

{
  echo
  echo "newstag load benchmark — $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "articles: mix = $MIX_ARTICLES articles cycled to $LINES lines; seed = $(basename "$SEED_LIKE") ($(wc -c <"$SEED_LIKE") bytes)"
  echo
  printf '%-44s %14s %12s %10s  %s\n' "measure" "value" "target" "ratio" "verdict"
  printf '%-44s %14s %12s %10s  %s\n' "--------------------------------------------" "--------------" "------------" "----------" "-------"
  row() { printf '%-44s %14s %12s %10s  %s\n' "$@"; }
  row "1. tag ÷ jieba cut, seed (single thread)" "$SBS_SEED" "≥ 0.50" "" "$(verdict "$SBS_SEED" ">=" 0.5)"
  row "1. tag ÷ jieba cut, fixture mix" "$SBS_MIX" "≥ 0.50" "" "$(verdict "$SBS_MIX" ">=" 0.5)"
  row "   tag ÷ jieba cut, feed (distinct articles)" "$SBS_FEED" "" "" "each of ~200 corpus articles once per round"
  row "   in-process --jobs 1, mix (articles/s)" "$IN1" "" "" ""
  row "   in-process --jobs 2, mix (articles/s)" "$IN2" "" "" ""
  row "   CPUs used by --jobs 1 / --jobs 2 run" "$(cores "$B1") / $(cores "$B2")" "" "" "others used $(others "$B1") / $(others "$B2")"
  row "2. --jobs 2 ÷ --jobs 1" "$SCALE" "≥ 1.6" "" "$(verdict "$SCALE" ">=" 1.6)$(awk -v o="$(others "$B2")" 'BEGIN {if (o > 0.3) print " (machine busy: other processes held " o " CPUs)"}')"
  row "   in-process --jobs 2, seed (articles/s)" "$IN2S" "" "" ""
  row "3. TagStream $STREAM, mix (articles/s)" "$STREAM_RATE" "≥ 60%" "$STREAM_RATIO" "$(verdict "$STREAM_RATIO" ">=" 0.6)  CPUs server/other $(tr ' ' / <"$WORK/stream_mix.cpu")"
  row "3. Tag unary c16, seed (articles/s)" "$U16S_RATE" "≥ 40%" "$U16_RATIO" "$(verdict "$U16_RATIO" ">=" 0.4)  CPUs server/other $(tr ' ' / <"$WORK/unary_c16_seed.cpu")"
  row "   Tag unary c16, mix (articles/s)" "$U16M_RATE" "(≥ 40%)" "$U16M_RATIO" "$(verdict "$U16M_RATIO" ">=" 0.4)"
  row "   TagBatch 64, mix (articles/s)" "$(f1 "$(j batch64_mix .articles_per_s)")" "" "$(ratio "$(j batch64_mix .articles_per_s)" "$IN2")" ""
  for c in 1 4 16; do
    row "3. p99 unary c$c, seed (ms)" "$(f2 "$(j unary_c${c}_seed .latency.p99_ms)")" "≤ 10" "" "$(verdict "$(j unary_c${c}_seed .latency.p99_ms)" "<=" 10)"
    row "   p50 unary c$c, seed (ms)" "$(f2 "$(j unary_c${c}_seed .latency.p50_ms)")" "" "" ""
  done
  row "3. errors, all runs" "$ERRORS" "0" "" "$(verdict "$ERRORS" "==" 0)"
  row "4. VmRSS after start (MB)" "$(MB "$RSS_START")" "≤ 150" "" "$(verdict "$(MB "$RSS_START")" "<=" 150)"
  row "   VmRSS after the load runs (MB)" "$(MB "$RSS_AFTER_RUNS")" "" "" ""
  row "   long pass: requests done / asked" "$PASS_DONE/$RSS_REQUESTS" "" "" "c$RSS_CONCURRENCY, $(f1 "$(j rss_pass .articles_per_s)") articles/s"
  row "   VmRSS max during the pass (MB)" "$(MB "$RSS_MAX")" "" "${DRIFT_MAX}%" ""
  row "4. VmRSS after the pass (MB)" "$(MB "$RSS_AFTER_PASS")" "±10%" "${DRIFT}%" "$FLAT"
  row "5. start to health SERVING (ms, median)" "$STARTUP_MS" "≤ 500" "" "$(verdict "$STARTUP_MS" "<=" 500)"
  echo
  echo "ratios for 3 are against the in-process --jobs 2 rate on the same articles (mix for stream, seed for unary c16)."
  echo "RSS flatness compares the pass with the RSS after the earlier load runs (warm allocator), and its maximum."
}
