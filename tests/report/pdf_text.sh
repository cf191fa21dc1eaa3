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
#    name: a chart per indicator (and a native line chart per indicator in
#    the workbook), the neighbour model of each year (a second, older
#    model changes the earlier years' medians only), Kingston's joint
#    workforce figure named as such.
set -u
# A whole sample quarter through ingest, bench and two packs is minutes
# under the sanitizers on CI's 2 cores; the pack code itself runs under
# them in test_report and test_report_engine.
if [ -n "${ASAN_OPTIONS:-}" ]; then
    echo "skipped under the sanitizers (runs in the default preset)"
    exit 77
fi
bin=$1 sample=$2 work=$3 fonts=$4 py=${5:-python3} dump=${6:-}
rm -rf "$work" && mkdir -p "$work" || exit 1
export LIIA_DB="$work/liia.db" LIIA_TODAY=2026-12-03 SOURCE_DATE_EPOCH=1746000000
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$bin" init >/dev/null || { echo "FAIL: init"; exit 1; }
# eight quarters: 12-month flows and their change on a year ago
"$bin" ingest --quiet "$sample"/quarterly/*.csv >/dev/null 2>&1 || fail "ingest"
"$bin" import "$sample"/published/*.csv >/dev/null 2>&1 || fail "import"
"$bin" bench >/dev/null || fail "bench"
for la in CAM BRO KUT; do
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
# a ranked chart counts the City's suppressed figures as suppressed, apart
# from the authorities with no value (whose count it gives separately)
tr '\n' ' ' <"$t" | tr -s ' ' | grep -q "of 33 authorities shown, [0-9]* suppressed (c)" ||
    fail "no ranked chart counts its suppressed authorities as suppressed"
tr '\n' ' ' <"$t" | tr -s ' ' | grep -q "authorities with a value" &&
    fail "a ranked chart counts suppressed authorities among those without a value"
# the long run is drawn (a chart per indicator: its legend in names, its
# years), says which neighbour model each year used, and is in the
# workbook as native line charts over the Long run sheet
tr '\n' ' ' <"$t" | tr -s ' ' >"$work/flat.txt"
grep -q "the model in force each year (DfE's 2025 model for every year)" "$work/flat.txt" ||
    fail "the long run does not say which neighbour model"
lr=$(grep -o "Statistical neighbours' median" "$t" | wc -l)
[ "$lr" -ge 10 ] || fail "only $lr long-run charts (legends) in the PDF"
grep -q "years to 31 March 2023 to 2025" "$work/flat.txt" || fail "long-run chart without its years"
x=$work/out/CAM_2025-03-31_benchmark.xlsx
nc=$(unzip -Z1 "$x" | grep -c '^xl/charts/chart.*\.xml$')
nlr=0
for c in $(unzip -Z1 "$x" | grep '^xl/charts/chart.*\.xml$'); do
    unzip -p "$x" "$c" | grep -q "'Long run'!" && nlr=$((nlr + 1))
done
[ "$nlr" = "$lr" ] || fail "$nlr native long-run charts in the workbook ($nc charts), $lr in the PDF"
unzip -p "$x" $(unzip -Z1 "$x" | grep '^xl/charts/chart.*\.xml$') | grep -q "<c:lineChart>" ||
    fail "no native line chart"
# Bromley: every neighbour outside London, the median from DfE's figures
b=$work/BRO.txt
tr '\n' ' ' <"$b" | grep -q "Statistical neighbours (DfE's 2025 model), closest first: Hertfordshire" ||
    fail "Bromley's neighbours not named"
tr '\n' ' ' <"$b" | tr -s ' ' | grep -q "DfE published for the year to 31 March 2025" ||
    fail "Bromley's neighbour median not labelled with its source and year"
tr '\n' ' ' <"$b" | tr -s ' ' | grep -q "DfE does not publish this indicator" ||
    fail "Bromley: indicators DfE does not publish not explained"
# Kingston: DfE's workforce figure is the joint Kingston / Richmond row,
# named as such and never in a neighbour median
pdftotext "$work/out/KUT_2025-03-31_benchmark.pdf" - | tr '\n' ' ' | tr -s ' ' |
    grep -q "Kingston upon Thames: DfE's joint figure with Richmond upon Thames" ||
    fail "Kingston's long run does not name its joint workforce figure"
# A second, older neighbour model (DfE keeps the old model for earlier
# years): Camden's 2024 neighbours are Bromley's 2025 ones.  The long run
# then says which model gave each year, and Camden's neighbour median
# changes for 2023 and 2024 only.
medians() { # the neighbours' median rows of the Long run sheet
    "$dump" "$1" | awk -F'\t' '$3 == "Statistical neighbours'"'"' median" {
        s = $1; r = substr($2, 2); rows[s "|" r] = 1 }
        { c[NR] = $0 } END { for (i = 1; i <= NR; i++) { split(c[i], f, "\t");
          col = substr(f[2], 1, 1); row = substr(f[2], 2);
          if ((f[1] "|" row) in rows && col ~ /[D-F]/) print col, row, f[3] } }' | sort
}
if [ -n "$dump" ]; then
    x=$work/out/CAM_2025-03-31_benchmark.xlsx
    medians "$x" >"$work/med_2025.txt"
    bro=$(grep '^305,' "$sample/published/sn_model_2025_wide.csv" | cut -d, -f5-)
    awk -v bro="$bro" '$0 ~ /^202,/ { split($0, f, ","); print f[1] "," f[2] "," f[3] "," f[4] "," bro; next } { print }' \
        "$sample/published/sn_model_2025_wide.csv" >"$work/sn_model_2024_wide.csv"
    cmp -s "$work/sn_model_2024_wide.csv" "$sample/published/sn_model_2025_wide.csv" &&
        fail "the 2024 model is the 2025 one"
    "$bin" import "$work/sn_model_2024_wide.csv" >/dev/null 2>&1 || fail "import the 2024 model"
    "$bin" bench >/dev/null || fail "bench with two models"
    "$bin" report --la CAM --out "$work/out2" >/dev/null 2>&1 || fail "report CAM, two models"
    pdftotext "$work/out2/CAM_2025-03-31_benchmark.pdf" - | tr '\n' ' ' | tr -s ' ' |
        grep -q "DfE's 2024 model for 2023 to 2024, its 2025 model for 2025)" ||
        fail "the long run does not say which model each year used"
    medians "$work/out2/CAM_2025-03-31_benchmark.xlsx" >"$work/med_two.txt"
    [ -s "$work/med_2025.txt" ] || fail "no neighbour medians in the Long run sheet"
    grep '^F' "$work/med_2025.txt" >"$work/a.txt"; grep '^F' "$work/med_two.txt" >"$work/b.txt"
    cmp -s "$work/a.txt" "$work/b.txt" || fail "2025's medians moved with the 2024 model"
    grep '^E' "$work/med_2025.txt" >"$work/a.txt"; grep '^E' "$work/med_two.txt" >"$work/b.txt"
    cmp -s "$work/a.txt" "$work/b.txt" && fail "2024's medians ignore the 2024 model"
fi
[ $fails = 0 ] && echo "pdf text: ok (fonts >= 7 pt, every code named on its page, headlines, England, pp, notes, long run)"
exit $fails
