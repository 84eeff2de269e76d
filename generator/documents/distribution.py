"""分发记录: the log of controlled copies issued (ISO 9001 §7.5.3 control of documented information).

Every controlled copy a render issues gets the next 分发号 of its form and a row in
``分发记录.xlsx`` beside the registers: 分发号, 表单, 表单名称, 编号, 持有人, 发放日期, 回收日期
(filled by hand when the copy comes back), 文件. The workbook is written with openpyxl
through a temporary file and ``os.replace``, and never while Excel holds it open.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from generator.core.errors import UserError
from generator.registers.safewrite import (
    ALL_FORMULAS,
    ensure_not_open,
    put_row,
    save_workbook,
)

LOG_NAME = "分发记录.xlsx"
SHEET = "分发记录"
HEADERS = ("分发号", "表单", "表单名称", "编号", "持有人", "发放日期", "回收日期", "文件")
WIDTHS = (8, 20, 28, 16, 14, 12, 12, 40)


@dataclass(frozen=True)
class Issue:
    copy_no: str
    form: str
    title: str
    number: str
    holder: str
    issued: dt.date
    recalled: dt.date | None = None
    file: str = ""

    def cells(self) -> list:
        return [self.copy_no, self.form, self.title, self.number, self.holder, self.issued,
                self.recalled, self.file]


def log_path(directory) -> Path:
    return Path(directory) / LOG_NAME


def read_log(directory) -> list[Issue]:
    path = log_path(directory)
    if not path.exists():
        return []
    import openpyxl  # heavy; only when the log is read or written

    try:
        wb = openpyxl.load_workbook(path, read_only=True)
    except Exception as e:
        raise UserError(f"{path}：无法读取分发记录（{e}）") from None
    try:
        ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
        rows = list(ws.iter_rows(min_row=2, values_only=True))
    finally:
        wb.close()
    out = []
    for r in rows:
        r = list(r) + [None] * (len(HEADERS) - len(r))
        if r[0] is None and r[1] is None:
            continue
        issued, recalled = (v.date() if isinstance(v, dt.datetime) else v for v in (r[5], r[6]))
        out.append(Issue(str(r[0] or ""), str(r[1] or ""), str(r[2] or ""), str(r[3] or ""),
                         str(r[4] or ""), issued, recalled, str(r[7] or "")))
    return out


def _serial(copy_no: str) -> int:
    return int(copy_no) if copy_no.isdigit() else 0


def next_copy_numbers(directory, form_id: str, count: int, width: int = 2) -> list[str]:
    """The next ``count`` 分发号 of a form (01, 02, … as on the seed's cover), after the log's last."""
    last = max((_serial(i.copy_no) for i in read_log(directory) if i.form == form_id), default=0)
    return [str(last + k).zfill(width) for k in range(1, count + 1)]


def record_issues(directory, issues: list[Issue]) -> Path | None:
    """Append issued copies to the log (created on first use); atomic replace."""
    if not issues:
        return None
    import openpyxl  # heavy; only when the log is read or written
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    path = log_path(directory)
    ensure_not_open(path)
    if path.exists():
        try:
            wb = openpyxl.load_workbook(path)
        except Exception as e:
            raise UserError(f"{path}：无法打开分发记录（{e}）") from None
        ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
    else:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = SHEET
        ws.append(list(HEADERS))
        for i, w in enumerate(WIDTHS, 1):
            ws.column_dimensions[get_column_letter(i)].width = w
            ws.cell(row=1, column=i).font = Font(bold=True)
        ws.freeze_panes = "A2"
    for issue in issues:
        put_row(ws, issue.cells())   # text stays text
        for col in (6, 7):
            ws.cell(row=ws.max_row, column=col).number_format = "yyyy-mm-dd"
    save_workbook(wb, path, keep_backup=False, formulas=ALL_FORMULAS)   # the user's formulas; ours are text
    return path
