#!/usr/bin/env bash
# Installs the system packages motcua needs on Debian/Ubuntu, saying what it installs.
#   install-deps.sh run    - what building and starting the desktop app needs (cgo, X11, GL),
#                            and what printing needs: CUPS's lp, xdg-open and a PDF viewer
#   install-deps.sh test   - the same, plus the tools the tests use (poppler-utils for PDFs,
#                            and PostgreSQL, which the city server's suite also runs on:
#                            scripts/testpg.sh starts a throwaway cluster of it)
#   install-deps.sh windows - the MinGW cross-compiler for motcua.exe
# Packages already present are skipped; nothing is done on systems without apt-get.
set -euo pipefail

want=(gcc pkg-config libgl1-mesa-dev xorg-dev)
# Printing: "In" sends to the default printer with lp; "Xem" and the fallback open the PDF
# with xdg-open, which needs an application for PDFs (mupdf, small, when there is none) and,
# to find it without a desktop environment, the .desktop cache desktop-file-utils keeps (the
# app also starts a known PDF viewer itself when xdg-open finds none).
printing=(xdg-utils cups-client desktop-file-utils)
has_pdf_viewer() {
  command -v xdg-mime >/dev/null 2>&1 && [ -n "$(xdg-mime query default application/pdf 2>/dev/null)" ] && return 0
  for v in evince okular atril xreader zathura mupdf qpdfview; do command -v "$v" >/dev/null 2>&1 && return 0; done
  return 1
}
case "${1:-run}" in
  run) want+=("${printing[@]}"); has_pdf_viewer || want+=(mupdf) ;;
  test) want+=(poppler-utils postgresql) ;;
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
