#!/bin/sh
# A published DfE rate, reproduced by the real binary: ingest + bench + query.
#
# Source: DfE, "Children looked after in England including adoptions",
# reporting year 2025 (explore-education-statistics.service.gov.uk/
# find-statistics/children-looked-after-in-england-including-adoptions/2025):
# children looked after on 31 March 2024 = 83,530, rate 69 per 10,000
# children; on 31 March 2025 = 81,770, rate 67.  ONS mid-year estimates of
# England's 0-17 population (schemas/reference/population_0_17.csv):
# mid-2023 12,059,476, mid-2024 12,183,016.
#
# bench only benchmarks London authorities, so a copy of the schemas gives
# Camden England's population and Camden's returns England's counts.  The
# financial-year rule is what makes the rates come out right: 2023-24 uses
# mid-2023 (83,530 / 12,059,476 = 69.27 -> 69; mid-2022 would give 70.2)
# and 2024-25 uses mid-2024 (81,770 / 12,183,016 = 67.12 -> 67; mid-2023
# would give 67.8 -> 68).
set -u
bin=$1 schemas=$2 work=$3
rm -rf "$work" && mkdir -p "$work" || exit 1
cp -R "$schemas" "$work/schemas" || exit 1
england=$(grep '^E92000001,' "$schemas/reference/population_0_17.csv" | cut -d, -f3-)
sed -i "s/^E09000007,Camden,.*/E09000007,Camden,$england/" "$work/schemas/reference/population_0_17.csv"
export LIIA_SCHEMAS="$work/schemas" LIIA_DB="$work/liia.db"
fail() { echo "FAIL: $*"; exit 1; }

for q in 2024-03-31:83530 2025-03-31:81770; do
    period=${q%%:*} count=${q#*:}
    printf 'la_code,period,measure,value,note\nCAM,%s,cla_at_end,%s,DfE published count for England\n' \
        "$period" "$count" >"$work/CAM_$period.csv"
done
"$bin" init >/dev/null || fail "init"
# Every other measure is left out: warnings, not errors (exit 0).
"$bin" ingest "$work"/CAM_*.csv >"$work/ingest.out" 2>&1 || fail "ingest: $(cat "$work/ingest.out")"
"$bin" bench >/dev/null || fail "bench"
got=$("$bin" query --format csv --param la=E09000007 \
    "SELECT period, printf('%.0f', value) AS rate, pop_mid_year FROM benchmark
      WHERE indicator = 'CLA01' AND area_type = 'la' AND area_code = :la ORDER BY period" | tr -d '\r')  # CSV rows end CRLF
want='period,rate,pop_mid_year
2024-03-31,69,2023
2025-03-31,67,2024'
[ "$got" = "$want" ] || fail "CLA01 for England's counts: got
$got
want
$want"
echo "ok: DfE's published rates 69 (2024) and 67 (2025) per 10,000 reproduced"
