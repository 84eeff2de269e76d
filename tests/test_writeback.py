"""Findings written into the workbooks: 校验结果 sheet, links, highlights, refresh."""
from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import (
    column_index_from_string,
    coordinate_to_tuple,
    get_column_letter,
)

from generator.assess.checks import RunContext, run_checks
from generator.config.policy import find_policy
from generator.config.register_specs import load_specs
from generator.core.errors import UserError
from generator.core.findings import ERROR, WARNING, Finding
from generator.excel import entry as excel_entry
from generator.registers import xlsxpatch, xlsxsheet
from generator.registers.read import read_all
from generator.registers.writeback import (
    FIRST_ROW,
    HEADERS,
    NOTE_MARK,
    RESULT_SHEET,
    TRACK_COL,
    write_back,
)
from tests.conftest import copy_registers, put_rows

TODAY = dt.date(2026, 1, 6)
NOW = dt.datetime(2026, 1, 6, 9, 30)
SHEET = "投诉登记"
GREEN = "00B050"

GOOD = {"投诉编号": "260105001", "受理日期": dt.date(2026, 1, 5), "受理渠道": "电话", "客户名称": "甲公司",
        "投诉类别": "产品质量", "投诉内容": "外壳开裂", "国内国外": "国内"}
# Planted mistakes: (row, column header, code) each must come back as one 校验结果 line.
PLANTED_ROWS = {
    3: {**GOOD, "投诉编号": "260105002", "客户名称": None, "受理渠道": "飞鸽"},
    4: {**GOOD, "投诉编号": "260105003", "数量": -1},
    5: {**GOOD, "投诉编号": "260105004", "回复日期": dt.date(2026, 1, 4)},
}
PLANTED = {
    (3, "客户名称", "field.required"),
    (3, "受理渠道", "field.choice"),
    (4, "数量", "field.range"),
    (5, "回复日期", "field.date_order"),
}




def check_and_write(directory: Path, today=TODAY, now=NOW) -> list[Finding]:
    regs = read_all(directory)
    findings = run_checks(RunContext(regs, find_policy(directory), today))
    write_back(directory, findings, now, registers=regs)
    return findings


def result_lines(path: Path) -> list[dict]:
    ws = openpyxl.load_workbook(path)[RESULT_SHEET]
    assert [c.value for c in ws[2]][:len(HEADERS)] == list(HEADERS)
    out = []
    for row in ws.iter_rows(min_row=FIRST_ROW, max_col=len(HEADERS)):
        if row[0].value is None and row[1].value is None:
            break
        out.append({h: c.value for h, c in zip(HEADERS, row)} | {"link": row[0].hyperlink})
    return out


def at(ws, row: int, header: str):
    return ws.cell(row=row, column=[c.value for c in ws[1]].index(header) + 1)


@pytest.fixture(scope="module")
def planted_module(empty_dir_session, tmp_path_factory) -> Path:
    folder = copy_registers(empty_dir_session, tmp_path_factory.mktemp("planted") / "registers")
    path = folder / "complaints.xlsx"
    put_rows(path, SHEET, {2: GOOD, **PLANTED_ROWS})
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    at(ws, 3, "客户名称").fill = PatternFill("solid", fgColor=GREEN)   # the user's own colour on a bad cell
    at(ws, 2, "投诉内容").fill = PatternFill("solid", fgColor=GREEN)   # ... and on a good one
    at(ws, 4, "数量").comment = Comment("用户自己的批注", "张三")        # the user's note on a bad cell
    wb.save(path)
    return folder


@pytest.fixture
def planted(planted_module, tmp_path) -> Path:
    """A private copy of the registers with the planted mistakes (tests write findings into it)."""
    return copy_registers(planted_module, tmp_path / "registers")


