#!/usr/bin/env bash
# A long-running reader cannot stop WAL checkpoints for longer than its
# time limit (issue 11, item 3; docs/operations.md).  A query that would
# run for ever holds its snapshot while returns keep being ingested: the
# -wal file grows meanwhile, as SQLite cannot checkpoint past the snapshot.
# --timeout ends the query, and the next ingest's checkpoint takes every
# frame into the store and removes the -wal file.  No sleeps: the ingests
# themselves pace the loop, and a reader still there after 20 s (a query
# that ignores its limit, as funnel_limit(1e18, ...) once did) fails it.
# usage: wal.sh LIIA_BENCH_BINARY QUARTERLY_CSV SCRATCH_DIR
set -uo pipefail
bin=$1 good=$2 scratch=$3
rm -rf "$scratch" && mkdir -p "$scratch" && cd "$scratch" || exit 1
export LIIA_DB=$scratch/store.db
wal=$LIIA_DB-wal
fail=0
bad() { echo "FAIL: $*"; fail=1; }
wal_size() { stat -c %s "$wal" 2>/dev/null || echo 0; }
# CAM's return with contacts = $1: each ingest is a new version.
version() { sed "s/^\(CAM,2025-03-31,contacts,\)[0-9]*/\1$1/" "$good" >v.csv; }

"$bin" init >/dev/null && "$bin" ingest -q "$good" >/dev/null || { echo "FAIL: setup"; exit 1; }
(( $(wal_size) == 0 )) || bad "a -wal file of $(wal_size) bytes with no process on the store"

loop="WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
# 3 s: long enough for an ingest (up to ~3 s under ASan on a loaded
# machine) to commit while the query holds its snapshot.
"$bin" query --timeout 3 --format csv "$loop" >q.out 2>q.err &
qpid=$!
start=$SECONDS n=0 held=0 most=0
while kill -0 "$qpid" 2>/dev/null; do
  if (( SECONDS - start >= 20 )); then
    bad "the query held the store past 20 s (--timeout 3); the -wal file grew to $most bytes over $n ingests"
    kill -KILL "$qpid"
    break
  fi
  n=$((n + 1))
  version $((5000 + n))
  "$bin" ingest -q v.csv >/dev/null 2>ingest.err || { bad "ingest $n beside the query:"; cat ingest.err; }
  s=$(wal_size)
  (( s > 0 )) && held=$((held + 1))
  (( s > most )) && most=$s
done
wait "$qpid"
rc=$?
took=$((SECONDS - start))
(( rc == 3 )) || bad "the query exited $rc, want 3 (stopped by --timeout)"
grep -q "query stopped after 3000 ms" q.err || { bad "no time-limit message:"; cat q.err; }
[[ ! -s q.out ]] || bad "the stopped query wrote a result"
# The reader did hold the WAL: without it each ingest, the last connection
# to close, checkpoints and removes the -wal file, and this test would
# prove nothing.
(( held > 0 )) || bad "no ingest ran while the query held its snapshot ($n ingests): nothing tested"
echo "wal: $n ingests beside a 3 s query in ${took} s; $held left the -wal file held, at most $most bytes"

# The reader has gone: the next ingest checkpoints everything and the -wal
# file is gone (or empty), every version is in the store itself.
n=$((n + 1))
version $((5000 + n))
"$bin" ingest -q v.csv >/dev/null 2>ingest.err || { bad "ingest after the query:"; cat ingest.err; }
(( $(wal_size) == 0 )) || bad "after the reader ended and an ingest ran, the -wal file is $(wal_size) bytes"
got=$(sqlite3 "file:$LIIA_DB?mode=ro" "SELECT count(*) FROM submission WHERE la_code = 'E09000007'")
(( got == n + 1 )) || bad "$got CAM versions in the store, want $((n + 1))"

(( fail == 0 )) && echo "wal: passed" || echo "wal: FAILED"
exit $fail
