#!/usr/bin/env bash
# Nothing below cli/ and the server prints, exits or reads the environment
# (issue 16 item 1; the developers' guide): no library object refers to
# printf/puts/perror, stdout, exit or getenv.  Writing to a FILE * the caller
# opened (fprintf, fwrite) is allowed: it is how files are written.
# core/progress.c is the one exception: the CLI's progress line, which it
# draws on stderr only when a person is watching.
# usage: quiet_libraries.sh LIBRARY.a...
set -uo pipefail
command -v nm >/dev/null || { echo "nm (binutils) missing"; exit 77; }
banned='printf|vprintf|puts|putchar|perror|stdout|exit|_exit|_Exit|getenv|secure_getenv|system|popen'
fail=0
for lib in "$@"; do
  [[ -f $lib ]] || { echo "FAIL: no library $lib"; fail=1; continue; }
  # nm -A: "lib.a:object.o:  U symbol"
  hits=$(nm -A "$lib" | awk 'NF >= 3 && $(NF-1) == "U" { print $1, $NF }' |
         grep -E " ($banned|stderr)$" | grep -v "^[^ ]*:progress\.c\.o: stderr$")
  if [[ -n $hits ]]; then
    echo "FAIL: $(basename "$lib") refers to what only cli/ and the server may use:"
    sed 's/^/  /' <<<"$hits"
    fail=1
  fi
done
n=$(nm -A "$@" | awk 'NF >= 3 && $(NF-1) == "U"' | wc -l)
(( n > 100 )) || { echo "FAIL: only $n undefined symbols read: nm output not understood"; fail=1; }
(( fail == 0 )) && echo "quiet_libraries: $# libraries, $n references, none prints, exits or reads the environment"
exit $fail
