"""Write check findings into the register workbooks: a 校验结果 sheet and highlighted cells.

Each register workbook gets (or has refreshed) a sheet 校验结果 listing its findings, one
row each, with an internal hyperlink to the offending cell; a clean register gets one line
saying it passed and when. The offending cells get a fill and a note (批注) starting with
NOTE_MARK.

Refreshing must undo only what the previous run did. The 校验结果 sheet therefore keeps a
hidden list (columns TRACK_COL onwards) of the cells it highlighted; the cell in the fill
column of that list carries a copy of the cell's original fill. Before writing anew, every
listed cell whose fill is still ours gets its original fill back and loses our note; a fill
or note the user set since is left alone. Notes are only added where the user has none.

The same steps run on two kinds of workbook behind a small adapter: the file itself, patched
part by part (PatchBook over registers.xlsxbook, through safewrite.patch_workbook: writer
lock, lock-file refusal, backup, re-read check, atomic replace; formulas with their cached
values, extensions, shapes, properties and macros stay byte for byte), and a live xlwings
Book when the 校验 button runs inside Excel, where the file is open and can only be changed
through Excel itself. A sheet named 校验结果 that this tool did not write is never replaced.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import python_calamine as calamine

from generator.core.errors import UserError
from generator.core.findings import ERROR, Finding, counts
from generator.core.text import typed_text
from generator.registers.calendar_sheet import folder_calendar, patch_register
from generator.registers.read import Register, Table, read_all
from generator.registers.safewrite import lock_files
from generator.registers.xlsxbook import sheet_xml

RESULT_SHEET = "校验结果"
HEADERS = ("位置", "行号", "工作表", "列", "问题", "级别", "说明")
WIDTHS = (10, 7, 12, 14, 22, 7, 90)
LEVELS = {ERROR: "错误"}
TRACK_COL = 10                  # J: hidden list of highlighted cells: sheet, cell, fill, note
TRACK_HEADERS = ("标记工作表", "标记单元格", "原填充", "已加批注")
FIRST_ROW = 3                   # A1 summary, row 2 headers, findings from row 3
NOTE_MARK = "【校验】"
NOTE_AUTHOR = "aftersales"
MAX_NOTES = 500                 # per sheet: beyond this the cells are filled but get no note
FILLS = {ERROR: "FFC7CE", "warning": "FFEB9C"}   # light red / light yellow


@dataclass
class Mark:
    """A cell the previous run highlighted, with its original fill (adapter-specific)."""
    sheet: str
    row: int
    col: int
    noted: bool
    fill: object = None


@dataclass
class Location:
    sheet: str
    row: int
    col: int

    @property
    def coordinate(self) -> str:
        from openpyxl.utils import get_column_letter

        return f"{get_column_letter(self.col)}{self.row}"

    @property
    def link(self) -> str:
        """Internal hyperlink target: 'Sheet'!F12 (quotes doubled inside the name)."""
        return "'{}'!{}".format(self.sheet.replace("'", "''"), self.coordinate)


# ---------------------------------------------------------------------------
# Adapters: the few cell operations the refresh needs, for openpyxl and for xlwings.


class PatchBook:
    """The register file itself, patched part by part (registers.xlsxbook): the user's formulas,
    their cached values, extensions, shapes and properties stay as they were. Fills are fill
    ids of the workbook's styles.xml."""

    def __init__(self, book, path: Path):
        self.book, self.styles, self.path = book, book.styles, path
        self.result: dict | None = None      # the new 校验结果: (row, col) -> (value, style)
        self._old: list | None = None
        self.widths, self.links, self.freeze, self.selected, self.index = {}, [], None, False, 0

    def sheet_names(self) -> list[str]:
        return self.book.sheet_names()

    def replace_sheet(self, name: str, index: int) -> None:
        self.result, self.index = {}, index
        if name not in self.book.sheet_names():
            self.book.put_sheet(name, index, sheet_xml({}, widths={}, links=[], freeze_row=None, selected=False))

    def _old_values(self) -> list:
        if self._old is None:   # the previous 校验结果 as a reader sees it (small; calamine resolves strings)
            book = calamine.CalamineWorkbook.from_path(str(self.path))
            self._old = book.get_sheet_by_name(RESULT_SHEET).to_python(skip_empty_area=False)
        return self._old

    def get(self, sheet, row, col):
        if self.result is not None:
            return self.result.get((row, col), (None, 0))[0]
        rows = self._old_values()
        v = rows[row - 1][col - 1] if row <= len(rows) and col <= len(rows[row - 1]) else None
        return None if v == "" else v

    def put(self, sheet, row, col, rows: list[list]) -> None:
        for i, values in enumerate(rows):
            for j, v in enumerate(values):
                if v is not None:
                    old = self.result.get((row + i, col + j), (None, 0))
                    self.result[(row + i, col + j)] = (v, old[1])

    def _style(self, sheet, row, col) -> int:
        if sheet == RESULT_SHEET:
            if self.result is not None:
                return self.result.get((row, col), (None, 0))[1]
        return self.book.cells(sheet).style(row, col)

    def _restyle(self, sheet, row, col, **parts) -> None:
        s = self.styles.derive(self._style(sheet, row, col), **parts)
        if sheet == RESULT_SHEET and self.result is not None:
            self.result[(row, col)] = (self.result.get((row, col), (None, 0))[0], s)
        else:
            self.book.cells(sheet).set_style(row, col, s)

    def link(self, sheet, row, col, loc: Location) -> None:
        self.links.append((f"{Location(sheet, row, col).coordinate}", loc.link, str(self.get(sheet, row, col))))
        self._restyle(sheet, row, col, font=self.styles.font(color="0563C1", underline=True))

    def get_fill(self, sheet, row, col):
        return self.styles.fill_of(self._style(sheet, row, col))

    def set_fill(self, sheet, row, col, fill) -> None:
        self._restyle(sheet, row, col, fill=fill)

    def our_fill(self, severity: str):
        return self.styles.solid_fill(FILLS.get(severity, FILLS["warning"]))

    def no_fill(self):
        return 0

    def is_ours(self, fill) -> bool:
        rgb = self.styles.fill_rgb(fill)
        return isinstance(rgb, str) and rgb[-6:].upper() in FILLS.values()

    def get_note(self, sheet, row, col) -> str | None:
        return self.book.notes(sheet).get(row, col)

    def set_note(self, sheet, row, col, text: str | None) -> None:
        notes = self.book.notes(sheet)
        notes.remove(row, col)
        if text is not None:
            notes.add(row, col, text, NOTE_AUTHOR)

    def orphan_notes(self, sheet: str) -> list[tuple[int, int]]:
        notes = self.book.notes(sheet)
        return [(r, c) for r, c in notes.cells() if (notes.get(r, c) or "").startswith(NOTE_MARK)]

    def format_result(self, sheet: str, tracked: bool) -> None:
        bold = self.styles.font(bold=True)
        self._restyle(sheet, 1, 1, font=bold)
        self.widths = {j: (w, False) for j, w in enumerate(WIDTHS, start=1)}
        if not tracked:
            return
        for j in range(1, len(HEADERS) + 1):
            self._restyle(sheet, 2, j, font=bold)
        for (r, c) in list(self.result):
            if c == 7 and r >= FIRST_ROW:
                self._restyle(sheet, r, c, wrap=True)
        for j in range(len(TRACK_HEADERS)):
            self.widths[TRACK_COL + j] = (9, True)
        self.freeze = FIRST_ROW

    def activate(self, sheet: str) -> None:
        self.selected = True
        self.book.activate(sheet)

    def finish(self) -> None:
        if self.result is not None:
            self.book.put_sheet(RESULT_SHEET, self.index, sheet_xml(
                self.result, widths=self.widths, links=self.links, freeze_row=self.freeze, selected=self.selected))


