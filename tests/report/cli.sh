#!/bin/sh
# cli.sh BIN STORE SCRATCH - `liia-bench report` from the command line:
# usage errors and their exit codes, a missing store, a period with no
# benchmarks, one authority's pack, and reproducible PDFs with
# SOURCE_DATE_EPOCH.  STORE is the benchmarked store test_report_engine
# leaves behind.
set -u
BIN=$1 STORE=$2 DIR=$3/cli
rm -rf "$DIR" && mkdir -p "$DIR" || exit 1
fails=0

fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# expect CODE TEXT ARGS...: exit code CODE and TEXT in stdout+stderr.
expect() {
    want=$1 text=$2
    shift 2
    out=$("$BIN" --db "$STORE" "$@" 2>&1)
    got=$?
    [ "$got" = "$want" ] || fail "$*: exit $got, want $want: $out"
    case $out in
    *"$text"*) ;;
    *) fail "$*: output lacks '$text': $out" ;;
    esac
}

expect 0 "usage: liia-bench report" report --help
expect 2 "give either --la LA or --all" report --out "$DIR/x"
expect 2 "give either --la LA or --all" report --la CAM --all --out "$DIR/x"
expect 2 "--out DIR is required" report --la CAM
expect 2 "unexpected argument 'extra'" report --la CAM --out "$DIR/x" extra
expect 2 "'2025-13-31' is not a quarter" report --period 2025-13-31 --la CAM --out "$DIR/x"
expect 1 "no benchmarks for Q4 2018-19 (Jan-Mar 2019)" \
    report --period 2019-03-31 --la CAM --out "$DIR/x"
out=$("$BIN" --db "$DIR/none.db" report --all --out "$DIR/x" 2>&1)
[ $? = 3 ] || fail "missing store: want exit 3: $out"

expect 0 "Q4 2024-25 (Jan-Mar 2025): wrote 1 authority pack (xlsx + pdf) and 192 chart files" \
    report --period 2024-25Q4 --la 202 --out "$DIR/one"
for f in CAM_2025-03-31_benchmark.xlsx CAM_2025-03-31_benchmark.pdf \
    charts/CAM_2025-03-31_WF04_trend.svg; do
    [ -s "$DIR/one/$f" ] || fail "$f not written"
done

export SOURCE_DATE_EPOCH=1746000000 # 2025-04-30
"$BIN" --db "$STORE" report --la CAM --out "$DIR/a" >/dev/null || fail "run a"
"$BIN" --db "$STORE" report --la CAM --out "$DIR/b" >/dev/null || fail "run b"
cmp -s "$DIR/a/CAM_2025-03-31_benchmark.pdf" "$DIR/b/CAM_2025-03-31_benchmark.pdf" ||
    fail "PDFs differ with SOURCE_DATE_EPOCH set"
pdfinfo "$DIR/a/CAM_2025-03-31_benchmark.pdf" | grep -q "CreationDate:.*Apr 30 12:00:00 2025" ||
    fail "PDF creation date is not SOURCE_DATE_EPOCH's day"

[ $fails = 0 ] && echo "report cli: ok"
exit $fails
