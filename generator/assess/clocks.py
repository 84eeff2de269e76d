"""Deadline clocks over the registers: which rows run which rule (declared in the register
specs), overdue and late findings for ``check``, and the open overdue cases for ``remind``."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from generator.core.errors import UserError
from generator.core.findings import Finding
from generator.rules.citations import cite, sources_of
from generator.rules.deadlines import (
    Rule,
    day_of,
    due_moment,
    fmt_moment,
    is_late,
    is_overdue,
    lateness,
    overdue_span,
    rules_from,
)
from generator.rules.workcal import WorkCalendar


@dataclass(frozen=True)
class Clock:
    register: str          # register id
    register_title: str
    sheet: object          # SheetSpec
    record: object         # Record
    binding: object        # DeadlineBinding
    rule: Rule
    start: date
    stop: object           # date/datetime, or None while the case is open
    due: datetime
    start_header: str
    stop_header: str

    def value(self, key: str | None):
        return self.record.values.get(key) if key else None

    @property
    def case_no(self) -> str:
        number = self.value(self.sheet.number)
        return str(number) if number not in (None, "") else f"第 {self.record.row} 行"


def register_clocks(ctx, rules: dict[str, Rule]) -> tuple[list[Clock], list[Finding]]:
    """Every clock that runs on a record, plus findings for what could not be evaluated.

    A binding whose rule the company removed from its policy is switched off; a binding
    without a stop column can never close and is left to the status column. A binding whose
    start or stop column is not in the sheet is not evaluated (said once); a row whose start or
    stop cell could not be read (``Record.unread``) is left out, never taken as still open;
    a row the calendar cannot count (a typo year) is left out. Each is said once per sheet.
    """
    clocks: list[Clock] = []
    problems: list[Finding] = []
    blocked: dict[tuple, list[int]] = defaultdict(list)
    unreadable: dict[tuple, list[int]] = defaultdict(list)
    for reg in ctx.registers.values():
        for table in reg.tables.values():
            sheet = table.spec
            for binding in sheet.deadlines:
                rule = rules.get(binding.rule)
                if rule is None or binding.stop is None:
                    continue
                headers = (_header(sheet, binding.start), _header(sheet, binding.stop))
                lost = [h for k, h in zip((binding.start, binding.stop), headers) if k not in table.columns]
                if table.columns and lost:
                    problems.append(Finding.of("deadline.no_column", reg.spec.id, sheet.name, None, lost[0],
                                               header="、".join(lost), what=_rule_text(rule)))
                    continue
                for rec in table.records:
                    if not binding.applies(rec.values):
                        continue
                    bad = [h for k, h in zip((binding.start, binding.stop), headers) if k in rec.unread]
                    if bad:
                        unreadable[(reg.spec.id, sheet.name, rule, "、".join(bad))].append(rec.row)
                        continue
                    start = rec.values.get(binding.start)
                    if not isinstance(start, date):
                        continue  # no start yet
                    stop = rec.values.get(binding.stop)
                    if stop is not None and not isinstance(stop, date):
                        continue
                    try:
                        due = due_moment(rule, start, ctx.calendar)
                        ctx.calendar.working_days_between(start, ctx.today if stop is None else stop)  # counted later
                    except UserError as e:
                        blocked[(reg.spec.id, sheet.name, e.message)].append(rec.row)
                        continue
                    clocks.append(Clock(reg.spec.id, reg.spec.title, sheet, rec, binding, rule, start, stop, due,
                                        *headers))
    problems += [
        Finding.of("deadline.calendar", register, sheet, reason=message, rows=_rows(rows))
        for (register, sheet, message), rows in blocked.items()
    ]
    problems += [
        Finding.of("deadline.unreadable", register, sheet, min(rows), cols.split("、")[0], what=_rule_text(rule),
                   rows=_rows(rows), headers=cols)
        for (register, sheet, rule, cols), rows in unreadable.items()
    ]
    return clocks, problems


def _rule_text(rule: Rule) -> str:
    return f"期限「{rule.title}」（{rule.id}）"


def _header(sheet, key: str) -> str:
    return sheet.column(key).header if sheet.has(key) else key


def _rows(rows: list[int]) -> str:
    rows = sorted(set(rows))
    shown = "、".join(map(str, rows[:10]))
    return shown + (f" 等 {len(rows)}" if len(rows) > 10 else "")


def _overdue_days(c: Clock, today, calendar: WorkCalendar) -> int:
    return calendar.working_days_between(c.due.date(), day_of(today))


def _what(c: Clock, sources: dict) -> str:
    basis = cite(c.rule.source, sources)     # the company's document, never our source code
    return f"「{c.rule.title}」（{c.rule.id}：{c.rule.describe()}" + (f"，{basis}）" if basis else "）")


def check_deadlines(ctx) -> list[Finding]:
    """deadline.overdue (error): open past due at ctx.today; deadline.late (warning): closed late."""
    clocks, findings = register_clocks(ctx, rules_from(ctx.policy))
    for c in clocks:
        where = (c.register, c.sheet.name, c.record.row, c.stop_header)
        said = dict(case=c.case_no, what=_what(c, sources_of(ctx.policy)), due=fmt_moment(c.due))
        if c.stop is None and is_overdue(c.due, ctx.today):
            n = _overdue_days(c, ctx.today, ctx.calendar)
            findings.append(Finding.of(
                "deadline.overdue", *where, **said, span=overdue_span(n), start_header=c.start_header,
                start=fmt_moment(c.start), today=fmt_moment(ctx.today), stop_header=c.stop_header))
        elif c.stop is not None and is_late(c.rule, c.due, c.stop):
            findings.append(Finding.of(
                "deadline.late", *where, value=c.stop.isoformat(), **said,
                lateness=lateness(c.rule, c.due, c.stop, ctx.calendar), stop=fmt_moment(c.stop)))
    return findings


def overdue_cases(ctx) -> list[dict]:
    """Open overdue cases for 催办单 (004 Ⅷ (十四)), grouped by responsible dept and person.

    Returns ``[{"dept", "person", "cases": [case, ...]}, ...]`` sorted by dept then person
    (unassigned last); each case is ``{case_no, register, register_title, sheet, row, rule,
    rule_title, source, start, due, days_overdue (working days), calendar_days_overdue}``
    with the most overdue first. Rows the calendar cannot count are left out (check reports them).
    """
    clocks, _ = register_clocks(ctx, rules_from(ctx.policy))
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for c in clocks:
        if c.stop is not None or not is_overdue(c.due, ctx.today):
            continue
        dept, person = _who(c.value(c.binding.dept)), _who(c.value(c.binding.person))
        groups[(dept, person)].append({
            "case_no": c.case_no, "register": c.register, "register_title": c.register_title,
            "sheet": c.sheet.name, "row": c.record.row, "rule": c.rule.id, "rule_title": c.rule.title,
            "source": c.rule.source, "start": c.start, "due": c.due,
            "days_overdue": _overdue_days(c, ctx.today, ctx.calendar),
            "calendar_days_overdue": (day_of(ctx.today) - c.due.date()).days,
        })

    def order(key):
        dept, person = key
        return (dept is None, dept or "", person is None, person or "")

    return [
        {"dept": dept, "person": person,
         "cases": sorted(cases, key=lambda x: (-x["calendar_days_overdue"], x["due"], x["register"], x["row"]))}
        for (dept, person), cases in sorted(groups.items(), key=lambda kv: order(kv[0]))
    ]


def _who(v) -> str | None:
    text = "" if v is None else str(v).strip()
    return text or None