class XlwingsBook:
    """A live xlwings Book (inside Excel); fills are RGB tuples or None."""

    def __init__(self, book):
        self.book = book

    def _cell(self, sheet, row, col):
        return self.book.sheets[sheet].range((row, col))

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.book.sheets]

    def replace_sheet(self, name: str, index: int) -> None:
        names = self.sheet_names()
        if name in names:
            self.book.sheets[name].delete()
            names.remove(name)
        if index < len(names):
            self.book.sheets.add(name, before=self.book.sheets[names[index]])
        else:
            self.book.sheets.add(name, after=self.book.sheets[names[-1]])

    def get(self, sheet, row, col):
        return self._cell(sheet, row, col).value

    def put(self, sheet, row, col, rows: list[list]) -> None:
        if rows:   # Excel takes a rectangle: pad short rows
            width = max(len(r) for r in rows)
            self._cell(sheet, row, col).value = [[typed_text(v) for v in r] + [None] * (width - len(r))
                                                 for r in rows]   # typed into Excel: text stays text

    def link(self, sheet, row, col, loc: Location) -> None:
        # A HYPERLINK formula behaves alike in Excel for Windows and for Mac.
        text = str(self.get(sheet, row, col)).replace('"', '""')
        target = ("#" + loc.link).replace('"', '""')
        self._cell(sheet, row, col).formula = f'=HYPERLINK("{target}","{text}")'

    def get_fill(self, sheet, row, col):
        return self._cell(sheet, row, col).color

    def set_fill(self, sheet, row, col, fill) -> None:
        self._cell(sheet, row, col).color = fill

    def our_fill(self, severity: str):
        h = FILLS.get(severity, FILLS["warning"])
        return tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))

    def no_fill(self):
        return None

    def is_ours(self, fill) -> bool:
        return fill is not None and tuple(fill) in {self.our_fill(s) for s in FILLS}

    def get_note(self, sheet, row, col) -> str | None:
        note = self._cell(sheet, row, col).note
        return note.text if note is not None else None

    def set_note(self, sheet, row, col, text: str | None) -> None:
        cell = self._cell(sheet, row, col)
        if cell.note is not None:
            cell.note.delete()
        if text is not None:
            cell.add_note(text)

    def orphan_notes(self, sheet: str) -> list[tuple[int, int]]:
        return []   # Excel moves notes with their cells; a full scan over COM is too slow

    def format_result(self, sheet: str, tracked: bool) -> None:
        ws = self.book.sheets[sheet]
        ws.range("A1").font.bold = True
        for j, width in enumerate(WIDTHS, start=1):
            ws.range((1, j)).column_width = width
        if tracked:
            ws.range((2, 1), (2, len(HEADERS))).font.bold = True
            ws.range((1, TRACK_COL), (1, TRACK_COL + len(TRACK_HEADERS) - 1)).column_width = 0   # hidden

    def activate(self, sheet: str) -> None:
        self.book.sheets[sheet].activate()


