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
from pathlib import Path

import python_calamine as calamine

from generator.core.errors import UserError
from generator.registers.xlsxbook import Book

HEADERS = ("日期", "类型", "说明")
TABLE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/table"
DATE_FORMAT = 14                    # Excel's built-in short date, for a sheet with no row yet
_REF_END = re.compile(rb'(<(?:\w+:)?(?:table|autoFilter)\b[^>]*?\sref="[A-Z]+\d+:[A-Z]+)(\d+)(")')


def _as_date(v) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    return v if isinstance(v, dt.date) else None


def _serial(book: Book, d: dt.date) -> int:
    """Excel's day number of ``d`` in the workbook's date system."""
    pr = book.root.find(book._q("workbookPr"))
    epoch = dt.date(1904, 1, 1) if pr is not None and pr.get("date1904") in ("1", "true") else dt.date(1899, 12, 30)
    return (d - epoch).days


def _rows(path: Path, sheet: str) -> list[list]:
    try:
        return calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except (calamine.CalamineError, OSError, ValueError) as e:
        raise UserError(f"{path}：无法读取工作表「{sheet}」（{e}）") from None


def add_company_days(book: Book, path: Path, sheet: str, rows: list[tuple[dt.date, str, str]]
                     ) -> tuple[list, list]:
    """Append (日期, 类型, 说明) ``rows`` to the 节假日 sheet of the master register ``book`` (read
    from ``path``). Returns (added, kept) rows; the sheet's table grows over the new rows."""
    if sheet not in book.sheet_names():
        raise UserError(f"基础数据工作簿缺少工作表「{sheet}」")
    values = _rows(path, sheet)
    header = {str(v).strip(): j + 1 for j, v in enumerate(values[0] if values else []) if v not in (None, "")}
    missing = [h for h in HEADERS if h not in header]
    if missing:
        raise UserError(f"基础数据「{sheet}」第 1 行缺少列 {'、'.join(missing)}")
    cols = [header[h] for h in HEADERS]
    present, last = {}, 1
    for i, row in enumerate(values[1:], start=2):
        cells = [row[c - 1] if c - 1 < len(row) else None for c in cols]
        if any(v not in (None, "") for v in cells):
            last = i
            if _as_date(cells[0]):
                present[_as_date(cells[0])] = cells[1]
    sheet_cells = book.cells(sheet)
    # a new cell keeps the format it already has (rows formatted ahead), else takes the one above
    above = [sheet_cells.style(last, c) if last > 1 else 0 for c in cols]
    if last == 1:
        above[0] = book.styles.derive(0, numfmt=DATE_FORMAT)

    def style(row: int, i: int) -> int:
        return sheet_cells.style(row, cols[i]) if sheet_cells.cell(row, cols[i]) is not None else above[i]

    added, kept = [], []
    for d, kind, note in rows:
        if d in present:
            kept.append((d, present[d], note))
            continue
        last += 1
        sheet_cells.set_number(last, cols[0], style(last, 0), _serial(book, d))
        sheet_cells.set_text(last, cols[1], style(last, 1), kind)
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
