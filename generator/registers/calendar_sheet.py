"""The hidden 工作日 sheet of every register, and the cached values of its 状态 formulas.

``workday_rows(calendar)`` says what the sheet lists (pure); ``rewrite_workdays(wb, ...)``
puts it into an open workbook; ``refresh_register(path, calendar)`` does both for a file and
``refresh_folder(dir)`` for every register of a folder (``aftersales calendar refresh``, and
every tool write through ``patch_register``, part by part).

openpyxl writes formulas without a result, so a reader that does not recalculate
(python-calamine, previewers) shows an empty 状态. ``status_value`` computes what the
formula of ``layout.status_formula`` gives (the same MATCH/INDEX/COUNTIFS steps over the
listed days) and ``write_cached_values`` puts it into the saved file as the formula's cached
``<v>``; the workbook keeps ``fullCalcOnLoad`` so Excel, WPS and LibreOffice recalculate on open.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl.utils import quote_sheetname
from openpyxl.workbook.defined_name import DefinedName

from generator.config.policy import find_policy
from generator.config.register_specs import load_specs
from generator.core.errors import UserError
from generator.core.normalize import excel_serial
from generator.core.periods import as_date
from generator.registers.read import read_register, workbook_path
from generator.registers.safewrite import atomic_write_bytes, patch_workbook, real_path
from generator.registers.sheetxml import sheet_parts
from generator.registers.xlsxbook import Formula, sheet_xml
from generator.rules.workcal import WorkCalendar, calendar_from

WORKDAY_SHEET = "工作日"
FIRST_LISTED_YEAR = 2024   # the hidden sheet lists working days from this year on
UNCOVERED, DONE, OVERDUE, SOON, NORMAL = "日历未覆盖", "已完成", "超期", "即将到期", "正常"

# What layout.status_formula writes; anything else in a 状态 cell is left alone.
_DONE_RE = re.compile(r'^=IF\((?:([A-Z]{1,3})\d+<>""|FALSE),"已完成",IF\(([A-Z]{1,3})\d+="",""')
_WORKING_RE = re.compile(r"INDEX\(工作日列表,MATCH\(INT\([A-Z]{1,3}\d+\),工作日列表,1\)\+(\d+)\)")
_CALENDAR_RE = re.compile(r"\(INT\([A-Z]{1,3}\d+\)\+(\d+)\)")
_SOON_RE = re.compile(r'<=(\d+),"即将到期"')


# ---------------------------------------------------------------------------- what the sheet lists

def workday_rows(calendar: WorkCalendar) -> tuple[list[dt.date], dt.date]:
    """Every working day from FIRST_LISTED_YEAR up to the last day of unbroken coverage, and that day.

    Years after a gap are left out: a MATCH position across a missing year would be wrong.
    """
    days, year = [], FIRST_LISTED_YEAR
    while calendar.covers(year):
        days += calendar.working_days(year)
        year += 1
    return days, dt.date(year - 1, 12, 31)


def listed(ws) -> tuple[list[dt.date], dt.date | None]:
    """The working days and last covered day a 工作日 sheet lists now."""
    days = [as_date(r[0]) for r in ws.iter_rows(min_row=2, max_col=1, values_only=True)]
    return [d for d in days if d], as_date(ws["C1"].value)


def rewrite_workdays(wb, days: list[dt.date], last: dt.date, today: dt.date | None = None) -> None:
    """Write the hidden sheet into ``wb`` (replacing an existing one in place): A = working days,
    C1 = last covered day, C2 = today (TODAY() unless pinned); the defined names follow."""
    if WORKDAY_SHEET in wb.sheetnames:
        ws = wb[WORKDAY_SHEET]
        if not today:
            today = as_date(ws["C2"].value)   # a pinned day stays pinned
        if ws.max_row > 1:
            ws.delete_rows(2, ws.max_row)
    else:
        ws = wb.create_sheet(WORKDAY_SHEET)
    ws["A1"] = "工作日"
    for i, d in enumerate(days, start=2):
        ws.cell(row=i, column=1, value=d).number_format = "yyyy-mm-dd"
    ws["B1"], ws["B2"] = "日历覆盖至", "今天"
    ws["C1"] = last
    ws["C2"] = today or "=TODAY()"
    ws["C1"].number_format = ws["C2"].number_format = "yyyy-mm-dd"
    ws.column_dimensions["A"].width = 12
    ws.sheet_state = "hidden"
    sheet = quote_sheetname(WORKDAY_SHEET)
    names = {"工作日列表": f"{sheet}!$A$2:$A${max(len(days) + 1, 2)}", "日历覆盖至": f"{sheet}!$C$1",
             "今天": f"{sheet}!$C$2"}
    for name, ref in names.items():
        if name in wb.defined_names:
            del wb.defined_names[name]
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
    wb.calculation.fullCalcOnLoad = True


# ---------------------------------------------------------------------------- 状态 as the formula computes it

def status_value(start, stop, days: list[dt.date], last: dt.date, today: dt.date,
                 working: bool, amount: int, soon: int) -> str:
    """The value of one 状态 formula (layout.status_formula), step by step as Excel evaluates it."""
    if stop not in (None, ""):
        return DONE
    if start in (None, ""):
        return ""
    s = start.date() if isinstance(start, dt.datetime) else start
    if not isinstance(s, dt.date):
        return UNCOVERED            # INT of text: #VALUE!, caught by IFERROR
    if s > last:
        return UNCOVERED
    if working:
        pos = bisect.bisect_right(days, s)     # MATCH(…,1): 1-based position of the last day <= s
        if pos == 0 or pos - 1 + amount >= len(days):
            return UNCOVERED        # #N/A or INDEX past the list
        due = days[pos - 1 + amount]
    else:
        due = s + dt.timedelta(days=amount)
    if today > due:
        return OVERDUE
    left = bisect.bisect_right(days, due) - bisect.bisect_right(days, today)
    return SOON if left <= soon else NORMAL


def parse_status_formula(text) -> tuple[str | None, str, bool, int, int] | None:
    """(stop column, start column, working-day clock, amount, soon days) of our formula, else None."""
    if not isinstance(text, str):
        return None
    head, soon = _DONE_RE.match(text), _SOON_RE.search(text)
    due = _WORKING_RE.search(text) or _CALENDAR_RE.search(text)
    if not (head and soon and due):
        return None
    return head[1], head[2], due.re is _WORKING_RE, int(due[1]), int(soon[1])


def status_cache(wb, today: dt.date | None = None) -> dict[str, dict]:
    """sheet name -> {cell: value} for every 状态 formula of ``wb`` (and 工作日!C2, TODAY()),
    computed from its 工作日 sheet."""
    if WORKDAY_SHEET not in wb.sheetnames:
        return {}
    cal = wb[WORKDAY_SHEET]
    days, last = listed(cal)
    last = last or dt.date(1900, 1, 1)
    today = as_date(cal["C2"].value) or today or dt.date.today()
    out: dict[str, dict] = {}
    if isinstance(cal["C2"].value, str) and cal["C2"].value.startswith("="):
        out[WORKDAY_SHEET] = {"C2": today}     # =TODAY()
    for ws in wb.worksheets:
        if ws.title == WORKDAY_SHEET or ws.max_row < 2:
            continue
        last_col = ws.max_column
        header = [c.value for c in ws[1]]
        if "状态" not in header:
            continue
        col = header.index("状态") + 1
        cells = {}
        for row in ws.iter_rows(min_row=2, min_col=1, max_col=last_col):
            formula = row[col - 1].value
            parsed = parse_status_formula(formula)
            if parsed is None:
                continue
            stop_col, start_col, working, amount, soon = parsed
            r = row[0].row
            stop = ws[f"{stop_col}{r}"].value if stop_col else None
            cells[row[col - 1].coordinate] = status_value(ws[f"{start_col}{r}"].value, stop, days, last, today,
                                                          working, amount, soon)
        if cells:
            out[ws.title] = cells
    return out


# ---------------------------------------------------------------------------- cached values in the file

# LibreOffice trusts the cached results of a file whose docProps/app.xml names "Microsoft Excel"
# (openpyxl writes "Microsoft Excel Compatible / Openpyxl") and recalculates any other's; Excel
# and WPS recalculate on fullCalcOnLoad. So the file names its real writer.
APP_PART = "docProps/app.xml"
APPLICATION_RE = re.compile(rb"<Application>[^<]*</Application>")
_CELL_RE = re.compile(r'<c r="([A-Z]{1,3}\d+)"([^>]*)><f>(.*?)</f>(?:<v>[^<]*</v>|<v/>)?</c>', re.S)


def with_cached_values(xml: str, values: dict) -> str:
    """Sheet XML with ``<v>`` set on the formula cells named in ``values`` (text or date results)."""
    def put(m: re.Match) -> str:
        ref, attrs, formula = m.groups()
        if ref not in values:
            return m[0]
        attrs = re.sub(r'\s+t="[^"]*"', "", attrs)
        value = values[ref]
        if isinstance(value, dt.date):
            return f'<c r="{ref}"{attrs}><f>{formula}</f><v>{excel_serial(value)}</v></c>'
        return f'<c r="{ref}"{attrs} t="str"><f>{formula}</f><v>{escape(value)}</v></c>'
    return _CELL_RE.sub(put, xml)


def write_cached_values(path: Path, values: dict[str, dict[str, str]]) -> None:
    """Rewrite the saved package at ``path`` with the formula results in ``values`` (sheet -> cell -> text)."""
    if not values:
        return
    path = Path(path)
    with zipfile.ZipFile(path) as z:
        parts = sheet_parts(z)
        changed = {parts[name]: values[name] for name in values if name in parts}
        entries = [(info, z.read(info.filename)) for info in z.infolist()]

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w") as out:
            for info, data in entries:
                if info.filename in changed:
                    data = with_cached_values(data.decode("utf-8"), changed[info.filename]).encode("utf-8")
                elif info.filename == APP_PART:
                    data = APPLICATION_RE.sub(b"<Application>aftersales</Application>", data)
                out.writestr(info, data, compress_type=info.compress_type)

    atomic_write_bytes(path, write)


def save_with_status(wb, path: Path, save: Callable[[], object], today: dt.date | None = None):
    """Run ``save`` (which writes ``wb`` to ``path``), then add the 状态 results to the file."""
    values = status_cache(wb, today)
    made = save()
    write_cached_values(path, values)
    return made


# ---------------------------------------------------------------------------- whole registers

def folder_calendar(directory, master=None) -> WorkCalendar:
    """The calendar of a register folder: its policy and its master register's 节假日 days
    (``master`` when already read)."""
    directory = Path(directory)
    if master is None and workbook_path(directory, load_specs()["master"]).exists():
        master = read_register(directory, "master")
    return calendar_from(find_policy(directory), master)


# ---------------------------------------------------------------------------- the same, part by part

_XML_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_XML_V = re.compile(rb"<v>([^<]*)</v>")
_XML_S = re.compile(rb'\ss="(\d+)"')


def _listed_xml(raw: bytes) -> tuple[list[int], int | None, int | None, bool, int]:
    """What a 工作日 sheet's XML lists: day serials in A, C1, a pinned C2 (None for TODAY()),
    whether C2 is a formula, and the date cells' style."""
    days, c1, c2, formula, style = [], None, None, True, 0
    for col, row, attrs, body in _XML_CELL.findall(raw):
        v = _XML_V.search(body or b"")
        number = int(float(v[1])) if v and re.fullmatch(rb"-?\d+(\.\d+)?", v[1]) else None
        if col == b"A" and int(row) >= 2 and number is not None:
            days.append(number)
            style = style or int((_XML_S.search(attrs) or [b"", b"0"])[1])
        elif (col, row) == (b"C", b"1"):
            c1 = number
        elif (col, row) == (b"C", b"2"):
            formula = b"<f" in (body or b"")
            c2 = None if formula else number
    return days, c1, c2, formula, style


