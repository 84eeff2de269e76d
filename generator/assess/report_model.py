"""The shapes of a period report (月报 / 半年报 / 年报) and how its cell values print.

A ``Report`` holds one ``Section`` per topic (one worksheet, one part of the PDF), each a list
of ``Table``. A table's first column holds category labels; its other columns hold this
period's and the previous period's numbers side by side. A table may carry a ``Chart`` naming
the columns it plots; generator.reports.report_xlsx draws it as a native Excel chart over those
very cells and generator.reports.report_pdf draws the same data with matplotlib.

Cell values: ``int`` (counts), ``Decimal`` (means, hours, yuan), ``Ratio`` (a share, shown as
a percentage), ``Points`` (a change between two shares, in percentage points), ``str``,
``date`` or ``None`` (no data).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from generator.core.money import round_to
from generator.core.periods import Period

RATIO_PLACES = 4
MEAN_PLACES = 2
POINT_PLACES = 1                     # a change in percentage points is shown to 0.1

KIND_TITLES = {"month": "售后服务月度报告", "quarter": "售后统计报表（季度）",   # 002 §4 7 每季度提交售后统计报表 (D18)
               "half": "售后服务半年度报告", "year": "售后服务年度报告"}


class Ratio(Decimal):
    """A share (0.8571), shown as a percentage (85.7%)."""


class Points(Decimal):
    """The change between two shares in percentage points (-8.3 = down 8.3 points), shown as
    '下降 8.3 个百分点': '-8.3%' would read as a relative change."""


def ratio(part, whole) -> Ratio | None:
    if not whole:
        return None
    return Ratio(round_to(Decimal(part) / Decimal(whole), RATIO_PLACES))


def points_between(now: Ratio, before: Ratio) -> Points:
    """now − before in percentage points, rounded to what is shown (POINT_PLACES), so the
    workbook cell, the PDF and the console say the same."""
    return Points(round_to((now - before) * 100, POINT_PLACES))


def points_text(value: Decimal) -> str:
    """-8.3 → '下降 8.3 个百分点', 0 → '持平'."""
    if not value:
        return "持平"
    return f"{'上升' if value > 0 else '下降'} {abs(value)} 个百分点"


def show(value) -> str:
    """A cell value as printed: 85.7%, 下降 3.0 个百分点, 1,234.50, 2026-03-31, — for no data."""
    if value is None:
        return "—"
    if isinstance(value, Ratio):
        return f"{value * 100:.1f}%"
    if isinstance(value, Points):
        return points_text(value)
    if isinstance(value, Decimal):
        return f"{value:,f}"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value:%Y-%m-%d}"
    return str(value)


def mean(values, places: int = MEAN_PLACES) -> Decimal | None:
    values = [Fraction(v) for v in values]
    if not values:
        return None
    m = sum(values) / len(values)
    return round_to(Decimal(m.numerator) / Decimal(m.denominator), places)


@dataclass(frozen=True)
class Chart:
    title: str
    series: tuple[int, ...]          # table columns plotted (0-based; column 0 holds the categories)
    kind: str = "bar"                # bar | line
    y_title: str = ""
    percent: bool = False            # the plotted values are Ratios
    lines: tuple[int, ...] = ()      # further columns drawn as lines over the bars (targets)


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list]
    total: list | None = None        # a 合计 row shown under the rows, never plotted
    chart: Chart | None = None
    note: str = ""

    def column(self, header: str) -> list:
        i = self.columns.index(header)
        return [r[i] for r in self.rows]

    def row(self, label) -> list:
        for r in self.rows:
            if r[0] == label:
                return r
        raise KeyError(label)


@dataclass
class Section:
    key: str
    title: str                       # worksheet name
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    company: str
    title: str
    period: Period
    previous: Period
    today: dt.date
    sections: list[Section]

    def table(self, key: str) -> Table:
        for s in self.sections:
            for t in s.tables:
                if t.key == key:
                    return t
        raise KeyError(key)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


__all__ = ["Ratio", "Points", "ratio", "points_between", "points_text", "show", "mean", "Chart", "Table",
           "Section", "Report", "KIND_TITLES"]
