"""分发记录: the log of controlled copies issued (ISO 9001 §7.5.3 control of documented information).

Every controlled copy a render issues gets the next 分发号 of its form and one row per copy
(联次) and holder in ``分发记录.xlsx`` beside the registers: 分发号, 表单, 表单名称, 文件编号, 版本,
编号, 联次, 持有人, 类别, 发放日期, 回收日期, 文件. 类别 tells a controlled document handed to a
named holder (受控发放) from the record copies a batch or an audit pack files (记录副本).
Re-issuing a record's copy withdraws the one before: its row gets the 回收日期.

One writer at a time: numbering and recording happen under an advisory lock on the log
(``filelock``), and the rows are written before the stamped copies are, so a run that fails
half-way never hands out the same 分发号 twice. The workbook is written through a temporary
file and ``os.replace``, and never while Excel holds it open.
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from filelock import FileLock, Timeout

from generator.core.errors import UserError
from generator.registers.print_setup import apply_print_setup
from generator.registers.safewrite import ensure_not_open, save_workbook

LOG_NAME = "分发记录.xlsx"
SHEET = "分发记录"
HEADERS = ("分发号", "表单", "表单名称", "文件编号", "版本", "编号", "联次", "持有人", "类别", "发放日期",
           "回收日期", "文件")
WIDTHS = (8, 20, 28, 18, 8, 16, 10, 14, 10, 12, 12, 40)
FIELDS = ("copy_no", "form", "title", "doc_no", "version", "number", "part", "holder", "kind", "issued",
          "recalled", "file")
DATE_COLUMNS = (HEADERS.index("发放日期") + 1, HEADERS.index("回收日期") + 1)
HANDED, RECORD = "受控发放", "记录副本"
LOCK_WAIT = 15          # seconds a second writer waits for the log before giving up


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
    doc_no: str = ""
    version: str = ""
    part: str = ""          # 联次 of a multi-copy form (第一联：存根), "" for a single copy
    kind: str = RECORD

    def cells(self) -> list:
        return [getattr(self, f) for f in FIELDS]

    @property
    def key(self) -> tuple:
        """What a re-issue replaces: the same record's same copy of the same form and of the same
        kind (a record copy does not withdraw a controlled copy in a holder's hands, nor the other
        way round; an audit pack's filed copies are replaced only by another pack's)."""
        return (self.form, self.number, self.part, self.kind, self.holder == PACK_HOLDER)


def log_path(directory) -> Path:
    return Path(directory) / LOG_NAME


def _day(v):
    return v.date() if isinstance(v, dt.datetime) else v


def _load(path: Path, read_only: bool):
    import openpyxl  # heavy; only when the log is read or written

    try:
        wb = openpyxl.load_workbook(path, read_only=read_only)
    except Exception as e:
        raise UserError(f"{path}：无法打开分发记录（{e}）") from None
    return wb, (wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0])


def _columns(header: tuple) -> dict[str, int]:
    """Field → column index, by header text (a log written before 文件编号/联次 existed still reads)."""
    names = [str(h or "").strip() for h in header]
    return {f: names.index(h) for f, h in zip(FIELDS, HEADERS) if h in names}


def read_log(directory) -> list[Issue]:
    path = log_path(directory)
    if not path.exists():
        return []
    wb, ws = _load(path, read_only=True)
    try:
        rows = list(ws.iter_rows(values_only=True))
    finally:
        wb.close()
    if not rows:
        return []
    cols = _columns(rows[0])
    out = []
    for r in rows[1:]:
        get = {f: (r[i] if i < len(r) else None) for f, i in cols.items()}
        if get.get("copy_no") is None and get.get("form") is None:
            continue
        text = {f: str(get.get(f) or "") for f in FIELDS if f not in ("issued", "recalled")}
        out.append(Issue(**{**text, "issued": _day(get.get("issued")), "recalled": _day(get.get("recalled")),
                            "kind": text["kind"] or RECORD}))
    return out


def _serial(copy_no: str) -> int:
    return int(copy_no) if copy_no.isdigit() else 0


def next_copy_numbers(directory, form_id: str, count: int, width: int = 2,
                      log: list[Issue] | None = None) -> list[str]:
    """The next ``count`` 分发号 of a form (01, 02, … as on the seed's cover), after the log's last."""
    issues = read_log(directory) if log is None else log
    last = max((_serial(i.copy_no) for i in issues if i.form == form_id), default=0)
    return [str(last + k).zfill(width) for k in range(1, count + 1)]


def _new_workbook():
    import openpyxl  # heavy; only when the log is written
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(list(HEADERS))
    for i, w in enumerate(WIDTHS, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
        ws.cell(row=1, column=i).font = Font(bold=True)
    ws.freeze_panes = "A2"
    return wb


def _write(path: Path, issues: list[Issue]) -> None:
    """The whole log rewritten in today's columns (a log in the older layout is upgraded)."""
    wb = _new_workbook()
    ws = wb.active
    for issue in issues:
        ws.append(issue.cells())
        for col in DATE_COLUMNS:
            ws.cell(row=ws.max_row, column=col).number_format = "yyyy-mm-dd"
    apply_print_setup(wb, "受控表单分发记录")
    save_workbook(wb, path, keep_backup=False)


def withdraw_previous(log: list[Issue], new: list[Issue], day: dt.date) -> list[Issue]:
    """The log with every copy the new issues replace marked withdrawn (回收日期 = ``day``)."""
    keys = {i.key for i in new}
    return [replace(i, recalled=day) if i.key in keys and i.recalled is None else i for i in log]


def record_issues(directory, issues: list[Issue], log: list[Issue] | None = None) -> Path | None:
    """Add issued copies to the log (created on first use), withdrawing the copies they replace."""
    if not issues:
        return None
    path = log_path(directory)
    ensure_not_open(path)
    current = read_log(directory) if log is None else log
    _write(path, withdraw_previous(current, issues, issues[0].issued) + list(issues))
    return path


@contextmanager
def locked(directory, wait: float = LOCK_WAIT):
    """Hold the log's advisory lock: number and record copies without another writer between."""
    path = log_path(directory)
    lock = FileLock(str(path.with_name(f".{path.name}.lock")), timeout=wait)
    try:
        lock.acquire()
    except Timeout:
        raise UserError(f"{path}：另一个程序正在登记分发记录，等待 {wait:g} 秒后仍未完成；请稍后重试") from None
    except OSError as e:
        raise UserError(f"{path}：无法锁定分发记录（{e.strerror or e}）") from None
    try:
        yield
    finally:
        lock.release()


def issue_copies(directory, form_id: str, make) -> list[Issue]:
    """Number and record copies in one locked step, before any copy is written.

    ``make(copy_numbers_for(count))`` returns the Issue rows; rows are logged at once, so a
    copy written afterwards always has its row, and a failed write never reuses a 分发号."""
    with locked(directory):
        ensure_not_open(log_path(directory))
        log = read_log(directory)
        issues = make(lambda count: next_copy_numbers(directory, form_id, count, log=log))
        record_issues(directory, issues, log)
    return issues


PACK_HOLDER = "审计包"


def record_pack_copies(directory, forms: list, pack_name: str, period: str, day: dt.date,
                       policy_entry) -> Path | None:
    """An audit pack's forms as record copies: one row per form (its records counted), held by the
    pack; they neither take a 分发号 nor withdraw a copy handed to a holder.

    ``forms``: (form spec, number of records in the pack); ``policy_entry(form)`` its control entry."""
    rows = []
    for form, count in forms:
        entry = policy_entry(form)
        rows.append(Issue("", form.id, entry["title"], f"{period}（{count} 份）", PACK_HOLDER, day, None, pack_name,
                          entry["doc_no"], entry["version"], "", RECORD))
    if not rows:
        return None
    with locked(directory):
        ensure_not_open(log_path(directory))
        log = read_log(directory)
        # a new pack of the same period replaces the copies the previous one filed
        keys = {(r.form, r.number) for r in rows}
        log = [replace(i, recalled=day) if i.holder == PACK_HOLDER and (i.form, i.number) in keys
               and i.recalled is None else i for i in log]
        _write(log_path(directory), log + rows)
    return log_path(directory)
