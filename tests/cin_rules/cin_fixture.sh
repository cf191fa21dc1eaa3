#!/bin/sh
# cin_fixture.sh BIN CHECKER WORK DIR - one CIN rule fixture (CMakeLists.txt).
# The rule's files are checked first (CHECKER prints "<code> <period>"); then
# fail.xml must report the code and pass.xml must not.  The rules of
# schemas/cin/rules and the cell checks of tables.json both run on every CIN
# ingest and validate: nothing here is skipped.
bin=$1 checker=$2 work=$3 dir=$4
name=$(basename "$dir")
line=$("$checker" "$dir") || exit 1
set -- $line
code=$1 period=$2
[ -n "$code" ] || exit 1
if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout --nonet "$dir/fail.xml" "$dir/pass.xml" || exit 1
fi
db="$work/$name.db"
rm -f "$db" "$db.key"
"$bin" --db "$db" init >/dev/null 2>&1 || { echo "init failed"; exit 1; }
# The fixtures are the City of London's (LEA 201): --la must be the LEA
# (a file for another authority is refused whole, LIIA-CIN-LA: docs/cin.md).
run() {
    "$bin" --db "$db" validate --return cin --la CIT --period "$period" --json --quiet "$1" 2>"$work/$name.err"
}
out=$(run "$dir/fail.xml")
if ! printf '%s\n' "$out" | grep -q "\"rule_id\": \"$code\""; then
    echo "rule $code not reported on $dir/fail.xml"; cat "$work/$name.err"; exit 1
fi
if run "$dir/pass.xml" | grep -q "\"rule_id\": \"$code\""; then
    echo "rule $code reported on $dir/pass.xml"; exit 1
fi
