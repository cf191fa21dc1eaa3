#!/usr/bin/env bash
# Output files under hostile conditions (issue 11, items 5, 6, 7 and 9):
#  - findings files and packs are 0600 (folders 0700) even under umask 000,
#    and a symlink planted at an output name is replaced, its target intact;
#  - a findings report that cannot be written after the submission was
#    stored still prints the outcome and exits with the outcome's code;
#  - a full disk (RLIMIT_FSIZE) during report leaves the previous files
#    whole, no temporaries, and lists the files not written;
#  - the findings workbook of a large file under a memory limit (ulimit -v,
#    skipped under the sanitizers, which reserve terabytes of address space)
#    never crashes;
#  - the same workbook's heap flat in the file's size, in every build;
#  - a full disk (RLIMIT_FSIZE) during an ingest: a message that says why,
#    exit 3, nothing stored.
# usage: outputs.sh LIIA_BENCH_BINARY SCRATCH_DIR [SANITIZED [HEAP_PEAK_SO]]
set -uo pipefail
bin=$1
scratch=$2
sanitized=${3:-0}
heap_peak=${4:-}
root=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$scratch" && mkdir -p "$scratch" || exit 1
export LIIA_DB=$scratch/store.db
fail=0
bad() { echo "FAIL: $*"; fail=1; }
has() { grep -qF -- "$1" "$2" || { bad "'$1' not in $2:"; sed 's/^/  | /' "$2"; }; }
mode() { stat -c %a "$1"; }
sums() { (cd "$1" && find . -type f | sort | xargs sha256sum); }
no_temporaries() {
  local left; left=$(find "$1" -name '.*.tmp')
  [[ -z "$left" ]] || bad "temporaries left in $1: $left"
}

"$bin" init >/dev/null || { echo "FAIL: init"; exit 1; }
good=$root/tests/ingest/fixtures/CAM_2025-03-31.csv
sed 's/^\(CAM,2025-03-31,contacts,\)[0-9]*/\1lots/' "$good" >"$scratch/CAM_bad.csv"
sed 's/^\(CAM,2025-03-31,cla_at_end,\)[0-9]*/\1330/' "$good" >"$scratch/CAM_ok.csv"

# ---------------------------------------------------------------- item 6
# Findings: 0600 under umask 000, planted links replaced, targets intact.
rd=$scratch/reports
mkdir -p "$rd"
echo precious >"$scratch/victim_csv"
echo precious >"$scratch/victim_xlsx"
ln -s "$scratch/victim_csv" "$rd/CAM_bad_findings.csv"
ln -s "$scratch/victim_xlsx" "$rd/CAM_bad_findings.xlsx"
(umask 000; "$bin" validate -q --report-dir "$rd" "$scratch/CAM_bad.csv" >/dev/null 2>&1)
[[ $? == 1 ]] || bad "validate of a bad file: want exit 1"
for f in victim_csv victim_xlsx; do
  [[ "$(cat "$scratch/$f")" == precious ]] || bad "a planted link was followed: $f overwritten"
done
for f in CAM_bad_findings.csv CAM_bad_findings.xlsx; do
  [[ -f "$rd/$f" && ! -L "$rd/$f" ]] || bad "$f is not a regular file"
  [[ "$(mode "$rd/$f")" == 600 ]] || bad "$f is $(mode "$rd/$f") under umask 000, want 600"
done
has QBR "$rd/CAM_bad_findings.csv"
(umask 000; "$bin" validate -q --report-dir "$scratch/new_reports" "$scratch/CAM_bad.csv" >/dev/null 2>&1)
[[ "$(mode "$scratch/new_reports")" == 700 ]] || bad "report folder not 0700"
no_temporaries "$rd"

# ---------------------------------------------------------------- item 5
# The workbook's name is taken by a folder: the CSV is written, the
# workbook cannot be.  The submission is stored all the same: the outcome
# is printed and decides the exit code; a warning says what was not written.
rd5=$scratch/reports5
mkdir -p "$rd5/CAM_ok_findings.xlsx"
"$bin" ingest --report-dir "$rd5" "$scratch/CAM_ok.csv" >"$scratch/5.out" 2>"$scratch/5.err"
[[ $? == 0 ]] || bad "ingest whose report cannot be written: want the outcome's exit 0"
has "CAM_ok.csv: accepted as version 1" "$scratch/5.out"
has "CAM_ok_findings.xlsx: error:" "$scratch/5.err"
has "warning: the findings report was not written, but the submission was stored as version 1" "$scratch/5.err"
[[ "$(sqlite3 "$LIIA_DB" "SELECT count(*) FROM submissions WHERE status = 'accepted' AND la_code = 'E09000007' AND period = '2025-03-31'")" == 1 ]] ||
  bad "the accepted version is not in the store"
