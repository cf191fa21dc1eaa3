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
n=$("$bin" query --format csv "SELECT count(*) FROM measures_all_sources WHERE source = 'ssda903'" | tail -1 | tr -d '\r')
[ "$n" -gt 0 ] || fail "the extract gave no derived measures: the test would prove nothing"
"$bin" bench >/dev/null || fail "bench after the extract"
snap "$work/after.csv"
diff "$work/before.csv" "$work/after.csv" >"$work/diff" ||
    fail "London, the quadrant or Islington changed: $(head -20 "$work/diff")"

bad=$("$bin" query --format csv "SELECT count(*) FROM benchmark WHERE unit = 'pct'
      AND (value > 100 OR value < 0)" | tail -1 | tr -d '\r')
[ "$bad" = 0 ] || fail "$bad published percentages outside 0-100"
# One implementation of the control limits (issue 10, item 5): every flag
# is the band its point falls in against the limits the funnel draws
# (funnel_limit is liia_funnel_limit, as rp_funnel.c calls it), and with
# the overdispersion allowed for, few points lie beyond 99.8%.
bands=$("$bin" query --format csv "WITH x AS (SELECT numerator * 1.0 / denominator *
      iif(unit = 'pct', 100, 10000) AS v, denominator AS n, unit,
      london_pub_value AS t, coalesce(funnel_tau2, 0) AS tau2, funnel FROM benchmark
      WHERE area_type = 'la' AND funnel IS NOT NULL),
    y AS (SELECT funnel, CASE WHEN v > funnel_limit(n, t, unit, 0.999, tau2) THEN 'high_998'
      WHEN v < funnel_limit(n, t, unit, 0.001, tau2) THEN 'low_998'
      WHEN v > funnel_limit(n, t, unit, 0.975, tau2) THEN 'high_95'
      WHEN v < funnel_limit(n, t, unit, 0.025, tau2) THEN 'low_95' ELSE 'within' END AS drawn
      FROM x)
    SELECT count(*) || ' ' || sum(drawn <> funnel) || ' ' || sum(funnel LIKE '%998') FROM y" |
    tail -1 | tr -d '\r"')
set -- $bands
[ "${1:-0}" -gt 5000 ] || fail "funnel: only ${1:-0} points"
[ "${2:-1}" = 0 ] || fail "funnel: $2 points drawn in a different band from their flag"
[ "$((${3:-9999} * 100))" -lt "$((${1:-0} * 2))" ] || fail "funnel: $3 of $1 beyond 99.8%"
echo "ok: a 6-child extract changed nothing ($(($(wc -l <"$work/before.csv") - 1)) rows compared); funnel: $2 of $1 points in a different band, $3 beyond 99.8%"
