#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time (FUZZ_SECONDS each;
# by default FUZZ_BUDGET seconds, 140, shared out with at least 15 each,
# so that fuzzing stays near two and a half minutes of CI's 30 as targets
# are added: the other stages took 1,551 s of a fresh clone's 1,790 s)
# under ASan + UBSan, starting from its seed corpus in tests/fuzz/corpus/.
# A crash fails the run; keep the input under tests/fuzz/corpus/<target>/
# as a regression (replayed by ctest in every build).
set -euo pipefail
cd "$(dirname "$0")/.."
targets=$(ls tests/fuzz/fuzz_*.c | wc -l)
budget=${FUZZ_BUDGET:-140}
share=$(( budget / targets ))
seconds=${FUZZ_SECONDS:-$(( share < 15 ? 15 : share ))}
build=${FUZZ_BUILD:-build-fuzz}
# -O1 as libFuzzer and ASan advise: several times the runs per second of -O0
# in the same budget; asserts stay on (Debug).
CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DLIIA_FUZZ=ON \
  -DCMAKE_C_FLAGS_DEBUG="-g -O1" -DLIIA_SANITIZE=ON -DBUILD_TESTING=ON >/dev/null
cmake --build "$build" -j2 --target $(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//' | tr '\n' ' ') >/dev/null
export LIIA_SCHEMAS=$PWD/schemas
status=0
for src in tests/fuzz/fuzz_*.c; do
  name=$(basename "$src" .c)
  corpus=tests/fuzz/corpus/${name#fuzz_}
  work=$(mktemp -d)
  echo "fuzz: $name for ${seconds}s"
  if ! "$build/tests/fuzz/$name" -max_total_time="$seconds" -timeout=10 \
       -rss_limit_mb=2048 -max_len=65536 -artifact_prefix="$work/" \
       "$work" "$corpus" >"$work/log" 2>&1; then
    # Keep the reproducers: the work directory goes below.
    kept=$build/fuzz-artifacts/$name
    mkdir -p "$kept"
    cp "$work"/crash-* "$work"/timeout-* "$work"/leak-* "$work"/oom-* "$kept"/ 2>/dev/null || true
    echo "fuzz: $name FAILED; reproducer(s) kept in $kept:" >&2
    ls "$kept" >&2
    tail -40 "$work/log" >&2
    status=1
  else
    grep -E "^#[0-9]+.*DONE|Done [0-9]+ runs" "$work/log" | tail -1 || true
  fi
  rm -rf "$work"
done
exit $status
