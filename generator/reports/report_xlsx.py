"""The period report as a workbook: one sheet per topic, tables with native Excel charts.

Each chart's categories and series are references to the table cells it sits beside, so a
corrected number in the sheet redraws the chart in Excel or LibreOffice. ``write_report_xlsx``
returns where every table landed (``Placed``), which the tests follow back from the charts.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.marker import Marker
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from generator.assess.report_model import (
    POINT_PLACES,
    Points,
    Ratio,
    Report,
    Table,
    show,
)
from generator.registers.print_setup import apply_print_setup
from generator.registers.safewrite import save_workbook

# Current period dark, previous light; targets orange (the same colours as the PDF).
SERIES_COLOURS = ("2F5597", "9DC3E6", "ED7D31", "70AD47")
CHART_ROWS = 16                     # rows a chart covers (about 8 cm)
CHART_WIDTH_CM = 16
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="A6A6A6")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
NOTE_FONT = Font(italic=True, color="595959", size=9)


@dataclass(frozen=True)
class Placed:
    """Where a table sits: sheet name, its header row, first data row, last data row, first column."""
    sheet: str
    header_row: int
    first_row: int
    last_row: int
    first_col: int = 1


# A change between two shares reads "下降 3.0 个百分点" (positive;negative;zero sections), never "-3.0%".
POINTS_FORMAT = '"上升 "{0}" 个百分点";"下降 "{0}" 个百分点";"持平"'.format("0." + "0" * POINT_PLACES)


def number_format(value) -> str | None:
    if isinstance(value, Ratio):
        return "0.0%"
    if isinstance(value, Points):
        return POINTS_FORMAT
    if isinstance(value, Decimal):
        places = max(0, -value.as_tuple().exponent) if value.is_finite() else 0
        return "#,##0" + ("." + "0" * places if places else "")
    if isinstance(value, int) and not isinstance(value, bool):
        return "0"
    if isinstance(value, (dt.date, dt.datetime)):
        return "yyyy-mm-dd"
    return None


def _text_width(value) -> int:
    text = "" if value is None else show(value) if isinstance(value, (Points, dt.date, dt.datetime)) else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _put(ws, row: int, col: int, value, **style):
    cell = ws.cell(row=row, column=col, value=value)
    fmt = number_format(value)
    if fmt:
        cell.number_format = fmt
    for k, v in style.items():
        setattr(cell, k, v)
    return cell


def write_report_xlsx(report: Report, path) -> dict[str, Placed]:
    """Write the report workbook to ``path`` (refused while Excel has it open); returns table placements."""
    wb = Workbook()
    wb.remove(wb.active)
    stamp = dt.datetime.combine(report.today, dt.time())
    wb.properties.created = wb.properties.modified = stamp   # the same data gives the same document properties
    wb.properties.title = f"{report.company} {report.title} {report.period.label}"
    placed: dict[str, Placed] = {}
    for section in report.sections:
        ws = wb.create_sheet(section.title[:31])
        widths: dict[int, int] = {}
        _put(ws, 1, 1, f"{report.company} {report.title} — {section.title}", font=Font(bold=True, size=14))
        _put(ws, 2, 1, f"统计期间：{report.period.label}（{report.period.span}）；对比期间：{report.previous.label}"
                       f"（{report.previous.span}）；报告日期：{report.today:%Y-%m-%d}", font=Font(color="595959"))
        row = 3
        for note in section.notes:
            _put(ws, row, 1, f"说明：{note}", font=NOTE_FONT)
            row += 1
        row += 1
        for table in section.tables:
            placed[table.key], row = _table(ws, table, row, widths)
        for col, w in widths.items():
            ws.column_dimensions[get_column_letter(col)].width = min(max(w + 2, 8), 42)
    apply_print_setup(wb, wb.properties.title)
    save_workbook(wb, Path(path), keep_backup=False)
    return placed


def _table(ws, table: Table, row: int, widths: dict) -> tuple[Placed, int]:
    """Write one table (and its chart) from ``row``; returns its placement and the next free row."""
    top = row
    _put(ws, row, 1, table.title, font=Font(bold=True, size=11))
    row += 1
    header = row
    for j, head in enumerate(table.columns, 1):
        _put(ws, row, j, head, font=Font(bold=True), fill=HEAD_FILL, border=BOX,
             alignment=Alignment(horizontal="center", vertical="center", wrap_text=True))
    for r in table.rows + ([table.total] if table.total else []):
        row += 1
        for j, value in enumerate(r, 1):
            cell = _put(ws, row, j, value, border=BOX)
            if r is table.total:
                cell.font, cell.fill = Font(bold=True), TOTAL_FILL
            widths[j] = max(widths.get(j, 0), _text_width(value))
    for j, head in enumerate(table.columns, 1):
        widths[j] = max(widths.get(j, 0), min(_text_width(head), 16))
    if not table.rows:
        row += 1
        _put(ws, row, 1, "（本期无记录）", font=NOTE_FONT)
    placed = Placed(ws.title, header, header + 1, header + len(table.rows))
    if table.note:
        row += 1
        _put(ws, row, 1, table.note, font=NOTE_FONT)
    end = row + 2
    if table.chart and table.rows:
        ws.add_chart(_chart(ws, table, placed), f"{get_column_letter(len(table.columns) + 2)}{top}")
        end = max(end, top + CHART_ROWS + 1)
    return placed, end


def _chart(ws, table: Table, at: Placed):
    spec = table.chart
    chart = LineChart() if spec.kind == "line" else BarChart()
    if spec.kind != "line":
        chart.type, chart.grouping = "col", "clustered"
    chart.title = spec.title
    chart.y_axis.title = spec.y_title or None
    chart.height, chart.width = CHART_ROWS * 0.5, CHART_WIDTH_CM
    cats = Reference(ws, min_col=at.first_col, min_row=at.first_row, max_row=at.last_row)
    _add_series(chart, ws, spec.series, at, 0, line=spec.kind == "line")
    chart.set_categories(cats)
    if spec.lines:
        over = LineChart()
        _add_series(over, ws, spec.lines, at, len(spec.series), line=True)
        over.set_categories(cats)
        chart += over
    for axis in (chart.x_axis, chart.y_axis):
        axis.delete = False       # openpyxl 3.1 hides axes unless told otherwise
    if spec.percent:
        chart.y_axis.number_format = "0%"
        chart.y_axis.scaling.min = 0
    chart.legend.position = "b"
    return chart


def _add_series(chart, ws, columns, at: Placed, colour_from: int, line: bool) -> None:
    for k, col in enumerate(columns):
        ref = Reference(ws, min_col=at.first_col + col, min_row=at.header_row, max_row=at.last_row)
        chart.add_data(ref, titles_from_data=True)
        s = chart.series[-1]
        colour = SERIES_COLOURS[(colour_from + k) % len(SERIES_COLOURS)]
        if line:
            s.graphicalProperties.line.solidFill = colour
            s.graphicalProperties.line.width = 28575   # 2.25 pt
            s.marker = Marker(symbol="circle", size=6, spPr=GraphicalProperties(solidFill=colour))
            s.smooth = False
        else:
            s.graphicalProperties.solidFill = colour
            s.graphicalProperties.line.solidFill = colour


__all__ = ["write_report_xlsx", "Placed", "number_format", "POINTS_FORMAT"]
