#!/usr/bin/env bash
# Several processes at once on one store: four ingesting different
# authorities' returns (all eight quarters each), one querying repeatedly
# and one writing a benchmark pack (report --la) from benchmarks computed
# beforehand (it either writes the pack or, once a new return is in,
# refuses because the benchmarks are older than the store: never a pack
# from stale figures); then bench and a query together.  Every process must succeed (writers wait on the
# busy timeout rather than fail), every query must see whole submissions
# only (a submission's value count is all or nothing), and the store must
# pass its integrity check afterwards.
# usage: concurrency.sh LIIA_BENCH_BINARY SAMPLE_DIR SCRATCH_DIR
set -uo pipefail
bin=$1
samples=$2
scratch=$3
rm -rf "$scratch" && mkdir -p "$scratch"
export LIIA_DB=$scratch/concurrent.db
"$bin" init >/dev/null || { echo "FAIL: init"; exit 1; }
# Something to report on while the others write.
"$bin" ingest "$samples"/BAR_*.csv "$samples"/BEX_*.csv >/dev/null 2>&1 &&
  "$bin" bench >/dev/null 2>&1 || { echo "FAIL: baseline ingest and bench"; exit 1; }

pids=()
for la in CAM ISL HAC WES; do
  "$bin" ingest "$samples"/"$la"_*.csv >"$scratch/$la.out" 2>&1 &
  pids+=($!)
done

# A reader racing the writers: counts of values per accepted submission must
# always be the whole file's (never a partly written one).
(
  for i in $(seq 1 40); do
    "$bin" query "SELECT submission_id, count(*) FROM measures GROUP BY submission_id" \
      --format csv >>"$scratch/reader.out" 2>>"$scratch/reader.err" || echo "query failed" >>"$scratch/reader.err"
  done
) &
reader=$!
"$bin" report --la BAR --period 2025-03-31 --out "$scratch/pack" >"$scratch/report.out" 2>&1 &
report=$!

fail=0
for p in "${pids[@]}"; do
  wait "$p"
  rc=$?
  (( rc == 0 )) || { echo "FAIL: an ingest exited $rc"; fail=1; }
done
wait "$reader"
wait "$report"
rc=$?
if (( rc == 1 )) && grep -q "older than the returns in the store" "$scratch/report.out"; then
  [[ ! -e "$scratch/pack/BAR_2025-03-31_benchmark.xlsx" ]] ||
    { echo "FAIL: report refused as stale but wrote a pack"; fail=1; }
elif (( rc == 0 )); then
  [[ -s "$scratch/pack/BAR_2025-03-31_benchmark.xlsx" && -s "$scratch/pack/BAR_2025-03-31_benchmark.pdf" ]] ||
    { echo "FAIL: the pack written during the ingests is missing"; fail=1; }
else
  echo "FAIL: report during the ingests"; tail -5 "$scratch/report.out"; fail=1
fi
if grep -q "query failed" "$scratch/reader.err"; then
  echo "FAIL: a query failed while ingests ran:"; head -5 "$scratch/reader.err"; fail=1
fi
accepted=$(sqlite3 "$LIIA_DB" "SELECT count(*) FROM submission WHERE status = 'accepted'")
if [[ "$accepted" != 48 ]]; then echo "FAIL: $accepted accepted submissions, want 48"; fail=1; fi
# Whole submissions only: every count the reader saw is a count some
# complete submission has.
expected=$(sqlite3 "$LIIA_DB" "SELECT DISTINCT count(*) FROM submission_value v JOIN submission s ON s.id = v.submission_id WHERE v.value IS NOT NULL GROUP BY v.submission_id" | sort -u)
partial=$(grep -v "^submission_id" "$scratch/reader.out" | tr -d "\r" | cut -d, -f2 | sort -u | grep -vxF -f <(echo "$expected") || true)
if [[ -n "$partial" ]]; then echo "FAIL: a reader saw a partial submission (value counts: $partial)"; fail=1; fi

# bench and a reader together.
"$bin" bench >"$scratch/bench.out" 2>&1 & b=$!
"$bin" query "SELECT count(*) FROM submissions" --format csv >"$scratch/q2.out" 2>&1 || { echo "FAIL: query during bench"; fail=1; }
wait "$b" || { echo "FAIL: bench"; cat "$scratch/bench.out"; fail=1; }
[[ "$(sqlite3 "$LIIA_DB" 'PRAGMA integrity_check')" == ok ]] || { echo "FAIL: integrity"; fail=1; }
(( fail == 0 )) && echo "concurrency: 1 passed, 0 failed" || echo "concurrency: 0 passed, 1 failed"
exit $fail
