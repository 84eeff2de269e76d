"""Writes into the user's register lose nothing, keep the file's identity, and never overlap."""
from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
import python_calamine as calamine

from generator.assess.checks import RunContext, run_checks
from generator.config.policy import find_policy
from generator.core.errors import UserError
from generator.pack.audit_log import AUDIT_LOG, append_audit_log
from generator.registers import lock
from generator.registers.numbers import assign
from generator.registers.read import read_all
from generator.registers.writeback import RESULT_SHEET, write_back
from tests.conftest import copy_registers

SHEET = "投诉登记"
TODAY = dt.date(2026, 3, 20)
NOW = dt.datetime(2026, 3, 20, 9, 0)
ROWS = range(2, 8)
X14 = (b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
       b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:dataValidations count="1" '
       b'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:dataValidation type="list" '
       b'allowBlank="1"><x14:formula1><xm:f>\'\xe9\x80\x89\xe9\xa1\xb9\'!$A$2:$A$5</xm:f></x14:formula1>'
       b"<xm:sqref>C2:C300</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>")
CUSTOM = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://schemas.openxmlformats.'
          'org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
          'docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="部门">'
          "<vt:lpwstr>售后服务部</vt:lpwstr></property></Properties>").encode()
TEXT_BOX = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.'
            'org/drawingml/2006/spreadsheetDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
            '<xdr:twoCellAnchor><xdr:from><xdr:col>3</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>10</xdr:row>'
            '<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>6</xdr:col><xdr:colOff>0</xdr:colOff>'
            '<xdr:row>14</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to><xdr:sp macro="" textlink=""><xdr:nvSpPr>'
            '<xdr:cNvPr id="2" name="文本框 1"/><xdr:cNvSpPr txBox="1"/></xdr:nvSpPr><xdr:spPr><a:xfrm><a:off x="0" '
            'y="0"/><a:ext cx="1" cy="1"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr>'
            '<xdr:txBody><a:bodyPr/><a:p><a:r><a:t>填表说明：编号由系统分配</a:t></a:r></a:p></xdr:txBody></xdr:sp>'
            "<xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>").encode()
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def office_extras(path: Path) -> None:
    """What Excel users have and openpyxl drops: cached formula values, an x14 dropdown list,
    a text box and a custom document property."""
    src = zipfile.ZipFile(path)
    parts = {n: src.read(n) for n in src.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    cached = "甲公司".encode()
    sheet = re.sub(rb"(<c r=\"D\d+\"[^>]*)(><f>[^<]*</f>)<v\s*(?:/>|></v>)",
                   lambda m: m.group(1) + b' t="str"' + m.group(2) + b"<v>" + cached + b"</v>", sheet)
    sheet = sheet.replace(b"<tableParts", f'<drawing xmlns:r="{R}" r:id="rId90"/><tableParts'.encode())
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b"</worksheet>", X14 + b"</worksheet>")
    rels = parts["xl/worksheets/_rels/sheet1.xml.rels"]
    parts["xl/worksheets/_rels/sheet1.xml.rels"] = rels.replace(b"</Relationships>", (
        f'<Relationship Id="rId90" Type="{R}/drawing" Target="../drawings/drawing90.xml"/></Relationships>').encode())
    parts["xl/drawings/drawing90.xml"] = TEXT_BOX
    parts["docProps/custom.xml"] = CUSTOM
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(b"</Relationships>", (
        f'<Relationship Id="rId90" Type="{R}/custom-properties" Target="docProps/custom.xml"/>'
        "</Relationships>").encode())
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", (
        '<Override PartName="/xl/drawings/drawing90.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'drawing+xml"/><Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.custom-properties+xml"/></Types>').encode())
    src.close()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)


@pytest.fixture(scope="module")
def office_module(empty_dir_session, tmp_path_factory) -> Path:
    folder = copy_registers(empty_dir_session, tmp_path_factory.mktemp("office") / "registers")
    path = folder / "complaints.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    head = {c.value: c.column for c in ws[1]}
    assert head["客户名称"] == 4
    for r in ROWS:   # numbers empty (to be assigned); the customer comes from a formula
        for h, v in {"受理日期": dt.date(2026, 3, r), "受理渠道": "电话" if r != 3 else "飞鸽",
                     "客户名称": '="甲"&"公司"', "投诉类别": "产品质量", "投诉内容": "外壳开裂", "国内国外": "国内"}.items():
            ws.cell(row=r, column=head[h], value=v)
    wb.save(path)
    office_extras(path)
    return folder


@pytest.fixture
def office(office_module, tmp_path) -> Path:
    return copy_registers(office_module, tmp_path / "registers")


def customers(path: Path) -> list:
    rows = calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(SHEET).to_python()
    return [rows[r - 1][3] for r in ROWS]


def check(folder: Path):
    regs = read_all(folder)
    return regs, run_checks(RunContext(regs, find_policy(folder), TODAY))


