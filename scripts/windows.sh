#!/usr/bin/env bash
# Windows builds and release archives, with Debian's MinGW toolchain (gcc-mingw-w64-x86-64,
# installed by `./scripts/install-deps.sh windows`).
#
#   scripts/windows.sh [build]   bin/motcua.exe (GUI subsystem, icon, version information,
#                                manifest) and bin/motcua-central.exe (a console program)
#   scripts/windows.sh package   dist/motcua-VERSION-linux-amd64.tar.gz from bin/ (make build
#                                first), and dist/motcua-VERSION-windows-amd64.zip when the
#                                MinGW toolchain is installed
#
# VERSION (default: git describe) goes into the binaries and the archive names. The Windows
# resource (.syso) is made with windres from the same toolchain and removed after the build.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
TAGS=migrated_fynedo,no_emoji
CC_WIN=x86_64-w64-mingw32-gcc
WINDRES=x86_64-w64-mingw32-windres
SYSO=cmd/motcua/rsrc_windows_amd64.syso

have_mingw() { command -v "$CC_WIN" >/dev/null 2>&1 && command -v "$WINDRES" >/dev/null 2>&1; }

# numeric_version prints the a.b.c.d that VERSIONINFO needs: from a tag (v1.2.3, v1.2.3-4-gabcdef
# gives 1.2.3.4), else FyneApp.toml's Version and Build.
numeric_version() {
  if [[ $VERSION =~ ^v?([0-9]+)\.([0-9]+)\.([0-9]+)(-([0-9]+)-g)? ]]; then
    echo "${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.${BASH_REMATCH[3]}.${BASH_REMATCH[5]:-0}"
    return
  fi
  local v b
  v=$(sed -n 's/^Version *= *"\([0-9.]*\)".*/\1/p' FyneApp.toml | head -1)
  b=$(sed -n 's/^Build *= *\([0-9]*\).*/\1/p' FyneApp.toml | head -1)
  IFS=. read -r x y z _ <<<"${v:-0.0.0}"
  echo "${x:-0}.${y:-0}.${z:-0}.${b:-0}"
}

