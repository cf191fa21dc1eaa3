#!/bin/sh
# users.sh BIN FIXTURES WORK_DIR - what each user meets (issue 13), on the
# real binary: authorities by name on the command line, history --since,
# the query functions period() and la(), and the reference views.
set -u
bin=$1 fixtures=$2 work=$3
rm -rf "$work" && mkdir -p "$work" || exit 3
trap 'rm -rf "$work"' EXIT
export LC_ALL=C TZ=UTC
db=$work/store.db
failures=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
lb() { "$bin" --db "$db" "$@"; }
expect_exit() { # want cmd...
    want=$1; shift
    "$@" >"$work/out" 2>"$work/err"; got=$?
    [ "$got" -eq "$want" ] || { fail "exit $got, want $want: $*"; cat "$work/out" "$work/err" >&2; }
}
expect_out() { # pattern file
    grep -q -- "$1" "$2" || { fail "'$1' not in $2:"; cat "$2" >&2; }
}

expect_exit 0 lb init
expect_exit 0 lb ingest "$fixtures/CAM_2025-03-31.csv"
expect_exit 0 lb bench

# Authorities by name, everywhere the CLI takes one.
for la in Camden "London Borough of Camden" camden CAM 202 E09000007; do
    expect_exit 0 lb history --la "$la"
    expect_out "CAM_2025-03-31.csv" "$work/out"
done
for la in "Royal Borough of Kensington and Chelsea" "City of London" Kingston \
          Richmond "Hammersmith & Fulham" "City of Westminster"; do
    expect_exit 0 lb history --la "$la"
done
expect_exit 2 lb history --la London
expect_out "3-letter code (CAM) or name (Camden" "$work/err"
expect_exit 0 lb report --la Camden --out "$work/packs"

# history --since: every authority, oldest arrival first; no --la needed.
expect_exit 0 lb history --since 2000-01-01
expect_out "^E09000007 *2025-03-31 quarterly" "$work/out"
expect_exit 0 lb query --help
expect_out "published_neighbours" "$work/out"   # every view, not five of them
expect_exit 0 lb history --since 2999-01-01
expect_out "nothing received since 2999-01-01" "$work/out"
expect_exit 2 lb history --since 2025-13-01
expect_out "is not a date" "$work/err"
expect_exit 2 lb history
expect_out "give --la LA, --since DATE, or both" "$work/err"

# period() and la() normalise as the CLI does; a raw parameter does not.
expect_exit 0 lb query --param p=2024-25Q4 \
    "SELECT count(*) AS n FROM measures WHERE period = :p"
[ "$(tail -1 "$work/out" | tr -d "\r")" = 0 ] || fail "raw 2024-25Q4 parameter matched rows"
expect_exit 0 lb query --param p=2024-25Q4 --param la=Camden \
    "SELECT count(*) AS n FROM measures WHERE period = period(:p) AND la_code = la(:la)"
[ "$(tail -1 "$work/out" | tr -d "\r")" = 38 ] || fail "period()/la() did not match the 38 values"
expect_exit 2 lb query "SELECT la('Nowhere')"
expect_out "la(): 'Nowhere' is not one of the 33 London authorities" "$work/err"

# Reference views: readable, documented; the tables behind them are not.
expect_exit 0 lb query "SELECT name FROM authorities WHERE la_code = la('Kingston')"
expect_out "Kingston upon Thames" "$work/out"
expect_exit 0 lb query "SELECT count(*) FROM neighbours WHERE la_code = la('Camden')"
[ "$(tail -1 "$work/out" | tr -d "\r")" = 10 ] || fail "Camden has not 10 neighbours"
expect_exit 0 lb query "SELECT children_0_17 FROM populations WHERE area_code = 'E09000007' LIMIT 1"
expect_exit 0 lb query "SELECT count(*) FROM groupings"
expect_exit 2 lb query "SELECT * FROM stat_neighbour"
expect_out "is not one of the documented views" "$work/err"

# Counts are integers in every view and format (issue 13): no "195.0";
# an FTE keeps its decimals; the table rounds values to the indicator's
# decimals while CSV and JSON keep full precision.
expect_exit 0 lb query --format csv "SELECT value FROM measures
    WHERE la_code = la('Camden') AND measure = 'contacts'"
[ "$(tail -1 "$work/out" | tr -d "\r")" = 4210 ] || fail "count not an integer in CSV: $(cat "$work/out")"
expect_exit 0 lb query --format json "SELECT numerator, denominator FROM benchmark
    WHERE area_type = 'region' AND indicator = 'CLA01' AND period = '2025-03-31'"
grep -q '"numerator": [0-9]*, "denominator": [0-9]*}' "$work/out" ||
    fail "counts not integers in JSON: $(cat "$work/out")"
