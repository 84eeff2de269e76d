"""Calendar periods and month helpers shared by the ledger, the scores, the reports and the audit pack.

A ``Period`` is a run of whole calendar months: a month, quarter, half year, year, or an arbitrary
``range`` of months (the audit pack's). ``label`` is the Chinese name shown in reports
(2026年3月, 2026年第一季度, 2026年上半年, 2026年度); ``code`` is the short form used in file
names, JSON and score results (2026-03, 2026-Q1, 2026-H1, 2026).

>>> parse_period("2026-H1").previous().label
'2025年下半年'
>>> parse_period("2026年第三季度").code
'2026-Q3'
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from generator.core.errors import UserError

Month = tuple[int, int]   # (year, month)

KIND_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}
CN_DIGITS = "一二三四"


# ---------------------------------------------------------------------------- days and months

def as_date(value) -> dt.date | None:
    """The day of a date or datetime cell; None for anything else (empty, text, numbers)."""
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def month_key(value) -> Month:
    """(year, month) from '2026-03', '2026年3月', a date, or a (y, m) tuple."""
    if isinstance(value, tuple) and len(value) == 2:
        y, m = value
    elif isinstance(value, (dt.date, dt.datetime)):
        y, m = value.year, value.month
    else:
        text = str(value).strip().replace("年", "-").replace("月", "").replace("/", "-")
        try:
            y, m = (int(p) for p in text.split("-")[:2])
        except ValueError:
            raise UserError(f"月份格式应为 2026-03：{value!r}") from None
    if not 1 <= m <= 12:
        raise UserError(f"月份不存在：{value!r}")
    return int(y), int(m)


def checked_month(value) -> Month:
    """(year, month) of '2026-03' and the like, with a four-digit year ('26-03' is refused)."""
    ym = month_key(value)
    if not 1900 <= ym[0] <= 2999:
        raise UserError(f"月份格式应为 2026-03（四位年份）：{value!r}")
    return ym


def month_text(ym: Month) -> str:
    return f"{ym[0]:04d}-{ym[1]:02d}"


def add_months(ym: Month, n: int) -> Month:
    y, m = ym
    k = y * 12 + (m - 1) + n
    return k // 12, k % 12 + 1


def day_in_month(ym: Month, day: int) -> dt.date:
    """The given day of a month, clamped to the month's last day ('31 号' in a 30-day month)."""
    last = (dt.date(*add_months(ym, 1), 1) - dt.timedelta(days=1)).day
    return dt.date(*ym, min(day, last))


def month_bounds(ym: Month) -> tuple[dt.date, dt.date]:
    """First and last day of the month."""
    return dt.date(*ym, 1), day_in_month(ym, 31)


def months_between(first: Month, last: Month) -> list[Month]:
    """Every month from ``first`` to ``last`` inclusive (empty when first > last)."""
    out, ym = [], first
    while ym <= last:
        out.append(ym)
        ym = add_months(ym, 1)
    return out


# ---------------------------------------------------------------------------- the period

@dataclass(frozen=True)
class Period:
    kind: str       # month | quarter | half | year | range
    first: Month    # first month
    last: Month     # last month

    @classmethod
    def of(cls, kind: str, year: int, index: int = 1) -> Period:
        """The ``index``-th month, quarter or half of ``year`` (index 1 for a year)."""
        n = KIND_MONTHS[kind]
        return cls(kind, (year, n * (index - 1) + 1), (year, n * index))

    @property
    def year(self) -> int:
        return self.first[0]

    @property
    def index(self) -> int:
        """1-based position of the month / quarter / half in its year (1 for a year or range)."""
        return (self.first[1] - 1) // KIND_MONTHS.get(self.kind, 12) + 1

    @property
    def months(self) -> list[Month]:
        return months_between(self.first, self.last)

    @property
    def start(self) -> dt.date:
        return month_bounds(self.first)[0]

    @property
    def end(self) -> dt.date:
        return month_bounds(self.last)[1]

    @property
    def span(self) -> str:
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"

    @property
    def quarters(self) -> list[str]:
        """The quarters assessed in the period: those whose last month lies in it."""
        return [f"{y}-Q{m // 3}" for y, m in self.months if m % 3 == 0]

    @property
    def label(self) -> str:
        y, i = self.year, self.index
        if self.kind == "month":
            return f"{y}年{i}月"
        if self.kind == "quarter":
            return f"{y}年第{CN_DIGITS[i - 1]}季度"
        if self.kind == "half":
            return f"{y}年{'上' if i == 1 else '下'}半年"
        if self.kind == "year":
            return f"{y}年度"
        first, last = (f"{ym[0]}年{ym[1]}月" for ym in (self.first, self.last))
        return first if first == last else f"{first}至{last}"

    @property
    def code(self) -> str:
        y, i = self.year, self.index
        if self.kind == "quarter":
            return f"{y}-Q{i}"
        if self.kind == "half":
            return f"{y}-H{i}"
        if self.kind == "year":
            return str(y)
        if self.first == self.last:   # a month, or a range inside one month
            return month_text(self.first)
        return f"{month_text(self.first)}～{month_text(self.last)}"

    def previous(self) -> Period:
        """The period of the same kind and length just before this one."""
        n = len(self.months)
        return Period(self.kind, add_months(self.first, -n), add_months(self.last, -n))

    def contains(self, value) -> bool:
        d = as_date(value)
        return d is not None and self.start <= d <= self.end


