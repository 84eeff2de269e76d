"""The State Council's days appended to master 节假日, part by part (for ``calendar import``).

Rows are added below the last one of the sheet through ``xlsxbook``: only that sheet, the
styles and the sheet's table grow, so master.xlsx keeps its other sheets, formulas with their
cached values, dropdowns and extensions byte for byte (an openpyxl load and save drops them,
FIELD-NOTES). A date the company already entered is kept as it is: its days override the
notice. The new cells keep the formats they were given ahead, or take those of the row above,
like a row typed in Excel.
"""
from __future__ import annotations

import datetime as dt
import re

from generator.core.errors import UserError
from generator.core.normalize import excel_serial
from generator.core.periods import as_date
from generator.registers.read import Table
from generator.registers.xlsxbook import Book

TABLE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/table"
DATE_FORMAT = 14                    # Excel's built-in short date, for a sheet with no row yet
KEYS = ("date", "kind", "note")     # the 节假日 columns (master register spec)
_REF_END = re.compile(rb'(<(?:\w+:)?(?:table|autoFilter)\b[^>]*?\sref="[A-Z]+\d+:[A-Z]+)(\d+)(")')


def _date1904(book: Book) -> bool:
    """Whether the workbook counts days from 1904 (old Mac Excel)."""
    pr = book.root.find(book._q("workbookPr"))
    return pr is not None and pr.get("date1904") in ("1", "true")


def add_company_days(book: Book, table: Table, rows: list[tuple[dt.date, str, str]]) -> tuple[list, list]:
    """Append (日期, 类型, 说明) ``rows`` below the records of the 节假日 ``table`` (as read from
    the master register ``book``). Returns (added, kept) rows; the sheet's table grows over the
    new rows."""
    sheet = table.spec.name
    if sheet not in book.sheet_names():
        raise UserError(f"基础数据工作簿缺少工作表「{sheet}」")
    present = {as_date(r.values["date"]): r.raw.get("kind", r.values["kind"])     # as the company typed it
               for r in table.records if as_date(r.values["date"])}
    last = max([table.header_row, *(r.row for r in table.records)])
    cols = [table.columns.get(k) for k in KEYS]           # 说明 may be missing: then not written
    sheet_cells = book.cells(sheet)
    # a new cell keeps the format it already has (rows formatted ahead), else takes the one above
    above = [sheet_cells.style(last, c) if c and last > table.header_row else 0 for c in cols]
    if last == table.header_row:
        above[0] = book.styles.derive(0, numfmt=DATE_FORMAT)

    def style(row: int, i: int) -> int:
        return sheet_cells.style(row, cols[i]) if sheet_cells.cell(row, cols[i]) is not None else above[i]

    added, kept, date1904 = [], [], _date1904(book)
    for d, kind, note in rows:
        if d in present:
            kept.append((d, present[d], note))
            continue
        last += 1
        sheet_cells.set_number(last, cols[0], style(last, 0), excel_serial(d, date1904=date1904))
        sheet_cells.set_text(last, cols[1], style(last, 1), kind)
        if cols[2]:
            sheet_cells.set_text(last, cols[2], style(last, 2), note)
        added.append((d, kind, note))
    if added:
        sheet_cells.extend_dimension(last)
        _grow_tables(book, sheet, last)
    return added, kept


def _grow_tables(book: Book, sheet: str, last: int) -> None:
    """Tables on the sheet (Excel's 表格, with their filters) reach down to row ``last``."""
    for rel_type, part in book.pkg.targets(book.parts[sheet]).values():
        if rel_type != TABLE_REL:
            continue
        xml = book.pkg.read(part)
        grown = _REF_END.sub(lambda m: m.group(1) + str(max(int(m.group(2)), last)).encode() + m.group(3), xml)
        if grown != xml:
            book.pkg.write(part, bytes(grown))


__all__ = ["add_company_days"]
