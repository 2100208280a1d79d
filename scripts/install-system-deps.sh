#!/usr/bin/env bash
# Install the Debian packages jiceng's tests need (PostgreSQL server, gettext,
# Chromium for the browser tests, a CJK font so pages render Chinese, Pango for PDFs).
# Safe to run again; does nothing for packages already present.
set -euo pipefail

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
# WeasyPrint (PDF reports) draws text with Pango.
ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0" || need+=(libpango-1.0-0 libpangoft2-1.0-0)
# The report tests read the PDFs back (pdffonts, pdftoppm).
command -v pdffonts >/dev/null 2>&1 || need+=(poppler-utils)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "Please install these Debian packages: ${need[*]}" >&2; exit 1
  fi
else
  SUDO=
fi
echo "Installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
