#!/usr/bin/env bash
# deb.sh BUILD_DIR SOURCE_DIR WORK_DIR
# Builds the packages with cpack (liia-bench: binary, man pages, docs;
# liia-bench-data: schemas, sample data), checks their control fields and
# contents, extracts both with dpkg-deb -x into one scratch root (nothing is
# installed system-wide) and runs 'liia-bench demo' from there, in a scratch
# directory, with $LIIA_SCHEMAS unset: it must use the packaged schemas and
# sample data, not the source tree's (which stay where they are).
set -euo pipefail
build=$1 src=$2 work=$3
source "$(dirname "$0")/common.sh"
rm -rf "$work" && mkdir -p "$work/run"
root=$work/root

cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/pkg" >"$work/cpack.log" 2>&1 ||
  fail "cpack failed: $(tail -20 "$work/cpack.log")"
version=$(env -u LIIA_SCHEMAS "$build/cli/liia-bench" --version | sed -n '1s/^liia-bench //p')
deb=$work/pkg/liia-bench_${version}_$(dpkg --print-architecture).deb
data_deb=$work/pkg/liia-bench-data_${version}_all.deb
[[ -f $deb && -f $data_deb ]] || fail "expected $deb and $data_deb; cpack wrote: $(ls "$work/pkg")"

# Control: Depends worked out by dpkg-shlibdeps from the binary (one entry
# per library it links), plus the data at the same version and the font
# the packs use.
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libsqlite3-0 libjansson4 libcsv3 libcairo2 libpangocairo-1.0-0 \
           libxlsxwriter libssl3 fonts-dejavu-core "liia-bench-data (= $version)"; do
  [[ $depends == *"$lib"* ]] || fail "Depends lacks $lib: $depends"
done
[[ $(dpkg-deb -f "$data_deb" Architecture) == all ]] || fail "liia-bench-data is not Architecture: all"

# Contents: everything under /usr, in the FHS places, each in its package.
dpkg-deb -c "$deb" | awk '{print $6}' >"$work/contents.txt"
dpkg-deb -c "$data_deb" | awk '{print $6}' >"$work/data-contents.txt"
! grep -hv '^\./usr/' "$work/contents.txt" "$work/data-contents.txt" || fail "files outside /usr (above)"
for f in ./usr/bin/liia-bench ./usr/share/man/man1/liia-bench-demo.1 \
         ./usr/share/doc/liia-bench/README.md; do
  grep -qx "$f" "$work/contents.txt" || fail "$f is not in liia-bench"
done
for f in ./usr/share/liia-bench/schemas/measures.json ./usr/share/liia-bench/sample-data/quarterly/; do
  grep -qx "$f" "$work/data-contents.txt" || fail "$f is not in liia-bench-data"
done

dpkg-deb -x "$deb" "$root"
dpkg-deb -x "$data_deb" "$root"
check_layout "$root/usr"
check_own_schemas "$root/usr"

# The demo, end to end, from the extracted root.
(cd "$work/run" && env -u LIIA_SCHEMAS -u LIIA_DB -u LIIA_KEY_FILE \
   "$root/usr/bin/liia-bench" demo --out out >demo.log 2>&1) ||
  fail "demo from the package failed: $(tail -20 "$work/run/demo.log")"
pdfs=$(find "$work/run/out" -maxdepth 1 -name '*_benchmark.pdf' | wc -l)
[[ $pdfs -eq 33 ]] || fail "demo wrote $pdfs PDF packs, expected 33"
data=$(realpath "$root/usr/share/liia-bench/sample-data")
grep -q "^$data/quarterly/" "$work/run/demo.log" ||
  fail "demo did not ingest the package's sample data ($data): $(sed -n 1,12p "$work/run/demo.log")"
! grep -q "$src/\(schemas\|sample-data\)" "$work/run/demo.log" ||
  fail "demo used the source tree: $(grep -m3 "$src/" "$work/run/demo.log")"
echo "install deb: ok ($(basename "$deb") $(stat -c %s "$deb") bytes, $(basename "$data_deb") $(stat -c %s "$data_deb") bytes; Depends: $depends)"
