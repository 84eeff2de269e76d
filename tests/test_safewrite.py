import zipfile

import openpyxl
import pytest
from openpyxl.styles import Font, PatternFill

from generator.core.errors import UserError
from generator.registers.safewrite import BACKUP_DIR, edit_workbook


def user_workbook(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "登记"
    ws["A1"] = "编号"
    ws["A2"] = "001"
    ws["A2"].font = Font(bold=True, color="FF0000")
    ws["B2"].fill = PatternFill("solid", fgColor="FFFF00")
    ws.column_dimensions["A"].width = 33
    mine = wb.create_sheet("我的统计")
    mine["A1"] = "=COUNTA(登记!A:A)"
    wb.save(path)


def test_edit_keeps_other_sheets_formatting_and_makes_a_backup(tmp_path):
    path = tmp_path / "tickets.xlsx"
    user_workbook(path)
    edit_workbook(path, lambda wb: wb["登记"].cell(row=3, column=1, value="002"))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["登记", "我的统计"]
    assert wb["我的统计"]["A1"].value == "=COUNTA(登记!A:A)"
    assert wb["登记"]["A2"].font.bold and wb["登记"]["A2"].font.color.rgb == "00FF0000"
    assert wb["登记"]["B2"].fill.fgColor.rgb == "00FFFF00"
    assert wb["登记"].column_dimensions["A"].width == 33
    assert wb["登记"]["A3"].value == "002"
    backups = list((tmp_path / BACKUP_DIR).iterdir())
    assert len(backups) == 1 and openpyxl.load_workbook(backups[0])["登记"]["A3"].value is None


def test_refuses_while_open_in_excel(tmp_path):
    path = tmp_path / "tickets.xlsx"
    user_workbook(path)
    before = path.read_bytes()
    (tmp_path / "~$tickets.xlsx").write_bytes(b"owner")
    with pytest.raises(UserError, match="正在 Excel 中打开"):
        edit_workbook(path, lambda wb: wb["登记"].cell(row=3, column=1, value="x"))
    assert path.read_bytes() == before


def test_a_failing_edit_leaves_the_file_untouched(tmp_path):
    path = tmp_path / "tickets.xlsx"
    user_workbook(path)
    before = path.read_bytes()

    def boom(wb):
        wb["登记"]["A2"] = "changed"
        raise RuntimeError("edit failed")

    with pytest.raises(RuntimeError):
        edit_workbook(path, boom)
    assert path.read_bytes() == before
    assert not list(tmp_path.glob(".*.tmp"))


def test_macros_survive_an_edit(tmp_path):
    path = tmp_path / "tickets.xlsm"
    src = tmp_path / "src.xlsx"
    user_workbook(src)
    # Build an .xlsm by adding a vbaProject.bin part and its content type.
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                ).replace(b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdVBA" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
            zout.writestr(item, data)
        zout.writestr("xl/vbaProject.bin", b"VBA-PROJECT-BYTES")
    edit_workbook(path, lambda wb: wb["登记"].cell(row=3, column=1, value="002"))
    with zipfile.ZipFile(path) as z:
        assert z.read("xl/vbaProject.bin") == b"VBA-PROJECT-BYTES"