def test_assign_and_write_back_keep_cached_values_extensions_shapes_and_properties(office):
    path = office / "complaints.xlsx"
    before = zipfile.ZipFile(path)
    assert customers(path) == ["甲公司"] * len(ROWS)          # what a non-recalculating reader sees
    _, numbers = assign(office, "complaints", None)
    assert sorted(numbers) == list(ROWS)
    regs, findings = check(office)
    write_back(office, findings, NOW, registers=regs)
    write_back(office, findings, NOW, registers=regs)        # a refresh too
    after = zipfile.ZipFile(path)
    assert customers(path) == ["甲公司"] * len(ROWS)
    for part in ("docProps/custom.xml", "xl/drawings/drawing90.xml", "xl/tables/table1.xml", "docProps/core.xml"):
        assert after.read(part) == before.read(part), part
    sheet = after.read("xl/worksheets/sheet1.xml")
    assert X14 in sheet and b'<drawing xmlns:r="' in sheet
    assert not [f for f in findings if f.code == "field.required"]   # no false "必填项为空"
    ws = openpyxl.load_workbook(path)[SHEET]
    assert [ws.cell(row=r, column=1).value for r in ROWS] == [numbers[r] for r in ROWS]
    assert ws.cell(row=3, column=3).comment.text.startswith("【校验】")


def test_a_symlinked_register_keeps_its_link_permissions_and_group(office, tmp_path):
    real = tmp_path / "elsewhere" / "complaints.xlsx"
    real.parent.mkdir()
    shutil.move(office / "complaints.xlsx", real)
    os.chmod(real, 0o640)
    (office / "complaints.xlsx").symlink_to(real)
    assign(office, "complaints", None)
    regs, findings = check(office)
    write_back(office, findings, NOW, registers=regs)
    assert (office / "complaints.xlsx").is_symlink()
    assert oct(real.stat().st_mode & 0o777) == oct(0o640)
    assert RESULT_SHEET in openpyxl.load_workbook(real).sheetnames


def test_a_users_own_sheet_named_like_ours_is_never_replaced(office):
    path = office / "complaints.xlsx"
    wb = openpyxl.load_workbook(path)
    wb.create_sheet(RESULT_SHEET)["A1"] = "我自己的检查记录"
    wb.save(path)
    before = path.read_bytes()
    regs, findings = check(office)
    with pytest.raises(UserError, match="不是本工具写的"):
        write_back(office, findings, NOW, registers=regs)
    assert path.read_bytes() == before


@pytest.mark.parametrize("owner", [".~lock.complaints.xlsx#", "~$complaints.xlsx", ".~complaints.xlsx"])
def test_libreoffice_and_wps_lock_files_are_honoured(office, owner):
    path = office / "complaints.xlsx"
    before = path.read_bytes()
    (office / owner).write_bytes(b"owner")
    with pytest.raises(UserError, match="正在 (LibreOffice|Excel|WPS) 中打开"):
        assign(office, "complaints", None)
    assert path.read_bytes() == before


# ---------------------------------------------------------------------------
# Two processes at once (forked: the modules are loaded already)


def _assign(folder, queue):
    try:
        queue.put(sorted(assign(Path(folder), "complaints", None)[1].values()))
    except UserError as e:
        queue.put(str(e))


def _append(folder, tag):
    for i in range(15):
        append_audit_log(Path(folder), [tag, i])


def test_two_assigns_at_once_never_hand_out_the_same_number(office):
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_assign, args=(office, queue)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    got = [queue.get(timeout=5) for _ in procs]
    handed = [n for g in got if isinstance(g, list) for n in g]
    assert len(handed) == len(set(handed)) == len(ROWS)       # one run numbered, the other found none left
    ws = openpyxl.load_workbook(office / "complaints.xlsx")[SHEET]
    assert sorted(ws.cell(row=r, column=1).value for r in ROWS) == sorted(handed)


def test_a_second_writer_waits_then_stops_with_a_message(office, monkeypatch):
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    monkeypatch.setattr(lock, "WAIT_SECONDS", 0.3)
    before = (office / "complaints.xlsx").read_bytes()
    with lock.writer_lock(office / "complaints.xlsx"):   # held by this process
        p = ctx.Process(target=_assign, args=(office, queue))
        p.start()
        p.join(10)
    message = queue.get(timeout=5)
    assert isinstance(message, str) and "正在被另一个 aftersales 命令写入" in message
    assert (office / "complaints.xlsx").read_bytes() == before


def test_two_processes_appending_to_the_audit_log_keep_every_line(tmp_path):
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_append, args=(tmp_path, tag)) for tag in ("甲", "乙")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    lines = (tmp_path / AUDIT_LOG).read_text("utf-8-sig").splitlines()
    assert len(lines) == 1 + 30 and len(set(lines)) == 31
