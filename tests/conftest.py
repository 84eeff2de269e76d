"""Shared fixtures: register folders, hand-made workbooks, LibreOffice conversion."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from generator.registers.setup import init_registers

SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None and not os.environ.get("CI"), reason="LibreOffice not installed")


# Folders are initialised once per session (seconds each) and copied per test (milliseconds).

@pytest.fixture(scope="session")
def empty_dir_session(tmp_path_factory) -> Path:
    """Empty registers and the default policy, shared: copy before changing anything."""
    d = tmp_path_factory.mktemp("empty") / "registers"
    init_registers(d)
    return d


@pytest.fixture
def empty_registers(empty_dir_session, tmp_path) -> Path:
    """A private folder of empty registers and the default policy (tests may edit it)."""
    return copy_registers(empty_dir_session, tmp_path / "registers")


@pytest.fixture(scope="session")
def sample_dir_session(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("sample") / "registers"
    init_registers(d, sample=True)
    return d


@pytest.fixture
def sample_dir(sample_dir_session, tmp_path) -> Path:
    """A private copy of the sample year (tests may edit it)."""
    return copy_registers(sample_dir_session, tmp_path / "registers")


def copy_registers(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    return dest


def write_rows(path: Path, sheet: str, rows: list[list], *, keep_other: bool = True) -> None:
    """Replace one sheet's cells with rows (header first) in an existing or new workbook."""
    if path.exists():
        wb = openpyxl.load_workbook(path)
        if sheet in wb.sheetnames:
            idx = wb.sheetnames.index(sheet)
            del wb[sheet]
            ws = wb.create_sheet(sheet, idx)
        else:
            ws = wb.create_sheet(sheet)
    else:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = sheet
    for r in rows:
        ws.append(r)
    wb.save(path)


def put_rows(path: Path, sheet: str, rows: dict[int, dict]) -> None:
    """Type values into a register sheet by header, as a user would (layout and macros kept)."""
    wb = openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm")
    ws = wb[sheet]
    headers = {c.value: c.column for c in ws[1]}
    for r, values in rows.items():
        for header, v in values.items():
            ws.cell(row=r, column=headers[header], value=v)
    wb.save(path)


def soffice_convert(src: Path, fmt: str, outdir: Path) -> Path:
    """Convert with LibreOffice headless in a private profile; returns the output file."""
    return soffice_convert_all([src], fmt, outdir)[0]


def soffice_convert_all(srcs: list[Path], fmt: str, outdir: Path) -> list[Path]:
    """Convert several files in one LibreOffice start (seconds each); returns the outputs in order."""
    profile = outdir / "lo-profile"
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [SOFFICE or "soffice", f"-env:UserInstallation=file://{profile}", "--headless",
         "--convert-to", fmt, "--outdir", str(outdir), *map(str, srcs)],
        check=True, capture_output=True, timeout=180,
    )
    outs = [outdir / (src.stem + "." + fmt.split(":")[0]) for src in srcs]
    for src, out in zip(srcs, outs):
        assert out.exists(), f"LibreOffice did not convert {src}"
    return outs


FAKE_SOFFICE = """
import re, sys, zipfile
from pathlib import Path
import pikepdf
args, out, n = sys.argv[1:], None, 0
for prev, a in zip(args, args[1:]):
    if prev == "--outdir":
        out = Path(a)
for a in args:
    if not a.endswith(".docx"):
        continue
    n += 1
    if not MAKES or n > PER_CALL:
        continue
    try:   # a composed document: one page per section, its bookmark a destination on it
        names = re.findall(rb'w:name="(AsEnd\\d+s\\d+)"', zipfile.ZipFile(a).read("word/document.xml"))
    except (OSError, KeyError, zipfile.BadZipFile):
        names = []
    with pikepdf.new() as pdf:
        for m in names or [b""]:
            pdf.add_blank_page()
            pdf.pages[-1].obj.Contents = pdf.make_stream(b"% " + Path(a).stem.encode() + b" " + m)   # says which page
        pdf.Root.Dests = pikepdf.Dictionary({"/" + m.decode(): pikepdf.Array([pdf.pages[i].obj, pikepdf.Name.Fit])
                                             for i, m in enumerate(names)})
        pdf.save(out / (Path(a).stem + ".pdf"))
"""


def fake_soffice(folder: Path, makes_pdfs: bool, per_call: int = 10**6) -> str:
    """A stand-in soffice (set through AFTERSALES_SOFFICE) for tests about what is done with the
    PDFs, not about LibreOffice: it exits 0 at once and writes a PDF for the first ``per_call``
    .docx inputs of each call, or for none: one blank page per section of a composed document
    (with its page-range destination, as LibreOffice exports it), else one blank page."""
    script = folder / f"soffice{per_call}{makes_pdfs}"
    body = FAKE_SOFFICE.replace("MAKES", str(makes_pdfs)).replace("PER_CALL", str(per_call))
    script.write_text(f"#!{sys.executable}\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


@pytest.fixture
def day():
    return dt.date
