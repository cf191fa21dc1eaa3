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
# exactly_planted LA PERIOD PLANTED: the stored findings of the submission
# ingested last (it has some: a breach is planted every 50 children) are
# the planted list, line for line.
exactly_planted() {
    db=${4:-$work/s.db}
    tail -n +2 "$3" | sort >"$work/planted"
    "$bin" --db "$db" query --format csv "SELECT table_name, line, rule_id FROM findings
        WHERE submission_id = (SELECT max(submission_id) FROM findings) AND period = '$2'
          AND status = 'accepted' AND rule_id <> 'LIIA-903-PREV'" |
        tail -n +2 | tr -d '\r' | sort >"$work/found"
    [ -s "$work/found" ] || fail "$1 $2: no findings read back"
    # no previous year is stored: its rules say they did not run
    "$bin" --db "$db" query --format csv "SELECT count(*) FROM findings
        WHERE submission_id = (SELECT max(submission_id) FROM findings)
          AND rule_id = 'LIIA-903-PREV' AND severity = 'info'
          AND message LIKE 'not run: no 20__-__ return stored (rules %503A%'" |
        tail -n +2 | tr -d '\r' | grep -qx 1 || fail "$1 $2: previous-year rules not reported as not run"
    cmp -s "$work/planted" "$work/found" ||
        { diff "$work/planted" "$work/found" | head >&2; fail "$1 $2: findings are not exactly the planted breaches"; }
}

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

# Every planted breach is reported at its table and line, and nothing else
# is: the sample is clean but for what _planted.csv lists (fewer than 200
# findings of a rule, so the store lists every one).
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
    exactly_planted "$la" 2025-03-31 "$committed/${la}_2025-03-31_planted.csv"
done
# The same at another size, seed and collection year (2023-24: SEX 1/2;
# 2025-26: that year's placement codes), in a store of their own: next to
# the 2024-25 sample, the 2025-26 extract would be compared with it as last
# year's return, and they are drawn independently.
"$bin" --db "$work/y.db" init >/dev/null || fail "init y"
for p in 2024-03-31 2026-03-31; do
    "$bin" sample --ssda903 --out "$work/y$p" --la HAC --period $p --seed 7 --children 3000 \
        >/dev/null 2>&1 || fail "generator $p"
    d="$work/y$p/HAC_$p"
    "$bin" --db "$work/y.db" ingest --quiet --return ssda903 --la HAC --period $p \
        "$d""_header.csv" "$d""_episodes.csv" "$d""_uasc.csv" >/dev/null 2>&1 || fail "$p not accepted"
    exactly_planted HAC $p "$d""_planted.csv" "$work/y.db"
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
