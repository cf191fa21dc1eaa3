#!/usr/bin/env bash
# The whole test suite, as CI runs it: set up, build and test the release
# build, then build and test again under AddressSanitizer + UBSan, then the
# SSDA903 tests (the one place with threads) under ThreadSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C TZ=UTC
# Each stage's wall time, so a CI log shows where the 30 minutes go.
stage() { echo "test.sh: $1 done at ${SECONDS}s" >&2; }

scripts/setup.sh default
ctest --preset default
stage default

scripts/setup.sh asan
ctest --preset asan
stage asan

scripts/setup.sh tsan
ctest --preset tsan
ctest --preset tsan -R '^portal_(app|users|concurrent)$'  # the portal's threads (docs/portal.md)
stage tsan

if [[ -x scripts/fuzz.sh ]]; then
  scripts/fuzz.sh
  stage fuzz
fi
