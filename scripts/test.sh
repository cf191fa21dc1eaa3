#!/usr/bin/env bash
# The whole test suite, as CI runs it: set up, build and test the release
# build, then build and test again under AddressSanitizer + UBSan, then the
# tests of the two places with threads (the SSDA903 load's writer thread and
# the portal's server) under ThreadSanitizer, then bounded fuzzing.  What
# each stage takes and what keeps it short: docs/testing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C TZ=UTC
# The browser tests must run here, not be skipped: a build configured
# without chromium gets a portal_browser that fails under this
# (tests/portal/CMakeLists.txt); scripts/setup.sh installs chromium.
export LIIA_REQUIRE_BROWSER=1
# Each stage's wall time, so a CI log shows where the 30 minutes go.
stage() { echo "test.sh: $1 done at ${SECONDS}s" >&2; }

scripts/setup.sh default
ctest --preset default
stage default

scripts/setup.sh asan
ctest --preset asan
stage asan

# The tsan presets build and run only what has threads (CMakePresets.json).
scripts/setup.sh tsan
ctest --preset tsan
stage tsan

if [[ -x scripts/fuzz.sh ]]; then
  scripts/fuzz.sh
  stage fuzz
fi
