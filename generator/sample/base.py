"""The sample year's frame: its dates, the company's own rest days, money rounding and
number allocation by the policy's numbering rules."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from generator.rules.numbering import compile_rule, numbering_rule
from generator.rules.workcal import REST

SEED = 20250701
START, END = dt.date(2025, 7, 1), dt.date(2026, 6, 30)
SAMPLE_TODAY = END   # check the sample as of this day: the open cases are not overdue yet

COMPANY_DAYS = (
    (dt.date(2025, 12, 31), REST, "年终盘点，公司统一休息"),
    (dt.date(2026, 2, 13), REST, "春节前公司提前放假一天"),
)

# --- word lists -----------------------------------------------------------------------------

TWO = Decimal("0.01")


def money(x) -> Decimal:
    return Decimal(x).quantize(TWO, rounding=ROUND_HALF_UP)


def days_between(a: dt.date, b: dt.date):
    d = a
    while d <= b:
        yield d
        d += dt.timedelta(days=1)


def sample_months():
    y, m = START.year, START.month
    while (y, m) <= (END.year, END.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


class Numberer:
    """Serial numbers per the policy rule for rows already in date order. A row may carry
    ``_step`` (0 reuses the previous serial, 2 skips one) and ``_number_date`` (the date the
    number is written with, when it differs from the row's own) to plant a mistake."""

    def __init__(self, policy: dict, rule_id: str):
        self.rule = compile_rule(numbering_rule(policy, rule_id), rule_id)
        self.count: Counter = Counter()

    def assign(self, rows: list[dict], key: str, date_key: str, dept_key: str | None = None) -> None:
        for r in rows:
            d = r.pop("_number_date", None) or r[date_key]
            d = d.date() if isinstance(d, dt.datetime) else d
            dept = r[dept_key] if dept_key else None
            cycle = self.rule.cycle_key(d, dept)
            self.count[cycle] += r.pop("_step", 1)
            r[key] = self.rule.pattern.format(d, self.count[cycle], dept)
