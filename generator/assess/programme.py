"""Yearly parts of ``scores``: the survey programme (S8) and the appraisal exclusions (S5/S10).

Both are judged per calendar year (001 §13 4.4 每年; 001 §4 五 3, 八 一年内), so they are
given for a year period (``--period 2026``) and otherwise only named in a note.

- S8 (001 §13 4.4–4.5): customers of 基础数据 › 客户 with 年销售额 ≥ the floor are the ones to
  cover; covered = those with a questionnaire dated in the year. Rounds and questionnaires sent
  come from 满意度调查 › 调查轮次 (rounds starting in the year); without rows there, the rounds
  are the year's questionnaires' existence (≥ 1) and the return rate stays unchecked.
- S5: two failed KPI quarters of the year (from the KPI part), two 黄牌 or one 红牌 (奖惩记录)
  → no year-end appraisal. S10: three 记大过 → dismissal; three 记过 or two 记大过 → no profit
  share; the office: a complaint rate X of the year above the limit, or the satisfaction target
  missed in two quarters → the office is not appraised (001 §4 八 1).
"""
from __future__ import annotations

from decimal import Decimal

from generator.assess.people_checks import card_findings
from generator.assess.report_model import Ratio, Table
from generator.core.errors import UserError
from generator.core.findings import Finding
from generator.core.periods import parse_period
from generator.core.text import pct_text
from generator.rules.scores import questionnaire_score, survey_programme

UNSATISFIED_CLASS = "不满意"   # the S2 class that does not count as satisfied (001 §13 4.6.1), as in period_scores


def _table(registers: dict, register: str, sheet: str):
    reg = registers.get(register)
    return reg.tables.get(sheet) if reg else None


def programme_part(registers: dict, policy: dict, period) -> dict:
    """S8 of a year period: a dict for the output and its findings (plain dicts)."""
    if period.kind != "year":
        return {"checked": False, "note": f"S8 调查频次与覆盖按年度评价（001 §13 4.4），{period.code} 不是年度：请用 --period {period.start.year}"}
    customers = _table(registers, "master", "customers")
    sales = {r.values["name"]: r.values["annual_sales"] for r in (customers.records if customers else [])
             if r.values.get("name") and r.values.get("annual_sales") is not None}
    surveys = _table(registers, "surveys", "surveys")
    answered = [r for r in (surveys.records if surveys else []) if period.contains(r.values.get("surveyed"))]
    rounds_t = _table(registers, "surveys", "rounds")
    rounds = [r for r in (rounds_t.records if rounds_t else []) if period.contains(r.values.get("start"))]
    sent = sum(int(r.values.get("sent") or 0) for r in rounds)
    n_rounds = len(rounds) if rounds else (1 if answered else 0)
    r = survey_programme(sales, {a.values.get("customer") for a in answered}, sent, len(answered), n_rounds, policy)
    notes = [] if rounds else ["满意度调查 › 调查轮次 没有本年度记录：调查次数按是否有调查表计，回收率未检查"]
    if not sales:
        notes.append("基础数据 › 客户 没有年销售额：覆盖率未检查")
    return {"checked": True, "eligible": r.eligible, "surveyed": r.surveyed, "coverage": r.coverage,
            "sent": r.sent if rounds else None, "returned": r.returned, "return_rate": r.return_rate if rounds else None,
            "rounds": n_rounds, "requirements": _requirements(policy), "notes": notes,
            "findings": [f.to_dict() for f in r.findings]}


def _requirements(policy: dict) -> str:
    c = policy["scores"]["survey_programme"]
    return (f"每年不少于 {c['min_rounds_per_year']} 次；覆盖年销售额不少于 {c['min_annual_sales']} 元客户的 "
            f"{pct_text(c['min_coverage'])}；回收率不低于 {pct_text(c['min_return_rate'])}（001 §13 4.4–4.5）")


