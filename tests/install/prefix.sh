#!/usr/bin/env bash
# prefix.sh BUILD_DIR SOURCE_DIR WORK_DIR
# 'cmake --install' under a scratch prefix: the layout, the man pages, and
# that the installed binary reads its own share/liia-bench/schemas (not the
# source tree's, which stays where it is), while $LIIA_SCHEMAS overrides.
set -euo pipefail
build=$1 src=$2 work=$3
source "$(dirname "$0")/common.sh"
rm -rf "$work" && mkdir -p "$work"
prefix=$work/prefix

cmake --install "$build" --prefix "$prefix" >"$work/install.log" ||
  fail "cmake --install failed: $(tail -5 "$work/install.log")"
check_layout "$prefix"
check_own_schemas "$prefix"
check_man "$prefix"

# $LIIA_SCHEMAS still wins over the installed copy.
got=$(LIIA_SCHEMAS=$src/schemas "$prefix/bin/liia-bench" --version | sed -n 2p)
[[ $got == "schemas: $src/schemas (from \$LIIA_SCHEMAS)" ]] ||
  fail "with LIIA_SCHEMAS set the binary reports '$got'"

# The binary in the build tree has nothing installed beside it: it uses the
# source tree it was built from.
got=$(env -u LIIA_SCHEMAS "$build/cli/liia-bench" --version | sed -n 2p)
[[ $got == "schemas: $src/schemas (the source tree it was built from)" ]] ||
  fail "the build tree's binary reports '$got'"

# Not just what it says: what it reads.  Retitle the measures in the
# installed copy only; the installed binary shows the new titles, the
# override does not.
measures=$prefix/share/liia-bench/schemas/measures.json
sed -i 's/"title": "/"title": "INSTALLED COPY /' "$measures"
env -u LIIA_SCHEMAS "$prefix/bin/liia-bench" measures >"$work/measures.txt" ||
  fail "installed 'liia-bench measures' failed"
grep -q "INSTALLED COPY" "$work/measures.txt" ||
  fail "installed binary did not read $measures: $(head -3 "$work/measures.txt")"
LIIA_SCHEMAS=$src/schemas "$prefix/bin/liia-bench" measures >"$work/measures.txt"
! grep -q "INSTALLED COPY" "$work/measures.txt" ||
  fail "LIIA_SCHEMAS=$src/schemas did not override the installed copy"
echo "install prefix: ok ($prefix)"
