#!/bin/sh
# scenarios.sh BIN FIXTURES WORK_DIR - end-to-end behaviour of ingest on a
# scratch store: atomicity, versions, no-op resends, concurrency, reports.
set -u
bin=$1 fixtures=$2 work=$3
rm -rf "$work" && mkdir -p "$work" || exit 3
trap 'rm -rf "$work"' EXIT
export LC_ALL=C TZ=UTC
db=$work/store.db
failures=0
good=$fixtures/CAM_2025-03-31.csv

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
lb() { "$bin" --db "$db" "$@"; }
sql() { sqlite3 "$db" "$1"; }
expect_exit() { # want cmd...
    want=$1; shift
    "$@" >"$work/out" 2>"$work/err"; got=$?
    [ "$got" -eq "$want" ] || { fail "exit $got, want $want: $*"; cat "$work/out" "$work/err" >&2; }
}
expect_out() { # pattern file
    grep -q -- "$1" "$2" || { fail "'$1' not in $2:"; cat "$2" >&2; }
}

# Only init makes a store: ingest, validate and the other writers on a
# missing (mistyped) store say so and make nothing.
expect_exit 3 lb ingest "$good"
expect_out 'no store here' "$work/err"
expect_out "run 'liia-bench init' first" "$work/err"
expect_exit 3 lb user add alice --role admin
expect_exit 3 lb bench
expect_out 'no store here' "$work/err"
expect_exit 3 lb import "$good"
expect_exit 0 lb validate "$good"
[ -e "$db" ] && fail "a command other than init created the store"
expect_exit 0 lb init
expect_out 'platform key created' "$work/out"
# init adopting an existing key says so; `key fingerprint` prints what the
# store records (and what the wrong-key error quotes the start of).
LIIA_KEY_FILE=$db.key expect_exit 0 "$bin" --db "$work/other.db" init
expect_out "platform key: using the existing key at $db.key (fingerprint " "$work/out"
expect_exit 0 lb key fingerprint
fp=$(sql "SELECT value FROM store_meta WHERE name = 'key_fingerprint'")
expect_out "^$fp  $db.key\$" "$work/out"

# A file that fails on its LAST line stores no values, only the rejection.
sed 's/sw_fte_case_holding,145.6,.*/sw_fte_case_holding,n\/a,/' "$good" >"$work/CAM_last.csv"
expect_exit 1 lb ingest "$work/CAM_last.csv"
expect_out "CAM_last.csv:39:4: error: column 'value': 'n/a' looks like a suppression mark" "$work/err"
[ "$(sql "SELECT count(*) FROM submission_value")" = 0 ] || fail "values stored from a rejected file"
[ "$(sql "SELECT status || ' ' || errors FROM submissions")" = "rejected 1" ] || fail "rejection not recorded"
[ "$(sql "SELECT rule_id FROM findings")" = QBR-S031 ] || fail "rejection findings not stored"

# --quiet: the outcome line, no findings listed (they are still stored).
expect_exit 1 lb validate --quiet "$work/CAM_last.csv"
expect_out "CAM_last.csv: rejected" "$work/out"
[ ! -s "$work/err" ] || fail "--quiet listed findings: $(cat "$work/err")"

# Accepted, then an identical resend is a no-op.
expect_exit 0 lb ingest "$good"
expect_out "CAM_2025-03-31.csv: accepted as version 1 (0 errors, 0 warnings)" "$work/out"
expect_exit 0 lb ingest "$good"
expect_out "unchanged: identical to accepted version 1; nothing stored" "$work/out"
[ "$(sql "SELECT count(*) FROM submission WHERE status <> 'rejected'")" = 1 ] || fail "resend stored a version"

# A rejected resubmission leaves the accepted version and its values alone.
before=$(sql "SELECT group_concat(measure || '=' || value) FROM measures")
sed 's/cla_at_end,330,/cla_at_end,2700,/' "$good" >"$work/CAM_bad.csv"
expect_exit 1 lb ingest "$work/CAM_bad.csv"
expect_out "QBR-R002" "$work/err"
[ "$(sql "SELECT group_concat(measure || '=' || value) FROM measures")" = "$before" ] ||
    fail "measures view changed after a rejected resubmission"
[ "$(sql "SELECT version FROM submissions WHERE status = 'accepted'")" = 1 ] || fail "accepted version moved"

# A corrected file supersedes version 1; history shows every attempt.
sed 's/^CAM,2025-03-31,contacts,4210,/CAM,2025-03-31,contacts,4300,/' "$good" >"$work/CAM_v2.csv"
expect_exit 0 lb ingest "$work/CAM_v2.csv" --la 202 --period 2024-25Q4
expect_out "accepted as version 2" "$work/out"
[ "$(sql "SELECT value FROM measures WHERE measure = 'contacts'")" = 4300 ] || fail "measures view not on version 2"
[ "$(sql "SELECT status FROM submission WHERE version = 1")" = superseded ] || fail "version 1 not superseded"
[ "$(sql "SELECT count(*) FROM submission_value v JOIN submission s ON s.id = v.submission_id WHERE s.version = 1")" = 38 ] ||
    fail "superseded values lost"
expect_exit 0 lb history --la CAM
[ "$(grep -c quarterly "$work/out")" = 4 ] || fail "history should list 4 files"
expect_out "superseded" "$work/out"
expect_out "rejected" "$work/out"
expect_exit 0 lb history --la E09000007 --period 2025-03-31 --json
expect_out '"sha256": "' "$work/out"