def quarter_satisfaction(registers: dict, policy: dict, period) -> dict[str, Decimal | None]:
    """Each quarter's share of questionnaires not classed 不满意 (S2), as ``scores`` counts it."""
    t = _table(registers, "surveys", "surveys")
    items = set(policy["scores"]["survey"]["items"])
    cols = [c for c in (t.spec.columns if t else []) if c.header in items]
    out: dict[str, Decimal | None] = {}
    for q in period.quarters:
        qp, n, happy = parse_period(q), 0, 0
        for r in (t.records if t else []):
            if not qp.contains(r.values.get("surveyed")):
                continue
            try:
                s = questionnaire_score({c.header: r.values.get(c.key) for c in cols}, policy)
            except UserError:
                continue   # scores reports it (score.survey)
            if s.exact is not None:
                n, happy = n + 1, happy + (s.label != UNSATISFIED_CLASS)
        out[q] = Decimal(happy) / n if n else None
    return out


def appraisal_part(registers: dict, policy: dict, period, kpi: list[dict], complaint_rate: Decimal | None) -> dict:
    """S5/S10 of a year period. ``kpi`` is the scores' KPI part, ``complaint_rate`` the year's overall X."""
    if period.kind != "year":
        return {"checked": False, "note": f"S5/S10 考核结果运用按年度评价（001 §4 五 3、八），请用 --period {period.start.year}"}
    year = period.start.year
    failed: dict = {}
    for k in kpi:
        if k["passed"] is False:
            failed[(k["person"], year)] = failed.get((k["person"], year), 0) + 1
    findings = card_findings(registers, policy, failed, until=period.end, years={year})
    app = policy["scores"]["appraisal"]
    target = next((t for t in policy["scores"]["targets"]["items"] if t["name"] == app["satisfaction_target"]), None)
    notes, reasons = [], []
    if complaint_rate is not None and complaint_rate > Decimal(str(app["complaint_rate_max"])):
        reasons.append(f"客户投诉率 {pct_text(complaint_rate)} 超出 {pct_text(app['complaint_rate_max'])}")
    misses = None
    if target is None:
        notes.append(f"服务目标中没有「{app['satisfaction_target']}」：满意度未达标次数未检查")
    else:
        floor = Decimal(str(target["ge"]))
        rates = quarter_satisfaction(registers, policy, period)
        misses = [q for q, v in rates.items() if v is not None and v < floor]
        if len(misses) >= app["satisfaction_misses"]:
            reasons.append(f"{app['satisfaction_target']}在 {'、'.join(misses)} 共 {len(misses)} 次低于 {pct_text(floor)}")
    if reasons:
        findings.append(Finding.of("appraisal.office_excluded", "complaints", "", value=str(year), year=year,
                                   reasons="；".join(reasons)))
    return {"checked": True, "year": year, "complaint_rate": complaint_rate, "satisfaction_misses": misses,
            "office_excluded": bool(reasons), "failed_quarters": {p: n for (p, _), n in failed.items()},
            "notes": notes, "findings": [f.to_dict() for f in findings]}


__all__ = ["programme_part", "appraisal_part"]


def programme_table(scores: list[dict]):
    """The yearly report's S8 table (this year and the year before), or None for other periods."""
    now, before = (s["programme"] for s in scores)
    if not now["checked"]:
        return None

    def ratio(v):
        return None if v is None else Ratio(v)

    rows = [["调查次数", now["rounds"], before.get("rounds")],
            ["应覆盖客户数（年销售额达标）", now["eligible"], before.get("eligible")],
            ["已调查客户数", now["surveyed"], before.get("surveyed")],
            ["覆盖率", ratio(now["coverage"]), ratio(before.get("coverage"))],
            ["发出份数", now["sent"], before.get("sent")],
            ["回收份数", now["returned"], before.get("returned")],
            ["回收率", ratio(now["return_rate"]), ratio(before.get("return_rate"))]]
    return Table("satisfaction.programme", "满意度调查频次与覆盖（S8）", ["项目", "本年", "上年"], rows,
                 note="；".join([now["requirements"], *now["notes"]]))
