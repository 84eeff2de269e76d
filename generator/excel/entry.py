"""Package side of the Excel buttons (macros/aftersales_macros.py calls these).

Each function takes the register workbook the button was pressed in: a path (tests,
scripts) or a live xlwings Book (inside Excel). A live book is saved first, because the
registers are read from disk; what is written back goes through Excel itself, since Excel
holds the file open. Results are plain values; showing them is the caller's business.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from generator.assess.checks import RunContext, run_checks
from generator.assess.clocks import overdue_cases
from generator.config.form_specs import load_forms
from generator.config.register_specs import load_specs
from generator.core.errors import UserError
from generator.core.findings import counts
from generator.registers.numbers import load_numbered, write_numbers
from generator.registers.read import read_all
from generator.registers.writeback import RESULT_SHEET, write_back
from generator.rules.numbering import assign_numbers as allocate

FORMS_DIR = "表单"          # forms land here, beside the registers
OPEN_AT_MOST = 5             # more files than this: open their folder instead


@dataclass
class Caller:
    path: Path
    book: object = None      # xlwings Book when the button runs inside Excel

    @property
    def directory(self) -> Path:
        return self.path.parent


def caller(workbook) -> Caller:
    if isinstance(workbook, (str, os.PathLike)):
        path = Path(workbook)
        if not path.exists():
            raise UserError(f"找不到台账文件 {path}")
        return Caller(path)
    if hasattr(workbook, "fullname") and hasattr(workbook, "sheets"):
        workbook.save()   # the checks read the file: include the user's latest typing
        return Caller(Path(workbook.fullname), workbook)
    raise TypeError(f"expected a workbook path or an xlwings Book, got {type(workbook).__name__}")


def open_books(c: Caller) -> dict[Path, object]:
    """Register workbooks of the caller's folder open in the same Excel (saved first)."""
    if c.book is None:
        return {}
    books = {}
    for b in c.book.app.books:
        p = Path(b.fullname)
        if p.parent == c.directory and p.suffix.lower() in (".xlsx", ".xlsm"):
            if p != c.path:
                b.save()
            books[p] = b
    return books


def register_spec(path: Path):
    """The register a workbook file holds, by its file name (complaints.xlsm -> complaints)."""

    for spec in load_specs().values():
        if Path(spec.workbook).stem.lower() == path.stem.lower():
            return spec
    names = "、".join(s.workbook for s in load_specs().values())
    raise UserError(f"{path.name} 不是台账工作簿（台账文件名应为 {names} 之一）")


def _context(directory: Path, today: dt.date | None):
    return RunContext.load(directory, today or dt.date.today())


# ---------------------------------------------------------------------------
# 校验


def check(workbook, *, today: dt.date | None = None, now: dt.datetime | None = None) -> dict:
    """Check every register of the workbook's folder, write the findings back into each
    workbook (校验结果 sheet, highlighted cells) and show 校验结果 in the caller's."""

    c = caller(workbook)
    spec = register_spec(c.path)
    live = open_books(c)
    ctx = _context(c.directory, today)
    findings = run_checks(ctx)
    written = write_back(c.directory, findings, now or dt.datetime.now(), registers=ctx.registers,
                         live=live, activate=c.path)
    own = [f for f in findings if f.register == spec.id]
    return {"counts": counts(findings), "own": counts(own), "written": written, "sheet": RESULT_SHEET}


# ---------------------------------------------------------------------------
# 分配编号


