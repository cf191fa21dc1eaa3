#!/bin/sh
# `liia-bench sample --published` and `liia-bench import` through the real
# binary: the committed synthetic files reproduced byte for byte, imported
# (exit 0), the same files again (unchanged), an unrecognised file (exit 1,
# naming the layouts it knows), usage errors (exit 2), --history.
set -u
bin=$1 committed=$2 work=$3
rm -rf "$work" && mkdir -p "$work" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
db="$work/liia.db"

"$bin" sample --published --out "$work/sample" >/dev/null || fail "sample --published"
diff -r "$committed" "$work/sample" >/dev/null ||
    fail "sample --published does not reproduce $committed (regenerate it)"
"$bin" sample --published --out "$work/seed7" --seed 7 >/dev/null || fail "seed 7"
diff -q "$work/sample/c1_referrals.csv" "$work/seed7/c1_referrals.csv" >/dev/null &&
    fail "another seed gave the same figures"

"$bin" --db "$db" init >/dev/null || fail "init"
"$bin" --db "$db" import "$work"/sample/*.csv >"$work/out1" 2>&1 || fail "import: $(cat "$work/out1")"
[ "$(grep -c 'version 1:' "$work/out1")" -eq 11 ] || fail "11 files imported: $(cat "$work/out1")"
"$bin" --db "$db" import "$work"/sample/c1_referrals.csv >"$work/out2" || fail "re-import"
grep -q 'unchanged (already imported as version 1)' "$work/out2" || fail "re-import: $(cat "$work/out2")"

printf 'la_code,period,measure,value,note\nCAM,2025-03-31,referrals,1,\n' >"$work/return.csv"
"$bin" --db "$db" import "$work/return.csv" >"$work/out3" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "unrecognised file: exit $rc, want 1"
grep -q 'not recognised' "$work/out3" && grep -q 'c1_referrals' "$work/out3" &&
    grep -q 'sn_model' "$work/out3" || fail "unrecognised file message: $(cat "$work/out3")"

"$bin" --db "$db" import >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "import with no file: exit $rc, want 2"
"$bin" --db "$db" import --bogus x.csv >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "unknown option: exit $rc, want 2"
"$bin" --db "$db" import --history >"$work/hist" || fail "history"
[ "$(grep -c accepted "$work/hist")" -eq 11 ] || fail "history: $(cat "$work/hist")"
n=$("$bin" --db "$db" query --format csv "SELECT count(*) FROM published WHERE symbol = 'x'" | tail -1 | tr -d '\r')
[ "$n" -gt 0 ] || fail "no 'x' symbols kept from the sample"
echo "ok: sample --published reproduced, imported, re-import unchanged, refusals"
