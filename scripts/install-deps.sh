#!/usr/bin/env bash
# Installs the system packages motcua needs on Debian/Ubuntu, saying what it installs.
#   install-deps.sh run    - what building and starting the desktop app needs (cgo, X11, GL)
#   install-deps.sh test   - the same, plus the tools the tests use (poppler-utils for PDFs)
#   install-deps.sh windows - the MinGW cross-compiler for motcua.exe
# Packages already present are skipped; nothing is done on systems without apt-get.
set -euo pipefail

want=(gcc pkg-config libgl1-mesa-dev xorg-dev)
case "${1:-run}" in
  run) ;;
  test) want+=(poppler-utils) ;;
  windows) want=(gcc-mingw-w64-x86-64 zip) ;;
  shots) want+=(xvfb imagemagick xdotool) ;;
  *) echo "usage: $0 run|test|windows|shots" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "motcua: missing system packages: ${missing[*]} (install them with your package manager)" >&2
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "motcua: installing system packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
