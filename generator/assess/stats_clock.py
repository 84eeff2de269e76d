"""D18: the monthly complaint statistics (客户投诉案件统计表) are due by the 10th of the next
month (004 Ⅷ (九)10 每月10日前匯總上月份結案的案件).

The clock runs only where the register carries it: 客户投诉登记 › 统计报送 lists the months
reported and when. From the first month listed there, every month with a complaint closed in
it needs a row; a row dated after the due day is ``deadline.late``, a month without a row past
its due day is ``deadline.overdue``. An empty 统计报送 sheet leaves the clock unchecked, and
says so once (``deadline.unchecked``) when a month's statistics are already past due.
"""
from __future__ import annotations

import datetime as dt

from generator.core.errors import UserError
from generator.core.findings import Finding
from generator.core.periods import add_months, day_in_month, month_key, month_text

REGISTER, SHEET = "complaints", "stats_reports"
RULE = "D18"
SOURCE = "004 Ⅷ (九)10"


def stats_due(month, policy: dict) -> dt.date:
    """The day the statistics of ``month`` are due: the policy's day of the next month."""
    return day_in_month(add_months(month_key(month), 1), int(policy["reporting"]["complaint_stats_day"]))


def _closed_months(reg) -> set[tuple]:
    return {month_key(r.values["closed"]) for r in reg.tables["complaints"].records
            if isinstance(r.values.get("closed"), dt.date)}


def _unchecked(ctx, reg, sheet) -> list[Finding]:
    """One line when 统计报送 is kept empty while a month's statistics are already past due
    (a new register is not told before then), like ``clocks.unchecked_clocks``."""
    if not any(ctx.today > stats_due(ym, ctx.policy) for ym in _closed_months(reg)):
        return []
    return [Finding.of("deadline.unchecked", REGISTER, sheet.name,
                       clocks=f"{RULE} 客户投诉案件统计表报送（「{sheet.column('submitted').header}」未填写）")]


def check_stats_reports(ctx) -> list[Finding]:
    reg = ctx.registers.get(REGISTER)
    reports = reg.tables.get(SHEET) if reg else None
    if reports is None or "complaints" not in reg.tables:
        return []
    sheet = reports.spec
    day = ctx.policy["reporting"]["complaint_stats_day"]
    what = f"「客户投诉案件统计表报送」（{RULE}：次月 {day} 日前，{SOURCE}）"
    submitted: dict[tuple, tuple] = {}
    for r in reports.records:
        try:
            ym = month_key(r.values.get("month"))
        except UserError:
            continue   # a month that cannot be read: field checks see the text
        if isinstance(r.values.get("submitted"), dt.date):
            submitted.setdefault(ym, (r.row, r.values["submitted"]))
    if not submitted:
        return _unchecked(ctx, reg, sheet)
    first = min(submitted)
    closed = _closed_months(reg)
    out: list[Finding] = []
    for ym in sorted((closed | set(submitted)) - {m for m in closed if m < first}):
        due = stats_due(ym, ctx.policy)
        case = f"{month_text(ym)} 客户投诉案件统计表"
        if ym in submitted:
            row, when = submitted[ym]
            if when > due:
                out.append(Finding.of("deadline.late", REGISTER, sheet.name, row, sheet.column("submitted").header,
                                      value=when.isoformat(), case=case, what=what, due=due.isoformat(),
                                      lateness=f"{(when - due).days} 天", stop=when.isoformat()))
        elif ctx.today > due:
            out.append(Finding.of("deadline.overdue", REGISTER, sheet.name, None, sheet.column("submitted").header,
                                  case=case, what=what, span=f" {(ctx.today - due).days} 天",
                                  start_header="统计月份", start=month_text(ym), due=due.isoformat(),
                                  today=ctx.today.isoformat(), stop_header=sheet.column("submitted").header))
    return out


__all__ = ["stats_due", "check_stats_reports"]
