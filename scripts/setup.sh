#!/usr/bin/env bash
# Installs the Debian packages liia-bench needs (when run as root and any is
# missing), then configures and builds the release binary in build/.
# Usage: scripts/setup.sh [PRESET]   (default: "default"; "asan" for sanitizers)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config git
  libsqlite3-dev sqlite3 libcsv-dev libjansson-dev libssl-dev
  libcairo2-dev libpango1.0-dev libxlsxwriter-dev
  libxml2-dev libxml2-utils   # CIN census reader; xmllint for scripts/perf.sh
  libpcre2-dev                # the rules' "matches" (JIT)
  fonts-dejavu-core
  clang libclang-rt-14-dev
  unzip poppler-utils time
  dpkg-dev file groff-base man-db   # cpack .deb (dpkg-shlibdeps), man page checks
  libsodium-dev libmicrohttpd-dev chromium chromium-driver python3-selenium
)
# npm fetches axe-core for the portal's accessibility test (tests/portal);
# a Node.js that already brings its own npm is left alone.
command -v npm >/dev/null || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: run as root, or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

preset=${1:-default}
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
