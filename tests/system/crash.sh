#!/usr/bin/env bash
# Crash safety: an ingest killed with SIGKILL at a random moment must leave
# the store intact and still serving the version accepted before; the next
# ingest must succeed.  Done several times for a large child-level (SSDA903)
# submission and once for a quarterly ingest of many files.
# usage: crash.sh LIIA_BENCH_BINARY SCRATCH_DIR [CHILDREN] [SEED]
set -uo pipefail
bin=$1
scratch=$2
children=${3:-120000}
seed=${4:-$(( $(date +%s) % 100000 ))}
kills=4
echo "crash: seed $seed (rerun with: $0 $bin $scratch $children $seed)"
RANDOM=$seed
rm -rf "$scratch" && mkdir -p "$scratch"
export LIIA_DB=$scratch/crash.db
"$bin" init >/dev/null || { echo "FAIL: init"; exit 1; }
cp "$LIIA_DB" "$scratch/empty.db"
fail=0
sql() { sqlite3 -cmd '.timeout 5000' "$LIIA_DB" "$1"; }
check() { [[ "$2" == "$3" ]] || { echo "FAIL: $1: got '$2', want '$3'"; fail=1; }; }
. "$(dirname "$0")/killer.sh"

# snapshot NAME / restore NAME: the store file as it is between processes.
snapshot() { cp "$LIIA_DB" "$scratch/$1.db"; }
restore() { rm -f "$LIIA_DB-wal" "$LIIA_DB-shm"; cp "$scratch/$1.db" "$LIIA_DB"; }

# after_kill WHAT: the store is intact and serves the old state whole or
# (when the kill came after the commit) the new state whole; then back to
# the old state for the next kill.
after_kill() {
  check "integrity after $1" "$(sql 'PRAGMA integrity_check')" ok
  local now; now=$(served)
  if [[ "$now" == "$new" ]]; then
    echo "  (the commit was already made)"
    restore old
  else
    check "served after $1" "$now" "$old"
  fi
}

# ---------------------------------------------------------------- SSDA903
"$bin" sample --ssda903 --children "$children" --la CAM --seed 1 --out "$scratch/v1" >/dev/null &&
"$bin" sample --ssda903 --children "$children" --la CAM --seed 2 --out "$scratch/v2" >/dev/null ||
  { echo "FAIL: sample"; exit 1; }
p=2025-03-31
# An argument list, not a function: the kill must reach liia-bench itself,
# not a subshell running it.
ingest903() { "$bin" ingest --return ssda903 --la CAM --period $p \
                "$scratch/$1/CAM_${p}_header.csv" "$scratch/$1/CAM_${p}_episodes.csv"; }
v2_903=("$bin" ingest --return ssda903 --la CAM --period $p
        "$scratch/v2/CAM_${p}_header.csv" "$scratch/v2/CAM_${p}_episodes.csv")
ingest903 v1 >"$scratch/v1.out" 2>&1 || { echo "FAIL: first ingest"; tail -3 "$scratch/v1.out"; exit 1; }
check "SSDA903 first version" "$(sql "SELECT version FROM submissions WHERE status = 'accepted'")" 1
old=$(served)
snapshot old
start=$(now_ms)
ingest903 v2 >"$scratch/v2.out" 2>&1 || { echo "FAIL: timing run"; exit 1; }
full_ms=$(( $(now_ms) - start ))
new=$(served)
restore old
echo "crash: SSDA903 ingest of $children children takes ${full_ms} ms"
for i in $(seq 1 $kills); do
  kill_at_random "${v2_903[@]}" || restore old
  after_kill "SSDA903 kill $i"
done
ingest903 v2 >"$scratch/v2.out" 2>&1 || { echo "FAIL: ingest after the kills"; tail -3 "$scratch/v2.out"; fail=1; }
check "SSDA903 version served after the kills" \
  "$(sql "SELECT version FROM submissions WHERE status = 'accepted' AND return_type = 'ssda903'")" 2
check "SSDA903 served after the kills" "$(served)" "$new"

# ---------------------------------------------------------------- quarterly
# Version 1 of every sample quarter of the 33 authorities (264 files, each
# its own transaction), then a changed copy of all of them in one command,
# killed part way: every authority and quarter serves either its whole
# version 1 or its whole version 2.
samples=$(cd "$(dirname "$0")/../.." && pwd)/sample-data/quarterly
restore empty
mkdir -p "$scratch/q1" "$scratch/q2"
cp "$samples"/*.csv "$scratch/q1"/
for f in "$scratch"/q1/*.csv; do
  sed 's/^\([^,]*,[^,]*,contacts,\)\([0-9]*\)/\1\2\2/' "$f" >"$scratch/q2/$(basename "$f")"
done
"$bin" ingest "$scratch"/q1/*.csv >/dev/null 2>&1 || { echo "FAIL: quarterly version 1"; fail=1; }
contacts() { sql "SELECT la_code || period || '=' || value FROM measures
                  WHERE measure = 'contacts' AND source = 'quarterly' ORDER BY 1"; }
v1=$(contacts)
old=$(served)
snapshot old
start=$(now_ms)
"$bin" ingest "$scratch"/q2/*.csv >/dev/null 2>&1 || { echo "FAIL: quarterly timing run"; fail=1; }
full_ms=$(( $(now_ms) - start ))
v2=$(contacts)
new=$(served)
restore old
echo "crash: quarterly ingest of $(ls "$scratch/q2" | wc -l) files takes ${full_ms} ms"
kill_at_random "$bin" ingest "$scratch"/q2/*.csv
check "integrity after the quarterly kill" "$(sql 'PRAGMA integrity_check')" ok
mixed=$(contacts)
partial=$(grep -vxF -f <(printf '%s\n%s\n' "$v1" "$v2") <<<"$mixed" || true)
check "quarters serving neither whole version" "$partial" ""
check "quarters served" "$(wc -l <<<"$mixed")" "$(wc -l <<<"$v1")"
echo "  $(grep -cxF -f <(echo "$v2") <<<"$mixed" || true) of $(wc -l <<<"$v1") already at version 2"
"$bin" ingest "$scratch"/q2/*.csv >/dev/null 2>&1 || { echo "FAIL: quarterly ingest after the kill"; fail=1; }
check "quarterly served after the kill" "$(served)" "$new"
check "integrity at the end" "$(sql 'PRAGMA integrity_check')" ok

(( fail == 0 )) && echo "crash: passed" || echo "crash: FAILED (seed $seed)"
exit $fail