expect_exit 0 lb query --format csv "SELECT typeof(value) FROM measures
    WHERE la_code = la('Camden') AND measure IN ('contacts', 'sw_fte_agency') ORDER BY measure"
[ "$(tr -d '\r' <"$work/out" | tr '\n' ' ')" = "typeof(value) integer real " ] ||
    fail "count and FTE types: $(cat "$work/out")"
expect_exit 0 lb query --format table "SELECT indicator, value FROM benchmark
    WHERE area_type = 'la' AND area_code = la('Camden') AND indicator = 'CLA01'
    AND period = '2025-03-31'"
tail -1 "$work/out" | grep -Eq '^CLA01 +[0-9]+\.[0-9]$' || fail "table value not at 1 decimal: $(cat "$work/out")"
expect_exit 0 lb query --format csv "SELECT value FROM benchmark WHERE area_type = 'la'
    AND area_code = la('Camden') AND indicator = 'CLA01' AND period = '2025-03-31'"
tail -1 "$work/out" | grep -Eq '\.[0-9]{5,}' || fail "CSV value rounded: $(cat "$work/out")"

# England (issue 15): a row of every period and indicator, with the reason
# when no published statistics were imported; every authority row has it.
expect_exit 0 lb query --format csv "SELECT count(*), count(DISTINCT indicator),
    min(null_reason) FROM benchmark WHERE area_type = 'england' AND area_code = 'E92000001'"
[ "$(tail -1 "$work/out" | tr -d "\r")" = "32,32,no DfE published statistics imported" ] ||
    fail "england rows: $(cat "$work/out")"
expect_exit 0 lb query --format csv "SELECT sn_names FROM benchmark WHERE area_type = 'la'
    AND area_code = la('Camden') AND indicator = 'CLA01' AND period = '2025-03-31'"
expect_out "Islington" "$work/out"

# The refusal names every view query admits (and docs_sql checks each is
# documented).
expect_exit 2 lb query "SELECT * FROM bench_row"
expect_out "documented views (benchmark, indicators, measures, .*published_neighbours)" "$work/err"

# Data lead: a new version says what it replaced, by quarter name, and
# which values moved by how much; an earlier quarter than the latest sent
# says so; --period naming another quarter says which and how far off.
good=$fixtures/CAM_2025-03-31.csv
sed 's/^CAM,2025-03-31,contacts,4210,/CAM,2025-03-31,contacts,4300,/' "$good" >"$work/CAM_v2.csv"
expect_exit 0 lb ingest "$work/CAM_v2.csv"
expect_out "accepted as version 2" "$work/out"
expect_out "^  replaces version 1 of Camden's Q4 2024-25 (Jan-Mar 2025) quarterly return, received 20[0-9-]*T[0-9:]*Z; 1 value changes: contacts 4210 -> 4300 (+90)$" "$work/out"
sed 's/2025-03-31/2024-12-31/' "$good" >"$work/CAM_q3.csv"
expect_exit 0 lb ingest "$work/CAM_q3.csv"
grep -q "replaces" "$work/out" && fail "a first version says it replaced something"
sed 's/,4210,/,4210,resent/' "$work/CAM_q3.csv" >"$work/CAM_q3b.csv"
expect_exit 0 lb ingest "$work/CAM_q3b.csv"
expect_out "Q3 2024-25 (Oct-Dec 2024) quarterly return, received .* (not the latest quarter: CAM has sent Q4 2024-25 (Jan-Mar 2025); check this is the quarter you meant); no value changes$" "$work/out"
expect_exit 1 lb ingest "$work/CAM_q3.csv" --period 2024-25Q4
expect_out "the file is for Q3 2024-25 (Oct-Dec 2024), ending 2024-12-31: one quarter before the quarter --period gives, Q4 2024-25 (Jan-Mar 2025)" "$work/err"
expect_exit 1 lb validate "$work/CAM_q3.csv" --period 2023-24Q3
expect_out "ending 2024-12-31: 4 quarters after the quarter --period gives, Q3 2023-24 (Oct-Dec 2023)" "$work/err"
lb bench >/dev/null 2>&1

# status by return type (issue 13): what is due (schemas/returns.json),
# due dates, days late as of LIIA_TODAY, contacts, --missing, --return.
export LIIA_TODAY=2025-06-01
expect_exit 0 lb status --period 2025-03-31 --return quarterly --missing
[ "$(grep -c '^[A-Z][A-Z][A-Z] .* quarterly  missing .* 2025-05-12 *20  placeholder\.[a-z-]*@example\.org' "$work/out")" = 32 ] ||
    fail "--missing: not 32 quarterly returns missing, due 2025-05-12, 20 days late"
