"""Macro workbooks: the VBA project built without Excel, the buttons, the Python entry points."""
from __future__ import annotations

import ast
import datetime as dt
import re
import zipfile
from pathlib import Path

import olefile
import openpyxl
import pytest
import xlwings
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import VBA_Parser, decompress_stream

from generator.assess.checks import RunContext, run_checks
from generator.config.policy import find_policy
from generator.config.register_specs import load_specs
from generator.core.errors import UserError
from generator.excel import entry as excel_entry
from generator.excel.xlsm import (
    BUTTONS,
    CONF_FILE,
    ENTRY_MODULE,
    MACRO_DIR,
    compound_file,
    compress,
    conf_text,
    install_macros,
    macro_modules,
    make_xlsm,
    vba_project,
)
from generator.registers.read import read_all
from generator.registers.writeback import RESULT_SHEET, write_back
from tests.conftest import needs_soffice, put_rows, soffice_convert, soffice_convert_all

XLSM_CT = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
SHEET = "投诉登记"


def vba_sources(data: bytes) -> dict[str, str]:
    """Module name -> source, as olevba reads them back from a vbaProject.bin or .xlsm."""
    vp = VBA_Parser("x.bin", data=data)
    return {stream.split("/")[-1]: code for _, stream, _, code in vp.extract_macros()}


def subs(source: str) -> set[str]:
    return set(re.findall(r"^Sub (\w+)\(\)", source, re.M))


def python_calls(source: str) -> list[str]:
    return re.findall(r'RunPython "import aftersales_macros; aftersales_macros\.(\w+)\(\)"', source)




def buttons_of(xlsm: Path) -> dict[str, list[tuple[str, str]]]:
    """Sheet name -> [(caption, macro)] read from the VML drawings of each sheet."""
    z = zipfile.ZipFile(xlsm)
    wb = z.read("xl/workbook.xml").decode()
    rels = z.read("xl/_rels/workbook.xml.rels").decode()
    targets = dict(re.findall(r'Target="/?(?:xl/)?([^"]+)" Id="(rId\d+)"', rels))
    targets = {v: k for k, v in targets.items()}
    out = {}
    for name, rid in re.findall(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="(rId\d+)"', wb):
        part = "xl/" + targets[rid]
        rel_path = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
        if rel_path not in z.namelist():
            continue
        vml = re.search(r'Target="/?([^"]+\.vml)"', z.read(rel_path).decode())
        if vml is None:
            continue
        text = z.read(vml.group(1).lstrip("/")).decode()
        found = re.findall(r'<font[^>]*>([^<]+)</font>.*?<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>', text, re.S)
        if found:
            out[name] = found
    return out


# ---------------------------------------------------------------------------
# Binary formats


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.binary(max_size=9000),
                 st.text(alphabet="ab \r\nxyz()=\"'", max_size=12000).map(str.encode)))
def test_compression_round_trips_through_olevba(data):
    assert bytes(decompress_stream(bytearray(compress(data)))) == data


def test_compression_actually_compresses_vba_source():
    source = (MACRO_DIR / "xlwings.bas").read_bytes()
    assert len(compress(source)) < len(source) / 2


@settings(max_examples=25, deadline=None)
@given(st.dictionaries(st.text(alphabet="abcXYZ_", min_size=1, max_size=12),
                       st.binary(max_size=9000), min_size=1, max_size=6))
def test_compound_file_streams_read_back_with_olefile(streams):
    tree = {"S": dict(streams), "top": b"x" * 5000, "tiny": b"1"}
    ole = olefile.OleFileIO(compound_file(tree), raise_defects=olefile.DEFECT_INCORRECT)
    for name, data in streams.items():
        assert ole.openstream(f"S/{name}").read() == data
    assert ole.openstream("top").read() == b"x" * 5000
    assert ole.openstream("tiny").read() == b"1"


def test_vba_project_holds_every_module_source():
    codes = ["Sheet1", "Sheet2"]
    got = vba_sources(vba_project(macro_modules(codes)))
    assert set(got) == {"ThisWorkbook", "Sheet1", "Sheet2", "AfterSales", "xlwings", "Dictionary"}
    for name, path in (("AfterSales", "AfterSales.bas"), ("xlwings", "xlwings.bas")):
        assert got[name].replace("\r\n", "\n").strip() == (MACRO_DIR / path).read_text().replace("\r\n", "\n").strip()
    assert 'Attribute VB_Base = "0{00020820-0000-0000-C000-000000000046}"' in got["Sheet2"]


