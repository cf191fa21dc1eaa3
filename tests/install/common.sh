# common.sh - checks shared by prefix.sh and deb.sh on an installed tree
# PREFIX (bin/, share/...), sourced after BIN_NAME-independent setup.
# Every check prints what it found when it fails.

fail() { echo "FAIL: $*" >&2; exit 1; }

# The FHS layout: binary, schemas, sample data, docs, a man page per command.
check_layout() {
  local prefix=$1 f cmd
  for f in bin/liia-bench share/liia-bench/schemas/measures.json \
           share/liia-bench/schemas/indicators.json share/liia-bench/schemas/reference \
           share/liia-bench/sample-data/quarterly share/doc/liia-bench/README.md \
           share/doc/liia-bench/docs/architecture.md share/doc/liia-bench/docs/install.md \
           share/man/man1/liia-bench.1; do
    [[ -e $prefix/$f ]] || fail "$prefix/$f is not installed"
  done
  [[ -x $prefix/bin/liia-bench ]] || fail "$prefix/bin/liia-bench is not executable"
  commands=$("$prefix/bin/liia-bench" --help | awk '/^commands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{exit}')
  [[ -n $commands ]] || fail "no command list in 'liia-bench --help'"
  for cmd in $commands; do
    [[ -f $prefix/share/man/man1/liia-bench-$cmd.1 ]] || fail "no man page for '$cmd'"
  done
}

# The schemas directory the installed binary says it uses must be its own
# share/ copy, with $LIIA_SCHEMAS unset (the source tree's copy still exists).
check_own_schemas() {
  local prefix=$1 want got
  want="schemas: $(realpath "$prefix/share/liia-bench/schemas") (installed with the binary)"
  got=$(env -u LIIA_SCHEMAS "$prefix/bin/liia-bench" --version | sed -n 2p)
  [[ $got == "$want" ]] || fail "installed binary reports '$got', expected '$want'"
}

# Every man page is valid roff (no groff warnings at -ww, and man(1) renders
# it) and carries its command's --help text: every line of the help, spaces
# collapsed, appears in the rendered page.
check_man() {
  local prefix=$1 page cmd help warnings
  for page in "$prefix"/share/man/man1/liia-bench*.1; do
    warnings=$(groff -k -man -Tutf8 -ww -z "$page" 2>&1) || fail "groff failed on $page"
    [[ -z $warnings ]] || fail "groff warnings in $page: $warnings"
    MANWIDTH=200 man -l "$page" >"$work/man.txt" 2>"$work/man.err" || fail "man -l $page failed"
    [[ ! -s $work/man.err ]] || fail "man -l $page: $(cat "$work/man.err")"
    cmd=$(basename "$page" .1)
    cmd=${cmd#liia-bench}
    cmd=${cmd#-}
    "$prefix/bin/liia-bench" $cmd --help >"$work/help.txt" || fail "'$cmd --help' failed"
    awk 'function norm(s) { sub(/^usage: /, "", s); gsub(/[ \t]+/, " ", s);
                            sub(/^ /, "", s); sub(/ $/, "", s); return s }
         FNR == NR { seen[norm($0)] = 1; next }
         norm($0) != "" && !(norm($0) in seen) { print "missing: " $0; bad = 1 }
         END { exit bad }' "$work/man.txt" "$work/help.txt" ||
      fail "$page does not carry '$cmd --help' (lines above)"
  done
}
