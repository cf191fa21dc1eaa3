#!/bin/sh
# template.sh BIN SOURCE_DIR EXPECTED WORK_DIR - `liia-bench template`
# (issue 13): the blank CSV byte for byte against its golden copy, valid as
# it stands; the workbook's data validation (opened with unzip) holds one
# rule per measure by its unit in schemas/measures.json, the code lists and
# the Instructions sheet; usage errors; files 0600 and planted links
# replaced, not followed.
set -u
bin=$1 src=$2 expected=$3 work=$4
rm -rf "$work" && mkdir -p "$work" || exit 3
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
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
expect_out() { grep -q -- "$1" "$2" || { fail "'$1' not in $2:"; cat "$2" >&2; }; }

expect_exit 0 lb init
out=$work/t
expect_exit 0 lb template --la Camden --period 2024-25Q4 --out "$out"
expect_out "wrote 2 template files for Camden (CAM), Q4 2024-25 (Jan-Mar 2025)" "$work/out"
csv=$out/CAM_2025-03-31.csv xlsx=$out/CAM_2025-03-31_template.xlsx
cmp -s "$csv" "$expected/CAM_2025-03-31.csv" || { fail "CSV differs from the golden copy"; diff "$expected/CAM_2025-03-31.csv" "$csv" >&2; }
for f in "$csv" "$xlsx"; do
    [ "$(stat -c %a "$f")" = 600 ] || fail "$f has mode $(stat -c %a "$f")"
done

# As it stands the CSV is a valid return with every measure not supplied.
measures=$(grep -c '"definition"' "$src/schemas/measures.json")
fte=$(grep -c '"unit": *"fte"' "$src/schemas/measures.json")
[ "$(($(wc -l <"$csv") - 1))" -eq "$measures" ] || fail "CSV has not one row per measure ($measures)"
expect_exit 0 lb validate "$csv"
expect_out "valid (0 errors, $measures warnings)" "$work/out"

# The workbook: one value rule per measure by its unit, the three code
# lists, the note's length; the Instructions sheet lists every measure.
sheet=$(unzip -p "$xlsx" xl/worksheets/sheet1.xml) || fail "cannot unzip the workbook"
count() { printf '%s' "$sheet" | grep -o "$1" | wc -l | tr -d ' '; }
[ "$(count '<dataValidation type="whole" operator="greaterThanOrEqual"')" -eq $((measures - fte)) ] ||
    fail "whole-number rules: $(count '<dataValidation type="whole"'), want $((measures - fte))"
[ "$(count '<dataValidation type="custom"')" -eq $((fte + 1)) ] || fail "custom rules: want $fte FTE + the measure list"
[ "$(count 'ROUND(D[0-9]*,2)=D[0-9]*')" -eq "$fte" ] || fail "FTE rules do not check 2 decimal places"
[ "$(count '<dataValidation type="list"')" -eq 2 ] || fail "want 2 code lists"
printf '%s' "$sheet" | grep -q '<formula1>"CAM,E09000007"</formula1>' || fail "authority list"
printf '%s' "$sheet" | grep -q '<formula1>"2025-03-31,2024-25Q4"</formula1>' || fail "period list"
printf '%s' "$sheet" | grep -q "<formula1>COUNTIF(Instructions!\$A\$[0-9]*:\$A\$[0-9]*,C2)=1</formula1>" || fail "measure list"
[ "$(count '<dataValidation type="textLength"')" -eq 1 ] || fail "note length rule"
unzip -p "$xlsx" xl/sharedStrings.xml >"$work/strings" || fail "no shared strings"
for id in $(sed -n 's/^CAM,2025-03-31,\([a-z0-9_]*\),,$/\1/p' "$csv"); do
    grep -q ">$id<" "$work/strings" || fail "measure $id not in the workbook"
done
expect_out "Save the Return sheet as CSV UTF-8" "$work/strings"
expect_out "children looked after at the quarter" "$work/strings"
# The same template twice: the same bytes.
expect_exit 0 lb template --la CAM --period 2025-03-31 --out "$work/again"
cmp -s "$xlsx" "$work/again/CAM_2025-03-31_template.xlsx" || fail "workbook not reproducible"

# --format, and refusals (exit 2) that write nothing.
expect_exit 0 lb template --la 202 --period 2025-03-31 --out "$work/c" --format csv
[ -f "$work/c/CAM_2025-03-31.csv" ] && [ ! -e "$work/c/CAM_2025-03-31_template.xlsx" ] ||
    fail "--format csv wrote the wrong files"
expect_exit 2 lb template --period 2025-03-31 --out "$work/u"
expect_out "--la LA, --period P and --out DIR are required" "$work/err"
expect_exit 2 lb template --la Nowhere --period 2025-03-31 --out "$work/u"
expect_out "'Nowhere' is not one of the 33 London authorities" "$work/err"
expect_exit 2 lb template --la CAM --period 2025-02-30 --out "$work/u"
expect_exit 2 lb template --la CAM --period 2025-03-31 --out "$work/u" --format pdf
expect_out "--format must be csv, xlsx or both" "$work/err"
[ -e "$work/u" ] && fail "a refused template created its folder"

# A planted link at the output name is replaced, its target untouched.
mkdir -p "$work/l" && echo victim >"$work/victim"
ln -s "$work/victim" "$work/l/CAM_2025-03-31.csv"
ln -s "$work/victim" "$work/l/CAM_2025-03-31_template.xlsx"
expect_exit 0 lb template --la CAM --period 2025-03-31 --out "$work/l"
[ "$(cat "$work/victim")" = victim ] || fail "template wrote through a link"
[ ! -L "$work/l/CAM_2025-03-31.csv" ] && [ ! -L "$work/l/CAM_2025-03-31_template.xlsx" ] ||
    fail "a link is still in place"

echo "template: $failures failed"
[ "$failures" -eq 0 ]
