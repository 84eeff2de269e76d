"""What every section of a period report shares: the run (registers, policy, both periods,
the scores of both) and the small helpers that count, order and judge clocks.

Definitions used by every section:
- A record belongs to a period by its own date (each section names the column).
- On time or late: the deadline rules the register specs bind to their columns, computed with
  generator.rules.deadlines (due_moment, is_late). A step not done and already past due on the
  report's reference day (``ctx.today``) counts as late; one not yet due is left out.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from generator.assess.report_model import Chart, Ratio, Section, Table
from generator.core.errors import UserError
from generator.core.periods import Period, as_date
from generator.rules.deadlines import due_moment, get_rule, is_late, is_overdue

UNFILLED = "（未填）"


@dataclass
class ReportRun:
    """What every section builder needs."""
    ctx: object                                      # a generator.assess.checks.RunContext
    period: Period
    previous: Period
    indicators: list = field(default_factory=list)   # (name, current, previous) for the summary
    scores: list = field(default_factory=list)       # period_scores() of this period and the previous one

    @property
    def both(self) -> tuple[Period, Period]:
        return self.period, self.previous

    @property
    def policy(self) -> dict:
        return self.ctx.policy

    def table(self, register: str, sheet: str):
        reg = self.ctx.registers.get(register)
        return None if reg is None else reg.tables.get(sheet)

    def heads(self, what: str = "") -> list[str]:
        return [f"{p.label}{what}" for p in self.both]


def missing_section(key: str, title: str, workbook: str) -> Section:
    return Section(key, title, notes=[f"未找到台账 {workbook}，本部分从略。"])


def label_of(v) -> str:
    text = "" if v is None else str(v).strip()
    return text or UNFILLED


def ordered_labels(known, *counters: Counter) -> list:
    """Known categories first (in their order), then any others found, sorted; blanks last."""
    seen = set().union(*counters)
    extra = sorted(k for k in seen if k not in known and k != UNFILLED)
    return list(known) + extra + ([UNFILLED] if UNFILLED in seen and UNFILLED not in known else [])


def counts_table(key, title, head, cur: Counter, prev: Counter, labels, heads, chart_title, note="", total=True,
                 y_title="件数") -> Table:
    """Counts of this period and the previous one per label, with a 合计 row and a bar chart."""
    rows = [[lab, cur.get(lab, 0), prev.get(lab, 0)] for lab in labels]
    sums = ["合计", sum(cur.values()), sum(prev.values())] if total else None
    return Table(key, title, [head, *heads], rows, sums, Chart(chart_title, (1, 2), y_title=y_title), note)


def clock_outcome(run: ReportRun, rule, rec, binding):
    """(due, late) of one clock on one record; late None = open and not yet due; None = cannot judge."""
    start = rec.values.get(binding.start)
    if not isinstance(start, dt.date):
        return None
    stop = rec.values.get(binding.stop) if binding.stop else None
    if stop is not None and not isinstance(stop, dt.date):
        return None
    try:
        due = due_moment(rule, start, run.ctx.calendar)
        if stop is not None:
            return due, is_late(rule, due, stop)
        return due, (True if is_overdue(due, run.ctx.today) else None)
    except UserError:
        return None  # a year the calendar does not cover: `aftersales check` explains it


def bound_rules(run: ReportRun, bindings) -> list:
    """(binding, rule) for the bindings whose rule the policy still defines."""
    known = run.policy.get("deadlines", {})
    return [(b, get_rule(run.policy, b.rule)) for b in bindings if b.rule in known]


def departments(run: ReportRun) -> list[str]:
    t = run.table("master", "departments")
    return [r.values["name"] for r in t.records if r.values.get("name")] if t else []


def score_findings(run: ReportRun, register: str | None = None) -> list[str]:
    """This period's messages from period_scores (for one register, or all of them), once each."""
    s = run.scores[0]
    found = [f["message"] for f in s["findings"] if register is None or f["register"] == register]
    return list(dict.fromkeys(found + (s["notes"] if register is None else [])))


def as_ratio(value) -> Ratio | None:
    return None if value is None else Ratio(value)


def month_of(value):
    d = as_date(value)
    return (d.year, d.month) if d else None


__all__ = ["ReportRun", "UNFILLED", "missing_section", "label_of", "ordered_labels", "counts_table",
           "clock_outcome", "bound_rules", "departments", "score_findings", "as_ratio", "month_of"]
