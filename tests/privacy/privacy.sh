#!/usr/bin/env bash
# Privacy: the store and key are private files (0600) even under a lax
# umask, init refuses a key others can read, the key's bytes appear in no
# output, and no raw child identifier (CHILD, UPN, postcode) of an SSDA903
# extract appears in any command's output, any file written, or the store.
# usage: privacy.sh LIIA_BENCH_BINARY SCRATCH_DIR SOURCE_DIR
set -uo pipefail
bin=$1
scratch=$2
src=$3
rm -rf "$scratch" && mkdir -p "$scratch/out" "$scratch/files" "$scratch/returned" "$scratch/903"
export LIIA_DB=$scratch/store.db
umask 022
fail=0
failed() { echo "FAIL: $*"; fail=1; }
n=0
# run NAME ARGS...: one command, its stdout and stderr kept for the scans
# (in $dest: out, or returned for the answer to the sender's own files).
dest=out
run() {
  local name=$1; shift
  n=$((n + 1))
  "$bin" "$@" >"$scratch/$dest/$n-$name.out" 2>"$scratch/$dest/$n-$name.err"
  local rc=$?
  (( rc < 2 )) || { failed "$name exited $rc"; tail -3 "$scratch/$dest/$n-$name.err"; }
}

# ------------------------------------------------------------- permissions
run init init
key=$LIIA_DB.key
for f in "$LIIA_DB" "$key"; do
  [[ "$(stat -c %a "$f")" == 600 ]] || failed "$(basename "$f") has mode $(stat -c %a "$f"), want 600"
done
chmod 640 "$key"
"$bin" init >"$scratch/out/lax.out" 2>"$scratch/out/lax.err" && failed "init accepted a group-readable key"
grep -qF "the platform key is readable by other users" "$scratch/out/lax.err" ||
  failed "init did not say why it refused the key"
chmod 600 "$key"

# ------------------------------------------------------------- a whole run
"$bin" sample --ssda903 --children 40 --la CAM --out "$scratch/903" >/dev/null ||
  failed "sample --ssda903"
fx=$src/tests/ssda903/fixtures
s903=$scratch/903/CAM_2025-03-31
run ingest_q ingest "$src"/sample-data/quarterly/CAM_*.csv "$src"/sample-data/quarterly/ISL_*.csv
# A child whose header row is missing: its episodes break INT03, a
# child-level finding whose CHILD goes back to the sender (terminal, --json,
# --report-dir) and never into the store.
lost=$(sed -n 2p "${s903}_header.csv" | cut -d, -f1)
grep -q "^$lost," "${s903}_episodes.csv" || failed "the first header child $lost has no episodes"
sed -i 2d "${s903}_header.csv"
# What ingest and validate answer the sender about its own files goes to
# returned/: scanned for the key, and for the child id that must be there.
dest=returned
run ingest_903 ingest --return ssda903 --la CAM --period 2025-03-31 \
    "${s903}_header.csv" "${s903}_episodes.csv" "${s903}_uasc.csv" --report-dir "$scratch/returned"
run ingest_903_json ingest --json --return ssda903 --la ISL --period 2017-12-31 \
    "$fx/fake903_header.csv" "$fx/fake903_episodes.csv"
run validate_903 validate --return ssda903 --la ISL --period 2018-03-31 \
    "$fx/fake903_header.csv" "$fx/fake903_episodes.csv"
run validate_903_json validate --json --return ssda903 --la CAM --period 2025-03-31 \
    "${s903}_header.csv" "${s903}_episodes.csv" "${s903}_uasc.csv"
