#!/bin/sh
# tables903.sh BIN SAMPLE WORK - an SSDA903 submission of eight tables (the
# sample's header, episodes and uasc, and reviews, oc2, oc3, ad1 and missing
# written here for its first children): each file recognised from its
# header row (no --return), every part stored in the table tables.json
# gives it (created by the ingest), identifiers pseudonymised, dates of
# birth to the month, and a cell finding located by line, column and record
# number on the CLI, in the store and in the --report-dir CSV.
set -u
bin=$1 sample=$2 work=$3
rm -rf "$work" && mkdir -p "$work" || exit 3
trap 'rm -rf "$work"' EXIT
failed=0
fail() { echo "FAIL: $*" >&2; failed=$((failed + 1)); }
q() { sqlite3 "$work/s.db" "$1"; }

ids=$(tail -n +2 "$sample/CAM_2025-03-31_header.csv" | head -3 | cut -d, -f1)
set -- $ids
a=$1 b=$2 c=$3
# each child's date of birth as the header gives it (INT17 compares them)
dob() { grep "^$1," "$sample/CAM_2025-03-31_header.csv" | cut -d, -f3; }
da=$(dob "$a") db=$(dob "$b") dc=$(dob "$c")
# reviews: a quoted date broken by a newline (record 2 on lines 3-4: 166),
# a blank line, then a review code that is no DfE code (167) on line 7,
# record 4.
printf 'CHILD,DOB,REVIEW,REVIEW_CODE\r\n%s,10/05/2005,01/06/2024,PN1\r\n"%s",10/05/2005,"01/09/2024",PN2\r\n\r\n%s,20/11/2015,02/10/2024,PN3\r\n%s,20/11/2015,03/11/2024,PN9\r\n' \
    "$a" "$a" "$b" "$b" | sed 's/"\(01\/09\/2024\)"/"01\/09\/\n2024"/' >"$work/CAM_reviews.csv"
printf 'CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED\n%s,10/05/2005,12,,0,1,1,1,1,0,,\n' "$a" >"$work/CAM_oc2.csv"
printf 'CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n%s,10/05/2005,YES,F1,B1\n' "$a" >"$work/CAM_oc3.csv"
printf 'CHILD,DOB,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR\n%s,20/11/2015,01/05/2024,01/08/2024,0,2,MF,L0\n' "$b" >"$work/CAM_ad1.csv"
printf 'CHILD,DOB,MISSING,MIS_START,MIS_END\n%s,20/11/2015,M,04/07/2024,05/07/2024\n%s,20/11/2015,A,01/08/2024,\n' "$c" "$c" >"$work/CAM_missing.csv"
for f in "$work"/CAM_*.csv; do
    sed -i "s#10/05/2005#$da#g; s#20/11/2015#$db#g" "$f" || exit 3
done
sed -i "s#$db#$dc#g" "$work/CAM_missing.csv" || exit 3
db_iso=$(echo "$db" | awk -F/ '{print $3 "-" $2 "-" $1}')

"$bin" --db "$work/s.db" init >/dev/null 2>&1 || fail "init"
"$bin" --db "$work/s.db" ingest --la CAM --period 2025-03-31 --report-dir "$work/rep" \
    "$sample/CAM_2025-03-31_header.csv" "$sample/CAM_2025-03-31_episodes.csv" \
    "$sample/CAM_2025-03-31_uasc.csv" "$work/CAM_reviews.csv" "$work/CAM_oc2.csv" \
    "$work/CAM_oc3.csv" "$work/CAM_ad1.csv" "$work/CAM_missing.csv" \
    >"$work/out" 2>"$work/err" || { cat "$work/err" >&2; fail "eight tables not accepted"; }
[ "$(q "SELECT count(*) FROM submission WHERE return_type = 'ssda903'")" = 1 ] ||
    fail "the eight files are not one SSDA903 submission"
sid=$(q "SELECT id FROM submission WHERE return_type = 'ssda903' AND status = 'accepted'")
for t in cla_review:4 cla_oc2:1 cla_oc3:1 cla_ad1:1 cla_missing:2; do
    n=$(q "SELECT count(*) FROM ${t%%:*} WHERE submission_id = $sid") || n=none
    [ "$n" = "${t#*:}" ] || fail "${t%%:*} holds $n rows, want ${t#*:}"
done
[ "$(q "SELECT count(*) FROM cla_review WHERE dob_month NOT LIKE '%-01'")" = 0 ] ||
    fail "a review's date of birth is stored beyond its month"
[ "$(q "SELECT count(*) FROM cla_review WHERE typeof(child_pid) <> 'blob'")" = 0 ] ||
    fail "a review's CHILD is not stored as its pseudonym"
sqlite3 "$work/s.db" .dump | grep -q "$db_iso\|$db" && fail "a full date of birth is in the store"
[ "$(q "SELECT review_code FROM cla_review WHERE line = 3 AND submission_id = $sid")" = PN2 ] ||
    fail "the review with a quoted newline is not at line 3"
# record 2 on line 3 is what a reader expects: the CLI does not say it
grep -q "CAM_reviews.csv\[reviews\]:3:3 (child $a): error: column 'REVIEW'.*\[166\]" "$work/err" ||
    fail "the broken review date is not reported at line 3"
[ "$(q "SELECT record FROM finding WHERE submission_id = $sid AND rule_id = '166'")" = 2 ] ||
    fail "the broken review date's stored finding is not record 2"
grep -q "CAM_reviews.csv\[reviews\]:7:4 (record 4, child $b): error: column 'REVIEW_CODE': 'PN9' is not a valid REVIEW_CODE code" "$work/err" ||
    { cat "$work/err" >&2; fail "the bad review code is not reported at line 7, record 4"; }
[ "$(q "SELECT line || ':' || record FROM finding WHERE submission_id = $sid AND rule_id = '167'")" = 7:4 ] ||
    fail "the stored finding lacks its record number"
grep -q "^.*CAM_reviews.csv,7,4,REVIEW_CODE,error,167,PN9,.*,4,,$b$" "$work/rep"/*.csv ||
    fail "the --report-dir CSV lacks the record number"
exit $((failed > 0))