def test_result_sheet_lists_exactly_the_planted_mistakes_with_links_to_their_cells(planted):
    findings = check_and_write(planted)
    assert {f.key() for f in findings} == PLANTED
    lines = result_lines(planted / "complaints.xlsx")
    assert {(x["行号"], x["列"], x["问题"]) for x in lines} == PLANTED
    ws = openpyxl.load_workbook(planted / "complaints.xlsx")[SHEET]
    headers = {c.value: c.column for c in ws[1]}
    for x in lines:
        assert x["工作表"] == SHEET and x["级别"] == "错误" and x["说明"]
        sheet, cell = x["link"].location.rsplit("!", 1)
        assert sheet == f"'{SHEET}'"
        row, col = coordinate_to_tuple(cell)
        assert (row, col) == (x["行号"], headers[x["列"]])     # the link lands on the offending cell
        assert x["位置"] == cell


def test_offending_cells_are_highlighted_and_noted_other_cells_untouched(planted):
    check_and_write(planted)
    wb = openpyxl.load_workbook(planted / "complaints.xlsx")
    ws = wb[SHEET]
    headers = {c.value: c.column for c in ws[1]}
    bad = {(r, headers[h]) for r, h, _ in PLANTED}
    for r, c in bad:
        cell = ws.cell(row=r, column=c)
        assert cell.fill.fgColor.rgb.endswith("FFC7CE"), cell.coordinate
    note = at(ws, 3, "客户名称").comment.text
    assert note.startswith(NOTE_MARK) and "必填项「客户名称」为空" in note
    assert at(ws, 4, "数量").comment.text == "用户自己的批注"          # the user's note is never replaced
    assert at(ws, 2, "投诉内容").fill.fgColor.rgb.endswith(GREEN)
    for r in range(2, 6):
        for c in range(1, ws.max_column + 1):
            cell = ws.cell(row=r, column=c)
            if (r, c) not in bad:
                assert cell.fill.patternType is None or cell.fill.fgColor.rgb.endswith(GREEN)
                assert cell.comment is None or (r, c) == (4, headers["数量"])


def test_refresh_restores_fills_and_removes_only_its_own_notes(planted):
    check_and_write(planted)
    put_rows(planted / "complaints.xlsx", SHEET, {3: {"客户名称": "乙公司", "受理渠道": "邮件"}, 4: {"数量": 3}})
    findings = check_and_write(planted, now=NOW + dt.timedelta(hours=1))
    assert {f.key() for f in findings} == {(5, "回复日期", "field.date_order")}
    ws = openpyxl.load_workbook(planted / "complaints.xlsx")[SHEET]
    assert at(ws, 3, "客户名称").fill.fgColor.rgb.endswith(GREEN)    # the user's green is back
    assert at(ws, 3, "受理渠道").fill.patternType is None             # no fill before, none now
    assert at(ws, 3, "客户名称").comment is None and at(ws, 3, "受理渠道").comment is None
    assert at(ws, 4, "数量").comment.text == "用户自己的批注"
    assert at(ws, 4, "数量").fill.patternType is None
    assert at(ws, 5, "回复日期").fill.fgColor.rgb.endswith("FFC7CE")   # still wrong, still marked
    lines = result_lines(planted / "complaints.xlsx")
    assert [(x["行号"], x["列"], x["问题"]) for x in lines] == [(5, "回复日期", "field.date_order")]


def test_a_big_sheet_streamed_in_deflated_blocks_is_written_byte_for_byte_the_same(planted, tmp_path, monkeypatch):
    """What a 50,000-row register takes (its sheet held as deflated blocks of rows, never whole)
    writes the same file as a small sheet patched whole: first write and refresh."""
    small = copy_registers(planted, tmp_path / "small")
    for folder in (small, planted):
        if folder is planted:
            monkeypatch.setattr(xlsxsheet, "PACK_FROM", 0)
            monkeypatch.setattr(xlsxsheet, "BLOCK", 200)
            monkeypatch.setattr(xlsxpatch, "BIG_PART", 0)   # parts kept as they were: copied in pieces
        check_and_write(folder)
        put_rows(folder / "complaints.xlsx", SHEET, {3: {"客户名称": "乙公司"}})
        check_and_write(folder, now=NOW + dt.timedelta(hours=1))
    a, b = zipfile.ZipFile(small / "complaints.xlsx"), zipfile.ZipFile(planted / "complaints.xlsx")
    differ = [n for n in a.namelist() if a.read(n) != b.read(n)]
    assert a.namelist() == b.namelist() and differ in ([], ["docProps/core.xml"])   # put_rows' save time