def test_macro_sources_are_ascii_crlf_for_the_1252_project():
    for name in ("AfterSales.bas", "xlwings.bas", "Dictionary.cls"):
        data = (MACRO_DIR / name).read_bytes()
        data.decode("ascii")
        assert b"\n" not in data.replace(b"\r\n", b"")


def test_xlwings_module_is_the_one_of_the_pinned_xlwings():
    assert xlwings.__version__ == "0.37.8"
    shipped = Path(xlwings.__file__).with_name("xlwings.bas").read_bytes()
    assert (MACRO_DIR / "xlwings.bas").read_bytes() == shipped
    assert "XLWINGS_VERSION As String = \"0.37.8\"" in shipped.decode()


def entry_points() -> dict[str, ast.FunctionDef]:
    tree = ast.parse((MACRO_DIR / ENTRY_MODULE).read_text(encoding="utf-8"))
    return {f.name: f for f in tree.body if isinstance(f, ast.FunctionDef)}


def test_every_button_runs_a_macro_that_calls_an_existing_entry_point():
    source = (MACRO_DIR / "AfterSales.bas").read_text()
    assert {b.macro for b in BUTTONS} == subs(source)
    calls = python_calls(source)
    assert len(calls) == len(BUTTONS)
    defs = entry_points()
    for name in calls:
        assert name in defs, f"aftersales_macros.{name} missing"
        run_args = [n.args[0].value for n in ast.walk(defs[name])
                    if isinstance(n, ast.Call) and getattr(n.func, "attr", None) == "run"]
        assert run_args == [name] and name in excel_entry.ACTIONS


def test_conf_template_is_plain_key_value_pairs_without_udf_modules():
    lines = (MACRO_DIR / CONF_FILE).read_bytes().decode("ascii").split("\r\n")
    pairs = dict(re.fullmatch(r'"([^"]+)","([^"]*)"', line).groups() for line in lines if line)
    assert pairs["UDF MODULES"] == "" and pairs["INTERPRETER_WIN"] == pairs["INTERPRETER_MAC"] == ""


def test_conf_names_the_interpreter_for_the_right_platform():
    assert '"INTERPRETER_WIN","C:\\py\\python.exe"' in conf_text("C:\\py\\python.exe")
    mac = conf_text("/Users/a/.venv/bin/python")
    assert '"INTERPRETER_MAC","/Users/a/.venv/bin/python"' in mac and '"INTERPRETER_WIN",""' in mac
    assert '"UDF MODULES",""' in mac


# ---------------------------------------------------------------------------
# Workbooks


def test_make_xlsm_carries_modules_buttons_and_the_same_data(empty_registers):
    src = empty_registers / "materials.xlsx"
    dst = make_xlsm(src, empty_registers / "materials.xlsm")
    z = zipfile.ZipFile(dst)
    assert XLSM_CT in z.read("[Content_Types].xml").decode()
    modules = vba_sources(z.read("xl/vbaProject.bin"))
    before, after = openpyxl.load_workbook(src), openpyxl.load_workbook(dst, keep_vba=True)
    assert after.sheetnames == before.sheetnames
    for ws in after.worksheets:       # every sheet's code name has its document module
        assert ws.sheet_properties.codeName in modules
        assert [[c.value for c in r] for r in ws.iter_rows()] == [[c.value for c in r] for r in before[ws.title].iter_rows()]
    visible = [ws.title for ws in before.worksheets if ws.sheet_state == "visible"]
    assert len(visible) >= 2
    expected = [(b.caption, b.macro) for b in BUTTONS]
    assert buttons_of(dst) == {name: expected for name in visible}
    assert {m for _, m in expected} <= subs(modules["AfterSales"])