grep -q '^CAM ' "$work/out" && fail "--missing lists Camden, whose return is in"
grep -q 'ssda903' "$work/out" && fail "--return quarterly lists ssda903"
# the totals count the whole grid, not the rows listed (it said 0 of 32)
expect_out "quarterly: 1 of 33 submitted" "$work/out"
expect_exit 0 lb status --period 2025-03-31 --return quarterly --missing --json
tr -d ' \n' <"$work/out" | grep -q '"by_return":{"quarterly":{"submitted":1,"of":33}}' ||
    fail "status --missing --json: totals not of the whole grid"
expect_exit 0 lb status --period 2025-03-31
expect_out "quarterly: 1 of 33 submitted" "$work/out"
expect_out "ssda903: 0 submitted (optional, or not due this quarter)" "$work/out"
grep -q ' ssda903 *missing' "$work/out" && fail "the optional SSDA903 return is listed as missing"
expect_exit 0 lb status --period 2025-03-31 --json
tr -d ' \n' <"$work/out" | grep -q '"short_code":"CAM","la_code":"E09000007","name":"Camden","return_type":"quarterly","state":"submitted","expected":"due",.*"due":"2025-05-12","days_late":[0-9]*,"contact":"[^"]*Camden","contact_email":"placeholder.camden@example.org"' ||
    fail "status --json: Camden's quarterly row"
tr -d ' \n' <"$work/out" | grep -q '"return_type":"ssda903","state":"notdue","expected":"optional"' ||
    fail "status --json: SSDA903 not optional"
# history is in the order the files arrived (ids), also within one second
# (it sorted files of the same second by period and return type); one
# authority: newest quarter first, in arrival order within it.
expect_exit 0 lb history --since 2000-01-01 --json
ids=$(grep -o '"id": [0-9]*' "$work/out" | tr -dc '0-9\n' | tr '\n' ' ')
[ "$ids" = "$(printf '%s\n' $ids | sort -n | tr '\n' ' ')" ] || fail "history --since: not in arrival order: $ids"
[ "$(printf '%s\n' $ids | wc -l)" -ge 4 ] || fail "history --since: only $ids"
expect_exit 0 lb history --la Camden --json
grep -o '"id": [0-9]*\|"period": "[0-9-]*"' "$work/out" | tr -d '" ' | awk -F: '
    $1 == "id" { id = $2 } $1 == "period" { if (p != "" && ($2 > p || ($2 == p && id < last))) bad = 1
                                            p = $2; last = id }
    END { exit bad }' || fail "history --la: not newest quarter first, arrival order within"
# history: days late (to the day the file arrived, against the rule's due
# date) and the contact, in the table and the JSON.
expect_exit 0 lb history --la Camden --period 2025-03-31 --json
tr -d ' \n' <"$work/out" | grep -q '"status":"accepted",.*"due":"2025-05-12","days_late":[0-9][0-9]*,"contact":"[^"]*Camden","contact_email":"placeholder.camden@example.org"' ||
    fail "history --json: no due date, days late or contact"
expect_exit 0 lb history --la Camden
expect_out "^period .* warnings late  contact  " "$work/out"
expect_out "^2025-03-31 quarterly .* [0-9][0-9]*  placeholder.camden@example.org  " "$work/out"
# Contacts are reference data the programme team edits: a malformed entry
# stops the load, named.
cp -r "$LIIA_SCHEMAS" "$work/schemas"
sed 's/"email": "placeholder.camden@example.org"/"email": "Camden data team"/' \
    "$work/schemas/returns.json" >"$work/r.json" && mv "$work/r.json" "$work/schemas/returns.json"
expect_exit 3 env LIIA_SCHEMAS="$work/schemas" "$bin" --db "$work/bad.db" init
expect_out 'returns: contact 7 (CAM) has an "email" that is not an address' "$work/err"
sed 's/{"la": "ISL",/{"la": "CAM",/' "$LIIA_SCHEMAS/returns.json" >"$work/schemas/returns.json"
expect_exit 3 env LIIA_SCHEMAS="$work/schemas" "$bin" --db "$work/bad2.db" init
expect_out 'returns: two contacts for one authority: keep one (value "CAM")' "$work/err"
grep -q '"email": "[^"]*@' "$LIIA_SCHEMAS/returns.json" &&
    ! grep '"email": "[^"]*@' "$LIIA_SCHEMAS/returns.json" | grep -qv '@example\.org", "placeholder": true' ||
    fail "schemas/returns.json: a contact not marked as an example.org placeholder"

expect_exit 2 lb status --return nope
expect_out "--return 'nope' is not a return type" "$work/err"
# Q3: the quarterly return is due, SSDA903 is not due at all.
expect_exit 0 lb status --period 2024-12-31 --json
tr -d ' \n' <"$work/out" | grep -q '"return_type":"ssda903","state":"notdue","expected":"notdue"' ||
    fail "Q3: SSDA903 should not be due"
unset LIIA_TODAY

echo "users: $failures failed"
[ "$failures" -eq 0 ]
