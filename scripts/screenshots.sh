#!/usr/bin/env bash
# Regenerates docs/screenshots/ from the demo's output (synthetic data):
# the PDF pack's headlines, summary and first theme page, the tartan rug
# and a funnel plot; the workbook sheet too when LibreOffice is installed.
# Usage: scripts/screenshots.sh [DEMO_OUT]   (default: runs `demo` into a
# temporary directory with build/cli/liia-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
shots=docs/screenshots
bin=${LIIA_BIN:-build/cli/liia-bench}
out=${1:-}
if [[ -z $out ]]; then
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
    "$bin" demo --out "$out/demo" >/dev/null
    out=$out/demo
fi
pdf=$out/CAM_2025-03-31_benchmark.pdf
[[ -f $pdf ]] || { echo "screenshots: no $pdf" >&2; exit 1; }

# The page of PDF (default: the pack) whose first line starts with TITLE
# (pages move as the pack grows).
page_of() { # title [pdf]
    local n f=${2:-$pdf}
    n=$(pdfinfo "$f" | awk '/^Pages:/ {print $2}')
    for ((p = 1; p <= n; p++)); do
        local first
        first=$(pdftotext -f "$p" -l "$p" "$f" - | awk 'NF {print; exit}')
        [[ $first == "$1"* ]] && { echo "$p"; return; }
    done
    echo "screenshots: no page '$1' in $f" >&2; exit 1
}
shot() { # name page
    pdftoppm -r 80 -png -singlefile -f "$2" -l "$2" "$pdf" "$shots/$1"
}
for s in "pdf_headlines:Headlines" "pdf_summary:Summary: every indicator" \
         "pdf_theme:Front door"; do
    p=$(page_of "${s#*:}")
    shot "${s%%:*}" "$p"
done
# The rug's top-left part at 1:1, drawn from its SVG by the headless
# browser scripts/setup.sh installs (the PNG is 2,600 pixels wide).
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --force-device-scale-factor=1 --window-size=1100,557 \
    --screenshot="$shots/tartan_rug.png" \
    "file://$(realpath "$out/charts/London_2025-03-31_tartan_rug.svg")" >/dev/null 2>&1
cp "$out/charts/London_2025-03-31_CLA01_funnel.png" "$shots/funnel.png"

# The workbook's first theme sheet (Front door) as LibreOffice Calc prints
# it: the workbook to PDF (its own HOME: a first run writes a profile),
# then the sheet's first page.  Not part of CI (apt-get install
# --no-install-recommends libreoffice-calc; about 2.5 minutes on 2 cores).
if command -v soffice >/dev/null; then
    tmp=$(mktemp -d)
    HOME=$tmp soffice --headless --convert-to pdf --outdir "$tmp" "${pdf%.pdf}.xlsx" \
        >/dev/null 2>&1
    xpdf=$tmp/$(basename "$pdf")
    p=$(page_of "Front door" "$xpdf")
    pdftoppm -r 60 -png -singlefile -f "$p" -l "$p" "$xpdf" "$shots/xlsx_theme_libreoffice"
    rm -rf "$tmp"
else
    echo "screenshots: soffice not installed (apt-get install --no-install-recommends" \
         "libreoffice-calc): xlsx_theme_libreoffice.png left as it was" >&2
fi
ls -l "$shots"
