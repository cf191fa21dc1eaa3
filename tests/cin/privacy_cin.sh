#!/usr/bin/env bash
# Privacy of the CIN census, as tests/privacy does for SSDA903: no raw
# LAchildID, UPN, FormerUPN or full date of birth of a census file in any
# command's output, any file written for others, or the store (its dump and
# its raw pages), after ingest, validate, a rejection, queries and reports.
# usage: privacy_cin.sh LIIA_BENCH SCRATCH_DIR
set -uo pipefail
bin=$1 scratch=$2
rm -rf "$scratch" && mkdir -p "$scratch/out" "$scratch/returned" "$scratch/files" "$scratch/903" "$scratch/cin"
export LIIA_DB=$scratch/store.db
fail=0
failed() { echo "FAIL: $*"; fail=1; }
n=0
# run NAME ARGS: output that may reach anyone (scanned); returned NAME ARGS:
# validate's and ingest's answer to the authority that sent the census,
# which names its own children (LAchildID) so it can find them: checked for
# that, and not scanned.
run() { run_in out "$@"; }
returned() { run_in returned "$@"; }
run_in() {
  local dir=$1 name=$2; shift 2
  n=$((n + 1))
  "$bin" "$@" >"$scratch/$dir/$n-$name.out" 2>"$scratch/$dir/$n-$name.err"
  (( $? < 2 )) || { failed "$name exited with $?"; tail -3 "$scratch/$dir/$n-$name.err"; }
}
run init init
"$bin" sample --ssda903 --children 60 --la CAM --out "$scratch/903" >/dev/null || failed "sample --ssda903"
"$bin" sample --cin --children 60 --la CAM --out "$scratch/cin" --link "$scratch/903" >/dev/null || failed "sample --cin"
x=$scratch/cin/CAM_2025-03-31_cin.xml
# A FormerUPN and a bad UPN (reported, so its value could leak into a finding).
sed -i '0,/<UPN>/s//<FormerUPN>B99999999999Q<\/FormerUPN><UPN>/' "$x"
sed -i '0,/<UPN>A/s//<UPN>Z/' "$x"
sed -i '0,/<UPN>A\([0-9]*\)/s//<UPN>I\1/' "$x"
returned validate validate --return cin --la CAM --period 2025-03-31 "$x"
returned ingest ingest --return cin --la CAM --period 2025-03-31 "$x"
# The same census as Hackney's and Islington's (their LEA: a file whose LEA
# is not --la's is refused, docs/cin.md)
sed 's|<LEA>202</LEA>|<LEA>204</LEA>|' "$x" >"${x%.xml}_hac.xml"
sed 's|<LEA>202</LEA>|<LEA>206</LEA>|' "$x" >"${x%.xml}_isl.xml"
returned ingest_json ingest --json --return cin --la HAC --period 2025-03-31 "${x%.xml}_hac.xml"
# The SSDA903 ingest's answer goes back to the authority that sent the
# files and names its own children (tests/privacy checks that): not scanned.
"$bin" ingest --return ssda903 --la CAM --period 2025-03-31 \
    "$scratch/903/CAM_2025-03-31_header.csv" "$scratch/903/CAM_2025-03-31_episodes.csv" \
    >"$scratch/903/answer.txt" 2>&1
(( $? < 2 )) || failed "ssda903 ingest failed: $(tail -3 "$scratch/903/answer.txt")"
returned strict ingest --strict --return cin --la ISL --period 2025-03-31 "${x%.xml}_isl.xml"
run findings query "SELECT * FROM findings" --format csv
run history history --la CAM
run status status --period 2025-03-31
run report report --la CAM --period 2025-03-31 --out "$scratch/files"

scan=$scratch/scan.txt
{ cat "$scratch"/out/*; for f in "$scratch"/files/*; do [[ -f $f ]] && cat "$f"; done
  sqlite3 "$LIIA_DB" .dump; cat "$LIIA_DB"*; } >"$scan" 2>/dev/null
# Raw identifiers of the census: every LAchildID, UPN, FormerUPN, and every
# date of birth before 2021 (later ones could equal a referral date).
ids=$(grep -o '<LAchildID>[^<]*' "$x" | cut -d'>' -f2 | sort -u)
upns=$(grep -oE '<(Former)?UPN>[^<]*' "$x" | cut -d'>' -f2 | sort -u)
dobs=$(grep -oE '<(Expected)?PersonBirthDate>(19|200|2010|2011|2012|2013|2014|2015|2016|2017|2018|2019|2020)[^<]*' "$x" |
       cut -d'>' -f2 | grep -v -- '-01$' | sort -u)
[[ $(wc -w <<<"$ids") -ge 60 && $(wc -w <<<"$upns") -ge 30 && $(wc -w <<<"$dobs") -ge 30 ]] ||
  failed "too few identifiers to scan for (the sample changed?)"
leaks=0
for v in $ids $upns $dobs; do
  if grep -qaF -- "$v" "$scan"; then
    # A child id of digits only may be a substring of an unrelated number
    # (a line, a count): only a whole-token match is a leak.
    grep -qaE -- "(^|[^0-9A-Za-z])$v([^0-9A-Za-z]|$)" "$scan" && { echo "LEAK: $v"; leaks=$((leaks + 1)); }
  fi
done
(( leaks == 0 )) || failed "$leaks raw identifiers found in outputs, files or the store"
# The answer to the sender names the child of a finding by its LAchildID,
# on the terminal and in --json (and never puts a UPN or a full date of
# birth there: those are withheld as in the store).
grep -qE "[(, ]child [0-9A-Za-z]+\): (error|warning)" "$scratch"/returned/*-validate.err ||
  failed "validate's findings do not name the child"
grep -q '"child_id": "' "$scratch"/returned/*-ingest_json.out ||
  failed "ingest --json's findings do not name the child"
for v in $upns $dobs; do
  grep -qaF -- "$v" "$scratch"/returned/* && { echo "LEAK to the sender: $v"; failed "a UPN or birth date in the answer"; }
done
grep -qaF "(withheld: identifying)" "$scratch"/returned/*-validate.err || failed "the bad UPN's finding does not withhold its value"
[[ "$(sqlite3 "$LIIA_DB" "SELECT count(*) FROM cin_child c JOIN cla_child l ON l.child_pid = c.child_pid")" -gt 0 ]] ||
  failed "no child links across the returns"
exit $fail
