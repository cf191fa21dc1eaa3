#!/bin/sh
# layers.sh OBJECT... - the ingest library's files call each other without
# cycles (docs/architecture.md, "How ingest/ layers").  An edge a -> b is
# a symbol of b's that a uses (functions and data alike, so a table of ops
# counts); tsort refuses a graph with a loop and names it.
set -eu
defs=$(mktemp) edges=$(mktemp)
trap 'rm -f "$defs" "$edges"' EXIT
for o in "$@"; do
  n=$(basename "$o" .o); n=${n%.c}
  nm -g --defined-only "$o" | awk -v n="$n" 'NF == 3 {print $3, n}'
done | sort > "$defs"
[ -s "$defs" ] || { echo "layers: no symbols in $*" >&2; exit 1; }
for o in "$@"; do
  n=$(basename "$o" .o); n=${n%.c}
  nm -u "$o" | awk '{print $NF}' | sort | join - "$defs" |
    awk -v n="$n" '$2 != n {print n, $2}'
done | sort -u > "$edges"
if ! tsort "$edges" > /dev/null; then
  echo "layers: the ingest files above call each other in a cycle:" >&2
  cat "$edges" >&2
  exit 1
fi
echo "layers: $(wc -l < "$edges") calls between $(cut -d' ' -f2 "$defs" | sort -u | wc -l) files, no cycle"