def test_refresh_leaves_a_fill_the_user_changed_since(planted):
    check_and_write(planted)
    wb = openpyxl.load_workbook(planted / "complaints.xlsx")
    cell = at(wb[SHEET], 3, "受理渠道")
    cell.fill, cell.value = PatternFill("solid", fgColor="7030A0"), "邮件"   # fixed, and marked purple
    wb.save(planted / "complaints.xlsx")
    check_and_write(planted)
    ws = openpyxl.load_workbook(planted / "complaints.xlsx")[SHEET]
    assert at(ws, 3, "受理渠道").fill.fgColor.rgb.endswith("7030A0")


def test_a_note_that_moved_with_its_row_is_removed(planted):
    check_and_write(planted)
    wb = openpyxl.load_workbook(planted / "complaints.xlsx")
    ws = wb[SHEET]
    ws["D40"].comment, ws["D3"].comment = ws["D3"].comment, None   # as if rows were inserted above
    ws["D40"].fill, ws["D3"].fill = PatternFill("solid", fgColor="FFC7CE"), PatternFill()
    wb.save(planted / "complaints.xlsx")
    check_and_write(planted)
    ws = openpyxl.load_workbook(planted / "complaints.xlsx")[SHEET]
    assert ws["D40"].comment is None and ws["D40"].fill.patternType is None


def test_clean_registers_get_one_line_saying_they_passed_and_when(planted):
    check_and_write(planted)
    for name in ("tickets.xlsx", "master.xlsx", "training.xlsx"):
        ws = openpyxl.load_workbook(planted / name)[RESULT_SHEET]
        rows = [r for r in ws.iter_rows(values_only=True) if any(v is not None for v in r)]
        assert rows == [("校验通过：2026-01-06 09:30 校验，未发现问题",)]


def test_user_data_formatting_and_other_sheets_are_kept(planted):
    before = openpyxl.load_workbook(planted / "complaints.xlsx")
    check_and_write(planted)
    after = openpyxl.load_workbook(planted / "complaints.xlsx")
    assert [n for n in after.sheetnames if n != RESULT_SHEET] == before.sheetnames
    own = [s.name for s in load_specs()["complaints"].sheets]   # 投诉登记, then the sheets added later
    assert after.sheetnames.index(RESULT_SHEET) == before.sheetnames.index(own[-1]) + 1
    for name in before.sheetnames:
        a, b = after[name], before[name]
        assert [[c.value for c in r] for r in a.iter_rows()] == [[c.value for c in r] for r in b.iter_rows()]
        assert a.sheet_state == b.sheet_state
        assert len(a.data_validations.dataValidation) == len(b.data_validations.dataValidation)
        assert list(a.tables) == list(b.tables)
        assert a.freeze_panes == b.freeze_panes
    hidden = after[RESULT_SHEET].column_dimensions[get_column_letter(TRACK_COL)].hidden
    assert hidden


def test_whole_sheet_and_whole_row_findings_point_at_a1_and_column_a(planted, tmp_path):
    findings = [
        Finding("complaints", SHEET, None, None, "deadline.calendar", ERROR, "日历未覆盖"),
        Finding("complaints", SHEET, 4, None, "number.order", WARNING, "顺序"),
        Finding("complaints", SHEET, 3, "不存在的列", "x.y", WARNING, "未知列"),
    ]
    write_back(planted, findings, NOW)
    lines = result_lines(planted / "complaints.xlsx")
    assert [(x["link"].location, x["级别"]) for x in lines] == [
        (f"'{SHEET}'!A1", "错误"), (f"'{SHEET}'!A4", "警告"), (f"'{SHEET}'!A3", "警告")]