# ---------------------------------------------------------------------------
# The refresh of one workbook


def read_marks(book) -> list[Mark]:
    """The cells the previous run highlighted, from the hidden list on 校验结果."""
    from openpyxl.utils import coordinate_to_tuple

    if RESULT_SHEET not in book.sheet_names():
        return []
    marks, row = [], FIRST_ROW
    while True:
        sheet, cell = book.get(RESULT_SHEET, row, TRACK_COL), book.get(RESULT_SHEET, row, TRACK_COL + 1)
        if not sheet or not cell:
            return marks
        try:
            r, c = coordinate_to_tuple(str(cell))
        except (ValueError, TypeError):
            r = None  # edited by hand: skip the entry
        if r is not None:
            noted = str(book.get(RESULT_SHEET, row, TRACK_COL + 3) or "") == "1"
            marks.append(Mark(str(sheet), r, c, noted, book.get_fill(RESULT_SHEET, row, TRACK_COL + 2)))
        row += 1


def clear_marks(book, register_sheets: list[str]) -> None:
    """Undo the previous run's highlights: original fill back, our note removed."""
    names = set(book.sheet_names())
    done = set()
    for mark in read_marks(book):
        if mark.sheet not in names:
            continue
        done.add((mark.sheet, mark.row, mark.col))
        if book.is_ours(book.get_fill(mark.sheet, mark.row, mark.col)):
            book.set_fill(mark.sheet, mark.row, mark.col, mark.fill)
        if mark.noted and (book.get_note(mark.sheet, mark.row, mark.col) or "").startswith(NOTE_MARK):
            book.set_note(mark.sheet, mark.row, mark.col, None)
    for sheet in register_sheets:
        if sheet not in names:
            continue
        for r, c in book.orphan_notes(sheet):
            if (sheet, r, c) in done:
                continue
            if book.is_ours(book.get_fill(sheet, r, c)):
                book.set_fill(sheet, r, c, book.no_fill())
            book.set_note(sheet, r, c, None)