def test_install_macros_replaces_the_xlsx_and_the_registers_still_read(empty_registers):
    written = install_macros(empty_registers, python="C:\\py\\python.exe")
    names = {p.name for p in written}
    assert {ENTRY_MODULE, CONF_FILE, "complaints.xlsm", "master.xlsm"} <= names
    assert not list(empty_registers.glob("*.xlsx"))
    assert list((empty_registers / "备份").glob("complaints-*.xlsx"))
    regs = read_all(empty_registers)
    assert {r.path.suffix for r in regs.values()} == {".xlsm"}
    for reg in regs.values():      # olevba on each workbook: the modules, and entry points that exist
        modules = vba_sources(reg.path.read_bytes())
        assert {"ThisWorkbook", "AfterSales", "xlwings", "Dictionary"} <= set(modules)
        assert set(python_calls(modules["AfterSales"])) == {"check", "assign_numbers", "render_selected", "remind"}
        assert set(python_calls(modules["AfterSales"])) <= set(entry_points())
    assert run_checks(RunContext(regs, find_policy(empty_registers), dt.date(2026, 1, 6))) == []
    assert (empty_registers / ENTRY_MODULE).read_bytes() == (MACRO_DIR / ENTRY_MODULE).read_bytes()


def test_write_back_keeps_the_macros_and_buttons(empty_registers):
    install_macros(empty_registers)
    path = empty_registers / "complaints.xlsm"
    vba = zipfile.ZipFile(path).read("xl/vbaProject.bin")
    put_rows(path, SHEET, {2: {"投诉编号": "260105001", "受理日期": dt.date(2026, 1, 5)}})
    for hour in (9, 10):
        regs = read_all(empty_registers)
        findings = run_checks(RunContext(regs, find_policy(empty_registers), dt.date(2026, 1, 6)))
        assert findings
        write_back(empty_registers, findings, dt.datetime(2026, 1, 6, hour), registers=regs)
    z = zipfile.ZipFile(path)
    assert z.read("xl/vbaProject.bin") == vba
    assert buttons_of(path)[SHEET] == [(b.caption, b.macro) for b in BUTTONS]
    vml = next(n for n in z.namelist() if n.endswith(".vml") and "Note" in z.read(n).decode())
    assert z.read(vml).decode().count('ObjectType="Button"') == len(BUTTONS)
    wb = openpyxl.load_workbook(path, keep_vba=True)
    assert RESULT_SHEET in wb.sheetnames and wb[SHEET]["D2"].comment is not None


def test_plain_xlsx_registers_carry_no_macros_and_still_get_results(empty_registers):
    regs = read_all(empty_registers)
    write_back(empty_registers, [], dt.datetime(2026, 1, 6, 9), registers=regs)
    for reg in regs.values():
        z = zipfile.ZipFile(reg.path)
        assert reg.path.suffix == ".xlsx" and not any("vba" in n.lower() for n in z.namelist())
        assert XLSM_CT not in z.read("[Content_Types].xml").decode()
        assert openpyxl.load_workbook(reg.path)[RESULT_SHEET]["A1"].value.startswith("校验通过")


@needs_soffice
def test_libreoffice_opens_the_xlsm_and_binds_the_buttons_to_the_modules(empty_registers, tmp_path):
    install_macros(empty_registers)
    srcs = sorted(empty_registers.glob("*.xlsm"))
    for src, xlsx in zip(srcs, soffice_convert_all(srcs, "xlsx", tmp_path / "xlsx")):
        assert openpyxl.load_workbook(xlsx).sheetnames == openpyxl.load_workbook(src).sheetnames
    src = empty_registers / "complaints.xlsm"
    ods = zipfile.ZipFile(soffice_convert(src, "ods", tmp_path / "ods"))
    assert {"Basic/VBAProject/AfterSales.xml", "Basic/VBAProject/xlwings.xml"} <= set(ods.namelist())
    bars = len(load_specs()["complaints"].sheets)   # one button bar per register sheet (投诉登记, 统计报送)
    bound = re.findall(r"vnd\.sun\.star\.script:VBAProject\.AfterSales\.(\w+)\?", ods.read("content.xml").decode())
    assert bound == [b.macro for b in BUTTONS] * bars
    labels = re.findall(r'<form:button [^>]*form:label="([^"]+)"', ods.read("content.xml").decode())
    assert labels == [b.caption for b in BUTTONS] * bars


# ---------------------------------------------------------------------------
# Entry points against real workbooks, no Excel


