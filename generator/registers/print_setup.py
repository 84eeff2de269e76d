"""One page setup for every workbook the tool writes, so that printing or a print preview gives
A4 pages a person can read (LibreOffice printed a 9-row check.xlsx on 7 pages without it).

Each visible sheet gets: A4; landscape when its columns are wider than a portrait page; fit
to as few pages wide as keep the text readable (one for most sheets; a register of 40 columns
fitted to one page printed at a fifth of its size) when its key columns (left of the frozen
pane) can repeat on each, else one page wide; as many pages tall as needed; the header rows
repeated on every page (the rows above the frozen pane); the workbook's title and the sheet
name in the footer, with "第 N 页 共 M 页"; narrow margins and grid lines (the table sheets
have no cell borders).
Every writer calls ``apply_print_setup`` once, just before saving.
"""
from __future__ import annotations

import math

from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.worksheet.page import PageMargins

PORTRAIT_WIDTH = 100     # character widths that fit a portrait A4 page at a readable scale
PAGE_WIDTH = 200         # character widths on one landscape A4 page at about 70 %, still readable
DEFAULT_WIDTH = 9.0      # Excel's default column width (8.43) rounded up
PAGE_FOOTER = "第 &P 页 共 &N 页"


def _footer_text(text: str) -> str:
    return text.replace("&", "&&")   # & starts a header/footer code


def sheet_width(ws) -> float:
    """The printed width of the used columns (those with cells or a set width), in characters;
    hidden columns do not print."""
    from_dims = [column_index_from_string(k) for k, d in ws.column_dimensions.items() if d.width]
    total = 0.0
    for i in range(1, max([ws.max_column or 1, *from_dims]) + 1):
        dim = ws.column_dimensions.get(get_column_letter(i))
        if dim is not None and dim.hidden:
            continue
        total += dim.width if dim is not None and dim.width else DEFAULT_WIDTH
    return total


def header_rows(ws) -> int:
    """How many rows to repeat on each page: those above the frozen pane (0 when not frozen)."""
    if not ws.freeze_panes:
        return 0
    _, row = coordinate_from_string(ws.freeze_panes)
    return row - 1


def key_columns(ws) -> int:
    """How many columns name a row (the 编号): those left of the frozen pane (0 when not frozen)."""
    if not ws.freeze_panes:
        return 0
    col, _ = coordinate_from_string(ws.freeze_panes)
    return column_index_from_string(col) - 1


def pages_wide(ws) -> int:
    """Pages a sheet is fitted to across: several only when each page can name its rows (a
    register's 编号 column, left of the frozen pane, repeats); a listing without one (the
    pack's manifest) stays one page wide, so that no row is cut from what identifies it."""
    if not key_columns(ws):
        return 1
    return max(1, math.ceil(sheet_width(ws) / PAGE_WIDTH))


def setup_sheet(ws, title: str) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if sheet_width(ws) > PORTRAIT_WIDTH else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = pages_wide(ws), 0     # any number tall
    rows, cols = header_rows(ws), key_columns(ws)
    if rows:
        ws.print_title_rows = f"1:{rows}"
    if cols and ws.page_setup.fitToWidth > 1:
        ws.print_title_cols = f"A:{get_column_letter(cols)}"
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6, header=0.3, footer=0.3)
    ws.print_options.gridLines = True
    ws.print_options.horizontalCentered = True
    for footer in (ws.oddFooter, ws.evenFooter):
        footer.left.text = f"{_footer_text(title)} · &A" if title else "&A"     # &A: the sheet name
        footer.right.text = PAGE_FOOTER


def apply_print_setup(wb, title: str) -> None:
    """Page setup of every visible sheet of ``wb``; ``title`` goes into the footer."""
    for ws in wb.worksheets:
        if ws.sheet_state == "visible":
            setup_sheet(ws, title)


__all__ = ["apply_print_setup", "header_rows", "key_columns", "pages_wide", "setup_sheet", "sheet_width"]
