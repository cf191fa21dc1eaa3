#!/bin/sh
# axe_setup.sh SRC_DIR DEST_DIR - installs axe-core (tests/portal/package.json)
# into DEST_DIR/node_modules with npm, once; the browser test reads
# DEST_DIR/node_modules/axe-core/axe.min.js.  Nothing is committed.
set -eu
src=$1 dest=$2
want=$(sed -n 's/.*"axe-core": "\(.*\)".*/\1/p' "$src/package.json")
have=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$dest/node_modules/axe-core/package.json" 2>/dev/null || true)
[ "$have" = "$want" ] && exit 0
command -v npm >/dev/null || { echo "axe_setup: npm is missing" >&2; exit 1; }
mkdir -p "$dest"
cp "$src/package.json" "$dest/package.json"
cd "$dest"
npm install --no-audit --no-fund --silent >/dev/null
test -f node_modules/axe-core/axe.min.js
