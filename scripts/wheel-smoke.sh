#!/usr/bin/env bash
# Wheel smoke test (CI, after `make test`): build the wheel, install it into a fresh virtualenv
# and, from a folder outside the repository, run the main commands on the sample registers:
# init --sample, check, render --pdf of one form, audit-pack of one month, verify.
# It proves the installed package finds its templates and macros without a clone.
# Dependencies come from the index pip is configured with (the same one `make setup` uses).
# Usage: scripts/wheel-smoke.sh [python]     (default python3; KEEP=1 keeps the work folder)
set -euo pipefail
PYTHON=${1:-python3}
REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/aftersales-wheel.XXXXXX")
[ "${KEEP:-0}" = "1" ] || trap 'rm -rf "$WORK"' EXIT
unset PYTHONPATH
start=$(date +%s)
quiet_pip() { "$@" 2> >(grep -v "^WARNING: Location" >&2); }   # pip.conf may list absent mirrors
step() { echo "== $* ($(( $(date +%s) - start )) s)"; }

step "build the wheel"
"$PYTHON" -m venv "$WORK/build-venv"
quiet_pip "$WORK/build-venv/bin/pip" install --quiet build
"$WORK/build-venv/bin/python" -m build --outdir "$WORK/dist" "$REPO" >"$WORK/build.log" 2>&1 \
  || { cat "$WORK/build.log"; exit 1; }
wheel=$(ls "$WORK"/dist/aftersales-*.whl)
"$PYTHON" -c 'import sys, zipfile; names = set(zipfile.ZipFile(sys.argv[1]).namelist())
assert {"generator/templates/repair_record_tpl.docx", "generator/macros/AfterSales.bas"} <= names' "$wheel"

step "install $(basename "$wheel") into a fresh venv"
"$PYTHON" -m venv "$WORK/venv"
quiet_pip "$WORK/venv/bin/pip" install --quiet "$wheel"
A="$WORK/venv/bin/aftersales"
cd "$WORK"        # outside the repository: nothing may come from the clone
"$WORK/venv/bin/python" - <<'EOF'
import sys
import generator
assert "site-packages" in generator.__file__, generator.__file__
import generator.cli  # noqa: F401  (every command module)
assert "xlwings" not in sys.modules, "the base install must not import xlwings"
EOF
"$A" --version
step "init --sample"
"$A" init regs --sample >/dev/null
step "check"
"$A" check regs --today 2026-06-30 --json >check.json || [ $? -eq 1 ]   # exit 1 means findings
step "render --pdf"
"$A" render regs --form repair_record --number KF250701 --out forms --pdf --silent --today 2026-07-01
ls forms/*.pdf >/dev/null
step "audit-pack of one month (complaints: keeps the smoke test short)"
"$A" audit-pack regs --from 2026-03-01 --to 2026-03-31 --registers complaints --out pack.zip --silent
step "verify"
"$A" verify pack.zip
step "the pack's check.xlsx and manifest.xlsx print on few A4 pages (LibreOffice)"
mkdir print
"$WORK/venv/bin/python" -c 'import zipfile; z = zipfile.ZipFile("pack.zip")
for n in ("check.xlsx", "manifest.xlsx"): open(f"print/{n}", "wb").write(z.read(n))'
soffice -env:UserInstallation="file://$WORK/lo-profile" --headless --convert-to pdf --outdir print \
  print/check.xlsx print/manifest.xlsx >/dev/null 2>&1
"$WORK/venv/bin/python" - <<'PY'
import openpyxl, pypdf
for name in ("check", "manifest"):
    wb = openpyxl.load_workbook(f"print/{name}.xlsx", read_only=True)
    rows = sum(max(ws.max_row - 1, 0) for ws in wb.worksheets)
    pages = len(pypdf.PdfReader(f"print/{name}.pdf").pages)
    limit = len(wb.worksheets) + rows // 20     # a page per sheet, then at least 20 rows a page
    print(f"   {name}.xlsx: {rows} rows on {pages} pages (at most {limit})")
    assert pages <= limit, f"{name}.xlsx prints on {pages} pages"
PY
step "init --macros (finds the shipped macros)"
"$A" init macro-regs --macros >/dev/null
ls macro-regs/*.xlsm >/dev/null
step "wheel smoke test passed"
