"""Deadline rules (policy ``[deadlines]``) → due moments, lateness and overdue tests (pure).

A rule says how long a step may take: ``clock`` and ``amount`` (see CLOCKS). Which register
column starts and stops a rule's clock is declared in the register spec (``SheetSpec.deadlines``),
so this module never names a column; ``generator.assess.clocks`` runs the rules over the registers.

Conventions (RULES.md §4):
- The start day is never counted. A working-day deadline ends at close of business on the last
  counted day; a calendar-day deadline at the end (24:00, kept as 23:59:59) of its last day.
- A start given as a date alone means 00:00 of that day.
- A stop given as a date alone counts as the end of that day: for an hour clock a stop on the
  due day is late only if the due moment is not the day's end; for a day clock the whole due
  day is allowed, since a date cannot show the step was done after closing time.
- ``today`` is a date: a case is overdue from the day after its due day.
- ``months_before`` counts back: due at the end of the same day N months before the start
  (a contract ending 2026-03-31 needs its notice by 2026-02-28, 004 Ⅷ (二十)).
- Lateness is said in the clock's own unit: calendar days (天) for calendar-day clocks,
  working days for working-day clocks, hours and minutes for hour clocks.

Example: complaint.reply (5 working days) from 2026-09-30 16:00 is due 2026-10-13 18:00 —
10-01…10-07 are holidays, Saturday 10-10 is a make-up workday.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from generator.core.errors import UserError
from generator.rules.workcal import WorkCalendar, as_duration

END_OF_DAY = time(23, 59, 59)

# clock -> how its amount reads in Chinese
CLOCKS = {
    "calendar_minutes": "{n} 分钟",
    "calendar_hours": "{n} 小时",
    "working_hours": "{n} 个工作小时",
    "calendar_days": "{n} 天",
    "working_days": "{n} 个工作日",
    "nth_working_day": "第 {n} 个工作日",
    "months_before": "提前 {n} 个月",
}
DAY_CLOCKS = {"calendar_days", "working_days", "nth_working_day", "months_before"}
CALENDAR_DAY_CLOCKS = {"calendar_days", "months_before"}   # lateness said in calendar days (天)
WORKING_DAY_CLOCKS = {"working_days", "nth_working_day"}

OVERDUE, SOON, NORMAL, DONE = "超期", "即将到期", "正常", "已完成"


@dataclass(frozen=True)
class Rule:
    id: str
    clock: str
    amount: int | Decimal
    title: str
    source: str
    overrides: tuple[str, ...] = ()   # more general rules this one replaces on the rows it applies to

    def describe(self) -> str:
        return CLOCKS[self.clock].format(n=_number(self.amount))


def _number(v) -> str:
    if isinstance(v, Decimal):
        v = v.normalize()
        return f"{v:f}"
    return str(v)


def parse_rule(rule_id: str, entry: dict) -> Rule:
    """One ``[deadlines."<id>"]`` entry, checked; UserError names the policy key."""
    where = f"策略 deadlines.\"{rule_id}\""
    clock, amount = entry.get("clock"), entry.get("amount")
    if clock not in CLOCKS:
        raise UserError(f"{where}.clock 未知：{clock!r}；可用：{'、'.join(CLOCKS)}")
    if isinstance(amount, bool) or not isinstance(amount, (int, Decimal)) or amount < 0:
        raise UserError(f"{where}.amount 应为不小于 0 的数，实际为 {amount!r}")
    if clock in DAY_CLOCKS and amount != int(amount):
        raise UserError(f"{where}.amount 按天计时必须是整数，实际为 {_number(amount)}")
    if clock in WORKING_DAY_CLOCKS and amount < 1:
        raise UserError(f"{where}.amount 按工作日计时至少为 1，实际为 {_number(amount)}")
    if clock in DAY_CLOCKS:
        amount = int(amount)
    overrides = entry.get("overrides", [])
    if not isinstance(overrides, list) or not all(isinstance(o, str) for o in overrides):
        raise UserError(f"{where}.overrides 应为规则编号的列表，实际为 {overrides!r}")
    return Rule(rule_id, clock, amount, str(entry.get("title", rule_id)), str(entry.get("source", "")),
                tuple(overrides))


def rules_from(policy: dict) -> dict[str, Rule]:
    return {rid: parse_rule(rid, e) for rid, e in policy.get("deadlines", {}).items()}


def get_rule(policy: dict, rule_id: str) -> Rule:
    entries = policy.get("deadlines", {})
    if rule_id not in entries:
        known = "\n".join(f"  {rid}  {e.get('title', '')}" for rid, e in sorted(entries.items()))
        raise UserError(f"未知的期限规则 {rule_id!r}。已定义的规则：\n{known}")
    return parse_rule(rule_id, entries[rule_id])


def start_moment(value) -> datetime:
    """A start cell: a datetime as is, a date alone at 00:00."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time.min)
    raise UserError(f"起算时间不是日期或时间：{value!r}")