def result_index(names: list[str], register_sheets: list[str]) -> int:
    """Keep 校验结果 where it is; a new one goes right after the register's own sheets."""
    if RESULT_SHEET in names:
        return names.index(RESULT_SHEET)
    own = [names.index(s) for s in register_sheets if s in names]
    return (max(own) + 1) if own else len(names)


def ours(a1) -> bool:
    """A 校验结果 sheet written by this tool starts with its summary line."""
    return isinstance(a1, str) and a1.startswith(("校验通过：", "校验时间 "))


def finding_rows(findings: list[Finding], locations: list[Location | None]) -> list[list]:
    return [[loc.coordinate if loc else None, f.row, f.sheet, f.column, f.code,
             LEVELS.get(f.severity, "警告"), f.message]
            for f, loc in zip(findings, locations)]


def note_text(findings: list[Finding]) -> str:
    return NOTE_MARK + "\n".join(f"{LEVELS.get(f.severity, '警告')} {f.code}：{f.message}" for f in findings)


def refresh(book, register_sheets: list[str], findings: list[Finding], locate, now: dt.datetime,
            *, activate: bool = False) -> None:
    """Rebuild 校验结果 in one workbook and highlight its findings' cells."""
    if RESULT_SHEET in book.sheet_names() and not ours(book.get(RESULT_SHEET, 1, 1)):
        raise UserError(f"工作簿中已有名为「{RESULT_SHEET}」的工作表，但不是本工具写的；"
                        "为免覆盖您的内容，请把它改名后重试（未写入任何内容）")
    clear_marks(book, register_sheets)
    book.replace_sheet(RESULT_SHEET, result_index(book.sheet_names(), register_sheets))
    names = set(book.sheet_names())
    stamp = f"{now:%Y-%m-%d %H:%M}"
    if not findings:
        book.put(RESULT_SHEET, 1, 1, [[f"校验通过：{stamp} 校验，未发现问题"]])
        book.format_result(RESULT_SHEET, tracked=False)
        if activate:
            book.activate(RESULT_SHEET)
        return
    c = counts(findings)
    locations = [locate(f, names) for f in findings]
    book.put(RESULT_SHEET, 1, 1, [[f"校验时间 {stamp}：{c[ERROR]} 个错误，{c['warning']} 个警告"
                                   "（点“位置”列的链接可跳到对应单元格）"], list(HEADERS)])
    book.put(RESULT_SHEET, FIRST_ROW, 1, finding_rows(findings, locations))
    for i, loc in enumerate(locations):
        if loc is not None:
            book.link(RESULT_SHEET, FIRST_ROW + i, 1, loc)
    highlight(book, findings, locations)
    book.format_result(RESULT_SHEET, tracked=True)
    if activate:
        book.activate(RESULT_SHEET)