def refresh_in_book(book, days: list[dt.date], last: dt.date, today: dt.date | None = None) -> bool:
    """Bring the 工作日 sheet of an open ``xlsxbook.Book`` up to ``days``/``last`` without
    touching any other part; True when it had to change (then the 状态 results are stale)."""
    if WORKDAY_SHEET not in book.sheet_names():     # a workbook not laid out by init
        return False
    listed_days, c1, c2, formula, style = _listed_xml(book.raw(WORKDAY_SHEET))
    wanted = [excel_serial(d) for d in days]
    if listed_days == wanted and c1 == excel_serial(last):
        return False
    today = today or dt.date.today()
    cells = {(1, 1): ("工作日", 0), (1, 2): ("日历覆盖至", 0), (2, 2): ("今天", 0),
             (1, 3): (excel_serial(last), style),
             (2, 3): (Formula("TODAY()", excel_serial(today)) if formula else (c2 or excel_serial(today)), style)}
    cells.update({(r, 1): (n, style) for r, n in enumerate(wanted, start=2)})
    book.put_sheet(WORKDAY_SHEET, book.sheet_names().index(WORKDAY_SHEET),
                   sheet_xml(cells, widths={1: (12, False)}, links=[], freeze_row=None, selected=False))
    for dn in book.root.iter(book._q("definedName")):
        if dn.get("name") == "工作日列表":
            dn.text = f"{quote_sheetname(WORKDAY_SHEET)}!$A$2:$A${max(len(days) + 1, 2)}"
    book.recalc_on_open()
    return True


