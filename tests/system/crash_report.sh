#!/usr/bin/env bash
# Crash safety of `report`: a run killed with SIGKILL at a random moment
# leaves no truncated file under a final name.  Over a previous run's files
# every file is still byte-identical to a complete run's; in a fresh folder
# every file present is complete.  Only hidden temporaries (.NAME.XXXXXX.tmp)
# may be left behind.  The next run succeeds.
# usage: crash_report.sh LIIA_BENCH_BINARY SCRATCH_DIR [SCOPE] [SEED] [KILLS]
#   SCOPE: --all (default) or an authority, e.g. CAM (ctest's choice)
#   SEED: empty for one from the clock; KILLS: kills per folder (3)
set -uo pipefail
bin=$1
scratch=$2
scope=${3:---all}
seed=${4:-$(( $(date +%s) % 100000 ))}
kills=${5:-3}
echo "crash_report: seed $seed (rerun with: $0 $bin $scratch $scope $seed $kills)"
RANDOM=$seed
root=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$scratch" && mkdir -p "$scratch" || exit 1
export LIIA_DB=$scratch/store.db
export SOURCE_DATE_EPOCH=1746000000 # the same PDFs every run
. "$(dirname "$0")/killer.sh"
fail=0
bad() { echo "FAIL: $*"; fail=1; }
[[ $scope == --all ]] && args=(--all) || args=(--la "$scope")

"$bin" init >/dev/null &&
  "$bin" ingest -q "$root"/sample-data/quarterly/*_2024-{06-30,09-30,12-31}.csv \
    "$root"/sample-data/quarterly/*_2025-03-31.csv >/dev/null 2>&1 &&
  "$bin" bench >/dev/null || { echo "FAIL: sample store"; exit 1; }

# The reference: a complete run, and what each of its files holds.
start=$(now_ms)
"$bin" report "${args[@]}" --out "$scratch/ref" >/dev/null || { echo "FAIL: reference run"; exit 1; }
full_ms=$(( $(now_ms) - start ))
(cd "$scratch/ref" && find . -type f | sort | xargs sha256sum) >"$scratch/ref.sums"
echo "crash_report: report ${args[*]} writes $(wc -l <"$scratch/ref.sums") files in ${full_ms} ms"

# every final name in DIR holds a complete file: its reference checksum.
check_dir() {
  local dir=$1 what=$2 torn
  torn=$(cd "$dir" && find . -type f ! -name '.*.tmp' | sort | xargs -r sha256sum |
         grep -vxF -f "$scratch/ref.sums")
  [[ -z "$torn" ]] || bad "$what: files under final names differ from a complete run: $(head -c 300 <<<"$torn")"
  local tmps; tmps=$(find "$dir" -name '.*.tmp' | wc -l)
  (( tmps <= 2 )) || bad "$what: $tmps temporaries left (at most the one or two being written)"
  find "$dir" -name '.*.tmp' -delete
}

cp -a "$scratch/ref" "$scratch/over"
for i in $(seq 1 $kills); do
  # Over the previous run's files: every one stays whole.
  kill_at_random "$bin" report "${args[@]}" --out "$scratch/over"
  check_dir "$scratch/over" "over a previous run, kill $i"
  [[ $(find "$scratch/over" -type f | wc -l) == $(wc -l <"$scratch/ref.sums") ]] ||
    bad "over a previous run, kill $i: files lost"
  # Into an empty folder: what is there is complete.
  rm -rf "$scratch/fresh"
  kill_at_random "$bin" report "${args[@]}" --out "$scratch/fresh"
  [[ -d "$scratch/fresh" ]] && check_dir "$scratch/fresh" "fresh folder, kill $i"
done
"$bin" report "${args[@]}" --out "$scratch/fresh" >/dev/null || bad "report after the kills"
check_dir "$scratch/fresh" "after the kills"
[[ $(find "$scratch/fresh" -type f | wc -l) == $(wc -l <"$scratch/ref.sums") ]] ||
  bad "the run after the kills did not write every file"

(( fail == 0 )) && echo "crash_report: passed" || echo "crash_report: FAILED (seed $seed)"
exit $fail
