#!/usr/bin/env bash
# The CIN census through the real binary: ingest of the sample (every
# planted cell-level breach reported at its line with its DfE code, rows
# stored per part), linkage with the SSDA903 sample by pseudonym, an
# identical resend, validate storing nothing, --strict rejecting, a refused
# file recorded as rejected, usage errors.
# usage: ingest_cin.sh LIIA_BENCH SOURCE_DIR SCRATCH_DIR
set -uo pipefail
bin=$1 src=$2 scratch=$3
rm -rf "$scratch" && mkdir -p "$scratch"
export LIIA_DB=$scratch/store.db
fail=0
failed() { echo "FAIL: $*"; fail=1; }
q() { sqlite3 "$LIIA_DB" "$1"; }
cin=$src/sample-data/cin/CAM_2025-03-31_cin.xml
"$bin" init >/dev/null || { echo "FAIL: init"; exit 1; }

# validate: the findings, nothing stored
"$bin" validate --return cin --la CAM --period 2025-03-31 "$cin" >"$scratch/v.out" 2>"$scratch/v.err"
(( $? == 0 )) || failed "validate exit $?"
[[ "$(q "SELECT count(*) FROM submission")" == 0 ]] || failed "validate recorded a submission"
[[ "$(q "SELECT count(*) FROM cin_child")" == 0 ]] || failed "validate stored rows"