def test_refuses_when_any_register_is_open_in_excel_and_writes_nothing(planted):
    lock = planted / "~$tickets.xlsx"
    lock.write_bytes(b"x")
    before = (planted / "complaints.xlsx").read_bytes()
    with pytest.raises(UserError, match="tickets.xlsx"):
        check_and_write(planted)
    assert (planted / "complaints.xlsx").read_bytes() == before


# ---------------------------------------------------------------------------
# The same refresh inside Excel: a stand-in for the xlwings objects it uses, over openpyxl.


class FakeNote:
    def __init__(self, cell):
        self.cell = cell

    @property
    def text(self):
        return self.cell.comment.text

    def delete(self):
        self.cell.comment = None


class FakeRange:
    def __init__(self, sheet, a, b=None):
        self.sheet, self.ws = sheet, sheet.ws
        self.r1, self.c1 = coordinate_to_tuple(a) if isinstance(a, str) else a
        self.r2, self.c2 = b if b else (self.r1, self.c1)
        self.font = type("Font", (), {})()

    @property
    def cell(self):
        return self.ws.cell(row=self.r1, column=self.c1)

    @property
    def value(self):
        return self.cell.value

    @value.setter
    def value(self, v):
        rows = v if isinstance(v, list) else [[v]]
        for i, row in enumerate(rows):
            for j, x in enumerate(row):
                self.ws.cell(row=self.r1 + i, column=self.c1 + j, value=x)

    formula = value

    @property
    def color(self):
        f = self.cell.fill
        if f.patternType != "solid":
            return None
        h = f.fgColor.rgb[-6:]
        return tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))

    @color.setter
    def color(self, rgb):
        self.cell.fill = PatternFill("solid", fgColor="%02X%02X%02X" % tuple(rgb)) if rgb else PatternFill()

    @property
    def note(self):
        return FakeNote(self.cell) if self.cell.comment is not None else None

    def add_note(self, text):
        assert self.cell.comment is None
        self.cell.comment = Comment(text, "Excel")

    @property
    def column_width(self):
        return self.ws.column_dimensions[get_column_letter(self.c1)].width

    @column_width.setter
    def column_width(self, w):
        for c in range(self.c1, self.c2 + 1):
            self.ws.column_dimensions[get_column_letter(c)].width = w

    number_format = property(lambda self: self.cell.number_format,
                             lambda self, v: setattr(self.cell, "number_format", v))


class FakeSheet:
    def __init__(self, book, ws):
        self.book, self.ws = book, ws

    name = property(lambda self: self.ws.title)

    def range(self, a, b=None):
        return FakeRange(self, a, b)

    def delete(self):
        self.book.wb.remove(self.ws)

    def activate(self):
        self.book.active = self.name


class FakeSheets:
    def __init__(self, book):
        self.book = book

    def __iter__(self):
        return iter([FakeSheet(self.book, ws) for ws in self.book.wb.worksheets])

    def __getitem__(self, name):
        return FakeSheet(self.book, self.book.wb[name])

    def add(self, name, before=None, after=None):
        names = self.book.wb.sheetnames
        index = names.index(before.name) if before else names.index(after.name) + 1
        return FakeSheet(self.book, self.book.wb.create_sheet(name, index))


class FakeApp:
    def __init__(self, books):
        self.books, self.alerts = books, []

    def alert(self, prompt, title=None, buttons="ok", mode=None, callback=None):
        self.alerts.append((prompt, mode))