# make_syso writes the resource: the icon, version information and the application manifest.
make_syso() {
  local work=$1 num comma year
  num=$(numeric_version)
  comma=${num//./,}
  year=$(date +%Y)
  "$GO" run ./internal/icongen -ico "$work/motcua.ico"
  cat >"$work/motcua.exe.manifest" <<EOF
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<assembly xmlns="urn:schemas-microsoft-com:asm.v1" manifestVersion="1.0">
  <assemblyIdentity type="win32" name="vn.motcua.counter" version="$num" processorArchitecture="amd64"/>
  <description>motcua</description>
  <trustInfo xmlns="urn:schemas-microsoft-com:asm.v3">
    <security><requestedPrivileges><requestedExecutionLevel level="asInvoker" uiAccess="false"/></requestedPrivileges></security>
  </trustInfo>
  <compatibility xmlns="urn:schemas-microsoft-com:compatibility.v1">
    <application><supportedOS Id="{8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a}"/></application>
  </compatibility>
  <application xmlns="urn:schemas-microsoft-com:asm.v3">
    <windowsSettings>
      <dpiAware xmlns="http://schemas.microsoft.com/SMI/2005/WindowsSettings">true/pm</dpiAware>
      <dpiAwareness xmlns="http://schemas.microsoft.com/SMI/2016/WindowsSettings">permonitorv2,permonitor</dpiAwareness>
      <longPathAware xmlns="http://schemas.microsoft.com/SMI/2016/WindowsSettings">true</longPathAware>
    </windowsSettings>
  </application>
  <dependency>
    <dependentAssembly>
      <assemblyIdentity type="win32" name="Microsoft.Windows.Common-Controls" version="6.0.0.0" processorArchitecture="*" publicKeyToken="6595b64144ccf1df" language="*"/>
    </dependentAssembly>
  </dependency>
</assembly>
EOF
  # Strings are UTF-8 (-c 65001); 0x042A is Vietnamese, 1200 is UTF-16. Explorer shows the
  # first icon group; GLFW (under Fyne) gives its windows the one named GLFW_ICON.
  cat >"$work/motcua.rc" <<EOF
1 ICON "motcua.ico"
GLFW_ICON ICON "motcua.ico"
1 24 "motcua.exe.manifest"
1 VERSIONINFO
FILEVERSION $comma
PRODUCTVERSION $comma
FILEFLAGSMASK 0x3f
FILEFLAGS 0x0
FILEOS 0x40004
FILETYPE 0x1
FILESUBTYPE 0x0
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "042a04b0"
    BEGIN
      VALUE "CompanyName", "motcua"
      VALUE "FileDescription", "Một cửa – tiếp nhận và trả kết quả hồ sơ hành chính"
      VALUE "FileVersion", "$VERSION"
      VALUE "InternalName", "motcua"
      VALUE "LegalCopyright", "© $year motcua"
      VALUE "OriginalFilename", "motcua.exe"
      VALUE "ProductName", "motcua"
      VALUE "ProductVersion", "$VERSION"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x042a, 1200
  END
END
EOF
  (cd "$work" && "$WINDRES" -c 65001 -O coff -i motcua.rc -o rsrc.syso)
  cp "$work/rsrc.syso" "$SYSO"
}

build() {
  if ! have_mingw; then
    echo "motcua: $CC_WIN not found; run ./scripts/install-deps.sh windows" >&2
    exit 1
  fi
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK" "$SYSO"' EXIT
  make_syso "$WORK"
  mkdir -p bin
  echo "motcua: building bin/motcua.exe $VERSION (the first build compiles the C parts of Fyne: minutes)"
  CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=$CC_WIN "$GO" build -trimpath -tags "$TAGS" \
    -ldflags "-H=windowsgui -X motcua/internal/version.Version=$VERSION" -o bin/motcua.exe ./cmd/motcua
  if [ -d cmd/motcua-central ]; then
    # The server has no UI and no cgo: a plain console program.
    CGO_ENABLED=0 GOOS=windows GOARCH=amd64 "$GO" build -trimpath -tags "$TAGS" \
      -ldflags "-X motcua/internal/version.Version=$VERSION" -o bin/motcua-central.exe ./cmd/motcua-central
  fi
  rm -f "$SYSO"
  ls -l bin/*.exe
}

# stage copies the release files into dist/NAME.
stage() {
  local name=$1
  shift
  rm -rf "dist/$name"
  mkdir -p "dist/$name"
  cp "$@" "dist/$name/"
  for f in README.md LICENSE LICENSE.txt COPYING; do
    [ -f "$f" ] && cp "$f" "dist/$name/"
  done
  return 0
}

package() {
  mkdir -p dist
  local linux=motcua-$VERSION-linux-amd64
  local files=(bin/motcua)
  [ -f bin/motcua-central ] && files+=(bin/motcua-central)
  [ -f bin/motcua ] || { echo "motcua: bin/motcua missing; run make build first" >&2; exit 1; }
  stage "$linux" "${files[@]}"
  cp assets/icon.png "dist/$linux/motcua.png"
  cat >"dist/$linux/motcua.desktop" <<'EOF'
[Desktop Entry]
Type=Application
Name=Một cửa (motcua)
Comment=Tiếp nhận và trả kết quả hồ sơ hành chính
Exec=motcua
Icon=motcua
Terminal=false
Categories=Office;
EOF
  tar -C dist -czf "dist/$linux.tar.gz" "$linux"
  rm -rf "dist/$linux"
  echo "motcua: dist/$linux.tar.gz"

  if ! have_mingw; then
    echo "motcua: MinGW toolchain not installed: no Windows archive (./scripts/install-deps.sh windows)"
    return 0
  fi
  build
  local win=motcua-$VERSION-windows-amd64
  files=(bin/motcua.exe)
  [ -f bin/motcua-central.exe ] && files+=(bin/motcua-central.exe)
  stage "$win" "${files[@]}"
  rm -f "dist/$win.zip"
  if command -v zip >/dev/null 2>&1; then
    (cd dist && zip -qr "$win.zip" "$win")
  else
    (cd dist && python3 -m zipfile -c "$win.zip" "$win")
  fi
  rm -rf "dist/$win"
  echo "motcua: dist/$win.zip"
}

case "${1:-build}" in
  build) build ;;
  package) package ;;
  *) echo "usage: $0 [build|package]" >&2; exit 2 ;;
esac
