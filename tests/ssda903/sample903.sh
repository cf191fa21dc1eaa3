#!/bin/sh
# sample903.sh BIN COMMITTED WORK - the committed SSDA903 sample data is
# exactly what `liia-bench sample --ssda903` writes, every table of the
# return and two collection years for Camden, and ingesting it reports
# every planted breach and nothing else, the previous-year rules included.
set -u
bin=$1 committed=$2 work=$3
rm -rf "$work" && mkdir -p "$work" || exit 3
trap 'rm -rf "$work"' EXIT
failed=0
fail() { echo "FAIL: $*" >&2; failed=$((failed + 1)); }
# exactly_planted LA PERIOD PLANTED [DB] [RAN]: the stored findings of the
# submission ingested last are the planted list, line for line (a breach
# is planted every 50 children of the year generated; last year's return,
# planted with none, has no findings, and then none are read back).  RAN:
# last year's return is stored, so its rules run (else they say they did
# not).
exactly_planted() {
    db=${4:-$work/s.db}
    tail -n +2 "$3" | sort >"$work/planted"
    "$bin" --db "$db" query --format csv "SELECT table_name, line, rule_id FROM findings
        WHERE submission_id = (SELECT max(submission_id) FROM findings) AND period = '$2'
          AND status = 'accepted' AND rule_id <> 'LIIA-903-PREV'" |
        tail -n +2 | tr -d '\r' | sort >"$work/found"
    [ -s "$work/found" ] || [ ! -s "$work/planted" ] || fail "$1 $2: no findings read back"
    prev=$("$bin" --db "$db" query --format csv "SELECT count(*) FROM findings
        WHERE submission_id = (SELECT max(submission_id) FROM findings)
          AND rule_id = 'LIIA-903-PREV' AND severity = 'info'
          AND message LIKE 'not run: no 20__-__ return stored (rules %503A%'" | tail -n +2 | tr -d '\r')
    if [ "${5:-}" = ran ]; then
        [ "$prev" = 0 ] || fail "$1 $2: previous-year rules not run with last year's return stored"
    else
        [ "$prev" = 1 ] || fail "$1 $2: previous-year rules not reported as not run"
    fi
    cmp -s "$work/planted" "$work/found" ||
        { diff "$work/planted" "$work/found" | head >&2; fail "$1 $2: findings are not exactly the planted breaches"; }
}

# ingest DB PREFIX: every table of one return (<LA>_<period>_*.csv but the
# planted list), as a data lead would send it.
ingest() {
    b=$(basename "$2") && la=${b%%_*} && p=${b#*_}
    "$bin" --db "$1" ingest --return ssda903 --la "$la" --period "$p" \
        $(ls "$2"_*.csv | grep -v '_planted\.csv$') >"$work/out" 2>"$work/err"
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
# findings of a rule, so the store lists every one).  Camden's 2023-24
# return goes in first, so its 2024-25 one runs the previous-year rules.
"$bin" --db "$work/s.db" init >/dev/null || fail "init"
[ "$(ls "$committed"/*_header.csv | wc -l)" = 4 ] || fail "not four returns in the sample"
for h in "$committed"/*_header.csv; do
    x=${h%_header.csv} && b=$(basename "$x") && la=${b%%_*} && p=${b#*_}
    ingest "$work/s.db" "$x" || fail "$b sample not accepted"
    [ "$(ls "$x"_*.csv | wc -l)" -ge 11 ] || fail "$b: not every table of the return"
    tail -n +2 "$x""_planted.csv" | while IFS=, read -r table line rule; do
        grep -q "_$table.csv\[$table\]:$line:.*\[$rule\]" "$work/err" ||
            echo "$b: planted $rule at $table line $line not reported"
    done >"$work/missed"
    [ -s "$work/missed" ] && { cat "$work/missed" >&2; fail "$b: planted breaches missed"; }
    ran=; [ "$b" = CAM_2025-03-31 ] && ran=ran
    exactly_planted "$la" "$p" "$x""_planted.csv" "$work/s.db" $ran
done
# The same at another size, seed and collection year (2023-24: SEX 1/2, in
# a store of its own: next to the 2024-25 sample, it would be compared with
# it), and for two years in a row up to 2025-26 (that year's placement
# codes; the previous-year rules run on the second).
"$bin" --db "$work/y.db" init >/dev/null || fail "init y"
"$bin" --db "$work/z.db" init >/dev/null || fail "init z"
"$bin" sample --ssda903 --out "$work/y" --la HAC --period 2024-03-31 --seed 7 --children 3000 \
    >/dev/null 2>&1 || fail "generator 2024-03-31"
"$bin" sample --ssda903 --out "$work/z" --la HAC --period 2026-03-31 --seed 7 --children 3000 \
    --previous-year HAC >/dev/null 2>&1 || fail "generator 2026-03-31"
for x in y/HAC_2024-03-31 z/HAC_2025-03-31 z/HAC_2026-03-31; do
    db="$work/${x%%/*}.db" p=${x#*_} ran=
    [ "$p" = 2026-03-31 ] && ran=ran
    ingest "$db" "$work/$x" || fail "$x not accepted"
    exactly_planted HAC "$p" "$work/$x""_planted.csv" "$db" $ran
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
