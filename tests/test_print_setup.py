"""Every workbook the tool writes prints on A4: read the page setup back from each writer's output.

Checked by hand with LibreOffice 7.4 (soffice --convert-to pdf, pdfinfo): a check.xlsx of 9
findings prints on 1 page (was 7) and a manifest.xlsx of 300 files on 4 pages (was 294 for a
year's pack); scripts/wheel-smoke.sh repeats the check on a real pack in CI.
"""
from __future__ import annotations

import datetime as dt
import io
import shutil

import openpyxl
import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.pack.workbooks import check_workbook, manifest_workbook
from generator.registers.print_setup import (
    PAGE_WIDTH,
    apply_print_setup,
    header_rows,
    pages_wide,
    sheet_width,
)
from generator.registers.writeback import RESULT_SHEET

runner = CliRunner()


def assert_prints(ws, *, landscape: bool | None = None, title_rows: str | None = "1:1"):
    ps = ws.page_setup
    assert str(ps.paperSize) == ws.PAPERSIZE_A4, ws.title
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ps.fitToWidth == pages_wide(ws) and ps.fitToHeight == 0, \
        ws.title
    if landscape is not None:
        assert ps.orientation == ("landscape" if landscape else "portrait"), ws.title
    assert (ws.print_title_rows or "").replace("$", "") == (title_rows or ""), ws.title
    assert "&A" in ws.oddFooter.left.text and ws.oddFooter.right.text == "第 &P 页 共 &N 页", ws.title


def load(data) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data)


def test_pack_workbooks_print_on_a4():
    finding = {"register": "complaints", "sheet": "投诉登记", "row": 10, "column": "回复日期", "code": "deadline.late",
               "severity": "warning", "message": "逾期", "value": None}
    wb = load(check_workbook([(finding, dt.date(2025, 11, 19))] * 9, [], False))
    assert wb.sheetnames == ["校验结果"]          # no empty 未能生成的表单 sheet printing a page of its own
    assert_prints(wb["校验结果"], landscape=True)
    assert "审计包 校验结果 · &A" == wb["校验结果"].oddFooter.left.text
    row = {"kind": "form_pdf", "form": "f", "title": "t", "number": "1", "record_date": "2025-07-01", "path": "p",
           "pages": 1, "size": 1, "sha256": "0" * 64, "clause": "c", "source": "s"}
    assert_prints(load(manifest_workbook([row] * 3))["文件清单"], landscape=True)


def test_registers_print_on_a4_with_the_header_repeated(empty_dir_session):
    for path in (empty_dir_session / "complaints.xlsx",):   # one register: they share the writer
        wb = openpyxl.load_workbook(path)
        visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
        assert visible, path
        for ws in visible:
            assert_prints(ws)
        assert all(ws.page_setup.paperSize is None for ws in wb.worksheets if ws.sheet_state != "visible")


@pytest.mark.parametrize("command, title", [(["penalties", "--month", "2026-03"], "罚扣台账 2026-03"),
                                            (["scores", "--period", "2026-03"], "评分 2026-03")])
def test_ledger_and_scores_print_on_a4(empty_dir_session, tmp_path, command, title):
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, [command[0], str(empty_dir_session), *command[1:], "--out", str(out)])
    assert out.exists(), result.output
    wb = openpyxl.load_workbook(out)
    for ws in wb.worksheets:
        assert_prints(ws)
    assert wb.worksheets[0].oddFooter.left.text == f"{title} · &A"


def test_orientation_follows_the_width_and_title_rows_the_frozen_pane():
    wb = openpyxl.Workbook()
    narrow, wide = wb.active, wb.create_sheet("宽表")
    narrow.append(["a", "b"])
    wide.append(list("abcdefghijklm"))
    wide.freeze_panes = "A3"
    hidden = wb.create_sheet("隐藏")
    hidden.sheet_state = "hidden"
    apply_print_setup(wb, "R&D 报表")
    assert sheet_width(narrow) == 18 and sheet_width(wide) > 100
    assert_prints(narrow, landscape=False, title_rows=None)
    assert_prints(wide, landscape=True, title_rows="1:2")
    assert header_rows(wide) == 2 and hidden.page_setup.paperSize is None
    assert narrow.oddFooter.left.text == "R&&D 报表 · &A"      # & escaped in footers


def test_a_very_wide_register_prints_on_several_pages_wide_with_its_key_column():
    """A register of 40 columns fitted to one page wide prints at a fifth of its size: it gets as
    many landscape pages wide as keep it near 70 %, and its 编号 column repeats on each."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([f"列{i}" for i in range(50)])
    for i in range(1, 51):
        ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width = 10      # 500 characters wide
    ws.freeze_panes = "B2"
    apply_print_setup(wb, "台账")
    assert sheet_width(ws) == 500 and pages_wide(ws) == 3 == -(-500 // PAGE_WIDTH)
    assert ws.page_setup.fitToWidth == 3 and ws.page_setup.orientation == "landscape"
    assert (ws.print_title_cols or "").replace("$", "") == "A:A"
    assert (ws.print_title_rows or "").replace("$", "") == "1:1"
    ws.freeze_panes = "A2"              # nothing names a row on the next pages: one page wide
    apply_print_setup(wb, "清单")
    assert ws.page_setup.fitToWidth == 1


def test_the_write_back_sheet_prints_on_a4(empty_dir_session, tmp_path):
    folder = tmp_path / "regs"
    shutil.copytree(empty_dir_session, folder)
    res = runner.invoke(app, ["check", str(folder), "--write-back"])
    assert res.exit_code in (0, 1), res.output
    ws = openpyxl.load_workbook(folder / "complaints.xlsx")[RESULT_SHEET]     # written as XML, not by openpyxl
    assert_prints(ws, landscape=True, title_rows=None)