# Next quarter: change and stock-flow warnings read the accepted previous one.
sed 's/2025-03-31/2025-06-30/; s/cla_at_end,330,/cla_at_end,460,/; s/cpp_at_end,240,/cpp_at_end,320,/' \
    "$good" >"$work/CAM_2025-06-30.csv"
expect_exit 0 lb ingest "$work/CAM_2025-06-30.csv" --report-dir "$work"
expect_out "cla_at_end moved from 330 in 2025-03-31 to 460 (+39%)" "$work/err"
expect_out "cpp_at_end moved from 240 in 2025-03-31 to 320 (+33%)" "$work/err"
expect_out "\[QBR-R021\]" "$work/err"
expect_out "accepted as version 1 (0 errors, 3 warnings)" "$work/out"
expect_out "QBR-R020" "$work/CAM_2025-06-30_findings.csv"
[ -s "$work/CAM_2025-06-30_findings.xlsx" ] || fail "--report-dir wrote no findings workbook"
[ "$(sql "SELECT count(*) FROM findings WHERE period = '2025-06-30' AND severity = 'warning'")" = 3 ] ||
    fail "warnings not stored with the submission"

# The findings report never hands Excel a formula.
printf 'la_code,period,measure,value,note\nCAM,2025-09-30,contacts,=1+2,\n' >"$work/CAM_formula.csv"
expect_exit 1 lb validate "$work/CAM_formula.csv" --report-dir "$work"
expect_out "\"'=1+2\"" "$work/CAM_formula_findings.csv"

# --report-dir is created (owner-only) before anything is stored; one that
# cannot be made stops the run before it starts.
expect_exit 1 lb validate "$work/CAM_formula.csv" --report-dir "$work/reports"
[ "$(stat -c %a "$work/reports")" = 700 ] || fail "report folder not created 0700"
n_before=$(sql "SELECT count(*) FROM submission")
expect_exit 3 lb ingest "$work/CAM_v2.csv" --report-dir "$work/CAM_formula.csv"
expect_out "CAM_formula.csv: error: cannot create the report folder: a file of that name is in the way" "$work/err"
expect_exit 3 lb ingest "$work/CAM_v2.csv" --report-dir "$work/no/such"
expect_out "cannot create the report folder: No such file or directory" "$work/err"
expect_out "fix: give --report-dir a folder you can write to (its parent must exist)" "$work/err"
[ "$(sql "SELECT count(*) FROM submission")" = "$n_before" ] || fail "a bad --report-dir stored something"

# --json: machine-readable result on stdout.
expect_exit 1 lb validate --json "$work/CAM_bad.csv"
expect_out '"outcome": "rejected"' "$work/out"
expect_out '"rule_id": "QBR-R002"' "$work/out"

# BOM, CRLF and a quoted note with a comma and a newline are all fine.
{ printf '\357\273\277'; sed 's/$/\r/; s/sw_fte_case_holding,145.6,.*/sw_fte_case_holding,145.6,"two,\nlines"\r/' "$good"; } \
    | sed 's/2025-03-31/2025-09-30/' >"$work/ISL_bom.csv"
sed -i 's/^CAM,/ISL,/' "$work/ISL_bom.csv"
expect_exit 0 lb ingest "$work/ISL_bom.csv"
expect_out "accepted as version 1" "$work/out"
[ "$(sql "SELECT note FROM submission_value WHERE measure = 'sw_fte_case_holding' AND note LIKE 'two,%'" | wc -l)" = 2 ] ||
    fail "quoted multi-line note not kept"

# Two ingests at once, on different authorities: both succeed.
for la in HAC ISL; do
    sed "s/^CAM,/$la,/; s/2025-03-31/2025-12-31/" "$good" >"$work/${la}_q3.csv"
done
"$bin" --db "$db" ingest "$work/HAC_q3.csv" >"$work/c1" 2>&1 & p1=$!
"$bin" --db "$db" ingest "$work/ISL_q3.csv" >"$work/c2" 2>&1 & p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
[ $r1 -eq 0 ] && [ $r2 -eq 0 ] || fail "concurrent ingests: exits $r1 $r2"
[ "$(sql "SELECT count(*) FROM submissions WHERE period = '2025-12-31' AND status = 'accepted'")" = 2 ] ||
    fail "concurrent ingests did not both store"

# status: the grid for the latest quarter with anything in it.
expect_exit 0 lb status
expect_out "2025-12-31: Q3 2025-26 (Oct-Dec 2025)" "$work/out"
expect_out "2 of 33 submitted" "$work/out"
expect_exit 0 lb status --period 2025-03-31 --json
expect_out '"submitted": 1' "$work/out"

# Exit codes: usage 2, runtime 3.
expect_exit 2 lb ingest
expect_exit 2 lb ingest --bogus "$good"
expect_exit 2 lb history
expect_exit 2 lb ingest --la NOWHERE "$good"
expect_out "'NOWHERE' is not one of the 33 London authorities" "$work/err"
expect_exit 2 lb ingest --return nosuch "$good"
expect_out "unknown return type 'nosuch'" "$work/err"
expect_exit 3 lb ingest "$work/does-not-exist.csv"
for c in validate ingest status history schemas measures; do
    expect_exit 0 lb $c --help
    expect_out "usage: liia-bench $c" "$work/out"
done

echo "scenarios: $failures failed"
[ "$failures" -eq 0 ]
