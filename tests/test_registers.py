import datetime as dt
from decimal import Decimal

import openpyxl
import pytest

from generator.core.errors import UserError
from generator.registers.read import read_register
from tests.conftest import write_rows

HEAD = ["受理日期", "单号", "我的备注", "受理渠道", "客户名称", "投诉类别", "投诉内容", "国内国外", "返修费用预算"]


def test_reads_by_header_name_alias_and_rows_below_the_table(empty_registers):
    path = empty_registers / "complaints.xlsx"
    rows = [HEAD,
            ["2026/10/8", "'261008001", "自己的列", "电话", " 甲公司 ", "建议", "内容", "国内", "1,200"],
            [46303.0, 261008002, None, "电话", "乙公司", "其他", "内容", "国外", 30]]
    rows += [[None] * len(HEAD)] * 400            # far below the prepared table range
    rows += [["２０２６年１０月９日", "261009003", None, "邮件", "丙", "建议", "x", "国内", None]]
    write_rows(path, "投诉登记", rows)
    table = read_register(empty_registers, "complaints").tables["complaints"]
    got = [(r.row, r["complaint_no"], r["received"], r["customer"], r["repair_budget"]) for r in table.records]
    assert got == [
        (2, "261008001", dt.date(2026, 10, 8), "甲公司", Decimal("1200.00")),
        (3, "261008002", dt.date(2026, 10, 8), "乙公司", Decimal("30.00")),
        (404, "261009003", dt.date(2026, 10, 9), "丙", None),
    ]
    assert table.records[1].raw["complaint_no"] == 261008002.0   # the raw cell is kept for number checks
    assert table.findings == []


def test_unreadable_values_become_type_findings_on_the_user_row(empty_registers):
    path = empty_registers / "complaints.xlsx"
    write_rows(path, "投诉登记", [HEAD, ["2026-13-45", "1", None, "电话", "甲", "建议", "x", "国内", "很多"]])
    table = read_register(empty_registers, "complaints").tables["complaints"]
    assert [(f.row, f.column, f.code) for f in table.findings] == [
        (2, "受理日期", "field.type"), (2, "返修费用预算", "field.type")]
    assert table.findings[0].value == "2026-13-45"


@pytest.mark.parametrize("damage,message", [
    (lambda p: p.write_bytes(b"not a zip at all"), "不是有效的 xlsx"),
    (lambda p: p.write_bytes(b"PK\x03\x04broken"), "已损坏"),
    (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600), "打开密码"),
    (lambda p: p.unlink(), "找不到台账文件"),
])
def test_unreadable_files_are_clear_errors(empty_registers, damage, message):
    path = empty_registers / "complaints.xlsx"
    damage(path)
    with pytest.raises(UserError) as e:
        read_register(empty_registers, "complaints")
    assert message in e.value.message and "complaints.xlsx" in e.value.message


def test_missing_sheet_and_missing_header(empty_registers):
    path = empty_registers / "complaints.xlsx"
    wb = openpyxl.load_workbook(path)
    wb["投诉登记"].title = "别的名字"
    wb.save(path)
    with pytest.raises(UserError, match="缺少工作表「投诉登记」"):
        read_register(empty_registers, "complaints")
    write_rows(path, "投诉登记", [["受理日期", "客户名称"], ["2026-10-08", "甲"]])
    with pytest.raises(UserError, match="找不到必需的列 投诉编号"):
        read_register(empty_registers, "complaints")


def test_a_legacy_xls_beside_is_named_in_the_error(empty_registers):
    (empty_registers / "complaints.xlsx").rename(empty_registers / "complaints.xls")
    with pytest.raises(UserError, match="旧版 .xls 格式"):
        read_register(empty_registers, "complaints")