def assign_numbers(workbook) -> dict[str, dict[int, str]]:
    """Fill the empty number cells of the workbook's numbered sheets, in date order.
    Returns {sheet name: {Excel row: number}} of what was written (a further numbered column
    of a sheet, such as the N2 处理表编号, under "sheet name·header")."""

    c = caller(workbook)
    spec = register_spec(c.path)
    out: dict[str, dict[int, str]] = {}
    for sheet in (view for s in spec.sheets for view in s.numbered()):
        own = sheet.number == spec.sheet(sheet.key).number   # else a further numbered column (N2)
        n = load_numbered(c.directory, spec.id, sheet.key if own else sheet.number)
        numbers = allocate(n.entries, n.rule, rule_id=n.rule_id)
        if not numbers:
            continue
        if c.book is None:
            write_numbers(n, numbers)
        else:
            col = n.register.tables[sheet.key].columns[sheet.number]
            ws = c.book.sheets[sheet.name]
            for row, number in numbers.items():
                cell = ws.range((row, col))
                cell.number_format = "@"   # text, so leading zeros stay
                cell.value = number
        out[sheet.name if own else f"{sheet.name}·{sheet.column(sheet.number).header}"] = numbers
    return out


# ---------------------------------------------------------------------------
# 生成表单


_CELL = re.compile(r"\$?[A-Z]{0,3}\$?(\d+)(?::\$?[A-Z]{0,3}\$?(\d+))?$")


def rows_from_address(address: str) -> list[int]:
    """Excel rows covered by a selection address such as "$A$3:$C$5,$E$8" or "$4:$6"."""
    rows: set[int] = set()
    for part in address.split(","):
        part = part.split("!")[-1].strip()
        m = _CELL.match(part)
        if not m:
            raise UserError(f"无法识别选中的区域 {part}（请选中台账中的若干行）")
        first = int(m.group(1))
        rows.update(range(first, int(m.group(2) or first) + 1))
    return sorted(rows)


def selection(c: Caller) -> tuple[str, list[int]]:
    sel = c.book.selection
    if sel is None:
        raise UserError("请先在台账中选中要填写表单的行")
    return sel.sheet.name, rows_from_address(sel.address)


def record_forms(register_id: str, sheet_key: str, directory: Path | None = None) -> list:
    return [f for f in load_forms(directory).values()
            if f.kind == "record" and f.register == register_id and f.sheet == sheet_key]


def render_selected(workbook, rows: list[int] | None = None, *, sheet: str | None = None,
                    out: Path | None = None, today: dt.date | None = None) -> list[Path]:
    """Word forms for the selected rows (live book) or the given rows: every record form of
    that sheet that applies to them, written to 表单/ beside the registers."""
    # deferred: docxtpl loads only when forms are rendered
    from generator.documents.batch import render_forms
    from generator.documents.subjects import (  # deferred with the line above
        FormData,
        subjects,
    )

    c = caller(workbook)
    spec = register_spec(c.path)
    if rows is None:
        if c.book is None:
            raise UserError("请指定要填写表单的行号")
        sheet, rows = selection(c)
    chosen_sheet = next((s for s in spec.sheets if sheet in (None, s.name, s.key)), None)
    if chosen_sheet is None:
        raise UserError(f"工作表「{sheet}」不是台账 {spec.title} 的登记表")
    forms = record_forms(spec.id, chosen_sheet.key, c.directory)
    if not forms:
        raise UserError(f"「{chosen_sheet.name}」没有对应的表单")
    data = FormData(read_all(c.directory, only=[spec.id]), _context(c.directory, today).policy, today)
    table = data.table(spec.id, chosen_sheet.key)
    wanted = set(rows) & {r.row for r in table.records}
    if not wanted:
        raise UserError(f"选中的行（第 {_rows(rows)} 行）在「{chosen_sheet.name}」中没有登记内容")
    target = Path(out) if out is not None else c.directory / FORMS_DIR
    written: list[Path] = []
    for form in forms:
        numbers = [s.number for s in subjects(form, data) if s.record.row in wanted]
        if numbers:
            written += render_forms(c.directory, form.id, target, numbers=numbers, today=today).docx
    if not written:
        raise UserError(f"第 {_rows(sorted(wanted))} 行不符合任何表单的填写条件")
    return written


def _rows(rows: list[int]) -> str:
    return "、".join(map(str, rows[:10])) + (" 等" if len(rows) > 10 else "")


