"""Text stays text: a formula typed (as text) into a register never comes out as a live formula
in any workbook or CSV the tool writes."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.core.text import csv_text, formula_like, typed_text
from generator.documents.distribution import Issue, record_issues
from generator.pack.audit_log import AUDIT_LOG, append_audit_log
from generator.pack.workbooks import check_workbook, manifest_workbook, masked_workbook
from generator.registers.read import read_all
from generator.registers.safewrite import save_workbook
from tests.conftest import copy_registers

HYPER = '=HYPERLINK("http://example.com/x","点击")'
DDE = "=cmd|' /C calc'!A0"
PLANTED = {"受理渠道": DDE, "客户名称": HYPER, "投诉内容": DDE, "责任人": HYPER, "联系人": DDE,
           "产品型号": "@SUM(1+1)*cmd|' /C calc'!A0"}
# The only formulas the tool writes itself: the registers' 状态 column and the hidden 工作日 sheet.
OURS = re.compile(r"^(IF\(|TODAY\(\))")


def formulas(data: bytes, name: str) -> list[tuple[str, str]]:
    """(where, formula) of every formula cell in an xlsx (and in xlsx files inside a zip)."""
    out = []
    z = zipfile.ZipFile(io.BytesIO(data))
    for n in z.namelist():
        if n.endswith((".xlsx", ".xlsm")):
            out += formulas(z.read(n), f"{name}!{n}")
        elif re.match(r"xl/worksheets/sheet\d+\.xml$", n):
            out += [(f"{name}!{n}", f.decode()) for f in re.findall(rb"<(?:\w+:)?f\b[^>]*>([^<]*)</", z.read(n))]
    return out


@pytest.fixture(scope="module")
def planted(empty_dir_session, tmp_path_factory) -> Path:
    folder = copy_registers(empty_dir_session, tmp_path_factory.mktemp("formulas") / "registers")
    path = folder / "complaints.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["投诉登记"]
    headers = {c.value: c.column for c in ws[1]}
    for row in range(2, 8):
        values = {"投诉编号": f"2603050{row:02d}", "受理日期": dt.date(2026, 3, row), "投诉类别": "产品质量",
                  "国内国外": "国内", "回复日期": dt.date(2026, 3, 28)} | PLANTED
        for header, value in values.items():
            cell = ws.cell(row=row, column=headers[header], value=value)
            if isinstance(value, str):
                cell.data_type = "s"   # typed as text (an ERP export, or a leading ' in Excel)
    wb.save(path)
    return folder


def test_the_pure_helpers():
    assert formula_like(HYPER) and not formula_like("=") and not formula_like("张三")
    assert typed_text(DDE) == "'" + DDE and typed_text("+86 138") == "'+86 138" and typed_text(3) == 3
    assert [csv_text(x) for x in ("-1", "@x", "\tA", "\r=1", "甲", None, 5)] == \
        ["'-1", "'@x", "'\tA", "'\r=1", "甲", "", "5"]


def test_no_command_writes_a_formula_it_did_not_mean(planted, tmp_path):
    runner = CliRunner()
    out = tmp_path / "out"
    out.mkdir()
    for args in (["check", planted, "--write-back"],
                 ["penalties", planted, "--month", "2026-03", "--out", out / "ledger.xlsx"],
                 ["scores", planted, "--period", "2026-Q1", "--out", out / "scores.xlsx"],
                 ["report", planted, "--month", "2026-03", "--out", out / "report.xlsx"]):
        r = runner.invoke(app, [str(a) for a in args])
        assert r.exit_code in (0, 1), (args, r.output)
    # The pack's workbooks, built directly (a whole pack renders forms: minutes)
    regs = read_all(planted)
    findings = [f.to_dict() for reg in regs.values() for f in reg.findings]
    check = [(f, None) for f in findings] + [({"register": "complaints", "sheet": "投诉登记", "row": 2,
                                                "column": "受理渠道", "code": "field.choice", "severity": "error",
                                                "message": f"受理渠道「{DDE}」不在选项中", "value": DDE}, None)]
    pack = {"check.xlsx": check_workbook(check, [], masked=False),
            "manifest.xlsx": manifest_workbook([{"kind": "form", "form": HYPER, "title": DDE, "number": DDE,
                                                 "record_date": "2026-01-05", "path": HYPER, "pages": 1, "size": 1,
                                                 "sha256": "0" * 64, "clause": DDE, "source": HYPER}]),
            "complaints.xlsx": masked_workbook(regs["complaints"])}
    record_issues(planted, [Issue(copy_no="01", form="complaint_record", title=DDE, number=DDE, holder=HYPER,
                                  issued=dt.date(2026, 1, 5), file=DDE)])
    written = {p.name: p.read_bytes() for p in list(planted.glob("*.xlsx")) + list(out.glob("*.xlsx"))}
    written |= pack
    found = [(w, f) for name, data in written.items() for w, f in formulas(data, name) if not OURS.match(f)]
    assert found == []
    # ... and the planted text is there, as text
    result = openpyxl.load_workbook(planted / "complaints.xlsx")["校验结果"]
    assert any(DDE in str(c.value) for row in result.iter_rows() for c in row)
    check_ws = openpyxl.load_workbook(io.BytesIO(pack["check.xlsx"]))["校验结果"]
    assert any(c.value == DDE and c.data_type == "s" for row in check_ws.iter_rows() for c in row)


def test_save_workbook_keeps_only_the_formulas_it_is_told(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["A2"], ws["A3"] = HYPER, "=SUM(1,2)", "#N/A"
    save_workbook(wb, tmp_path / "x.xlsx", formulas={(ws.title, 2, 1)})
    ws = openpyxl.load_workbook(tmp_path / "x.xlsx").active
    assert (ws["A1"].data_type, ws["A1"].value) == ("s", HYPER)
    assert (ws["A2"].data_type, ws["A3"].data_type) == ("f", "s")


def test_audit_log_cells_are_neutralised(tmp_path):
    append_audit_log(tmp_path, ["2026-01-01", DDE, "@SUM(A1)", "-2+3", "普通"])
    rows = list(csv.reader(io.StringIO((tmp_path / AUDIT_LOG).read_text("utf-8-sig"))))
    assert rows[1] == ["2026-01-01", "'" + DDE, "'@SUM(A1)", "'-2+3", "普通"]
