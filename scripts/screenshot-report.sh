#!/usr/bin/env bash
# Writes a tiny synthetic run folder, its report, and a headless-Chromium screenshot of
# report.html, then checks that every plot of the page was drawn (each inline <svg> has a
# non-zero size in the rendered page). Usage: scripts/screenshot-report.sh [OUT_DIR [RUN_DIR]]
# With RUN_DIR, the report of that (real) run folder is written and checked instead.
# Needs Debian's chromium (`apt-get install -y chromium`); skips with a message without it.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-${TMPDIR:-/tmp}/cvr-report-screenshot}"
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [ -z "$browser" ]; then
  echo "screenshot-report: no chromium on PATH; skipped (apt-get install -y chromium)" >&2
  exit 0
fi
mkdir -p "$out" && rm -rf "$out/run" "$out/report.png" "$out/dom.html"
if [ -n "${2:-}" ]; then
  ln -s "$(cd "$2" && pwd)" "$out/run"
  npx tsx scripts/report-fixture.ts --existing "$out/run"
else
  npx tsx scripts/report-fixture.ts "$out/run"
fi
profile="$(mktemp -d)"
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
  --disable-component-update --disable-sync --user-data-dir="$profile" --hide-scrollbars)
# The page itself reports how many of its plots were laid out with a size, and its height (a
# script run on load appends them; --dump-dom prints the document after it ran). The screenshot
# is then taken with a window as tall as the page, so that every plot is in it.
"$browser" "${flags[@]}" --window-size=1200,3000 --virtual-time-budget=2000 --dump-dom "file://$out/run/report-check.html" >"$out/dom.html" 2>/dev/null
height="$(grep -o 'page-height:[0-9][0-9]*' "$out/dom.html" | head -1 | cut -d: -f2 || true)"
height="${height:-3000}"
[ "$height" -lt 3000 ] && height=3000
[ "$height" -gt 16000 ] && height=16000
"$browser" "${flags[@]}" --window-size="1200,$height" --screenshot="$out/report.png" "file://$out/run/report.html" >/dev/null 2>&1
rm -rf "$profile"
test -s "$out/report.png" || { echo "screenshot-report: no screenshot written" >&2; exit 1; }
line="$(grep -o 'plots-drawn:[0-9][0-9]*/[0-9][0-9]*' "$out/dom.html" | head -1 || true)"
drawn="${line#plots-drawn:}"
if [ -z "$line" ] || [ "${drawn%/*}" != "${drawn#*/}" ] || [ "${drawn#*/}" = 0 ]; then
  echo "screenshot-report: not every plot was drawn (${line:-no check result})" >&2
  exit 1
fi
echo "screenshot-report: $out/report.png (${drawn%/*} of ${drawn#*/} plots drawn)"