def open_files(paths: list[Path]) -> None:
    """Open the files (or their folder when there are many) with the system's viewer."""
    if not paths:
        return
    targets = paths if len(paths) <= OPEN_AT_MOST else [paths[0].parent]
    for p in targets:
        if sys.platform.startswith("win"):
            os.startfile(str(p))  # noqa: S606 - the user's own file
        else:
            subprocess.Popen(["open" if sys.platform == "darwin" else "xdg-open", str(p)])


# ---------------------------------------------------------------------------
# 催办


def remind(workbook, *, today: dt.date | None = None, forms: bool = True,
           out: Path | None = None) -> dict:
    """Open overdue cases of the folder's registers grouped by department and person
    (deadlines.overdue_cases), and with ``forms`` a 催办单 for each."""
    # deferred: docxtpl loads only when forms are rendered
    from generator.documents.batch import render_forms

    c = caller(workbook)
    ctx = _context(c.directory, today)
    groups = overdue_cases(ctx)
    files: list[Path] = []
    if groups and forms:
        target = Path(out) if out is not None else c.directory / FORMS_DIR
        files = render_forms(c.directory, "reminder", target, today=ctx.today).docx
    return {"today": ctx.today, "groups": groups, "files": files}


def remind_text(result: dict, limit: int = 12) -> str:
    """A short message for Excel's alert box."""
    groups = result["groups"]
    if not groups:
        return f"截至 {result['today']:%Y-%m-%d} 没有超期未办的案件"
    total = sum(len(g["cases"]) for g in groups)
    lines = [f"截至 {result['today']:%Y-%m-%d} 共 {total} 件超期未办："]
    for g in groups[:limit]:
        lines.append(f"{g['dept'] or '（未填部门）'} {g['person'] or '（未填责任人）'}：{len(g['cases'])} 件，"
                     f"最久超期 {g['cases'][0]['days_overdue']} 个工作日")
    if len(groups) > limit:
        lines.append(f"……另有 {len(groups) - limit} 组")
    if result["files"]:
        lines.append(f"已生成 {len(result['files'])} 份催办单")
    return "\n".join(lines)


def check_text(result: dict) -> str:
    own, total = result["own"], result["counts"]
    if not total["error"] and not total["warning"]:
        return "校验通过，未发现问题"
    return (f"本台账 {own['error']} 个错误、{own['warning']} 个警告；全部台账 {total['error']} 个错误、"
            f"{total['warning']} 个警告。详见各工作簿的“{result['sheet']}”表")


def numbers_text(result: dict[str, dict[int, str]]) -> str:
    if not result:
        return "没有需要填写的空白编号"
    return "\n".join(f"「{sheet}」填写了 {len(nums)} 个编号：{min(nums.values())} 至 {max(nums.values())}"
                     for sheet, nums in result.items())


# ---------------------------------------------------------------------------
# What each button does inside Excel: the action, then one message box


def _forms_action(book, **kw) -> str:
    paths = render_selected(book, **kw)
    open_files(paths)
    return f"已生成 {len(paths)} 份表单，保存在 {paths[0].parent}"


def _remind_action(book, **kw) -> str:
    result = remind(book, **kw)
    open_files(result["files"])
    return remind_text(result)


ACTIONS = {
    "check": lambda book, **kw: check_text(check(book, **kw)),
    "assign_numbers": lambda book, **kw: numbers_text(assign_numbers(book, **kw)),
    "render_selected": _forms_action,
    "remind": _remind_action,
}


def run(action: str, book, **kw) -> str:
    """Run a button's action on the calling book and tell the user how it went.
    ``kw`` (e.g. today) is for tests; the buttons pass none."""
    try:
        message, mode = ACTIONS[action](book, **kw), "info"
    except UserError as e:
        message, mode = e.message, "critical"
    book.app.alert(message, title="售后台账", mode=mode)
    return message
