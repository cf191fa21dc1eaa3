#!/bin/sh
# one_source.sh BIN SAMPLE_DIR WORK - one source per figure (issue 10): a
# small child-level extract never displaces an accepted quarterly value.
#
# The 33 sample quarterly returns are benchmarked, then Islington sends a
# 6-child SSDA903 extract (accepted: it is valid, just tiny).  Before this
# rule it turned Islington into "Reviews on time 3580%", rewrote its
# looked-after rate for earlier quarters and moved London's pooled values.
# Now London, Islington's quadrant and every one of Islington's values in
# every quarter must be byte-identical before and after, and no published
# percentage may lie outside 0-100.
set -u
bin=$1 sample=$2 work=$3
rm -rf "$work" && mkdir -p "$work" || exit 1
export LIIA_DB="$work/liia.db"
fail() { echo "FAIL: $*"; exit 1; }

"$bin" init >/dev/null || fail "init"
"$bin" ingest --quiet "$sample"/quarterly/*.csv >/dev/null 2>&1 || fail "ingest quarterly"
"$bin" bench >/dev/null || fail "bench"
snap() {
    "$bin" query --format csv "SELECT period, indicator, area_type, area_code,
        numerator, denominator, value, rank, quartile, source FROM benchmark
        WHERE area_type IN ('region', 'quadrant') OR area_code = 'E09000019'
        ORDER BY 1, 2, 3, 4" >"$1" || fail "query"
}
snap "$work/before.csv"
[ "$(wc -l <"$work/before.csv")" -gt 1000 ] || fail "too few rows in the snapshot"

"$bin" sample --ssda903 --children 6 --la ISL --out "$work/x" >/dev/null || fail "sample"
"$bin" ingest --quiet --return ssda903 --la ISL --period 2025-03-31 \
    "$work"/x/ISL_2025-03-31_header.csv "$work"/x/ISL_2025-03-31_episodes.csv \
    "$work"/x/ISL_2025-03-31_uasc.csv >"$work/ingest.out" 2>&1
[ $? -le 1 ] || fail "ingest ssda903: $(cat "$work/ingest.out")"
n=$("$bin" query --format csv "SELECT count(*) FROM measures WHERE source = 'ssda903'" | tail -1 | tr -d '\r')
[ "$n" -gt 0 ] || fail "the extract gave no derived measures: the test would prove nothing"
"$bin" bench >/dev/null || fail "bench after the extract"
snap "$work/after.csv"
diff "$work/before.csv" "$work/after.csv" >"$work/diff" ||
    fail "London, the quadrant or Islington changed: $(head -20 "$work/diff")"

bad=$("$bin" query --format csv "SELECT count(*) FROM benchmark WHERE unit = 'pct'
      AND (value > 100 OR value < 0)" | tail -1 | tr -d '\r')
[ "$bad" = 0 ] || fail "$bad published percentages outside 0-100"
echo "ok: a 6-child extract changed nothing ($(($(wc -l <"$work/before.csv") - 1)) rows compared)"
