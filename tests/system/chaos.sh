#!/usr/bin/env bash
# Chaos: fail one allocation at a time (as jansson's test_chaos does) in an
# ingest, a bench and a report, through the chaos_malloc.c LD_PRELOAD shim.
# Each run must either succeed with the right result, or fail cleanly: exit
# 3 with a message, the store as it was, no truncated output file, no
# crash and no sanitizer report.
# usage: chaos.sh LIIA_BENCH_BINARY CHAOS_SHIM_SO SCRATCH_DIR [RUNS] [SEED]
#   RUNS bounds the runs per command: the first RUNS/2 allocations one by
#   one, then evenly spaced ones up to the last, from an offset SEED picks
#   (so successive CI runs fail different allocations; the seed is printed).
set -uo pipefail
bin=$1
shim=$2
scratch=$3
runs=${4:-120}
seed=${5:-$(( $(date +%s) % 100000 ))}
echo "chaos: seed $seed (rerun with: $0 $bin $shim $scratch $runs $seed)"
root=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$scratch" && mkdir -p "$scratch" || exit 1
export LIIA_DB=$scratch/store.db
export SOURCE_DATE_EPOCH=1746000000
# The shim comes before the sanitizer's runtime in the library list; ASan
# then allocates through it.  A failed allocation must be an error, not
# an abort.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0:allocator_may_return_null=1
# OpenSSL 3 leaks what it had built when an allocation fails while it
# loads a digest (CRYPTO_zalloc, CRYPTO_strndup under EVP_sha256): its
# leak, not liia-bench's.  The report suite's suppressions, plus that one.
{ cat "$root/tests/report/lsan.supp"; echo 'leak:libcrypto.so'; } >"$scratch/lsan.supp"
export LSAN_OPTIONS=suppressions=$scratch/lsan.supp:print_suppressions=0
fail=0
bad() { echo "FAIL: $*"; fail=1; }
sql() { sqlite3 -cmd '.timeout 5000' "$LIIA_DB" "$1"; }
# What the store serves (received_at aside: it is the time of the run).
state() {
  { sql "SELECT id, la_code, period, return_type, version, status, sha256, errors, warnings
         FROM submissions ORDER BY id"
    sql "SELECT la_code, period, measure, value FROM measures ORDER BY 1, 2, 3"
    sql "SELECT count(*), total(value) FROM benchmark" 2>/dev/null; } | sha256sum
}
use() { rm -f "$LIIA_DB-wal" "$LIIA_DB-shm"; cp "$scratch/$1.db" "$LIIA_DB"; }
sums() { (cd "$1" && find . -type f ! -name '.*.tmp' | sort | xargs -r sha256sum); }

q=$root/sample-data/quarterly
"$bin" init >/dev/null || { echo "FAIL: init"; exit 1; }
cp "$LIIA_DB" "$scratch/empty.db"
"$bin" ingest -q "$q"/*_2025-03-31.csv >/dev/null 2>&1
cp "$LIIA_DB" "$scratch/ingested.db"
"$bin" bench >/dev/null || { echo "FAIL: bench"; exit 1; }
cp "$LIIA_DB" "$scratch/benched.db"

# chaos NAME BASE_STORE COMMAND...: every run on a copy of BASE_STORE.
chaos() {
  local name=$1 base=$2; shift 2
  use "$base"
  local before; before=$(state)
  rm -rf "$scratch/out"
  LIIA_CHAOS_COUNT=$scratch/count LD_PRELOAD=$shim "$@" >/dev/null 2>"$scratch/err" ||
    { bad "$name without failures"; cat "$scratch/err"; return; }
  local after total ref=
  after=$(state)
  total=$(cat "$scratch/count")
  [[ -d "$scratch/out" ]] && ref=$(sums "$scratch/out") && mv "$scratch/out" "$scratch/ref_$name"
  local stride=$(( total * 2 / runs + 1 ))
  local ns; ns=$(seq 1 $(( runs / 2 )); seq $(( runs / 2 + 1 + seed % stride )) $stride "$total")
  local n ok=0 clean=0
  for n in $ns; do
    use "$base"
    [[ -n $ref ]] && { rm -rf "$scratch/out"; cp -a "$scratch/ref_$name" "$scratch/out"; }
    LIIA_CHAOS_FAIL=$n LD_PRELOAD=$shim "$@" >"$scratch/out.txt" 2>"$scratch/err"
    local rc=$? now; now=$(state)
    if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$scratch/err"; then
      bad "$name, allocation $n: sanitizer report"; sed 's/^/  | /' "$scratch/err" | head -20
    elif [[ $rc == 0 ]]; then
      ok=$((ok + 1))
      [[ $now == "$after" ]] || bad "$name, allocation $n: exit 0 but the store is not what a full run leaves"
    elif [[ $rc == 3 ]]; then
      clean=$((clean + 1))
      grep -q 'error' "$scratch/err" || { bad "$name, allocation $n: exit 3 without a message"; cat "$scratch/out.txt"; }
      [[ $now == "$before" ]] || bad "$name, allocation $n: failed but the store changed"
    else
      bad "$name, allocation $n: exit $rc"; sed 's/^/  | /' "$scratch/err" | tail -5
    fi
    if [[ -n $ref && -d "$scratch/out" ]]; then
      local torn; torn=$(sums "$scratch/out" | grep -vxF -f <(echo "$ref"))
      [[ -z $torn ]] || bad "$name, allocation $n: a file under its final name is not complete: $torn"
    fi
  done
  echo "chaos: $name: $total allocations, $(wc -w <<<"$ns") failed in turn: $ok absorbed, $clean clean errors"
}

chaos ingest empty "$bin" ingest "$q/CAM_2025-03-31.csv"
chaos bench ingested "$bin" bench
chaos report benched "$bin" report --la CAM --out "$scratch/out"

(( fail == 0 )) && echo "chaos: passed" || echo "chaos: FAILED"
exit $fail
