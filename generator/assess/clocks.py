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
    overdue_words,
    rules_from,
    start_moment,
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
    a row the calendar cannot count (a typo year) is left out. Each is said once per sheet. An
    optional clock whose columns the company leaves empty is left out (``unchecked_clocks``
    says which). On one row, a rule that ``overrides`` another replaces it (the more specific
    rule wins).
    """
    clocks: list[Clock] = []
    problems: list[Finding] = []
    blocked: dict[tuple, tuple] = {}   # (register, sheet, reason) -> ({rule id: title}, rows): never one per row
    unreadable: dict[tuple, list[int]] = defaultdict(list)
    for reg in ctx.registers.values():
        for table in reg.tables.values():
            sheet = table.spec
            skipped = {b for b, _ in _unkept(table, rules)}
            bound = []
            for binding in sheet.deadlines:
                rule = rules.get(binding.rule)
                if rule is None or binding.stop is None or binding in skipped:
                    continue
                lost = [_header(sheet, k) for k in (binding.start, binding.stop) if k not in table.columns]
                if table.columns and lost:
                    problems.append(Finding.of("deadline.no_column", reg.spec.id, sheet.name, None, lost[0],
                                               header="、".join(lost), what=_rule_text(binding, rule)))
                    continue
                bound.append((binding, rule))
            for rec in table.records:
                for binding, rule in _on_row(bound, rec.values):
                    bad = [_header(sheet, k) for k in (binding.start, binding.stop, *binding.also_stop)
                           if k in rec.unread]
                    if bad:
                        what = _rule_text(binding, rule)
                        unreadable[(reg.spec.id, sheet.name, what, "、".join(bad))].append(rec.row)
                        continue
                    try:
                        clock = _clock(ctx, reg, table, rec, binding, rule)
                    except UserError as e:
                        start, stop = _start(binding, rec.values.get(binding.start)), _stop(binding, rec.values)[0]
                        if stop in (None, False) or not _closed_in_range(ctx.calendar, start, stop):
                            rules_rows = blocked.setdefault((reg.spec.id, sheet.name, e.message), ({}, []))
                            rules_rows[0][rule.id] = rule.title
                            rules_rows[1].append(rec.row)
                        continue
                    if clock is not None:
                        clocks.append(clock)
    problems += [
        Finding.of("deadline.calendar", register, sheet, rows=_rows(rows),
                   reason=f"{message}（涉及期限：{'、'.join(f'{t}（{r}）' for r, t in titles.items())}）")
        for (register, sheet, message), (titles, rows) in blocked.items()
    ]
    problems += [
        Finding.of("deadline.unreadable", register, sheet, min(rows), cols.split("、")[0], what=what,
                   rows=_rows(rows), headers=cols)
        for (register, sheet, what, cols), rows in unreadable.items()
    ]
    return clocks, problems


def _closed_in_range(calendar: WorkCalendar, start, stop) -> bool:
    """A case closed inside the covered range, its due moment past it: it cannot be late (the due
    moment lies after the last covered day, the stop on or before it), so it is judged on time."""
    return stop is not None and all(calendar.covers(y) for y in range(day_of(start).year, day_of(stop).year + 1))


def _on_row(bound: list[tuple], values: dict) -> list[tuple]:
    """The bindings whose conditions the row meets, less those a more specific one overrides."""
    applying = [(b, r) for b, r in bound if b.applies(values)]
    replaced = {o for _, r in applying for o in r.overrides}
    return [(b, r) for b, r in applying if r.id not in replaced]


def _start(binding, value):
    """The start cell as a date or datetime (a year column: 1 January of it); None if not one."""
    if binding.start_year:
        return date(value, 1, 1) if isinstance(value, int) and not isinstance(value, bool) else None
    return value if isinstance(value, date) else None


def _stop(binding, values: dict):
    """(stop value, its column key): the earliest of the stop columns filled, or (None, None)."""
    filled = [(values.get(k), k) for k in (binding.stop, *binding.also_stop) if values.get(k) is not None]
    if any(not isinstance(v, date) for v, _ in filled):
        return False, None   # a typing problem the field checks report
    if not filled:
        return None, None
    return min(filled, key=lambda vk: start_moment(vk[0]))


def _clock(ctx, reg, table, rec, binding, rule) -> Clock | None:
    sheet = table.spec
    start = _start(binding, rec.values.get(binding.start))
    if start is None:
        return None  # no start yet, or a typing problem the field checks report
    if binding.weekdays and start.isoweekday() not in binding.weekdays:
        return None
    stop, stop_key = _stop(binding, rec.values)
    if stop is False:
        return None
    due = due_moment(rule, start, ctx.calendar)
    ctx.calendar.working_days_between(start, ctx.today if stop is None else stop)  # counted later
    return Clock(reg.spec.id, reg.spec.title, sheet, rec, binding, rule, start, stop, due,
                 _header(sheet, binding.start), _header(sheet, stop_key or binding.stop))


def _unkept(table, rules: dict[str, Rule]) -> list[tuple]:
    """(binding, column keys) of the optional clocks a company does not keep the columns for:
    a column of its own empty in every row (a missing column is ``deadline.no_column``)."""
    sheet, out = table.spec, []
    if not table.records:
        return out
    core = {k for b in sheet.deadlines if not b.optional for k in _keys(b)}   # columns every company keeps
    for b in sheet.deadlines:
        if b.rule not in rules or b.stop is None or not b.optional:
            continue
        missing = [k for k in (b.start, *(k for k, _ in b.when)) if k not in core and _empty(table, k)]
        if b.stop not in core and all(_empty(table, k) for k in (b.stop, *b.also_stop)):
            missing.append(b.stop)
        if missing:
            out.append((b, missing))
    return out


def _keys(b) -> tuple[str, ...]:
    return (b.start, b.stop, *b.also_stop, *(k for k, _ in b.when))


def _empty(table, key: str) -> bool:
    return all(r.values.get(key) in (None, "") for r in table.records)


def _held_up(ctx, table, binding, rule: Rule, unkept: list[str]) -> bool:
    """Would the clock already be past due on some row, had the company kept its columns?
    (Until then nothing goes unchecked: a new register is not told about every optional column.)"""
    for rec in table.records:
        v = rec.values
        if not all(v.get(k) in want if isinstance(want, tuple) else v.get(k) == want
                   for k, want in binding.when if k not in unkept):
            continue
        start = _start(binding, v.get(binding.start))
        try:
            if start is not None and is_overdue(due_moment(rule, start, ctx.calendar), ctx.today):
                return True
        except UserError:
            continue   # the calendar finding says so
    return False


def unchecked_clocks(ctx) -> list[Finding]:
    """One finding per sheet naming the clocks left unchecked because their columns are not kept
    (only clocks that would already be past due on some row)."""
    rules = rules_from(ctx.policy)
    out = []
    for reg in ctx.registers.values():
        for table in reg.tables.values():
            sheet = table.spec
            said = [f"{b.ref} {b.rule}（{'、'.join(f'「{_header(sheet, k)}」' for k in dict.fromkeys(keys))}未填写）"
                    for b, keys in _unkept(table, rules) if _held_up(ctx, table, b, rules[b.rule], keys)]
            if said:
                out.append(Finding.of("deadline.unchecked", reg.spec.id, sheet.name, clocks="；".join(said)))
    return out


def _rule_text(binding, rule: Rule) -> str:
    ref = f"{binding.ref} " if binding.ref else ""
    return f"期限「{rule.title}」（{ref}{rule.id}）"


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
    ref = f"{c.binding.ref} " if c.binding.ref else ""
    return f"「{c.rule.title}」（{ref}{c.rule.id}：{c.rule.describe()}" + (f"，{basis}）" if basis else "）")


def check_deadlines(ctx) -> list[Finding]:
    """deadline.overdue (error): open past due at ctx.today; deadline.late (warning): closed late."""
    clocks, findings = register_clocks(ctx, rules_from(ctx.policy))
    sources = sources_of(ctx.policy)
    for c in clocks:
        overdue = c.stop is None and is_overdue(c.due, ctx.today)
        if not overdue and (c.stop is None or not is_late(c.rule, c.due, c.stop)):
            continue                  # on time: most clocks, so the message is made only for findings
        where = (c.register, c.sheet.name, c.record.row, c.stop_header)
        said = dict(case=c.case_no, what=_what(c, sources), due=fmt_moment(c.due))
        if overdue:
            findings.append(Finding.of(
                "deadline.overdue", *where, **said, span=overdue_words(c.rule, c.due, ctx.today, ctx.calendar),
                start_header=c.start_header, start=fmt_moment(c.start), today=fmt_moment(ctx.today),
                stop_header=c.stop_header))
        else:
            findings.append(Finding.of(
                "deadline.late", *where, value=c.stop.isoformat(), **said,
                lateness=lateness(c.rule, c.due, c.stop, ctx.calendar), stop=fmt_moment(c.stop)))
    return findings


def overdue_cases(ctx) -> list[dict]:
    """Open overdue cases for 催办单 (004 Ⅷ (十四)), grouped by responsible dept and person.

    Returns ``[{"dept", "person", "cases": [case, ...]}, ...]`` sorted by dept then person
    (unassigned last); each case is ``{case_no, register, register_title, sheet, row, rule,
    ref (catalogue rule, D1–D19), rule_title, source, start, due, days_overdue (working days),
    calendar_days_overdue}``
    with the most overdue first. Rows that cannot be judged are left out (``not_judged`` says which).
    """
    return overdue_report(ctx)[0]


def overdue_report(ctx) -> tuple[list[dict], list[Finding]]:
    """``overdue_cases`` and what kept rows from being judged: a start or stop cell that cannot
    be read, a column not found, a day the calendar cannot count (the findings check gives)."""
    clocks, not_judged = register_clocks(ctx, rules_from(ctx.policy))
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for c in clocks:
        if c.stop is not None or not is_overdue(c.due, ctx.today):
            continue
        dept, person = _who(c.value(c.binding.dept)), _who(c.value(c.binding.person))
        groups[(dept, person)].append({
            "case_no": c.case_no, "register": c.register, "register_title": c.register_title,
            "sheet": c.sheet.name, "row": c.record.row, "rule": c.rule.id, "ref": c.binding.ref,
            "rule_title": c.rule.title, "source": c.rule.source, "start": c.start, "due": c.due,
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
    ], not_judged


def _who(v) -> str | None:
    text = "" if v is None else str(v).strip()
    return text or None
