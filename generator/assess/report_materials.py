"""Report section on materials (000 ch.4): applications, loans out and back, and what is still
out at the end of each period, line by line.

Balances are taken at the last day of each period; a loan is overdue from its 预计归还日期 by
the ``material.return`` rule of the policy.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from generator.assess.report_context import ReportRun, counts_table, missing_section
from generator.assess.report_model import Section, Table
from generator.core.periods import Period, as_date
from generator.rules.deadlines import due_moment, get_rule, is_late, is_overdue

# 000 ch.4 §4 物料申请表 预计归还日期: the clock from the return-by day.
MATERIAL_RETURN_RULE = "material.return"
LOAN = "借用"                         # 000 ch.4 §4 性质: a loan comes back
RETURNABLE = ("借用", "更换")         # 000 ch.4 §5: loans and the faulty parts of replacements come back
SUMMARY_LABELS = ("申请单数", "借出数量", "归还数量", "逾期归还数量", "期末借出未还数量", "期末逾期未还数量")


@dataclass(frozen=True)
class _Line:
    """One application line with its application and the (date, qty) of each return of it."""
    rec: object
    app: object
    returns: tuple

    def returned(self, by: dt.date) -> int:
        return sum(q for d, q in self.returns if d <= by)


def materials_section(run: ReportRun) -> Section:
    apps_t, items_t, returns_t = (run.table("materials", k) for k in ("applications", "items", "returns"))
    if apps_t is None:
        return missing_section("materials", "物料", "materials.xlsx")
    apps = apps_t.by("app_no")
    back = defaultdict(list)
    for r in returns_t.records if returns_t else []:
        if as_date(r.values.get("returned")) and r.values.get("qty") is not None:
            back[_line_key(r)].append((as_date(r.values["returned"]), r.values["qty"]))
    lines = [_Line(r, apps.get(r.values.get("app_no")), tuple(back.get(_line_key(r), ())))
             for r in (items_t.records if items_t else []) if r.values.get("qty") is not None]
    orphans = [ln for ln in lines if ln.app is None or not as_date(ln.app.values.get("applied"))]
    lines = [ln for ln in lines if ln not in orphans]
    rule = get_rule(run.policy, MATERIAL_RETURN_RULE) if MATERIAL_RETURN_RULE in run.policy.get("deadlines", {}) else None

    def due(line):
        rb = line.rec.values.get("return_by")
        return due_moment(rule, rb, run.ctx.calendar) if rule and isinstance(rb, dt.date) else None

    def stats(p: Period) -> Counter:
        c = Counter()
        c["申请单数"] = sum(1 for a in apps_t.records if p.contains(a.values.get("applied")))
        for ln in lines:
            if ln.rec.values.get("nature") != LOAN:
                continue
            if p.contains(ln.app.values["applied"]):
                c["借出数量"] += ln.rec.values["qty"]
            for d, q in ln.returns:
                if p.contains(d):
                    c["归还数量"] += q
                    c["逾期归还数量"] += q if (dm := due(ln)) and is_late(rule, dm, d) else 0
            end = min(p.end, run.ctx.today)     # nothing after today counts
            if ln.app.values["applied"] <= end and (out := ln.rec.values["qty"] - ln.returned(end)) > 0:
                c["期末借出未还数量"] += out
                c["期末逾期未还数量"] += out if (dm := due(ln)) and is_overdue(dm, end) else 0
        return c

    now, before = stats(run.period), stats(run.previous)
    sec = Section("materials", "物料")
    sec.tables.append(counts_table("materials.summary", "借用物料概况（数量单位：件）", "项目", now, before,
                                   list(SUMMARY_LABELS), run.heads(), "借用物料",
                                   f"期末 = {min(run.period.end, run.ctx.today)} / {run.previous.end}；逾期按预计归还日期判定",
                                   total=False, y_title="数量"))
    end = min(run.period.end, run.ctx.today)
    ranked = []
    for ln in lines:
        v = ln.rec.values
        if v.get("nature") not in RETURNABLE or ln.app.values["applied"] > end:
            continue
        got = ln.returned(end)
        if v["qty"] - got <= 0:
            continue
        dm = due(ln) if v.get("nature") == LOAN else None
        late = (end - dm.date()).days if dm and is_overdue(dm, end) else 0
        state = f"逾期 {late} 天" if late else ("未到期" if dm else "待返旧件" if v.get("nature") != LOAN else "未填归还日期")
        ranked.append((-late, ln.app.values["applied"], str(v.get("app_no")), [
            v.get("app_no"), ln.app.values["applied"], ln.app.values.get("applicant"), v.get("name"), v.get("model"),
            v.get("nature"), v["qty"], got, v["qty"] - got, v.get("return_by"), state]))
    rows = [r for *_, r in sorted(ranked, key=lambda x: x[:3])]
    sec.tables.append(Table("materials.balances", f"期末未归还明细（截至 {end}，结余 = 申请数量 − 已归还数量）",
                            ["申请编号", "申请日期", "申请人员", "物品名称", "型号", "性质", "申请数量", "已归还", "结余",
                             "预计归还日期", "状态"], rows))
    if orphans:
        sec.notes.append(f"有 {len(orphans)} 条申请明细找不到对应的申请单或申请日期，未计入。")
    run.indicators += [(f"物料{k}", now[k], before[k]) for k in ("期末借出未还数量", "期末逾期未还数量")]
    return sec


def _line_key(rec) -> tuple:
    v = rec.values
    return (v.get("app_no"), v.get("name"), v.get("model"))


__all__ = ["materials_section"]
