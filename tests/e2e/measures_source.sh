#!/bin/sh
# measures_source.sh BIN SAMPLE_DIR WORK - `measures` is one row per
# authority, period and measure, from the source the benchmark used (issue
# 13: "two rows per measure for authorities with an SSDA903 extract ...
# sum(value) gives 10,862 against the benchmark's 10,127");
# `measures_all_sources` keeps every source's row.
#
# Camden's eight sample quarters and its sample SSDA903 extract: bench lets
# the extract stand in for some figures (docs/maths.md), so the test sees
# both sources.  Every Camden figure's numerator and denominator, summed
# back from `measures` over its window, must be exactly what bench used.
set -u
bin=$1 sample=$2 work=$3
rm -rf "$work" && mkdir -p "$work" || exit 3
trap 'rm -rf "$work"' EXIT
export LC_ALL=C TZ=UTC LIIA_DB="$work/liia.db"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
q() { "$bin" query --format csv "$1" | tail -1 | tr -d '\r"'; }

"$bin" init >/dev/null || { echo "init failed" >&2; exit 1; }
"$bin" ingest --quiet "$sample"/quarterly/CAM_*.csv >/dev/null 2>&1
x=$sample/ssda903/CAM_2025-03-31
"$bin" ingest --quiet --return ssda903 --la CAM --period 2025-03-31 \
    "${x}_header.csv" "${x}_episodes.csv" "${x}_uasc.csv" >/dev/null 2>&1
"$bin" bench >/dev/null || fail "bench"

# Not a vacuous test: the extract is in, and bench used some of it.
all903=$(q "SELECT count(*) FROM measures_all_sources WHERE source = 'ssda903'")
used903=$(q "SELECT count(*) FROM measures WHERE source = 'ssda903'")
figs903=$(q "SELECT count(*) FROM benchmark WHERE area_type = 'la' AND source = 'ssda903'")
[ "$all903" -gt 0 ] || fail "no SSDA903 row in measures_all_sources"
[ "$used903" -gt 0 ] && [ "$figs903" -gt 0 ] || fail "bench used no SSDA903 value ($figs903 figures)"
[ "$used903" -lt "$all903" ] || fail "measures keeps SSDA903 values bench did not use"

# One row per authority, period and measure.
dup=$(q "SELECT count(*) - count(DISTINCT la_code || period || measure) FROM measures")
[ "$dup" = 0 ] || fail "$dup duplicate rows in measures"
both=$(q "SELECT count(*) - count(DISTINCT la_code || period || measure) FROM measures_all_sources")
[ "$both" -gt 0 ] || fail "measures_all_sources has one source per measure: nothing compared"

# The benchmark's inputs: each Camden figure's numerator (and denominator)
# summed back from a view over its window (a stock: its quarter; a flow:
# four quarters).  indicator_term is not a documented view: read the store.
check() { # view part [same]: same = restrict to the figure's own source
    sqlite3 "$LIIA_DB" "WITH k(k) AS (VALUES (0), (1), (2), (3)),
      fig AS (SELECT b.period, b.indicator, b.area_code,
                     iif('$2' = 'num', b.numerator, b.denominator) AS used, b.source AS src
                FROM bench_row b WHERE b.area_type = 'la' AND b.area_code = 'E09000007'
                 AND iif('$2' = 'num', b.numerator, b.denominator) IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM indicator_term t WHERE t.indicator = b.indicator
                                    AND t.part = '$2' AND t.term = 'pop')),
      re AS (SELECT f.used, total(m.value) AS s,
                    sum(m.source IS NOT NULL AND m.source <> f.src) AS mixed FROM fig f
               JOIN indicator_term t ON t.indicator = f.indicator AND t.part = '$2'
               JOIN measure_def md ON md.id = t.term JOIN k ON k.k = 0 OR md.kind = 'flow'
               LEFT JOIN $1 m ON m.la_code = f.area_code AND m.measure = t.term
                AND m.period = date(f.period, '+1 day', printf('-%d months', 3 * k.k), '-1 day')
                AND ('${3:-}' = '' OR m.source = f.src)
              GROUP BY f.period, f.indicator)
      SELECT count(*) || ' ' || sum(abs(s - used) > 1e-9 AND mixed = 0) || ' ' || total(used)
             || ' ' || total(s) || ' ' || sum(abs(s - used) > 1e-9 AND mixed > 0)
        FROM re"
}
for part in num den; do
    set -- $(check measures $part)
    [ "${1:-0}" -gt 100 ] || fail "$part: only ${1:-0} figures checked"
    [ "${2:-x}" = 0 ] || fail "$part: $2 of $1 figures differ from measures (bench $3, measures $4)"
    echo "$part: $1 figures; ${5:-0} take this measure from the other source than measures shows"
    # Every figure, the mixed ones too, is its own source's values exactly.
    set -- $(check measures_all_sources $part same)
    [ "${2:-x}" = 0 ] && [ "${5:-x}" = 0 ] ||
        fail "$part: $2 + $5 of $1 figures differ from their own source's values"
done
set -- $(check measures_all_sources num "")
[ $((${2:-0} + ${5:-0})) -gt 0 ] || fail "measures_all_sources also matches bench: the check cannot fail"

# The reconciliation view still compares every derived value.
rec=$(q "SELECT count(*) FROM reconciliation WHERE source = 'ssda903'")
[ "$rec" = "$all903" ] || fail "reconciliation has $rec SSDA903 rows, want $all903"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "measures_source: ok"