class FakeBook:
    """Just the xlwings Book surface the package uses; saving writes the file as Excel would."""

    def __init__(self, path: Path):
        self.fullname, self.wb, self.active = str(path), openpyxl.load_workbook(path), None
        self.sheets, self.app, self.saved = FakeSheets(self), FakeApp([self]), 0
        self.selection = None

    def save(self):
        self.wb.save(self.fullname)
        self.saved += 1


def test_inside_excel_the_open_book_is_changed_through_excel_not_on_disk(planted):
    path = planted / "complaints.xlsx"
    book = FakeBook(path)
    message = excel_entry.run("check", book, today=TODAY, now=NOW)
    assert book.saved == 1                                         # saved first: checks read the file
    assert "4 个错误" in message and book.app.alerts == [(message, "info")]
    assert RESULT_SHEET not in openpyxl.load_workbook(path).sheetnames   # the file itself is untouched
    assert book.active == RESULT_SHEET
    ws = book.wb[RESULT_SHEET]
    links = [ws.cell(row=r, column=1).value for r in range(FIRST_ROW, FIRST_ROW + len(PLANTED))]
    assert all(v.startswith('=HYPERLINK("#\'投诉登记\'!') for v in links)
    got = {(ws.cell(row=r, column=2).value, ws.cell(row=r, column=4).value, ws.cell(row=r, column=5).value)
           for r in range(FIRST_ROW, FIRST_ROW + len(PLANTED))}
    assert got == PLANTED
    assert book.wb[SHEET]["D3"].comment.text.startswith(NOTE_MARK)
    assert book.wb[SHEET]["D3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert openpyxl.load_workbook(planted / "tickets.xlsx")[RESULT_SHEET]["A1"].value.startswith("校验通过")

    # Fixed in Excel, checked again: the user's green comes back, our note goes.
    ws = book.wb[SHEET]
    at(ws, 3, "客户名称").value, at(ws, 3, "受理渠道").value = "乙公司", "邮件"
    excel_entry.run("check", book, today=TODAY, now=NOW)
    assert at(ws, 3, "客户名称").fill.fgColor.rgb.endswith(GREEN) and at(ws, 3, "客户名称").comment is None
    assert at(ws, 3, "受理渠道").fill.patternType is None


def test_inside_excel_a_user_error_becomes_a_message(planted):
    book = FakeBook(planted / "complaints.xlsx")
    book.selection = type("Sel", (), {"address": "$A$200", "sheet": FakeSheet(book, book.wb[SHEET])})()
    message = excel_entry.run("render_selected", book)
    assert book.app.alerts == [(message, "critical")] and "没有登记内容" in message


def test_column_index_of_links_follows_moved_columns(empty_registers):
    """A user who inserts a column of their own: links follow the header, not the spec order."""
    path = empty_registers / "complaints.xlsx"
    wb = openpyxl.load_workbook(path)
    wb[SHEET].insert_cols(2)
    wb[SHEET]["B1"] = "我的备注"
    wb.save(path)
    put_rows(path, SHEET, {2: {**GOOD, "客户名称": None}})
    check_and_write(empty_registers)
    (line,) = result_lines(path)
    assert line["link"].location == f"'{SHEET}'!E2"
    assert column_index_from_string("E") == 1 + [c.value for c in openpyxl.load_workbook(path)[SHEET][1]].index("客户名称")


def test_inside_excel_numbers_are_written_into_the_open_book(empty_registers):
    path = empty_registers / "complaints.xlsx"
    put_rows(path, SHEET, {2: GOOD, 3: {**GOOD, "投诉编号": None}})
    book = FakeBook(path)
    message = excel_entry.run("assign_numbers", book)
    assert book.app.alerts == [(message, "info")] and "260105002" in message
    cell = at(book.wb[SHEET], 3, "投诉编号")
    assert (cell.value, cell.number_format) == ("260105002", "@")
    assert at(openpyxl.load_workbook(path)[SHEET], 3, "投诉编号").value is None   # only Excel's copy changed