def day_of(v) -> date:
    return v.date() if isinstance(v, datetime) else v


def end_of_day(d: date) -> datetime:
    return datetime.combine(d, END_OF_DAY)


def due_moment(rule: Rule, start, calendar: WorkCalendar) -> datetime:
    """When the step started at ``start`` (date or datetime) must be done."""
    s = start_moment(start)
    if rule.clock == "calendar_minutes":
        return s + as_duration(rule.amount) / 60  # amount minutes = amount hours / 60
    if rule.clock == "calendar_hours":
        return s + as_duration(rule.amount)
    if rule.clock == "working_hours":
        return calendar.add_working_hours(s, rule.amount)
    if rule.clock == "calendar_days":
        return end_of_day(s.date() + timedelta(days=rule.amount))
    if rule.clock == "working_days":
        return calendar.close_of_business(calendar.add_working_days(s.date(), rule.amount))
    if rule.clock == "months_before":
        return end_of_day(months_back(s.date(), rule.amount))
    return calendar.close_of_business(calendar.nth_working_day_after(s.date(), rule.amount))


def is_late(rule: Rule, due: datetime, stop) -> bool:
    """Was the step stopped at ``stop`` (date or datetime) after its due moment?"""
    if isinstance(stop, datetime):
        return stop > due
    if rule.clock in DAY_CLOCKS:
        return stop > due.date()
    return end_of_day(stop) > due


def is_overdue(due: datetime, today) -> bool:
    """Open and past due: on a date, from the day after the due day; on a datetime, exactly."""
    if isinstance(today, datetime):
        return today > due
    return today > due.date()


def case_status(due: datetime, stop, today, calendar: WorkCalendar, soon_days: int) -> str:
    """超期 / 即将到期 (due within ``soon_days`` working days, today included) / 正常 / 已完成."""
    if stop is not None:
        return DONE
    if is_overdue(due, today):
        return OVERDUE
    if calendar.working_days_between(day_of(today), due.date()) <= soon_days:
        return SOON
    return NORMAL


def months_back(d: date, n: int) -> date:
    """The same day ``n`` months earlier, or that month's last day when it is shorter."""
    y, m = divmod(d.year * 12 + d.month - 1 - n, 12)
    m += 1
    last = (date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1)).day
    return date(y, m, min(d.day, last))


def fmt_moment(moment) -> str:
    if isinstance(moment, datetime):
        if moment.time() == END_OF_DAY:
            return f"{moment:%Y-%m-%d} 24:00"
        return f"{moment:%Y-%m-%d %H:%M}"
    return f"{moment:%Y-%m-%d}"


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} 天" if days else "", f"{hours} 小时" if hours else "", f"{minutes} 分钟" if minutes else ""]
    return " ".join(p for p in parts if p) or "不足 1 分钟"


def _working_span(n: int) -> str:
    return f"{n} 个工作日" if n >= 1 else "不足 1 个工作日"


def overdue_span(n: int) -> str:
    return f" {n} 个工作日" if n >= 1 else "（不足 1 个工作日）"


def calendar_days_past(due: datetime, day) -> int:
    return (day_of(day) - due.date()).days


def overdue_words(rule: Rule, due: datetime, today, calendar: WorkCalendar) -> str:
    """How long an open case is past due: calendar days for calendar-day clocks (天)."""
    if rule.clock in CALENDAR_DAY_CLOCKS:
        return f" {calendar_days_past(due, today)} 天"
    return overdue_span(calendar.working_days_between(due.date(), day_of(today)))


def lateness(rule: Rule, due: datetime, stop, calendar: WorkCalendar) -> str:
    """How late, in words: calendar days for calendar-day clocks, working days for working-day
    clocks, hours and minutes for hour clocks (a date-only stop on an hour clock: working days)."""
    if rule.clock in CALENDAR_DAY_CLOCKS:
        return f"{calendar_days_past(due, stop)} 天"
    if isinstance(stop, datetime) and rule.clock not in DAY_CLOCKS:
        return _span(stop - due)
    return _working_span(calendar.working_days_between(due.date(), day_of(stop)))
