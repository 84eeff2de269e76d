"""Cases closed late, for the 洽办单 (D17, 004 Ⅷ (十四)): 對於已結案的案件,應查核各部門處理時效,
對於處理時效逾期案件,得開立“洽辦單”送有關部門追查逾期原因 — beside the 催办单 of open overdue
cases (``clocks.overdue_cases``), from the same deadline clocks."""
from __future__ import annotations

from generator.assess.clocks import register_clocks
from generator.rules.deadlines import is_late, lateness, rules_from


def _who(v) -> str | None:
    text = "" if v is None else str(v).strip()
    return text or None


def late_cases(ctx) -> list[dict]:
    """One entry per case with at least one clock stopped after its due moment, in register
    order: ``{register, register_title, case_no, sheet, row, dept, person, items}``; each item is
    ``{rule, rule_title, source, start, due, stop, lateness}`` (lateness in words)."""
    clocks, _ = register_clocks(ctx, rules_from(ctx.policy))
    cases: dict[tuple, dict] = {}
    for c in clocks:
        if c.stop is None or not is_late(c.rule, c.due, c.stop):
            continue
        entry = cases.setdefault((c.register, c.sheet.name, c.record.row), {
            "register": c.register, "register_title": c.register_title, "case_no": c.case_no,
            "sheet": c.sheet.name, "row": c.record.row, "dept": _who(c.value(c.binding.dept)),
            "person": _who(c.value(c.binding.person)), "items": []})
        entry["items"].append({"rule": c.rule.id, "rule_title": c.rule.title, "source": c.rule.source,
                               "start": c.start, "due": c.due, "stop": c.stop,
                               "lateness": lateness(c.rule, c.due, c.stop, ctx.calendar)})
    return [cases[k] for k in sorted(cases)]


__all__ = ["late_cases"]