# ---------------------------------------------------------------------------- parsing

# Matched against the text upper-cased with spaces removed.
_FORMS = (
    ("year", re.compile(r"(\d{4})年?度?")),
    ("quarter", re.compile(r"(\d{4})(?:-?Q([1-4])|年?第([1-4一二三四])季度)")),
    ("half", re.compile(r"(\d{4})[-年]?(?:H([12])|([上下])半年)")),
    ("month", re.compile(r"(\d{4})[-/年.](\d{1,2})月?")),
)


def _index(number: str | None, word: str | None) -> int:
    """1-based index from '2' / '二' / '上' / '下'."""
    text = number or word
    if text.isdigit():
        return int(text)
    return {"上": 1, "下": 2}.get(text) or CN_DIGITS.index(text) + 1


def parse_period(text) -> Period:
    """'2026-03', '2026年3月', '2026/3', '2026.03' (month); '2026-Q1', '2026q1', '2026年第一季度'
    (quarter); '2026-H1', '2026上半年', '2026年下半年' (half); '2026', '2026年度' (year)."""
    if isinstance(text, Period):
        return text
    s = str(text).strip().upper().replace(" ", "")
    for kind, form in _FORMS:
        m = form.fullmatch(s)
        if not m:
            continue
        year = int(m[1])
        if kind == "year":
            return Period.of(kind, year)
        index = _index(m[2], m[3] if kind != "month" else None)
        if 1 <= index <= 12 // KIND_MONTHS[kind]:
            return Period.of(kind, year, index)
    try:   # the ledger's month spellings ('2026-3-15' counts as March)
        ym = checked_month(s)
    except UserError:
        raise UserError(f"期间格式应为 2026-03、2026-Q1、2026-H1 或 2026：{text!r}") from None
    return Period("month", ym, ym)


def period_from_options(month: str | None = None, half: str | None = None, year: str | int | None = None,
                        quarter: str | None = None) -> Period:
    """The report's options: exactly one of ``month`` ('2026-10'), ``quarter`` ('2026-Q3'),
    ``half`` ('2026-H2', '2026下半年') or ``year`` ('2026')."""
    options = (("month", month), ("quarter", quarter), ("half", half), ("year", year))
    given = [(k, str(v).strip()) for k, v in options if v not in (None, "")]
    if len(given) != 1:
        raise UserError("请指定且只指定一个统计期间：--month 2026-10、--quarter 2026-Q3、--half 2026-H2 或 --year 2026")
    kind, text = given[0]
    try:
        p = parse_period(text)
    except UserError:
        p = None
    if p is not None and p.kind == kind:
        return p
    examples = {"month": "2026-10", "quarter": "2026-Q3", "half": "2026-H2（或 2026-H1）", "year": "2026"}
    raise UserError(f"无法识别的统计期间 {text!r}，应写成 {examples[kind]}")


def period_between(start: dt.date, end: dt.date) -> Period:
    """The month, quarter, half or year that is exactly ``start``..``end``; otherwise the
    ``range`` of the months the days touch."""
    first, last = month_key(start), month_key(end)
    if start.day == 1 and end == month_bounds(last)[1]:
        for kind, n in KIND_MONTHS.items():
            p = Period.of(kind, first[0], (first[1] - 1) // n + 1)
            if (p.first, p.last) == (first, last):
                return p
    return Period("range", first, last)


_QUARTER_LABEL = re.compile(r"(\d{4})\s*[-年/]?\s*(?:[Qq]|第)?\s*([1-4一二三四])\s*(?:季度)?", re.ASCII)


def quarter_label(value) -> str | None:
    """A KPI sheet's quarter cell: '2026-Q1', '2026Q1', '2026年第一季度' → '2026-Q1'; None when it
    is no quarter. Looser than ``parse_period`` ('2026-1' is a quarter here, a month there)."""
    m = _QUARTER_LABEL.fullmatch(str(value or "").strip())
    if not m:
        return None
    q = CN_DIGITS.index(m[2]) + 1 if m[2] in CN_DIGITS else int(m[2])
    return f"{m[1]}-Q{q}"


__all__ = [
    "Period", "parse_period", "period_from_options", "period_between", "quarter_label", "as_date",
    "month_key", "checked_month", "month_text", "add_months", "day_in_month", "month_bounds", "months_between",
]
