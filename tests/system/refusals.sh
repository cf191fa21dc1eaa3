#!/usr/bin/env bash
# Issue 11, item 10: SSDA903 with an unknown --la or a bad --period printed
# "? ? ssda903 ... rejected: 0 errors, 0 warnings" with no reason.  Both
# returns now refuse them alike: exit 2, the same message on stderr, nothing
# on stdout and nothing stored, for ingest and validate.
# usage: refusals.sh LIIA_BENCH_BINARY SCRATCH_DIR
set -uo pipefail
bin=$1
scratch=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$scratch" && mkdir -p "$scratch" || exit 1
export LIIA_DB=$scratch/store.db
fail=0
bad() { echo "FAIL: $*"; fail=1; }
"$bin" init >/dev/null || { echo "FAIL: init"; exit 1; }
q=$root/sample-data/quarterly/CAM_2025-03-31.csv
s=$root/sample-data/ssda903
s903=("$s/CAM_2025-03-31_header.csv" "$s/CAM_2025-03-31_episodes.csv")

# run NAME ARGS...: exit code and stderr of one refused command.
run() {
  local name=$1; shift
  "$bin" "$@" >"$scratch/$name.out" 2>"$scratch/$name.err"
  echo $? >"$scratch/$name.rc"
}
for cmd in ingest validate; do
  for arg in "--la XYZ" "--period 2025-13-45" "--period bad"; do
    key=$cmd${arg//[^a-zA-Z0-9]/_}
    # the quarterly return takes --la/--period to check the file against
    run "q$key" $cmd $arg "$q"
    if [[ $arg == --la* ]]; then
      run "s$key" $cmd --return ssda903 $arg --period 2025-03-31 "${s903[@]}"
    else
      run "s$key" $cmd --return ssda903 --la CAM $arg "${s903[@]}"
    fi
    [[ $(cat "$scratch/s$key.rc") == 2 ]] ||
      bad "$cmd --return ssda903 $arg: exit $(cat "$scratch/s$key.rc"), want 2"
    [[ $(cat "$scratch/q$key.rc") == 2 ]] ||
      bad "$cmd $arg (quarterly): exit $(cat "$scratch/q$key.rc"), want 2"
    cmp -s "$scratch/q$key.err" "$scratch/s$key.err" ||
      bad "$cmd $arg: SSDA903 and quarterly say different things: $(diff "$scratch/q$key.err" "$scratch/s$key.err" | head -4)"
    grep -q "^error: '.*' is not" "$scratch/s$key.err" ||
      bad "$cmd --return ssda903 $arg: no reason given: $(head -3 "$scratch/s$key.err")"
    [[ ! -s "$scratch/s$key.out" ]] ||
      bad "$cmd --return ssda903 $arg printed an outcome: $(head -2 "$scratch/s$key.out")"
  done
done
n=$(sqlite3 "$LIIA_DB" "SELECT count(*) FROM submission")
[[ $n == 0 ]] || bad "$n submissions stored by refused commands"

(( fail == 0 )) && echo "refusals: passed" || echo "refusals: FAILED"
exit $fail
