#!/bin/sh
# cin_fixture.sh BIN CHECKER WORK DIR - one CIN rule fixture (CMakeLists.txt).
# The rule's files are checked first (CHECKER prints "<code> <period>"); then
# fail.xml must report the code and pass.xml must not.  Exit 77 (skipped)
# only when the binary does not know the CIN return yet, or, for a rule of
# schemas/cin/rules (not a cell check of tables.json), when its CIN ingest
# does not run those rules yet: then the simplest rule file (8805, a closure
# date without a reason) is not reported on its own fixture either.
bin=$1 checker=$2 work=$3 dir=$4
name=$(basename "$dir")
line=$("$checker" "$dir") || exit 1
set -- $line
code=$1 period=$2 kind=$3
[ -n "$code" ] || exit 1
if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout --nonet "$dir/fail.xml" "$dir/pass.xml" || exit 1
fi
db="$work/$name.db"
rm -f "$db" "$db.key"
"$bin" --db "$db" init >/dev/null 2>&1 || { echo "init failed"; exit 1; }
run() {
    "$bin" --db "$db" validate --return cin --la CAM --period "$period" --json --quiet "$1" 2>"$work/$name.err"
}
out=$(run "$dir/fail.xml")
if [ $? -eq 2 ] && grep -q "unknown return type 'cin'" "$work/$name.err"; then
    echo "rule $code: files checked; the engine cannot read the CIN census yet"
    exit 77
fi
if [ "$kind" = rule ] && ! run "$(dirname "$dir")/8805/fail.xml" | grep -q '"rule_id": "8805"'; then
    echo "rule $code: files checked; the CIN ingest does not run schemas/cin/rules yet"
    exit 77
fi
if ! printf '%s\n' "$out" | grep -q "\"rule_id\": \"$code\""; then
    echo "rule $code not reported on $dir/fail.xml"; cat "$work/$name.err"; exit 1
fi
if run "$dir/pass.xml" | grep -q "\"rule_id\": \"$code\""; then
    echo "rule $code reported on $dir/pass.xml"; exit 1
fi