@pytest.mark.parametrize("address, rows", [
    ("$A$3:$C$5,$E$8", [3, 4, 5, 8]), ("$4:$6", [4, 5, 6]), ("$B$2", [2]), ("'投诉登记'!$A$7:$A$7", [7]),
])
def test_rows_from_a_selection_address(address, rows):
    assert excel_entry.rows_from_address(address) == rows


def test_rows_from_a_whole_column_selection_is_refused():
    with pytest.raises(UserError):
        excel_entry.rows_from_address("$A:$C")


def test_check_entry_point_writes_back_and_shows_the_result_sheet(empty_registers):
    path = empty_registers / "complaints.xlsx"
    put_rows(path, SHEET, {2: {"投诉编号": "260105001", "受理日期": dt.date(2026, 1, 5)}})
    result = excel_entry.check(path, today=dt.date(2026, 1, 6), now=dt.datetime(2026, 1, 6, 9))
    assert result["own"]["error"] == result["counts"]["error"] > 0
    wb = openpyxl.load_workbook(path)
    assert wb.active.title == RESULT_SHEET
    assert [ws.title for ws in wb.worksheets if ws.sheet_view.tabSelected] == [RESULT_SHEET]
    assert openpyxl.load_workbook(empty_registers / "tickets.xlsx").active.title != RESULT_SHEET


def test_assign_numbers_entry_point_fills_the_empty_numbers(empty_registers):
    path = empty_registers / "complaints.xlsx"
    row = {"受理日期": dt.date(2026, 1, 5), "受理渠道": "电话", "客户名称": "甲", "投诉类别": "建议",
           "投诉内容": "x", "国内国外": "国内"}
    put_rows(path, SHEET, {2: {**row, "投诉编号": "260105001"}, 3: row, 4: {**row, "受理日期": dt.date(2026, 1, 4)}})
    # N1 单号 (yearly count) and the N2 处理表编号 (monthly count, 004 第八条) are both allocated
    assert excel_entry.assign_numbers(path) == {SHEET: {4: "260104002", 3: "260105003"},
                                                f"{SHEET}·处理表编号": {4: "260101", 2: "260102", 3: "260103"}}
    ws = openpyxl.load_workbook(path)[SHEET]
    assert [ws.cell(row=r, column=1).value for r in (2, 3, 4)] == ["260105001", "260105003", "260104002"]
    assert excel_entry.assign_numbers(path) == {}


def test_render_selected_entry_point_fills_the_forms_of_those_rows(empty_registers):
    path = empty_registers / "complaints.xlsx"
    row = {"受理日期": dt.date(2026, 1, 5), "受理渠道": "电话", "客户名称": "甲", "投诉类别": "建议",
           "投诉内容": "x", "国内国外": "国内"}
    put_rows(path, SHEET, {2: {**row, "投诉编号": "260105001", "处理表编号": "260101"},
                           3: {**row, "投诉编号": "260105002", "处理表编号": "260102"}})
    files = excel_entry.render_selected(path, rows=[3], today=dt.date(2026, 1, 6))
    # 客户抱怨处理表 is numbered by its N2 处理表编号 (004 第八条), every other form by the 单号
    assert files and all(p.exists() and p.suffix == ".docx" for p in files)
    assert all(("260102" if p.name.startswith("complaint_handling") else "260105002") in p.name for p in files)
    assert files[0].parent == empty_registers / excel_entry.FORMS_DIR
    with pytest.raises(UserError, match="没有登记内容"):
        excel_entry.render_selected(path, rows=[50])


def test_remind_entry_point_lists_overdue_cases(empty_registers):
    path = empty_registers / "complaints.xlsx"
    row = {"受理日期": dt.date(2026, 1, 5), "受理渠道": "电话", "客户名称": "甲", "投诉类别": "建议",
           "投诉内容": "x", "国内国外": "国内", "投诉编号": "260105001"}
    put_rows(path, SHEET, {2: row})
    quiet = excel_entry.remind(path, today=dt.date(2026, 1, 6), forms=False)
    assert quiet["groups"] == [] and "没有超期" in excel_entry.remind_text(quiet)
    late = excel_entry.remind(path, today=dt.date(2026, 3, 2), forms=False)
    cases = [c for g in late["groups"] for c in g["cases"]]
    assert {c["row"] for c in cases} == {2} and "件超期未办" in excel_entry.remind_text(late)
