"""F2 三包 on one service ticket, as a pure function: which remedy the policy gives, whether the
ticket's entered remedy agrees, and whether a repair kept to the one-week limit.

The remedy by days since purchase is ``quote.sanbao_remedy`` (004 Ⅸ 第六–十条 in the default
policy; 001 九 4 三 1 as the commented alternative in ``fees.sanbao``). Days since purchase count
calendar days from 购机日期 to the day the ticket was received (the purchase day is day 0, so a
fault reported 15 days later is "15天内"). A repair (免费维修 / 收费维修) is due within
``repair_within_days`` calendar days of receipt (第十六条 商品维修服务必须在1周内完成).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from generator.rules.quote import Remedy, sanbao_remedy

YES = "是"
NO_CLAIM, PAID_REPAIR = "不予退换", "收费维修"


@dataclass(frozen=True)
class SanbaoCheck:
    days: int                      # days from purchase to receipt
    remedy: Remedy                 # what the policy gives
    mismatch: bool                 # an entered remedy that differs from a defined one
    repair_due: dt.datetime | None   # repairs only
    repair_late: bool              # completed after repair_due, or still open past it on ``today``


def _day(v) -> dt.date:
    return v.date() if isinstance(v, dt.datetime) else v


def _moment(v) -> dt.datetime:
    return v if isinstance(v, dt.datetime) else dt.datetime(v.year, v.month, v.day, 23, 59, 59)


def check_ticket(purchased: dt.date, received, quality_fault: bool, resaleable: bool, entered: str | None,
                 completed, today: dt.date, policy: dict) -> SanbaoCheck:
    """F2 for one ticket; ``entered`` is the 三包处理 the office wrote (None: not written)."""
    days = (_day(received) - _day(purchased)).days
    remedy = sanbao_remedy(max(days, 0), resaleable, quality_fault, policy)
    # without a 三包 claim (不予退换) a repair is simply paid service (004 Ⅸ 第五条)
    allowed = {remedy.remedy} | ({PAID_REPAIR} if remedy.remedy == NO_CLAIM else set())
    mismatch = bool(entered) and remedy.defined and entered not in allowed
    chosen = entered or remedy.remedy or ""
    due = late = None
    if "维修" in chosen:
        due = _moment(received) + dt.timedelta(days=int(policy["fees"]["sanbao"]["repair_within_days"]))
        if completed is not None:
            late = _moment(completed) > due if isinstance(completed, dt.datetime) else _day(completed) > due.date()
        else:
            late = today > due.date()
    return SanbaoCheck(days, remedy, mismatch, due, bool(late))


__all__ = ["SanbaoCheck", "check_ticket", "YES"]