mkdir -p "$rd5/CAM_bad_findings.xlsx"
"$bin" ingest --json --report-dir "$rd5" "$scratch/CAM_bad.csv" >"$scratch/5j.out" 2>"$scratch/5j.err"
[[ $? == 1 ]] || bad "rejected ingest whose report cannot be written: want exit 1"
has '"outcome": "rejected"' "$scratch/5j.out"
has '"report_error":' "$scratch/5j.out"
"$bin" validate --report-dir "$rd5" "$scratch/CAM_bad.csv" >"$scratch/5v.out" 2>"$scratch/5v.err"
[[ $? == 3 ]] || bad "validate whose report cannot be written: want exit 3"
has "CAM_bad.csv: rejected" "$scratch/5v.out"
has "warning: the findings report was not written; nothing was stored" "$scratch/5v.err"
no_temporaries "$rd5"

# Packs and charts: the same.  A store with a year of sample returns.
"$bin" ingest -q "$root"/sample-data/quarterly/*_2024-{06-30,09-30,12-31}.csv \
  "$root"/sample-data/quarterly/*_2025-??-??.csv >/dev/null 2>&1 &&
  "$bin" bench >/dev/null 2>&1 || { echo "FAIL: sample store"; exit 1; }
out=$scratch/packs
mkdir -p "$out/charts"
links=(CAM_2025-03-31_benchmark.xlsx CAM_2025-03-31_benchmark.pdf
       charts/CAM_2025-03-31_WF04_trend.png charts/CAM_2025-03-31_WF04_trend.svg)
for i in "${!links[@]}"; do
  echo precious >"$scratch/victim$i"
  ln -s "$scratch/victim$i" "$out/${links[$i]}"
done
(umask 000; "$bin" report --la CAM --out "$out" >/dev/null 2>"$scratch/report.err")
[[ $? == 0 ]] || { bad "report with planted links"; cat "$scratch/report.err"; }
for i in "${!links[@]}"; do
  [[ "$(cat "$scratch/victim$i")" == precious ]] || bad "report followed the link at ${links[$i]}"
  f=$out/${links[$i]}
  [[ -f "$f" && ! -L "$f" && -s "$f" ]] || bad "${links[$i]} is not a regular file"
done
others=$(find "$out" -type f ! -perm 600 | head -3)
[[ -z "$others" ]] || bad "pack files not 0600 under umask 000: $others"
(umask 000; "$bin" report --la CAM --out "$scratch/new_packs" >/dev/null 2>&1)
[[ "$(mode "$scratch/new_packs")" == 700 && "$(mode "$scratch/new_packs/charts")" == 700 ]] ||
  bad "pack folders not 0700 under umask 000"
no_temporaries "$out"

# ---------------------------------------------------------------- item 9
# A full disk: files may not grow past 100 KiB (a workbook is ~190 KiB).
# write() fails with EFBIG (the binary ignores SIGXFSZ); the previous run's
# files stay whole; the run lists what it did not write and exits 3.
before=$(sums "$out")
(ulimit -f 100; "$bin" report --la CAM --out "$out" >"$scratch/9.out" 2>"$scratch/9.err")
rc=$?
[[ $rc == 3 ]] || bad "report on a full disk: exit $rc, want 3"
has "files not written (each keeps its previous copy, if any):" "$scratch/9.err"
has "$out/CAM_2025-03-31_benchmark.xlsx" "$scratch/9.err"
has "File too large" "$scratch/9.err"
# cairo numbers SVG surfaces per process, so an SVG written after another
# file failed differs only in those ids: SVGs are checked whole instead.
[[ "$(sums "$out" | grep -v '\.svg$')" == "$(grep -v '\.svg$' <<<"$before")" ]] ||
  bad "a failed report run changed the previous files"
for f in "$out"/charts/*.svg; do
  tail -c 16 "$f" | grep -q '</svg>' || bad "$f is not a whole SVG"
done
no_temporaries "$out"

# ---------------------------------------------------------------- item 7
# The findings workbook of a 5 MB extract with thousands of findings used
# 160 MB and crashed (SIGSEGV in libxlsxwriter) under a 150 MB address
# space limit; constant-memory mode needs ~30 MB.  Below what ingest itself
# needs the run must fail cleanly (exit 3 with a message), never crash.
if [[ $sanitized != 1 ]]; then
  big=$scratch/big
  "$bin" sample --ssda903 --children 80000 --la CAM --seed 1 --out "$big" >/dev/null ||
    bad "sample"
  files=("$big/CAM_2025-03-31_header.csv" "$big/CAM_2025-03-31_episodes.csv")
  for lim in 150000 60000 45000; do
    rm -rf "$scratch/rd7"
    (ulimit -v $lim; "$bin" validate -q --return ssda903 --la CAM --period 2025-03-31 \
       --report-dir "$scratch/rd7" "${files[@]}" >"$scratch/7.out" 2>"$scratch/7.err")
    rc=$?
    if (( lim == 150000 )); then
      [[ $rc == 0 ]] || { bad "findings workbook under ulimit -v $lim: exit $rc, want 0"; tail -3 "$scratch/7.err"; }
      [[ -s "$scratch/rd7/CAM_2025-03-31_episodes_findings.xlsx" ]] || bad "no workbook under ulimit -v $lim"
    elif [[ $rc != 0 && $rc != 3 ]]; then
      bad "validate under ulimit -v $lim: exit $rc (a crash), want 0 or 3"
    elif [[ $rc == 3 ]]; then
      grep -q "error:" "$scratch/7.err" || bad "exit 3 under ulimit -v $lim without a message"
    fi
  done
fi

# The same workbook in constant memory in every build, ASan's included: the
# peak of the heap held (tests/system/heap_peak.c, by malloc_usable_size:
# peak RSS under ASan is mostly shadow memory and grows either way) is flat
# from 500 to 2,500 children.  Each file ends in 300 error-dense rows (every
# cell invalid), so the findings are nearly the same in both and what
# grows is the rows the workbook copies.  Measured: flat to 13 KB
# (release and ASan); holding every cell (constant_memory off) it grew by
# 12.9 MB (release) and 12.4 MB (ASan) from 1,000 to 5,000 children.
if [[ -n $heap_peak ]]; then
  for n in 500 2500; do
    d=$scratch/flat$n
    "$bin" sample --ssda903 --children $n --la CAM --seed 1 --out "$d" >/dev/null || bad "sample $n"
    awk 'BEGIN { for (i = 1; i <= 300; i++)
                   printf "%d,X,32/13/2099,ZZZZ,BAD%d,Q,99/99/99\n", 9000000 + i, i }' \
      >>"$d/CAM_2025-03-31_header.csv"
    awk 'BEGIN { for (i = 1; i <= 300; i++)
                   printf "%d,31/02/2024,Z,QQ,N9,Z9,PRX,40/40/2024,E99,XXX,ZZ1 ZZZ,QQ QQ,ABC%d\n",
                          9000000 + i, i }' >>"$d/CAM_2025-03-31_episodes.csv"
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
      LIIA_HEAP_PEAK=$scratch/peak$n LD_PRELOAD=$heap_peak \
      "$bin" validate -q --return ssda903 --la CAM --period 2025-03-31 --report-dir "$d/rd" \
      "$d/CAM_2025-03-31_header.csv" "$d/CAM_2025-03-31_episodes.csv" >"$scratch/7f.out" 2>"$scratch/7f.err" ||
      { bad "validate --report-dir, $n children: exit $?"; tail -3 "$scratch/7f.err"; }
    [[ -s "$d/rd/CAM_2025-03-31_episodes_findings.xlsx" ]] || bad "no workbook for $n children"
    has "errors" "$scratch/7f.out"
  done
  small=$(cat "$scratch/peak500" 2>/dev/null || echo 0)
  large=$(cat "$scratch/peak2500" 2>/dev/null || echo 0)
  echo "outputs: findings workbook heap peak $small bytes (500 children), $large (2,500)"
  (( small > 0 && large > 0 )) || bad "no heap peak recorded"
  (( large - small < 1000000 )) ||
    bad "the findings workbook grew by $((large - small)) bytes from 500 to 2,500 children: not constant memory"
fi

# ---------------------------------------------------------------- full disk, ingest
# The store's -wal file may not grow past 100 KiB: the ingest says why
# (not only SQLite's "disk I/O error") and what to do, exits 3, stores
# nothing; without the limit the same files are accepted.
fd=$scratch/fulldisk
"$bin" sample --ssda903 --out "$fd" --children 300 --la CAM >/dev/null || bad "sample for the full disk"
mapfile -t files < <(ls "$fd"/CAM_2025-03-31_*.csv | grep -v planted)
(ulimit -f 100; "$bin" ingest --quiet --return ssda903 --la CAM --period 2025-03-31 "${files[@]}" \
  >"$scratch/fd.out" 2>"$scratch/fd.err")
rc=$?
[[ $rc == 3 ]] || bad "ingest on a full disk: exit $rc, want 3"
has "disk I/O error (files this process writes may not grow past 100 KB: ulimit -f)" "$scratch/fd.err"
has "fix: make room on the disk that holds the store" "$scratch/fd.err"
[[ ! -s "$scratch/fd.out" ]] || { bad "ingest on a full disk printed an outcome:"; cat "$scratch/fd.out"; }
[[ "$(sqlite3 "$LIIA_DB" "SELECT count(*) FROM submission WHERE return_type = 'ssda903'")" == 0 ]] ||
  bad "a failed ingest stored a submission"
"$bin" ingest --quiet --return ssda903 --la CAM --period 2025-03-31 "${files[@]}" >"$scratch/fd2.out" 2>&1 ||
  { bad "ingest after the full disk: exit $?"; tail -3 "$scratch/fd2.out"; }
has "accepted as version 1" "$scratch/fd2.out"

(( fail == 0 )) && echo "outputs: passed" || echo "outputs: FAILED"
exit $fail