dest=out
grep -q "episodes\]:[0-9]*:1 (child $lost): error: column 'CHILD': .*\[INT03\]" \
    "$scratch"/returned/*-ingest_903.err || failed "the terminal does not name child $lost for INT03"
grep -q "\"child_id\": \"$lost\"" "$scratch"/returned/*-validate_903_json.out ||
  failed "--json does not name child $lost"
grep -q ",INT03,.*,$lost\$" "$scratch"/returned/*_episodes_findings.csv ||
  failed "the --report-dir CSV does not name child $lost for INT03"
# (sheet2: the Findings sheet, whose last column is Child)
unzip -p "$scratch"/returned/*_episodes_findings.xlsx xl/worksheets/sheet2.xml 2>/dev/null |
  grep -q ">$lost</t></is></c></row>" ||
  failed "the --report-dir workbook's Findings sheet does not name child $lost"
run bad ingest "$src"/sample-data/bad/two_authorities.csv --report-dir "$scratch/returned"
run bench bench
run report report --la CAM --period 2025-03-31 --out "$scratch/files"
run status status --period 2025-03-31
run history history --la CAM
run findings query "SELECT * FROM findings" --format csv
run measures query "SELECT * FROM measures" --format json
run reconcile reconcile --la CAM --period 2025-03-31
ls "$LIIA_DB"* | while read -r f; do
  [[ "$(stat -c %a "$f")" == 600 ]] || echo "FAIL: $(basename "$f") has mode $(stat -c %a "$f"), want 600"
done | grep . && fail=1

# Everything a person could read afterwards: outputs, files written (the
# workbooks unzipped), and the store's contents (dump and raw pages).  The
# findings reports of --report-dir go back to the authority that sent the
# file and may show its own rows: they are scanned for the key only.
scan=$scratch/scan
mkdir -p "$scan"
cat "$scratch"/out/* >"$scan/outputs.txt"
readable() {
  for f in "$1"/* "$1"/*/*; do
    [[ -f "$f" ]] || continue
    case "$f" in
      *.xlsx) unzip -p "$f" 2>/dev/null ;;
      *.pdf) pdftotext "$f" - 2>/dev/null; cat "$f" ;;
      *) cat "$f" ;;
    esac
  done
}
readable "$scratch/files" >"$scan/files.txt"
readable "$scratch/returned" >"$scratch/returned.txt"
# the store's files byte for byte (its pages, a WAL if any): no lost child
for f in "$LIIA_DB"*; do
  grep -aqwF -- "$lost" "$f" && failed "child $lost is in $(basename "$f")"
done
ls "$scratch"/returned/*_findings.csv >/dev/null 2>&1 || failed "no findings report was written"
sqlite3 "$LIIA_DB" .dump >"$scan/store.txt"
cat "$LIIA_DB"* | strings -n 4 >>"$scan/store.txt"

# ------------------------------------------------------------- the key
hex=$(od -An -tx1 -v "$key" | tr -d ' \n')
forms=("$hex" "${hex^^}" "$(base64 -w0 <"$key")" "$(base64 -w0 <"$key" | tr '+/' '-_' | tr -d '=')")
for form in "${forms[@]}"; do
  for f in "$scan"/*.txt "$scratch/returned.txt"; do
    grep -aqiF -- "${form:0:24}" "$f" && failed "the platform key appears in $(basename "$f" .txt)"
  done
done

# ------------------------------------------------------------- identifiers
# CHILD ids, UPNs and full postcodes of both extracts, one per line.
ids=$scratch/identifiers
{ cut -d, -f1,5 "${s903}_header.csv" "$fx/fake903_header.csv" | tr , '\n'
  cut -d, -f1,11,12 "${s903}_episodes.csv" "$fx/fake903_episodes.csv" | tr , '\n'
  cut -d, -f1 "${s903}_uasc.csv"
} | grep -vE '^(CHILD|UPN|HOME_POST|PL_POST|)$' | sort -u >"$ids"
echo "privacy: $(wc -l <"$ids") identifiers, key in ${#forms[@]} forms, scanned in $(cat "$scan"/*.txt | wc -c) bytes"
for f in "$scan"/*.txt; do
  found=$(grep -aowF -f "$ids" "$f" | sort -u | head -5)
  [[ -z "$found" ]] || failed "raw identifiers in $(basename "$f" .txt): $(echo $found)"
done

(( fail == 0 )) && echo "privacy: passed" || echo "privacy: FAILED"
exit $fail
