"""A sheet patched as a stream of row blocks gives the same bytes as one patched whole."""
from __future__ import annotations

import re

import pytest

from generator.registers import xlsxsheet
from generator.registers.xlsxpatch import PatchError
from generator.registers.xlsxsheet import SheetCells

HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats'
        b'.org/spreadsheetml/2006/main"><sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
        b'<cols><col min="1" max="3" width="12"/></cols><sheetData>')
TAIL = (b'</sheetData><rowBreaks count="1"><brk id="5"/></rowBreaks><tableParts count="1"><tablePart r:id="rId1" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/></tableParts></worksheet>')


def sheet(rows=range(2, 120, 2), implicit=False) -> bytes:
    """Rows 2, 4, ... with text, a number and a styled empty cell each (cells without r when implicit)."""
    out = []
    for r in rows:
        refs = [""] * 3 if implicit else [f' r="{c}{r}"' for c in "ABC"]
        out.append(f'<row r="{r}" spans="1:4"><c{refs[0]} s="1" t="inlineStr"><is><t>行 {r} &lt;row&gt;</t></is></c>'
                   f'<c{refs[1]}><v>{r * 7}</v></c><c{refs[2]} s="2"/></row>\n'.encode())
    return HEAD + b"".join(out) + TAIL


def chunked(data: bytes, size: int):
    return (data[i:i + size] for i in range(0, len(data), size))


def edited(cells: SheetCells) -> bytes:
    cells.set_style(10, 1, 5)           # an existing cell restyled
    cells.set_style(10, 4, 6)           # a cell new in an existing row
    cells.set_text(20, 2, 7, "编号<1>")   # an existing cell's value replaced by text
    cells.set_style(1, 1, 8)            # a new row before the first one
    cells.set_style(31, 2, 8)           # a new row between two
    cells.set_style(31, 1, 9)
    cells.set_style(500, 1, 8)          # a new row after the last
    cells.unselect()
    return bytes(cells)


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(xlsxsheet, "BLOCK", 700)


@pytest.mark.parametrize("implicit", [False, True])
def test_blocks_packed_and_streamed_give_the_bytes_of_the_sheet_patched_whole(monkeypatch, implicit):
    data = sheet(implicit=implicit)
    whole = SheetCells(data)                                # one block: the sheet patched whole
    assert len(whole.blocks) == 1
    monkeypatch.setattr(xlsxsheet, "BLOCK", 700)
    for size in (97, 1000, 4096):
        streamed = SheetCells(chunked(data, size), pack=True)
        assert len(streamed.blocks) > 3 and streamed.implicit == implicit
        assert bytes(streamed) == data                      # unchanged: every byte as read
        assert streamed.cell(20, 2) == whole.cell(20, 2) and streamed.style(4, 3) == whole.style(4, 3) == 2
        assert edited(streamed) == edited(SheetCells(data))
    out = edited(whole)
    assert edited(SheetCells(chunked(data, 97), pack=True)) == out
    assert b'tabSelected' not in out and out.count(b"<row ") == len(range(2, 120, 2)) + 3
    rows = lambda xml: re.findall(rb"<row r=\"(\d+)\".*?</row>\n?", xml, re.S)   # noqa: E731
    assert [int(r) for r in rows(out)] == sorted([1, 31, 500, *range(2, 120, 2)])
    untouched = [m.group(0) for m in re.finditer(rb'<row r="(\d+)".*?</row>\n', data, re.S)
                 if int(m.group(1)) not in (10, 20)]
    assert all(row in out for row in untouched)             # every other row byte for byte


def test_rows_added_to_an_empty_sheet_and_a_tail_element(small_blocks):
    data = HEAD[:-len(b"<sheetData>")] + b"<sheetData/>" + TAIL[len(b"</sheetData>"):]
    cells = SheetCells(chunked(data, 50), pack=True)
    assert cells.empty and bytes(cells) == data
    cells.set_text(2, 1, 3, "甲")
    cells.add_tail(b'<legacyDrawing r:id="rId9"/>')
    out = bytes(cells)
    assert out.startswith(HEAD) and b'<c r="A2" s="3" t="inlineStr">' in out
    assert b'</sheetData><rowBreaks count="1"><brk id="5"/></rowBreaks><legacyDrawing r:id="rId9"/><tableParts' in out


@pytest.mark.parametrize("data, message", [
    (b"<worksheet><cols/></worksheet>", "没有 sheetData"),
    (HEAD + b'<row r="1"><c r="A1"/></row>' * 50, "没有结束标记"),
])
def test_a_sheet_it_cannot_read_is_refused(small_blocks, data, message):
    with pytest.raises(PatchError, match=message):
        SheetCells(chunked(data, 64), pack=True)
