#!/bin/sh
# The comparators from published statistics, end to end through the real
# binary: init, the quarterly sample returns, import the published files in
# DIR, bench.  For the quarter to 31 March 2025 every London authority's
# neighbour comparator must count all ten neighbours for every indicator DfE
# publishes - a value (its quarterly return, else DfE's figure), DfE's
# suppression symbol or a quarterly figure of 1 to 5 withheld - except where a neighbour shares the service
# (Kingston / Richmond workforce: never compared with itself); England and
# DfE's London figure must exist.  Prints the coverage before and after.
# DIR = ../shared/ees (real files; exit 77 if absent) or the synthetic sample.
set -u
bin=$1 quarterly=$2 published=$3 work=$4
[ -d "$published" ] || { echo "SKIPPED: $published is absent (CI has ../shared)"; exit 77; }
rm -rf "$work" && mkdir -p "$work" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
export LIIA_DB="$work/liia.db"
q() { "$bin" query --format csv "$1" | tail -n +2 | tr -d '\r'; }

"$bin" init >/dev/null || fail init
"$bin" ingest "$quarterly"/*.csv >/dev/null 2>&1
"$bin" bench >/dev/null || fail "bench before import"
# the indicators DfE publishes (schemas/published/*.json give every term)
pubset="('CIN01', 'CL01', 'CL02', 'CLA01', 'CLA02', 'CLA03', 'CLA05', 'CLA06', 'CP04',
         'CP05', 'CP06', 'FD03', 'FD04', 'FD05', 'WF01', 'WF02', 'WF03', 'WF04')"
before=$(q "SELECT sum(n_included) || ' of ' || sum(n_possible) AS coverage FROM benchmark
             WHERE area_type = 'sn' AND period = '2025-03-31' AND indicator IN $pubset")
"$bin" import "$published"/*.csv >"$work/import.out" 2>&1 || fail "import: $(cat "$work/import.out")"
"$bin" bench >/dev/null || fail "bench after import"
[ "$(q "SELECT count(DISTINCT indicator) FROM published_indicators WHERE indicator IN $pubset")" -eq 18 ] ||
    fail "the published indicators are not the 18 expected"
after=$(q "SELECT sum(CAST(substr(sn_coverage, 1, instr(sn_coverage, ' ') - 1) AS INTEGER))
            || ' of ' || (10 * count(*)) || ' (' || sum(sn_quarterly) || ' quarterly, '
            || sum(sn_published) || ' published, ' || sum(sn_suppressed) || ' suppressed: DfE symbol or 1 to 5)'
            AS coverage FROM published_comparators WHERE period = '2025-03-31' AND indicator IN $pubset")
echo "neighbour places with a value, quarter to 31 March 2025, indicators DfE publishes:"
echo "  before import: $before"
echo "  after import:  $after"
# a neighbour DfE publishes only a joint figure for (Kingston / Richmond,
# North / West Northamptonshire workforce) has no figure of its own: it is
# counted as explained by its reason, never given the joint figure
joint="(SELECT count(*) FROM published_neighbours n WHERE n.period = c.period
        AND n.indicator = c.indicator AND n.la_code = c.la_code
        AND (n.null_reason LIKE 'DfE publishes only a joint figure for % and %'
             OR n.null_reason LIKE 'shares this service with the authority%'))"
short=$(q "SELECT count(*) FROM published_comparators c WHERE period = '2025-03-31'
            AND indicator IN $pubset AND sn_coverage <> '10 of 10'
            AND CAST(substr(sn_coverage, 1, 2) AS INTEGER) + sn_suppressed + $joint < 10")
njoint=$(q "SELECT count(*) FROM published_neighbours WHERE period = '2025-03-31'
            AND null_reason LIKE 'DfE publishes only a joint figure for % and %'")
echo "  neighbour places DfE gives only a joint figure: $njoint"
[ "$short" -eq 0 ] || fail "$short comparators short of 10 neighbours: $(q "SELECT la_code,
    indicator, sn_coverage, sn_sources FROM published_comparators WHERE period = '2025-03-31'
    AND indicator IN $pubset AND CAST(substr(sn_coverage, 1, 2) AS INTEGER) + sn_suppressed < 10
    LIMIT 5")"
rows=$(q "SELECT count(*) FROM published_comparators WHERE period = '2025-03-31'
           AND indicator IN $pubset")
[ "$rows" -ge 33 ] || fail "only $rows comparators"
eng=$(q "SELECT count(*) FROM published_comparators WHERE period = '2025-03-31'
          AND indicator IN $pubset AND england_value IS NULL")
[ "$eng" -eq 0 ] || fail "$eng comparators without England"
lon=$(q "SELECT count(*) FROM published_comparators WHERE period = '2025-03-31'
          AND indicator IN ('CLA01', 'FD04', 'CP05') AND london_published IS NULL")
[ "$lon" -eq 0 ] || fail "DfE's London figure missing"
named=$(q "SELECT count(*) FROM published_neighbours WHERE period = '2025-03-31'
            AND neighbour_name LIKE 'DfE number%'")
[ "$named" -eq 0 ] || fail "$named neighbours without a name"
# the benchmark's own neighbour comparator is this one (packs read it)
diff=$(q "SELECT count(*) FROM benchmark b JOIN published_comparators c ON c.period = b.period
           AND c.indicator = b.indicator AND c.la_code = b.area_code
          WHERE b.area_type = 'la' AND c.sn_published > 0
            AND (b.sn_coverage IS NOT c.sn_coverage OR b.sn_value IS NOT c.sn_value)")
[ "$diff" -eq 0 ] || fail "$diff benchmark rows do not carry the published neighbour comparator"
# history before the platform's first quarter: Kingston's pack draws DfE's
# series from the earliest published year, its workforce as the joint
# Kingston / Richmond figure, named as such
first=$(q "SELECT min(year) FROM published_indicators WHERE value IS NOT NULL")
"$bin" report --la KUT --period 2025-03-31 --out "$work/pack" >/dev/null 2>&1 || fail "report KUT"
pdftotext "$work/pack/KUT_2025-03-31_benchmark.pdf" - | tr '\n' ' ' | tr -s ' ' >"$work/kut.txt" ||
    fail "pdftotext"
grep -q "years to 31 March $first to 2025" "$work/kut.txt" ||
    fail "the long run does not start at $first, the earliest published year"
grep -q "Kingston upon Thames: DfE's joint figure with Richmond upon Thames" "$work/kut.txt" ||
    fail "Kingston's joint workforce figure is not named"
echo "long run from $first; Kingston's joint workforce figure named"
echo "ok: $rows comparators, all neighbours counted; England and DfE's London present"
