"""Reading registers as offices keep them: decorated headers, merged cells, error values, far
stray cells, typo dates, missing columns and registers; and what the deadline clocks make of it."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from generator.assess.checks import RunContext, run_checks
from generator.assess.clocks import register_clocks
from generator.cli import app
from generator.config.policy import default_policy
from generator.registers.read import read_register
from generator.rules.deadlines import rules_from

TODAY = dt.date(2026, 6, 30)
HEADERS = ["投诉编号", "受理日期", "受理渠道", "客户名称", "投诉类别", "投诉内容", "国内国外", "责任人", "回复日期"]


def _row(n: int, received="2026-03-02", replied=None, customer="甲公司") -> list:
    return [f"2603020{n:02d}", received, "电话", customer, "产品质量", "漏水", "国内", "王伟", replied]


def complaints(folder: Path, rows: list[list], headers=HEADERS, *, merge=None, header_rows=None,
               patch=None) -> Path:
    """A complaints register of these rows; ``patch`` edits the sheet XML (error cells, strays)."""
    folder.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "投诉登记"
    for r in header_rows or [headers]:
        ws.append(r)
    for r in rows:
        ws.append(r)
    for rng in merge or ():
        ws.merge_cells(rng)
    path = folder / "complaints.xlsx"
    wb.save(path)
    if patch:
        _patch_sheet(path, patch)
    return path


def _patch_sheet(path: Path, edit) -> None:
    src = path.with_suffix(".orig")
    path.rename(src)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = edit(data.decode()).encode()
            zout.writestr(info, data)
    src.unlink()


def _error_cell(ref: str, error: str):
    """Turn cell ``ref`` into an Excel error value, as Excel stores a failed formula."""
    def edit(xml: str) -> str:
        return re.sub(f'<c r="{ref}".*?</c>', f'<c r="{ref}" t="e"><f>VLOOKUP(A1,X!A:B,2,0)</f><v>{error}</v></c>',
                      xml, count=1)
    return edit


def _stray(xml: str) -> str:
    return xml.replace("</sheetData>", '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>'
                                       '</row></sheetData>')


def _ctx(folder: Path) -> RunContext:
    return RunContext(registers={"complaints": read_register(folder, "complaints")}, policy=default_policy(),
                      today=TODAY)


def _codes(findings, *codes) -> list:
    return [(f.code, f.row, f.column) for f in findings if not codes or f.code in codes]


def _reply_clocks(ctx) -> dict[int, object]:
    clocks, problems = register_clocks(ctx, rules_from(ctx.policy))
    return {c.record.row: c for c in clocks if c.rule.id == "complaint.reply"}, problems


# A reply cell that cannot be read is reported as what it is and is never "not yet replied".
@pytest.mark.parametrize("replied, patch, code", [
    ("2026-02-30", None, "field.type"),
    ("#N/A", None, "field.error"),
    ("x", _error_cell("I2", "#N/A"), "field.error"),
    ("x", _error_cell("I2", "#REF!"), "field.error"),
    ("下周", None, "field.type"),
])
def test_an_unreadable_reply_is_never_an_open_case(tmp_path, replied, patch, code):
    complaints(tmp_path, [_row(1, replied=replied), _row(2)], patch=patch)
    ctx = _ctx(tmp_path)
    clocks, problems = _reply_clocks(ctx)
    assert 2 not in clocks and 3 in clocks          # row 3 is really open, row 2 is left out
    unreadable = [p for p in problems if p.code == "deadline.unreadable"]
    assert [(p.row, p.column) for p in unreadable] == [(2, "回复日期")] and "第 2 行" in unreadable[0].message
    findings = run_checks(ctx)
    assert (code, 2, "回复日期") in _codes(findings)
    assert not [f for f in findings if f.code == "deadline.overdue" and f.row == 2]
    assert "#" not in code or "错误值" in next(f.message for f in findings if f.code == code)


def test_remind_says_which_rows_it_could_not_judge(empty_registers):
    complaints(empty_registers, [_row(1, replied="2026-02-30"), _row(2)])
    args = ["remind", str(empty_registers), "--today", TODAY.isoformat()]
    data = json.loads(CliRunner().invoke(app, args + ["--json"]).stdout)
    cases = [c["row"] for g in data["groups"] for c in g["cases"]]
    assert 3 in cases and 2 not in cases                # row 2's reply date cannot be read: not "still open"
    said = [(f["code"], f["row"], f["column"]) for f in data["not_judged"]]
    assert ("deadline.unreadable", 2, "回复日期") in said
    shown = CliRunner().invoke(app, args).output
    assert "未能判断" in shown and "第 2 行" in shown


@pytest.mark.parametrize("header, warned", [
    ("回复日期（年/月/日）", True),
    ("回复日期(注：答复客户之日)", True),
    ("回复日期 ", False),
    ("回复\u3000日期", True),
    ("*回复日期", False),
])
def test_a_decorated_header_is_matched_and_named(tmp_path, header, warned):
    complaints(tmp_path, [_row(1, replied="2026-03-03")], headers=HEADERS[:-1] + [header])
    reg = read_register(tmp_path, "complaints")
    table = reg.tables["complaints"]
    assert table.records[0]["replied"] == dt.date(2026, 3, 3)
    said = [f for f in reg.findings if f.code == "read.header"]
    assert bool(said) == warned
    if warned:
        assert header in said[0].message and "「回复日期」" in said[0].message


def test_a_missing_stop_column_switches_its_clock_off_once(tmp_path):
    complaints(tmp_path, [_row(1), _row(2)], headers=HEADERS[:-1] + ["答复时间"])
    ctx = _ctx(tmp_path)
    clocks, problems = _reply_clocks(ctx)
    assert clocks == {}
    assert [(p.code, p.column) for p in problems if "complaint.reply" in p.message] == [("deadline.no_column", "回复日期")]
    findings = run_checks(ctx)
    assert not [f for f in findings if f.code == "deadline.overdue" and "complaint.reply" in f.message]
    missing = [f for f in findings if f.code == "read.missing_column"]
    assert len(missing) == 1 and "回复日期" in missing[0].message


def test_merged_customer_fills_its_rows_and_a_two_row_header_is_read(tmp_path):
    top = ["投诉编号", "受理日期", "受理渠道", "客户信息", None, "投诉内容", "国内国外", "责任人", "回复日期"]
    sub = [None, None, None, "客户名称", "投诉类别", None, None, None, None]
    merge = ["A1:A2", "B1:B2", "C1:C2", "D1:E1", "F1:F2", "G1:G2", "H1:H2", "I1:I2", "D3:D5"]
    complaints(tmp_path, [_row(1), _row(2, customer=None), _row(3, customer=None)], header_rows=[top, sub],
               merge=merge)
    table = read_register(tmp_path, "complaints").tables["complaints"]
    assert table.header_row == 2
    assert [(r.row, r["customer"]) for r in table.records] == [(3, "甲公司"), (4, "甲公司"), (5, "甲公司")]


def test_a_typo_year_is_a_finding_on_its_row_not_an_abort(tmp_path):
    complaints(tmp_path, [_row(1, received="1900-01-05", replied="2026-03-03"), _row(2, received="2003-03-03"),
                          _row(3, replied="2026-03-03")])
    findings = run_checks(_ctx(tmp_path))
    calendar = [f for f in findings if f.code == "deadline.calendar"]
    assert calendar and all("第 2" in f.message or "第 3" in f.message for f in calendar)


def test_a_stray_value_at_xfd1048576_is_left_unread_and_named(tmp_path):
    complaints(tmp_path, [_row(1)], patch=_stray)
    reg = read_register(tmp_path, "complaints")
    assert [r.row for r in reg.tables["complaints"].records] == [2]
    far = [f for f in reg.findings if f.code == "read.far_cells"]
    assert len(far) == 1 and "XFD1048576" in far[0].message


def test_a_stray_value_in_a_register_the_tool_made_is_left_unread(empty_dir_session, tmp_path):
    """The tool's own sheets carry validations and formatting after the cells: the last row
    is found all the same (calamine would otherwise abort the process)."""
    folder = tmp_path / "registers"
    folder.mkdir()
    shutil.copy(empty_dir_session / "complaints.xlsx", folder)
    _patch_sheet(folder / "complaints.xlsx", _stray)
    assert (folder / "complaints.xlsx").stat().st_size < 1_000_000
    reg = read_register(folder, "complaints")
    assert [f.code for f in reg.findings] == ["read.far_cells"]


@pytest.mark.parametrize("removed, effect", [("master.xlsx", "国家法定节假日"), ("training.xlsx", "本台账未检查")])
def test_check_names_every_register_it_did_not_find(tmp_path, removed, effect):
    complaints(tmp_path, [_row(1, replied="2026-03-03")])
    ctx = RunContext.load(tmp_path, TODAY)
    said = {f.register: f.message for f in run_checks(ctx) if f.code == "read.missing_register"}
    assert set(said) == {"master", "tickets", "materials", "surveys", "training"}
    assert removed in said[removed.split(".")[0]] and effect in said[removed.split(".")[0]]


def test_the_penalty_ledger_says_which_rows_it_left_out(tmp_path):
    from generator.assess.ledger import penalty_ledger

    complaints(tmp_path, [_row(1, replied="#N/A"), _row(2)])
    ctx = _ctx(tmp_path)
    ledger = penalty_ledger(ctx.registers, ctx.policy, (2026, 3), ctx.calendar)
    said = [f for f in ledger["findings"] if f["code"] == "deadline.unreadable"]
    assert len(said) == 1 and "第 2 行" in said[0]["message"] and "未计罚" in said[0]["message"]
    fined = str([p["items"] for p in ledger["people"]])
    assert "260302002" in fined and "260302001" not in fined      # the open case is fined, the unreadable not


def test_a_two_row_header_without_merges_is_read(tmp_path):
    top = ["投诉编号", "受理日期", "受理渠道", "客户名称", "投诉类别", "投诉内容", "国内国外", "责任人", "回复"]
    sub = [None, None, None, None, None, None, None, None, "日期"]
    complaints(tmp_path, [_row(1, replied="2026-03-03")], header_rows=[top, sub])
    reg = read_register(tmp_path, "complaints")
    table = reg.tables["complaints"]
    assert table.header_row == 2 and table.records[0]["replied"] == dt.date(2026, 3, 3)
    assert "read.header" not in [f.code for f in reg.findings]     # 回复 over 日期 is the header itself
