#!/bin/sh
# fresh.sh BIN SAMPLE_DIR WORK - a stale or partial pack cannot be produced
# silently, and quarters out of range are refused at ingest (issue 10):
#  * 3 authorities sent 2025-03-31: the pack says "3 of 33 returns" on its
#    cover, beside London and on every rank;
#  * a corrected return accepted after bench: report refuses and says to
#    run bench; after bench it writes;
#  * a return for the quarter after today is held but is not the default
#    quarter of status or report; 2035-06-30 and 1999-03-31 are refused,
#    each with its own message (not "not a quarter").
set -u
bin=$1 sample=$2 work=$3
rm -rf "$work" && mkdir -p "$work" || exit 1
export LIIA_DB="$work/liia.db" LIIA_TODAY=2026-12-03 SOURCE_DATE_EPOCH=1746000000
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }


"$bin" init >/dev/null || { echo "FAIL: init"; exit 1; }
q=$sample/quarterly
"$bin" ingest --quiet "$q"/CAM_2025-03-31.csv "$q"/ISL_2025-03-31.csv \
    "$q"/HAC_2025-03-31.csv >/dev/null 2>&1 || fail "ingest 3 returns"
"$bin" bench >/dev/null || fail "bench"
out=$("$bin" report --la CAM --out "$work/p1" 2>&1) || fail "report: $out"
pdftotext "$work/p1/CAM_2025-03-31_benchmark.pdf" "$work/p1.txt" 2>/dev/null ||
    fail "pdftotext"
grep -q "only 3 of 33 authorities sent a return" "$work/p1.txt" || fail "cover does not state coverage"
# the PDF's London column head and every London cell (wrapped by pdftotext)
[ "$(grep -c "returns)" "$work/p1.txt")" -ge 32 ] || fail "PDF table: no coverage beside London"
unzip -p "$work/p1/CAM_2025-03-31_benchmark.xlsx" xl/sharedStrings.xml >"$work/s1.xml"
grep -q "London (3 of 33 returns)" "$work/s1.xml" || fail "workbook: no coverage beside London"
grep -q "of 3 published, 3 of 33 returns" "$work/s1.xml" || fail "workbook: no coverage beside ranks"

# A corrected return for Camden: the benchmarks are now stale.
sed 's/^CAM,2025-03-31,referrals,\([0-9]*\),/CAM,2025-03-31,referrals,1\1,/' \
    "$q"/CAM_2025-03-31.csv >"$work/CAM_corrected.csv"
"$bin" ingest --quiet "$work/CAM_corrected.csv" >/dev/null 2>&1 || fail "ingest corrected"
out=$("$bin" report --la CAM --out "$work/p2" 2>&1)
[ $? = 1 ] || fail "stale report: want exit 1: $out"
case $out in *"are older than the returns in the store"*"run 'liia-bench bench'"*) ;;
*) fail "stale report message: $out" ;; esac
[ ! -e "$work/p2/CAM_2025-03-31_benchmark.xlsx" ] || fail "a stale pack was written"
"$bin" bench >/dev/null || fail "bench 2"
"$bin" report --la CAM --out "$work/p2" >/dev/null 2>&1 || fail "report after bench"

# Periods: the quarter after today is held, not the default; too far ahead
# and before the first supported year are refused with their own message.
sed 's/2025-03-31/2026-12-31/' "$q"/CAM_2025-03-31.csv >"$work/CAM_next.csv"
"$bin" ingest --quiet "$work/CAM_next.csv" >/dev/null 2>&1 || fail "ingest 2026-12-31"
sed 's/2025-03-31/2035-06-30/' "$q"/CAM_2025-03-31.csv >"$work/CAM_2035.csv"
out=$("$bin" ingest "$work/CAM_2035.csv" 2>&1)
[ $? = 1 ] || fail "2035-06-30: want exit 1"
case $out in *"period '2035-06-30' is more than one quarter after today (2026-12-03)"*"QBR-S016"*) ;;
*) fail "2035-06-30 message: $out" ;; esac
sed 's/2025-03-31/1999-03-31/' "$q"/CAM_2025-03-31.csv >"$work/CAM_1999.csv"
out=$("$bin" ingest "$work/CAM_1999.csv" 2>&1)
[ $? = 1 ] || fail "1999-03-31: want exit 1"
case $out in *"is before the first supported quarter"*) ;;
*) fail "1999-03-31 message: $out" ;; esac
case $out in *"not a quarter"*) fail "1999-03-31 called 'not a quarter'" ;; esac
out=$("$bin" ingest --return ssda903 --la CAM --period 2035-06-30 "$work/CAM_2035.csv" 2>&1)
[ $? = 2 ] || fail "--period 2035-06-30: want exit 2: $out"
"$bin" status | head -1 | grep -q "^2025-03-31:" || fail "status default is not 2025-03-31: $("$bin" status | head -1)"
"$bin" bench >/dev/null || fail "bench 3"
out=$("$bin" report --la CAM --out "$work/p3" 2>&1) || fail "report default: $out"
case $out in "Q4 2024-25 (Jan-Mar 2025): wrote"*) ;; *) fail "report default period: $out" ;; esac

[ $fails = 0 ] && echo "ok: partial coverage stated, stale pack refused, periods checked"
exit $fails
