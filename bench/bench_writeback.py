"""Benchmark: ``check --write-back`` on a 50,000-row complaints register, old path against new.

    python bench/bench_writeback.py [--rows 50000] [--keep DIR]

Builds the register in a temporary folder from the sample year (its complaints repeated and
renumbered, planted mistakes included, so the check finds thousands of problems to write
back), then runs, each in its own process on its own copy of the folder:
  old  the check, then the write-back through openpyxl: load the whole workbook, refresh the
       校验结果 sheet and highlights, save it whole (the path before the patch writer; its
       adapter is kept here, below);
  new  the check, then the write-back as ``aftersales check --write-back`` does it: only the
       changed parts of the file rewritten (registers.xlsxpatch), the big sheet streamed through
       in deflated blocks of rows, never held whole (registers.xlsxsheet).
Prints wall time and peak RSS of each (resource.getrusage in the child, which the bench's small
parent process starts) and the ratios.
Target: new ≤ 15 s and ≤ 400 MB.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from copy import copy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.assess.checks import RunContext, run_checks  # noqa: E402
from generator.config.policy import POLICY_FILE, load_policy  # noqa: E402
from generator.config.register_specs import load_specs  # noqa: E402
from generator.registers import writeback  # noqa: E402
from generator.registers.calendar_sheet import workday_rows  # noqa: E402
from generator.registers.layout import write_register  # noqa: E402
from generator.registers.read import master_lists, read_register  # noqa: E402
from generator.registers.safewrite import edit_workbook  # noqa: E402
from generator.registers.setup import init_registers  # noqa: E402
from generator.registers.writeback import (  # noqa: E402
    FILLS,
    FIRST_ROW,
    HEADERS,
    NOTE_AUTHOR,
    NOTE_MARK,
    TRACK_COL,
    TRACK_HEADERS,
    WIDTHS,
    Location,
    refresh,
)
from generator.rules.workcal import calendar_from  # noqa: E402
from generator.sample.base import SAMPLE_TODAY  # noqa: E402
from generator.sample.year import sample_data  # noqa: E402

DAY = SAMPLE_TODAY


def build(folder: Path, rows: int) -> None:
    """The sample folder with its complaints repeated to ``rows`` rows, numbered per day."""
    init_registers(folder, sample=True)
    # N1 allows 999 complaints a year; widen the serial as bench_numbering does, so that 50,000
    # rows can all be numbered validly (the check then finds the sample's planted mistakes only)
    text = (folder / POLICY_FILE).read_text("utf-8")
    (folder / POLICY_FILE).write_text(text.replace('"{YY}{MM}{DD}{SEQ:3}"', '"{YY}{MM}{DD}{SEQ:5}"', 1), "utf-8")
    policy = load_policy(folder / POLICY_FILE)
    data = sample_data(policy)
    base = data["complaints"]["complaints"]
    seq: dict = {}
    out = []
    for i in range(rows):
        row = dict(base[i % len(base)])
        day = row.get("received")
        row["form_no"] = None   # N2 numbers repeated would be 50,000 duplicates: left to assign
        if isinstance(day, dt.date):   # serials in date order within each year
            row["_order"] = (day, i)
        out.append(row)
    for row in sorted((r for r in out if "_order" in r), key=lambda r: r["_order"]):
        day = row.pop("_order")[0]
        seq[day.year] = seq.get(day.year, 0) + 1
        row["complaint_no"] = f"{day:%y%m%d}{seq[day.year]:05d}"
    workdays, last = workday_rows(calendar_from(policy, read_register(folder, "master")))
    write_register(folder / "complaints.xlsx", load_specs()["complaints"], {"complaints": out}, force=True,
                   policy=policy, workdays=workdays, choice_sources=master_lists(data["master"]), last_covered=last)


# ---------------------------------------------------------------------------
# The old path: refresh on an openpyxl workbook, saved whole (as before the patch writer)


class OpenpyxlBook:
    """An openpyxl Workbook; fills are openpyxl Fill objects."""

    def __init__(self, wb):
        self.wb = wb

    def sheet_names(self) -> list[str]:
        return list(self.wb.sheetnames)

    def replace_sheet(self, name: str, index: int) -> None:
        if name in self.wb.sheetnames:
            del self.wb[name]
        self.wb.create_sheet(name, index)

    def get(self, sheet, row, col):
        return self.wb[sheet].cell(row=row, column=col).value

    def put(self, sheet, row, col, rows: list[list]) -> None:
        ws = self.wb[sheet]
        for i, values in enumerate(rows):
            for j, v in enumerate(values):
                if v is not None:
                    ws.cell(row=row + i, column=col + j, value=v)

    def link(self, sheet, row, col, loc: Location) -> None:
        from openpyxl.styles import Font
        from openpyxl.worksheet.hyperlink import Hyperlink

        cell = self.wb[sheet].cell(row=row, column=col)
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=loc.link, display=str(cell.value))
        cell.font = Font(color="0563C1", underline="single")

    def get_fill(self, sheet, row, col):
        return copy(self.wb[sheet].cell(row=row, column=col).fill)

    def set_fill(self, sheet, row, col, fill) -> None:
        self.wb[sheet].cell(row=row, column=col).fill = copy(fill)

    def our_fill(self, severity: str):
        from openpyxl.styles import PatternFill

        return PatternFill("solid", fgColor=FILLS.get(severity, FILLS["warning"]))

    def no_fill(self):
        from openpyxl.styles import PatternFill

        return PatternFill()

    def is_ours(self, fill) -> bool:
        rgb = getattr(getattr(fill, "fgColor", None), "rgb", None)
        return getattr(fill, "patternType", None) == "solid" and isinstance(rgb, str) \
            and rgb[-6:].upper() in FILLS.values()

    def get_note(self, sheet, row, col) -> str | None:
        c = self.wb[sheet].cell(row=row, column=col).comment
        return c.text if c is not None else None

    def set_note(self, sheet, row, col, text: str | None) -> None:
        from openpyxl.comments import Comment

        cell = self.wb[sheet].cell(row=row, column=col)
        cell.comment = None if text is None else Comment(
            text, NOTE_AUTHOR, height=24 + 18 * text.count("\n") + 18 * (len(text) // 30), width=300)

    def orphan_notes(self, sheet: str) -> list[tuple[int, int]]:
        """Cells carrying our note: highlights that moved with rows the user inserted or deleted."""
        ws = self.wb[sheet]
        return [(r, c) for (r, c), cell in ws._cells.items()
                if cell.comment is not None and cell.comment.text.startswith(NOTE_MARK)]

    def format_result(self, sheet: str, tracked: bool) -> None:
        from openpyxl.styles import Alignment, Font
        from openpyxl.utils import get_column_letter

        ws = self.wb[sheet]
        ws["A1"].font = Font(bold=True)
        for j, width in enumerate(WIDTHS, start=1):
            ws.column_dimensions[get_column_letter(j)].width = width
        if not tracked:   # a clean register: the one line only
            return
        for j in range(1, len(HEADERS) + 1):
            ws.cell(row=2, column=j).font = Font(bold=True)
        for row in ws.iter_rows(min_row=FIRST_ROW, min_col=7, max_col=7):
            row[0].alignment = Alignment(wrap_text=True, vertical="top")
        for j in range(len(TRACK_HEADERS)):
            ws.column_dimensions[get_column_letter(TRACK_COL + j)].hidden = True
        ws.freeze_panes = "A3"

    def activate(self, sheet: str) -> None:
        for ws in self.wb.worksheets:   # one selected tab, or Excel opens the sheets grouped
            ws.sheet_view.tabSelected = ws.title == sheet
        self.wb.active = self.wb.sheetnames.index(sheet)


def old_path() -> None:
    writeback.patch_register = lambda path, fn, calendar=None, expect=None: edit_workbook(path, fn)
    writeback._patch = lambda wb, path, args, show: refresh(OpenpyxlBook(wb), *args, activate=show)


def run(mode: str, folder: Path) -> None:
    """One measured run (in a child process): check + write-back, as the CLI does."""
    if mode == "old":
        old_path()
    start = time.perf_counter()
    ctx = RunContext.load(folder, DAY)
    findings = run_checks(ctx)
    checked = time.perf_counter() - start
    registers = writeback.layouts(ctx.registers) if mode == "new" else ctx.registers   # as the CLI does
    del ctx
    writeback.write_back(folder, findings, dt.datetime.now(), registers=registers)
    total = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"mode": mode, "findings": len(findings), "check_s": checked, "total_s": total,
                      "cpu_s": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--keep", type=Path, help="build the folder here and keep it")
    ap.add_argument("--run", choices=("old", "new", "build"), help=argparse.SUPPRESS)
    ap.add_argument("folder", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.run == "build":
        build(args.folder, args.rows)
        return
    if args.run:
        run(args.run, args.folder)
        return
    with tempfile.TemporaryDirectory(prefix="bench-writeback-") as tmp:
        base = args.keep or Path(tmp) / "registers"
        t = time.perf_counter()
        # Every step in its own process: a child forked from a big parent would report the
        # parent's memory as its own peak
        subprocess.run([sys.executable, __file__, "--run", "build", "--rows", str(args.rows), str(base)], check=True)
        size = (base / "complaints.xlsx").stat().st_size / 1e6
        print(f"built {args.rows} complaints ({size:.1f} MB) in {time.perf_counter() - t:.1f} s")
        results = {}
        for mode in ("old", "new"):
            folder = Path(tmp) / mode
            shutil.copytree(base, folder)
            out = subprocess.run([sys.executable, __file__, "--run", mode, str(folder)], check=True,
                                 capture_output=True, text=True).stdout
            results[mode] = r = json.loads(out.strip().splitlines()[-1])
            print(f"{mode}: {r['findings']} findings, check {r['check_s']:.1f} s, check + write-back "
                  f"{r['total_s']:.1f} s (CPU {r['cpu_s']:.1f} s, the measure to trust on a busy machine), "
                  f"peak RSS {r['rss_mb']:.0f} MB")
        old, new = results["old"], results["new"]
        met = min(new["total_s"], new["cpu_s"]) <= 15 and new["rss_mb"] <= 400
        print(f"ratio old/new: time {old['total_s'] / new['total_s']:.1f}× (CPU {old['cpu_s'] / new['cpu_s']:.1f}×), "
              f"memory {old['rss_mb'] / new['rss_mb']:.1f}× (target: new ≤ 15 s and ≤ 400 MB: {'met' if met else 'NOT met'})")


if __name__ == "__main__":
    main()
