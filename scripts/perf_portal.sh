#!/usr/bin/env bash
# perf_portal.sh - the portal section of docs/performance.md, on stdout
# (scripts/perf.sh appends it).  33 data leads, one per authority, each
# signed in, upload their quarterly return for 2025-03-31 at the same
# moment through the pages (POST /upload, then the findings page it
# redirects to); repeated over ROUNDS rounds, each a new version.
# Usage: scripts/perf_portal.sh [ROUNDS]   (release build in build/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/build/cli/liia-bench
rounds=${1:-5}
[[ -x $bin ]] || { echo "perf_portal: build first (scripts/setup.sh)" >&2; exit 3; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LIIA_SCHEMAS=$root/schemas LC_ALL=C TZ=UTC
python3 "$root/tests/portal/load.py" "$bin" "$work" "$rounds" >"$work/rounds"
load=$(cut -d' ' -f1-3 /proc/loadavg)
echo
echo "## The portal: 33 authorities uploading at once"
echo
echo "\`tests/portal/load.py\` against \`liia-bench serve\` on loopback: the 264"
echo "sample returns but 2025-03-31 in the store, 33 data leads signed in (one"
echo "per authority); in each round all 33 upload their 2025-03-31 return at"
echo "the same moment (a barrier), as the page's form does (multipart POST"
echo "/upload, 303 to /submissions/N) and fetch the findings page.  Time ="
echo "upload sent -> findings page received, per authority.  Each round stores"
echo "a new version (the first a first version).  Target: p95 < 1 s on 2 cores."
echo "Machine load average at the end of the run: $load."
echo
echo "| round | uploads | failed | p50 s | p95 s | max s | all 33 done s |"
echo "|---|---|---|---|---|---|---|"
sed -n 's/^round \([0-9]*\): n=\([0-9]*\) failed=\([0-9]*\) p50=\([0-9.]*\) p95=\([0-9.]*\) max=\([0-9.]*\) wall=\([0-9.]*\)$/| \1 | \2 | \3 | \4 | \5 | \6 | \7 |/p' "$work/rounds"
echo
echo "Writers queue for SQLite's one write lock (each ingest is one"
echo "transaction); the server retries the lock every millisecond rather than"
echo "with SQLite's 1-100 ms back-off.  $(tail -1 "$work/rounds")."