# ingest: accepted with the planted cell-level breaches as findings
"$bin" ingest --return cin --la CAM --period 2025-03-31 "$cin" >"$scratch/i.out" 2>"$scratch/i.err"
(( $? == 0 )) || failed "ingest exit, want 0"
grep -q "accepted as version 1" "$scratch/i.out" || failed "ingest did not say accepted"
# every planted breach, cell checks and DfE rules across records (8898)
tail -n +2 "${cin%.xml}_planted.csv" | while IFS=, read -r part line path rule; do
  got=$(q "SELECT count(*) FROM finding f JOIN submission s ON s.id = f.submission_id
           WHERE s.return_type = 'cin' AND f.tbl = '$part' AND f.line = $line AND f.rule_id = '$rule'")
  [[ $got == 1 ]] || echo "FAIL: planted $rule at $part line $line not reported"
done | grep . && fail=1
grep -qF "/Message/Children/Child[12]/CINdetails[1]" "$scratch/i.err" || failed "no element path in the findings"
[[ "$(q "SELECT count(*) FROM cin_child")" == 400 ]] || failed "cin_child rows: $(q "SELECT count(*) FROM cin_child")"
[[ "$(q "SELECT count(*) FROM cin_episode WHERE referral_date IS NOT NULL")" -gt 300 ]] || failed "cin_episode rows"
[[ "$(q "SELECT count(*) FROM cin_assessment_factor")" -gt 300 ]] || failed "assessment factors"
[[ "$(q "SELECT count(*) FROM cin_cp_review r JOIN cin_cp_plan p ON p.child_pid = r.child_pid AND p.episode = r.episode AND p.plan = r.plan")" -gt 0 ]] || failed "reviews do not join their plans"
[[ "$(q "SELECT count(*) FROM cin_child WHERE sex IS NULL")" == 1 ]] || failed "the planted sex X not stored as NULL"
[[ "$(q "SELECT count(*) FROM cin_child WHERE dob_month NOT LIKE '%-01'")" == 0 ]] || failed "a date of birth kept its day"
# a DfE rule across a child's records (schemas/cin/rules/8898: a factor given
# twice in one assessment, planted), run by the child-level engine: reported at its
# record's element path and line, and the stored record flagged
row=$(q "SELECT f.line || '|' || f.path FROM finding f JOIN submission s ON s.id = f.submission_id
         WHERE s.return_type = 'cin' AND f.rule_id = '8898' ORDER BY f.line LIMIT 1")
[[ $row == [0-9]*"|/Message/Children/Child["*"]/CINdetails["*"]/Assessments["*"/AssessmentFactors["*"]" ]] ||
  failed "8898 found without its line and element path: '$row'"
[[ "$(q "SELECT count(*) FROM cin_assessment_factor WHERE line = ${row%%|*} AND ','||flags||',' LIKE '%,8898,%'")" == 1 ]] ||
  failed "8898 not flagged on its stored record"
[[ "$(q "SELECT count(*) FROM cin_child WHERE ','||flags||',' LIKE '%,4220,%'")" -ge 1 ]] || failed "flags"

# linkage: the SSDA903 sample's children are the same pseudonyms
"$bin" ingest --quiet --return ssda903 --la CAM --period 2025-03-31 \
  "$src/sample-data/ssda903/CAM_2025-03-31_header.csv" "$src/sample-data/ssda903/CAM_2025-03-31_episodes.csv" >/dev/null
linked=$(q "SELECT count(DISTINCT c.child_pid) FROM cin_child c JOIN cla_child l ON l.child_pid = c.child_pid")
[[ $linked == 133 ]] || failed "children linked across the returns: $linked, want 133"

# an identical resend changes nothing; the same file for another authority
# gives other pseudonyms (the authority is in the HMAC)
"$bin" ingest --return cin --la CAM --period 2025-03-31 "$cin" >"$scratch/r.out" 2>&1
grep -q "unchanged" "$scratch/r.out" || failed "identical resend: $(head -1 "$scratch/r.out")"
sed 's|<LEA>202</LEA>|<LEA>206</LEA>|' "$cin" >"$scratch/isl.xml"
"$bin" ingest --quiet --return cin --la ISL --period 2025-03-31 "$scratch/isl.xml" >/dev/null ||
  failed "Islington's copy (LEA 206) not accepted"
[[ "$(q "SELECT count(*) FROM cin_child a JOIN cin_child b ON a.child_pid = b.child_pid AND a.id >> 32 <> b.id >> 32")" == 0 ]] ||
  failed "two authorities share pseudonyms"

# --strict: the errors reject it, recorded with no rows
before=$(q "SELECT count(*) FROM cin_child")
"$bin" ingest --strict --return cin --la HAC --period 2025-03-31 "$src/sample-data/cin/HAC_2025-03-31_cin.xml" >/dev/null 2>&1
(( $? == 1 )) || failed "--strict with errors: want exit 1"
[[ "$(q "SELECT status FROM submission WHERE la_code = 'E09000012' AND return_type = 'cin'")" == rejected ]] || failed "--strict not recorded as rejected"
[[ "$(q "SELECT count(*) FROM cin_child")" == "$before" ]] || failed "--strict stored rows"

# a refused file: rejected with the reason; a later version supersedes rows
# (cut from Southwark's census: a whole header, LEA 210, then the cut)
head -c 20000 "$src/sample-data/cin/SOU_2025-03-31_cin.xml" >"$scratch/truncated.xml"
"$bin" ingest --return cin --la SOU --period 2025-03-31 "$scratch/truncated.xml" >"$scratch/t.out" 2>&1
(( $? == 1 )) || failed "truncated file: want exit 1"
grep -q "the file ends before its XML does" "$scratch/t.out" || failed "truncated: no reason"
sed 's/<Ethnicity>WBRI</<Ethnicity>WIRI</' "$cin" >"$scratch/v2.xml"
"$bin" ingest --quiet --return cin --la CAM --period 2025-03-31 "$scratch/v2.xml" >/dev/null
[[ "$(q "SELECT count(*) FROM cin_child c JOIN submission s ON s.id = c.id >> 32 WHERE s.la_code = 'E09000007'")" == 400 ]] ||
  failed "version 2 did not replace version 1's rows"

# A file that is not this authority's census for this year, or holds no
# children or no header, is refused whole (exit 1) and the accepted
# version stays: LIIA-CIN-EMPTY, -YEAR, -LA (tables.json "required",
# "identifies"; docs/cin.md).
accepted_v=$(q "SELECT id FROM submission WHERE la_code = 'E09000007' AND return_type = 'cin' AND status = 'accepted'")
refused() { # FILE RULE TEXT [--la LA] [--period P]
  local f=$1 rule=$2 text=$3; shift 3
  "$bin" ingest --return cin --la CAM --period 2025-03-31 "$@" "$f" >"$scratch/x.out" 2>&1
  local rc=$?
  (( rc == 1 )) || failed "$(basename "$f"): exit $rc, want 1"
  grep -q "\[$rule\]" "$scratch/x.out" || failed "$(basename "$f"): no $rule"
  grep -qF -- "$text" "$scratch/x.out" || failed "$(basename "$f"): no '$text': $(grep "$rule" "$scratch/x.out")"
  [[ "$(q "SELECT id FROM submission WHERE la_code = 'E09000007' AND return_type = 'cin' AND status = 'accepted'")" == "$accepted_v" ]] ||
    failed "$(basename "$f") replaced the accepted census"
}
perl -0pe 's|<Children>.*</Children>|<Children></Children>|s' "$cin" >"$scratch/empty.xml"
refused "$scratch/empty.xml" LIIA-CIN-EMPTY "the file has no <Child> (Message/Children/Child)"
perl -0pe 's|<Header>.*</Header>||s' "$cin" >"$scratch/nohdr.xml"
refused "$scratch/nohdr.xml" LIIA-CIN-EMPTY "the file has no <Header> (Message/Header)"
"$bin" sample --cin --out "$scratch/c24" --children 30 --la CAM --period 2024-03-31 >/dev/null
refused "$scratch/c24/CAM_2024-03-31_cin.xml" LIIA-CIN-YEAR \
  "the file is for the 2023-24 collection year (Year 2024), but --period 2025-03-31 is in 2024-25"
sed 's|<ReferenceDate>2025-03-31<|<ReferenceDate>2024-03-31<|' "$cin" >"$scratch/refdate.xml"
refused "$scratch/refdate.xml" LIIA-CIN-YEAR "(ReferenceDate 2024-03-31)"
refused "$src/sample-data/cin/HAC_2025-03-31_cin.xml" LIIA-CIN-LA \
  "the file is for Hackney (LEA 204), but --la says Camden (202)"
sed 's|<LEA>202</LEA>||' "$cin" >"$scratch/nolea.xml"
refused "$scratch/nolea.xml" LIIA-CIN-LA "the file does not say which authority it is for"
# validate refuses the same way, storing nothing
"$bin" validate --return cin --la CAM --period 2025-03-31 "$scratch/empty.xml" >/dev/null 2>&1
(( $? == 1 )) || failed "validate of an empty census: want exit 1"
# sample --cin writes each authority's own DfE number as LEA
for la in CAM HAC SOU; do
  want=$(awk -F, -v la=$la '$4 == la {print $2}' "$src/schemas/reference/authorities.csv")
  grep -q "<LEA>$want</LEA>" "$src/sample-data/cin/${la}_2025-03-31_cin.xml" || failed "$la sample's LEA is not $want"
done
"$bin" sample --cin --out "$scratch/isl" --children 5 --la ISL >/dev/null
grep -q "<LEA>206</LEA>" "$scratch/isl/ISL_2025-03-31_cin.xml" || failed "sample --cin --la ISL: LEA not 206"

# usage errors (exit 2), nothing read
"$bin" ingest --return cin --period 2025-03-31 "$cin" >/dev/null 2>"$scratch/u.err"
(( $? == 2 )) || failed "no --la: want exit 2"
grep -q "needs --la, --period and one XML file" "$scratch/u.err" || failed "no --la: no reason"
"$bin" ingest --return cin --la CAM --period 2099-03-31 "$cin" >/dev/null 2>&1
(( $? == 2 )) || failed "a period far ahead: want exit 2"

# sample --cin's user errors (exit 2, with the reason)
"$bin" sample --cin >/dev/null 2>"$scratch/s.err"; (( $? == 2 )) && grep -q -- "--out DIR is required" "$scratch/s.err" ||
  failed "sample --cin without --out"
"$bin" sample --cin --out "$scratch/s" --children 0 >/dev/null 2>"$scratch/s.err"; (( $? == 2 )) && grep -q "from 1 to" "$scratch/s.err" ||
  failed "sample --cin --children 0"
"$bin" sample --cin --out "$scratch/s" --la XYZ >/dev/null 2>"$scratch/s.err"; (( $? == 2 )) && grep -q "not a London authority" "$scratch/s.err" ||
  failed "sample --cin --la XYZ"
"$bin" sample --cin --out "$scratch/s" --link "$scratch/nowhere" >/dev/null 2>"$scratch/s.err"; (( $? == 3 )) ||
  failed "sample --cin --link to a missing folder: want exit 3"
exit $fail