def highlight(book, findings: list[Finding], locations: list[Location | None]) -> None:
    """Fill and note each offending cell once; record it in the hidden list."""
    cells: dict[tuple, list[Finding]] = {}
    for f, loc in zip(findings, locations):
        if loc is not None:
            cells.setdefault((loc.sheet, loc.row, loc.col), []).append(f)
    track, notes_per_sheet = [list(TRACK_HEADERS)], {}
    row = FIRST_ROW
    for (sheet, r, col), items in cells.items():
        original = book.get_fill(sheet, r, col)
        book.set_fill(RESULT_SHEET, row, TRACK_COL + 2, original)
        worst = ERROR if any(f.severity == ERROR for f in items) else "warning"
        book.set_fill(sheet, r, col, book.our_fill(worst))
        noted = book.get_note(sheet, r, col) is None and notes_per_sheet.get(sheet, 0) < MAX_NOTES
        if noted:
            book.set_note(sheet, r, col, note_text(items))
            notes_per_sheet[sheet] = notes_per_sheet.get(sheet, 0) + 1
        track.append([sheet, Location(sheet, r, col).coordinate, None, "1" if noted else "0"])
        row += 1
    book.put(RESULT_SHEET, 2, TRACK_COL, track)


# ---------------------------------------------------------------------------
# Public entry point


def column_maps(register) -> dict[str, dict[str, int]]:
    """Sheet name -> {Chinese header -> 1-based column index} as found in the workbook."""
    out = {}
    for table in register.tables.values():
        out[table.spec.name] = {table.spec.column(k).header: j for k, j in table.columns.items()}
    return out


def locator(register):
    columns = column_maps(register)

    def locate(f: Finding, sheet_names: set[str]) -> Location | None:
        if f.sheet not in sheet_names or f.sheet == RESULT_SHEET:
            return None
        if f.row is None:
            return Location(f.sheet, 1, 1)
        return Location(f.sheet, f.row, columns.get(f.sheet, {}).get(f.column, 1) if f.column else 1)

    return locate


def _patch(wb, path: Path, args: tuple, show: bool) -> None:
    book = PatchBook(wb, path)
    refresh(book, *args, activate=show)
    book.finish()


def layouts(registers: dict) -> dict:
    """The registers without their records: all a write-back needs (paths, sheets, columns),
    so that a caller can let the records go before the files are written."""
    return {k: Register(reg.spec, reg.path, {key: Table(t.spec, header_row=t.header_row, columns=t.columns)
                                             for key, t in reg.tables.items()})
            for k, reg in registers.items()}


def write_back(directory, findings: list[Finding], now: dt.datetime, *, registers: dict | None = None,
               live: dict | None = None, activate: Path | None = None) -> list[Path]:
    """Refresh 校验结果 in every register workbook of the folder; returns the files written.

    ``registers`` (as read by the check) saves reading the folder again. ``live`` maps a
    workbook path to an open xlwings Book to change inside Excel instead of on disk.
    ``activate`` names the workbook whose 校验结果 sheet should be shown.
    """

    registers = registers if registers is not None else read_all(directory)
    live = {Path(p).resolve(): b for p, b in (live or {}).items()}
    targets = [(reg, Path(reg.path)) for reg in registers.values()]
    locked = [p.name for _, p in targets if p.resolve() not in live and lock_files(p)]
    if locked:
        raise UserError(f"{'、'.join(locked)} 正在 Excel 中打开，请先关闭再写回校验结果（未写入任何文件）")
    by_register: dict[str, list[Finding]] = {}
    for f in findings:
        by_register.setdefault(f.register, []).append(f)
    written = []
    # from the folder, not from ``registers``: a caller may pass them without their records
    # (layouts), and a master without its 节假日 rows would give every 工作日 sheet the wrong days
    calendar = folder_calendar(directory)
    for reg, path in targets:
        own = [s.name for s in reg.spec.sheets]
        args = (own, by_register.get(reg.spec.id, []), locator(reg), now)
        show = activate is not None and Path(activate).resolve() == path.resolve()
        if path.resolve() in live:
            refresh(XlwingsBook(live[path.resolve()]), *args, activate=show)
        else:
            patch_register(path, lambda wb: _patch(wb, path, args, show), calendar=calendar)
        written.append(path)
    return written
