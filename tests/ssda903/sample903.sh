#!/bin/sh
# sample903.sh BIN COMMITTED WORK - the committed SSDA903 sample data is
# exactly what `liia-bench sample --ssda903` writes, and every planted
# breach is reported when the sample is ingested.
set -u
bin=$1 committed=$2 work=$3
rm -rf "$work" && mkdir -p "$work" || exit 3
trap 'rm -rf "$work"' EXIT
failed=0
fail() { echo "FAIL: $*" >&2; failed=$((failed + 1)); }

"$bin" sample --ssda903 --out "$work/gen" >"$work/gen.out" 2>&1 || fail "generator exited non-zero"
for f in "$committed"/*.csv; do
    cmp -s "$f" "$work/gen/$(basename "$f")" || fail "$(basename "$f") differs from the generator's output"
done
[ "$(ls "$work/gen" | wc -l)" = "$(ls "$committed"/*.csv | wc -l)" ] ||
    fail "the generator writes files that are not committed"

# The default size follows each authority's 0-17 population: Hackney has
# about half as many children again as Camden.
cam=$(grep -c . "$committed/CAM_2025-03-31_header.csv")
hac=$(grep -c . "$committed/HAC_2025-03-31_header.csv")
[ $((hac * 10 / cam)) -ge 13 ] && [ $((hac * 10 / cam)) -le 17 ] ||
    fail "sizes do not follow population: CAM $cam rows, HAC $hac rows"

# Every planted breach is reported at its table and line.
"$bin" --db "$work/s.db" init >/dev/null || fail "init"
for la in CAM HAC SOU; do
    set -- "$committed/${la}_2025-03-31_header.csv" "$committed/${la}_2025-03-31_episodes.csv" \
           "$committed/${la}_2025-03-31_uasc.csv"
    "$bin" --db "$work/s.db" ingest --return ssda903 --la $la --period 2025-03-31 "$@" \
        >"$work/out" 2>"$work/err" || fail "$la sample not accepted"
    tail -n +2 "$committed/${la}_2025-03-31_planted.csv" | while IFS=, read -r table line rule; do
        grep -q "_$table.csv\[$table\]:$line:.*\[$rule\]" "$work/err" ||
            echo "$la: planted $rule at $table line $line not reported"
    done >"$work/missed"
    [ -s "$work/missed" ] && { cat "$work/missed" >&2; fail "$la: planted breaches missed"; }
done
# Episodes in any order: the same rows with children interleaved (sorted by
# DECOM) give the same measures, findings and flags as the grouped file
# (the ingest then reads them back in child order from the store).
cam="$committed/CAM_2025-03-31"
{ head -1 "$cam""_episodes.csv"; tail -n +2 "$cam""_episodes.csv" | sort -t, -k2,2 -k1,1; } \
    >"$work/CAM_2025-03-31_episodes.csv"
for v in grouped shuffled; do
    eps="$cam""_episodes.csv"; [ $v = shuffled ] && eps="$work/CAM_2025-03-31_episodes.csv"
    "$bin" --db "$work/$v.db" init >/dev/null 2>&1 || fail "init $v"
    "$bin" --db "$work/$v.db" ingest --quiet --return ssda903 --la CAM --period 2025-03-31 \
        "$cam""_header.csv" "$eps" "$cam""_uasc.csv" >/dev/null 2>&1 || fail "$v CAM not accepted"
    "$bin" --db "$work/$v.db" query --format csv "SELECT period, measure, value FROM measures_all_sources
        WHERE source = 'ssda903' ORDER BY 1, 2" >"$work/$v.measures" || fail "$v measures"
    "$bin" --db "$work/$v.db" query --format csv "SELECT rule_id, table_name, column_name, value, count(*)
        FROM findings GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4" >"$work/$v.findings" || fail "$v findings"
done
[ "$(wc -l <"$work/grouped.measures")" -gt 20 ] || fail "no SSDA903 measures derived"
cmp -s "$work/grouped.measures" "$work/shuffled.measures" ||
    fail "measures differ when the episodes are not grouped by child"
cmp -s "$work/grouped.findings" "$work/shuffled.findings" ||
    fail "findings differ when the episodes are not grouped by child"
echo "sample903: $failed failed"
[ "$failed" -eq 0 ]
