#!/bin/sh
# The committed sample-data/cin is `sample --cin --link sample-data/ssda903`'s
# output byte for byte, and its files are well-formed XML.
# usage: sample_cin.sh LIIA_BENCH SAMPLE_DATA_DIR WORK_DIR
set -eu
bin=$1 data=$2 work=$3
rm -rf "$work"
"$bin" sample --cin --out "$work" --link "$data/ssda903" >/dev/null
for f in "$data"/cin/*; do
  cmp "$f" "$work/$(basename "$f")" || { echo "FAIL: $f differs from the generator's output"; exit 1; }
done
[ "$(ls "$work" | wc -l)" = "$(ls "$data/cin" | wc -l)" ] || { echo "FAIL: file sets differ"; exit 1; }
if command -v xmllint >/dev/null; then
  xmllint --noout --nonet "$data"/cin/*.xml
fi
# The linked children are the SSDA903 sample's: the first LAchildID of each
# census is the first under-18 CHILD of the extract.
for x in "$data"/cin/*_cin.xml; do
  id=$(grep -m1 '<LAchildID>' "$x" | sed 's/.*<LAchildID>\(.*\)<\/LAchildID>.*/\1/')
  la=$(basename "$x" | cut -d_ -f1)
  grep -q "^$id," "$data/ssda903/${la}_2025-03-31_header.csv" ||
    { echo "FAIL: $x: first child $id is not in the SSDA903 sample"; exit 1; }
done
echo "sample_cin: ok"