def patch_register(path, fn: Callable, *, calendar: WorkCalendar | None = None, expect: tuple | None = None):
    """``safewrite.patch_workbook`` for a register: fn(book), its 工作日 sheet brought up to the
    folder's calendar in the same write and, when that changed the list, the 状态 results
    recomputed (a register whose list is current keeps its results: assigning numbers or
    marking findings does not move a clock)."""
    path = Path(path)
    cal = calendar or folder_calendar(path.parent)
    days, last = workday_rows(cal)
    changed = []

    def edit(book):
        result = fn(book)
        changed.append(refresh_in_book(book, days, last))
        return result

    result = patch_workbook(path, edit, expect=expect)
    if changed and changed[0]:
        import openpyxl  # deferred: loading a whole register is needed once a year, when the list grows

        try:
            wb = openpyxl.load_workbook(real_path(path))
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as e:
            raise UserError(f"{path}：工作日已更新，但无法计算「状态」的显示值（{e}）；在 Excel 中打开会自动重算") from None
        write_cached_values(path, status_cache(wb))
    return result


def refresh_folder(directory, *, calendar: WorkCalendar | None = None) -> list[Path]:
    """Rewrite the 工作日 sheet of every register in the folder; returns the files written."""
    directory = Path(directory)
    cal = calendar or folder_calendar(directory)
    done = []
    for spec in load_specs().values():
        path = workbook_path(directory, spec)
        if path.exists():
            patch_register(path, lambda book: None, calendar=cal)
            done.append(path)
    if not done:
        raise UserError(f"{directory} 中没有台账工作簿（可用 aftersales init 生成）")
    return done


