#!/usr/bin/env bash
# Installs the Debian packages Wenku needs (when run as root), or prints the one
# command that installs them. Usage: scripts/system-packages.sh [runtime|test]
set -euo pipefail

# poppler-utils repairs the PDFs only poppler reads (pdftocairo); poppler-data gives it the
# CJK character collections, without which it loses the text of CJK fonts that carry no
# Unicode map of their own.
RUNTIME="python3-venv libreoffice-writer-nogui libreoffice-impress-nogui libreoffice-calc-nogui
python3-uno fonts-noto-cjk fonts-arphic-uming fonts-arphic-ukai fonts-crosextra-carlito fonts-crosextra-caladea fonts-liberation2
bubblewrap gettext poppler-utils poppler-data"
# Tests and benchmarks also drive the anchors' tools (pdftoppm), a real browser and
# PostgreSQL's RUM index (the search backend of scale mode) and Redis (scale mode's cache);
# the page and load benchmarks drive wrk.
TEST="chromium postgresql-15-rum redis-server wrk"

want="$RUNTIME"
[ "${1:-runtime}" = "test" ] && want="$RUNTIME $TEST"

missing=()
for pkg in $want; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q || true
  $cmd
else
  echo "Wenku needs these system packages. Install them with:"
  echo "  sudo $cmd"
  exit 3
fi
