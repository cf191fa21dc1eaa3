#!/bin/sh
# pdf_text.sh BIN SAMPLE_DIR WORK PDF_FONTS [PYTHON3] - what a Director reads in the
# PDF pack (issues 13 and 15), checked on the text of real packs over the
# sample returns and the synthetic published statistics:
#  * no text smaller than 7 pt (pdf_fonts.py reads every text matrix);
#  * no authority code on a page without its name on the same page (the
#    key under the ranked bars);
#  * the headlines page first, then the summary with England, the
#    direction of "better", the change on a year ago and "pp" for
#    percentage-point changes;
#  * blank and thin neighbour comparators explained on the page, the
#    neighbour median labelled with its sources and year;
#  * a long-run page of DfE's published series with the neighbours by
#    name.
set -u
# A whole sample quarter through ingest, bench and two packs is minutes
# under the sanitizers on CI's 2 cores; the pack code itself runs under
# them in test_report and test_report_engine.
if [ -n "${ASAN_OPTIONS:-}" ]; then
    echo "skipped under the sanitizers (runs in the default preset)"
    exit 77
fi
bin=$1 sample=$2 work=$3 fonts=$4 py=${5:-python3}
rm -rf "$work" && mkdir -p "$work" || exit 1
export LIIA_DB="$work/liia.db" LIIA_TODAY=2026-12-03 SOURCE_DATE_EPOCH=1746000000
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$bin" init >/dev/null || { echo "FAIL: init"; exit 1; }
# eight quarters: 12-month flows and their change on a year ago
"$bin" ingest --quiet "$sample"/quarterly/*.csv >/dev/null 2>&1 || fail "ingest"
"$bin" import "$sample"/published/*.csv >/dev/null 2>&1 || fail "import"
"$bin" bench >/dev/null || fail "bench"
for la in CAM BRO; do
    "$bin" report --la $la --out "$work/out" >/dev/null 2>&1 || fail "report $la"
done

codes=$("$bin" query "SELECT short_code || '|' || name FROM authorities" --format csv | tail -n +2 | tr -d '\r')
[ "$(echo "$codes" | wc -l)" = 33 ] || fail "authority codes: $codes"
: >"$work/codes.txt"
for la in CAM BRO; do
    pdf=$work/out/${la}_2025-03-31_benchmark.pdf
    "$py" "$fonts" "$pdf" 7 >"$work/fonts.txt" || fail "$la: $(cat "$work/fonts.txt")"
    pages=$(pdfinfo "$pdf" | sed -n 's/^Pages: *//p')
    p=1
    while [ "$p" -le "${pages:-0}" ]; do
        pdftotext -f $p -l $p "$pdf" "$work/page.txt" 2>/dev/null || fail "pdftotext $la $p"
        echo "$codes" | while IFS='|' read -r code name; do
            [ -n "$code" ] || continue
            if grep -qw "$code" "$work/page.txt" &&
                ! tr '\n' ' ' <"$work/page.txt" | grep -q "$code $name"; then
                echo "$la page $p: $code without its name"
            fi
        done >>"$work/codes.txt"
        p=$((p + 1))
    done
    pdftotext -layout "$pdf" "$work/$la.txt" || fail "pdftotext $la"
done
[ -s "$work/codes.txt" ] && fail "codes without names: $(head -5 "$work/codes.txt")"

t=$work/CAM.txt
pdftotext -f 2 -l 2 "$work/out/CAM_2025-03-31_benchmark.pdf" - | grep -q "^Headlines: Camden" ||
    fail "page 2 is not the headlines"
grep -q "(Summary, " "$t" || fail "headlines name no table"
pdftotext -f 3 -l 3 "$work/out/CAM_2025-03-31_benchmark.pdf" - | tr '\n' ' ' >"$work/p3.txt"
# column heads (the England head wraps over two lines: "England", "(DfE)")
for h in "England" "(DfE)" "On last quarter" "On a year ago" "Better when" "Against London"; do
    grep -qF "$h" "$work/p3.txt" || fail "summary lacks '$h'"
done
# England's figures with their year, e.g. "459.9 (2025)"
grep -q "[0-9] (2025)" "$work/p3.txt" || fail "no England figure with its year"
grep -q "[0-9] pp" "$t" || fail "no percentage-point change"
grep -q "%, *[+-][0-9.]*%" "$t" && fail "a percentage change printed as %"
grep -q "Long run: DfE's published figures" "$t" || fail "no long-run page"
grep -q "Notes on the comparators" "$t" || fail "no comparator notes"
# Bromley: every neighbour outside London, the median from DfE's figures
b=$work/BRO.txt
tr '\n' ' ' <"$b" | grep -q "Statistical neighbours (DfE's 2025 model), closest first: Hertfordshire" ||
    fail "Bromley's neighbours not named"
tr '\n' ' ' <"$b" | tr -s ' ' | grep -q "DfE published for the year to 31 March 2025" ||
    fail "Bromley's neighbour median not labelled with its source and year"
tr '\n' ' ' <"$b" | tr -s ' ' | grep -q "DfE does not publish this indicator" ||
    fail "Bromley: indicators DfE does not publish not explained"
[ $fails = 0 ] && echo "pdf text: ok (fonts >= 7 pt, every code named on its page, headlines, England, pp, notes, long run)"
exit $fails
