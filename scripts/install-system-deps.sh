#!/usr/bin/env bash
# Install the system pieces the tool needs, when missing: LibreOffice Writer and Calc (PDF and
# formula recalculation), CJK fonts (Chinese forms), poppler-utils (pdftoppm/pdffonts).
# As root it uses apt-get; otherwise it says what to install and carries on (the .docx and
# .xlsx parts work without them).
set -u
missing=()
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui libreoffice-calc-nogui)
fc-list 2>/dev/null | grep -qi "Noto Serif CJK" || missing+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -qi "Liberation Serif" || missing+=(fonts-liberation)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { echo "apt-get failed; install by hand: ${missing[*]}" >&2; exit 1; }
else
  echo "Missing system packages (PDF output and LibreOffice checks need them):" >&2
  echo "  sudo apt-get install ${missing[*]}" >&2
  echo "(macOS: brew install --cask libreoffice; brew install poppler; a CJK font such as Noto Sans CJK SC)" >&2
fi
