"""Scores of a period read from the registers: S1–S4, S6, S7, S9/D12, the KPI of S5, and for a
year the survey programme (S8) and the appraisal exclusions (S5/S10, in ``programme``).

``period_scores(registers, policy, period, calendar)`` returns a plain dict; every score comes
from the pure functions in ``scores``. A period is ``2026-03``, ``2026-Q1``, ``2026-H1`` or
``2026``. Which rows count, and how the rates are formed from the registers:

- S1/S2 and S3: questionnaires whose 调查日期 is in the period; the CSI uses the AHP weights of
  ``scores.csi`` and says so when the matrix is not acceptably consistent.
- S4: tickets completed (完成时间) in the period with at least one receipt rating.
- S6, per engineer and overall, over tickets received (受理时间) in the period:
  N = repeat repairs: a ticket on a 出厂编号 that already had a ticket in the period repeats
  the earlier one and counts against that earlier ticket's 服务人员 (the repair that did not
  hold); tickets without a 出厂编号 cannot repeat. The seed counts N per year: for a shorter
  period the result says the bands are annual.
  X = complaints received in the period ÷ tickets received (per engineer: complaints whose
  责任人 is the engineer ÷ the engineer's tickets).
  P = share of receipts (S4 rows) whose every rating is 满意 or better, overall and per
  engineer alike (questionnaires name no engineer, so they cannot give the per-person P).
  Where the seed leaves a band undefined (50% < P < 60%) the score is None with the note.
- S7: each target of ``scores.targets`` that the registers can measure: 及时 rates from the
  status clock of the complaints and tickets sheets (cases due in the period: done on time
  ÷ done or overdue at the period's end), 维护服务合格率 = tickets completed and marked 是否解决
  = 是 ÷ tickets completed with it filled, 满意 rates from the questionnaires, the
  service-caused complaint rate = 服务质量 complaints ÷ tickets; 安装调试验收合格率 has no
  register column and shows no data. (No star rating: the seeds give no scale for one.)
- S9/D12: 应到/实到/请假/旷课 per session in the period, and each technician's training hours
  per month (sessions attended 实到) against ``scores.training.monthly_hours`` (a month without
  any session is one warning, not one per technician).
- S5: the KPI sheet's quarters that end inside the period, scored per person with the post's
  weights; a quarter under the pass mark fails.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from generator.assess.ledger import FINDING_COLUMNS, finding_rows, table_sheet
from generator.assess.programme import appraisal_part, programme_part
from generator.core.errors import UserError
from generator.core.findings import Finding
from generator.core.money import round_to
from generator.core.normalize import clean_text
from generator.core.periods import (  # the tests import the last two from here
    Period,
    as_date,
    month_text,
    parse_period,
    quarter_label,
)
from generator.core.text import num_text
from generator.registers.safewrite import save_workbook
from generator.rules.citations import cite_all, sources_of
from generator.rules.deadlines import due_moment, get_rule, is_late, is_overdue
from generator.rules.scores import (
    attendance,
    check_training_hours,
    csi,
    incentive_score,
    kpi_score,
    questionnaire_score,
    receipt_averages,
    receipt_level,
    service_targets,
    training_hours,
)

RATE_PLACES = 4                                   # rates shown as 0.9512 (95.12%)
RECEIPT_COLUMNS = ("attitude", "skill", "speed")  # ticket columns, in the order of scores.receipt.aspects
RECEIPT_SATISFIED = "满意"                          # a receipt counts as satisfied when every rating is this level or better (000 ch.3 §6)
UNSATISFIED_CLASS = "不满意"                        # the S2 class that does not count as satisfied (001 §13 4.6.1)
TECHNICIAN_POSTS = ("技术工程师", "售后人员")          # 003 §4.4.3 技术服务人员: the field posts of the staff sheet
CONTROL_KIND = "控制指标"                             # KPI sheet 指标性质 of a control metric (001 §4 九 3)
RESOLVED_YES = "是"                                 # 是否解决 answered yes
SERVICE_COMPLAINT = "服务质量"                        # complaint class caused by the service (001 §14 4.1)
P_SOURCE = "服务工作回执单"                             # S6 P: the one source that names the engineer (000 ch.3 §6)


# ---------------------------------------------------------------------------- helpers

def _ratio(n: int, d: int) -> Decimal | None:
    return None if d == 0 else Decimal(n) / Decimal(d)


def _shown(r: Decimal | None) -> Decimal | None:
    return None if r is None else round_to(r, RATE_PLACES)


def _dec(x) -> Decimal | None:
    if x is None:
        return None
    if isinstance(x, Fraction):
        return Decimal(x.numerator) / Decimal(x.denominator)
    if isinstance(x, float):
        return Decimal(repr(x))
    return Decimal(x)


class _Data:
    """The registers' tables and the staff list, with findings collected along the way."""

    def __init__(self, registers: dict, policy: dict, calendar, period: Period):
        self.policy, self.calendar, self.period = policy, calendar, period
        self.findings: list[Finding] = []
        self.notes: list[str] = []
        self.registers = registers
        staff = self.table("master", "staff")
        self.staff = {}
        for r in (staff.records if staff else []):
            self.staff.setdefault(r.values.get("name"), r.values)

    def table(self, register: str, sheet: str):
        reg = self.registers.get(register)
        return reg.tables.get(sheet) if reg else None

    def rows(self, register: str, sheet: str, date_key: str) -> list:
        t = self.table(register, sheet)
        return [r for r in (t.records if t else []) if self.period.contains(r.values.get(date_key))]

    def order(self, name) -> tuple:
        names = list(self.staff)
        return (0, names.index(name), "") if name in self.staff else (1, 0, str(name))

    def problem(self, code: str, register: str, sheet: str, row, column, value=None, **fields):
        self.findings.append(Finding.of(code, register, sheet, row, column, value=value, **fields))


# ---------------------------------------------------------------------------- S1–S3 surveys

def _surveys(d: _Data) -> tuple[dict, dict, list[dict]]:
    t = d.table("surveys", "surveys")
    items = set(d.policy["scores"]["survey"]["items"])
    cols = [c for c in (t.spec.columns if t else []) if c.header in items]
    rated, answers = [], []
    for r in d.rows("surveys", "surveys", "surveyed"):
        ratings = {c.header: r.values.get(c.key) for c in cols}
        try:
            s = questionnaire_score(ratings, d.policy)
        except UserError as e:
            d.problem("score.survey", "surveys", t.spec.name, r.row, None, reason=e.message)
            continue
        answers.append(ratings)
        rated.append({"survey_no": r.values.get("survey_no"), "date": r.values.get("surveyed"),
                      "customer": r.values.get("customer"), "score": s.score, "class": s.label, "rated": s.rated,
                      "_exact": s.exact})
    scored = [q for q in rated if q["_exact"] is not None]
    classes = {b["label"]: 0 for b in d.policy["scores"]["survey"]["classes"]}
    for q in scored:
        classes[q["class"]] += 1
    satisfied = sum(1 for q in scored if q["class"] != UNSATISFIED_CLASS)
    places = d.policy["scores"]["survey"]["score_places"]
    mean = round_to(_dec(sum(q["_exact"] for q in scored) / len(scored)), places) if scored else None
    summary = {"count": len(scored), "mean": mean, "classes": classes,
               "satisfied": satisfied, "satisfied_share": _shown(_ratio(satisfied, len(scored)))}
    for q in rated:
        del q["_exact"]
    return {"questionnaires": rated, "summary": summary}, {"satisfied": satisfied, "count": len(scored)}, answers


def _csi(d: _Data, answers: list[dict]) -> dict:
    r = csi(answers, d.policy)
    return {"csi": r.csi, "questionnaires": r.questionnaires, "method": r.ahp.method,
            "cr": round_to(_dec(r.ahp.cr), RATE_PLACES), "consistent": r.ahp.consistent, "missing": r.missing,
            "indicators": [{"name": i.name, "weight": i.weight, "score": i.score, "items": i.items} for i in r.indicators],
            "notes": r.notes}


# ---------------------------------------------------------------------------- S4 receipts

def _receipts(d: _Data) -> tuple[list[dict], list[dict]]:
    """(averages per engineer, the receipts themselves as dicts with the ticket row)."""
    aspects = d.policy["scores"]["receipt"]["aspects"]
    t = d.table("tickets", "tickets")
    if len(aspects) != len(RECEIPT_COLUMNS):
        raise UserError(f"scores.receipt.aspects 应有 {len(RECEIPT_COLUMNS)} 项，对应工单的服务态度、服务技能、响应速度")
    receipts, unassigned = [], 0
    for r in d.rows("tickets", "tickets", "completed"):
        given = {a: r.values.get(k) for a, k in zip(aspects, RECEIPT_COLUMNS) if r.values.get(k) is not None}
        if not given:
            continue
        if not r.values.get("engineer"):
            unassigned += 1
            continue
        try:
            for v in given.values():
                receipt_level(v, d.policy)
        except UserError as e:   # one bad rating leaves out its receipt, not the whole part
            d.problem("score.receipt", "tickets", t.spec.name, r.row, None, reason=e.message)
            continue
        receipts.append({"engineer": str(r.values["engineer"]).strip(), **given})
    if unassigned:
        d.notes.append(f"S4：{unassigned} 张有评价的工单未填服务人员，未计入个人回执评价")
    avgs = receipt_averages(receipts, d.policy)
    out = [{"engineer": a.engineer, "receipts": a.receipts, "means": a.means, "overall": a.overall}
           for a in sorted(avgs.values(), key=lambda a: d.order(a.engineer))]
    return out, receipts


# ---------------------------------------------------------------------------- S6 incentive

def _incentive(d: _Data, receipts: list[dict]) -> dict:
    tickets = sorted(d.rows("tickets", "tickets", "received"), key=lambda r: (r.values["received"], r.row))
    complaints = d.rows("complaints", "complaints", "received")
    repeats: dict = {}
    last_on: dict = {}
    for r in tickets:
        serial = str(r.values.get("serial") or "").strip()
        if not serial:
            continue
        if serial in last_on:
            earlier = last_on[serial].values.get("engineer")
            repeats[earlier] = repeats.get(earlier, 0) + 1
        last_on[serial] = r
    levels = d.policy["scores"]["receipt"]["levels"]
    best_ok = levels[RECEIPT_SATISFIED]
    aspects = d.policy["scores"]["receipt"]["aspects"]

    def satisfied(x) -> bool:
        return all(receipt_level(x[a], d.policy) <= best_ok for a in aspects if a in x)

    # P for the office and per person from one source, the receipts: questionnaires name no engineer
    overall = _incentive_of("全部", sum(repeats.values()), len(complaints), len(tickets),
                            sum(map(satisfied, receipts)), len(receipts), d.policy, P_SOURCE)
    engineers = sorted({str(r.values["engineer"]).strip() for r in tickets if r.values.get("engineer")}
                       | {x["engineer"] for x in receipts}, key=d.order)
    per = []
    for e in engineers:
        mine = [r for r in tickets if str(r.values.get("engineer") or "").strip() == e]
        blamed = sum(1 for c in complaints if str(c.values.get("owner") or "").strip() == e)
        rated = [x for x in receipts if x["engineer"] == e]
        per.append(_incentive_of(e, repeats.get(e, 0), blamed, len(mine), sum(map(satisfied, rated)), len(rated),
                                 d.policy, P_SOURCE))
    notes = []
    if d.period.kind != "year":
        notes.append(f"N 为年度重复维修次数（001 §4 十 1），本期间为 {d.period.code}，按期间内次数对照年度档位，仅供参考")
    notes.append(f"客户满意度 P（全部与每位服务人员）均取自{P_SOURCE}：各项评价均为“{RECEIPT_SATISFIED}”或更好的回执所占比例")
    return {"overall": overall, "engineers": per, "notes": notes, "p_source": P_SOURCE}


def _incentive_of(who: str, n: int, complaints: int, tickets: int, happy: int, asked: int, policy: dict, source: str) -> dict:
    x, p = _ratio(complaints, tickets), _ratio(happy, asked)
    out = {"who": who, "N": n, "X": _shown(x), "P": _shown(p), "complaints": complaints, "tickets": tickets,
           "satisfied": happy, "rated": asked, "parts": [], "total": None, "defined": False, "notes": []}
    if x is None or p is None:
        missing = ([] if x is not None else ["期间内没有工单，无法计算客户投诉率 X"]) + \
                  ([] if p is not None else [f"期间内没有{source}，无法计算客户满意度 P"])
        out["notes"] = missing
        return out
    r = incentive_score(n, x, p, policy)
    out.update(total=r.total, defined=r.defined, notes=r.notes,
               parts=[{"key": q.key, "label": q.label, "value": _shown(q.value) if q.key != "N" else q.value,
                       "weight": q.weight, "score": q.score, "band": q.band, "note": q.note} for q in r.parts])
    return out


# ---------------------------------------------------------------------------- S7 targets

def _on_time(d: _Data, register: str, sheet: str) -> tuple[Decimal | None, str]:
    """Cases of the sheet's status clock due in the period: done on time ÷ (done or overdue at the end)."""
    t = d.table(register, sheet)
    if t is None or t.spec.status is None:
        return None, "没有该台账"
    b = t.spec.status
    try:
        rule = get_rule(d.policy, b.rule)
    except UserError:
        return None, f"策略中没有期限规则 {b.rule}"
    good = bad = 0
    for r in t.records:
        start, stop = r.values.get(b.start), r.values.get(b.stop)
        if not isinstance(start, dt.date) or not b.applies(r.values) or {b.start, b.stop} & r.unread.keys():
            continue  # no start, or a start/stop cell that cannot be read (check says so): never "still open"
        try:
            due = due_moment(rule, start, d.calendar)
        except UserError as e:
            d.problem("score.calendar", register, t.spec.name, r.row, None, reason=e.message)
            continue
        if not d.period.contains(due):
            continue
        if stop is not None:
            bad, good = (bad + 1, good) if is_late(rule, due, stop) else (bad, good + 1)
        elif is_overdue(due, d.period.end):
            bad += 1
    return _ratio(good, good + bad), f"{t.spec.name}「{rule.title}」期内到期 {good + bad} 件，按时 {good} 件"


def _resolved(d: _Data) -> tuple[Decimal | None, str]:
    done = [r for r in d.rows("tickets", "tickets", "completed") if r.values.get("resolved")]
    ok = sum(1 for r in done if r.values["resolved"] == RESOLVED_YES)
    return _ratio(ok, len(done)), f"期内完成且填写是否解决的工单 {len(done)} 张，已解决 {ok} 张"


def _service_complaints(d: _Data) -> tuple[Decimal | None, str]:
    n = sum(1 for c in d.rows("complaints", "complaints", "received") if c.values.get("category") == SERVICE_COMPLAINT)
    t = len(d.rows("tickets", "tickets", "received"))
    return _ratio(n, t), f"期内{SERVICE_COMPLAINT}类投诉 {n} 件 ÷ 受理工单 {t} 张"


def _targets(d: _Data, surveyed: dict) -> dict:
    satisfied = (_ratio(surveyed["satisfied"], surveyed["count"]),
                 f"期内调查表 {surveyed['count']} 份，非“{UNSATISFIED_CLASS}” {surveyed['satisfied']} 份")
    measures = {   # target name (001 §3; 004 Ⅳ 3.2.1) -> how the registers measure it
        "安装调试验收合格率": lambda: (None, "台账中没有安装验收结果栏目"),
        "维护服务合格率": lambda: _resolved(d),
        "顾客抱怨、投诉及时处理率": lambda: _on_time(d, "complaints", "complaints"),
        "售后服务及时率": lambda: _on_time(d, "tickets", "tickets"),
        "服务及时率": lambda: _on_time(d, "tickets", "tickets"),
        "顾客满意率": lambda: satisfied,
        "用户满意程度": lambda: satisfied,
        "用户抱怨率（确属服务责任的）": lambda: _service_complaints(d),
    }
    actual, basis = {}, {}
    for t in d.policy["scores"]["targets"]["items"]:
        value, basis[t["name"]] = measures.get(t["name"], lambda: (None, "台账中没有对应数据"))()
        if value is not None:
            actual[t["name"]] = value
    items = [{"name": r.name, "requirement": r.requirement, "actual": _shown(r.actual), "met": r.met,
              "basis": basis[r.name]} for r in service_targets(actual, d.policy)]
    return {"items": items}


# ---------------------------------------------------------------------------- S9 / D12 training

def _training(d: _Data) -> dict:
    sessions_t, people_t = d.table("training", "sessions"), d.table("training", "attendees")
    by_session = people_t.children("session_no") if people_t else {}
    sessions, counted = [], []
    for r in (sessions_t.records if sessions_t else []):
        v = r.values
        if not isinstance(v.get("date"), dt.date) or v.get("hours") is None:
            continue
        lines = [{"name": a.values.get("name"), "status": a.values.get("status")} for a in by_session.get(v.get("session_no"), [])]
        counted.append({"date": as_date(v["date"]), "lessons": v["hours"], "attendees": lines})
        if not d.period.contains(v["date"]):
            continue
        try:
            c = attendance(lines, d.policy)
        except UserError as e:
            d.problem("training.status", "training", people_t.spec.name, None, None, session=v.get("session_no"),
                      reason=e.message)
            continue
        sessions.append({"session_no": v.get("session_no"), "date": v["date"], "topic": v.get("topic"), "kind": v.get("kind"),
                         "lessons": v["hours"], "expected": c["应到"], "present": c["实到"], "leave": c["请假"],
                         "absent": c["旷课"]})
    need = d.policy["scores"]["training"]["monthly_hours"]
    techs = [n for n, s in d.staff.items() if s.get("post") in TECHNICIAN_POSTS]
    hours = []
    held = {(s["date"].year, s["date"].month) for s in counted}
    for ym in d.period.months:
        got = training_hours(counted, ym, d.policy)
        if ym in held:
            d.findings += check_training_hours(got, techs, ym, d.policy)
        elif techs:  # one line for a month without any session, not one per technician
            d.problem("training.no_sessions", "training", sessions_t.spec.name if sessions_t else "", None, None,
                      month=month_text(ym), need=num_text(need))
        hours += [{"person": t, "month": month_text(ym), "hours": got.get(t, Decimal(0)), "required": need,
                   "met": got.get(t, Decimal(0)) >= need} for t in techs]
    return {"sessions": sessions, "hours": hours, "required_hours": need, "technician_posts": list(TECHNICIAN_POSTS)}


# ---------------------------------------------------------------------------- S5 KPI

def _kpi(d: _Data) -> list[dict]:
    t = d.table("master", "kpi")
    if t is None:
        return []
    cfg = d.policy["scores"]["kpi"]
    wanted, groups = set(d.period.quarters), {}
    for r in t.records:
        q = quarter_label(r.values.get("quarter"))
        if q is None:
            d.problem("kpi.quarter", "master", t.spec.name, r.row, t.spec.column("quarter").header,
                      value=r.values.get("quarter"), given=r.values.get("quarter"))
            continue
        if q in wanted:
            groups.setdefault((q, str(r.values.get("person") or "").strip()), []).append(r)
    out = []
    for (q, person), rows in sorted(groups.items(), key=lambda kv: (kv[0][0], d.order(kv[0][1]))):
        post = d.staff.get(person, {}).get("post")
        # the reader turns full-width brackets into ASCII: match metric names the same way
        names = {clean_text(m): m for m in cfg["posts"].get(post, {}).get("weights", {})}
        results = {}
        for r in rows:
            kind = r.values.get("kind")
            metric = names.get(clean_text(r.values.get("metric")), r.values.get("metric"))
            control = metric in cfg["control_metrics"]
            if kind and (kind == CONTROL_KIND) != control:
                d.problem("kpi.kind", "master", t.spec.name, r.row, t.spec.column("kind").header, kind,
                          metric=metric, policy_kind="控制" if control else "计划", given=kind)
            results[metric] = {"actual": r.values.get("actual"), "target": r.values.get("target")}
        entry = {"quarter": q, "person": person, "post": post, "total": None, "passed": None,
                 "pass_mark": cfg["pass_mark"], "lines": [], "notes": []}
        try:
            if post is None:
                raise UserError(f"{person} 不在基础数据“人员”表中，无法确定岗位权重")
            k = kpi_score(post, results, d.policy)
        except UserError as e:
            d.problem("kpi.score", "master", t.spec.name, rows[0].row, None, quarter=q, person=person, reason=e.message)
            entry["notes"] = [e.message]
            out.append(entry)
            continue
        entry.update(total=k.total, passed=k.passed, notes=k.notes,
                     lines=[{"metric": l.metric, "weight": l.weight, "attainment": l.attainment, "cap": l.cap,
                             "points": None if l.points is None else round_to(l.points, cfg["score_places"]),
                             "note": l.note} for l in k.lines])
        out.append(entry)
    if not d.period.quarters:
        d.notes.append(f"S5：KPI 按季度考核，{d.period.code} 内没有季度结束，未列出 KPI 得分")
    return out


# ---------------------------------------------------------------------------- public API

def period_scores(registers: dict, policy: dict, period, calendar) -> dict:
    """Every score of ``period`` from the registers, as a plain dict (see the module docstring).

    Keys: ``period``, ``start``, ``end``, ``surveys`` {questionnaires, summary}, ``csi``,
    ``receipts``, ``incentive`` {overall, engineers, notes, p_source}, ``targets`` {items},
    ``training`` {sessions, hours}, ``kpi``, ``programme`` (S8), ``appraisal`` (S5/S10),
    ``notes``, ``findings``. Numbers are Decimal (rates as fractions to 4 places), dates are dates.
    """
    p = period if isinstance(period, Period) else parse_period(period)
    d = _Data(registers, policy, calendar, p)
    surveys, surveyed, answers = _surveys(d)
    csi_part = _csi(d, answers)
    receipts, receipt_rows = _receipts(d)
    result = {
        "period": p.code, "start": p.start, "end": p.end,
        "surveys": surveys,
        "csi": csi_part,
        "receipts": receipts,
        "incentive": _incentive(d, receipt_rows),
        "targets": _targets(d, surveyed),
        "training": _training(d),
        "kpi": _kpi(d),
    }
    result["programme"] = programme_part(registers, policy, p)                    # S8
    result["appraisal"] = appraisal_part(registers, policy, p, result["kpi"], result["incentive"]["overall"]["X"])
    result["notes"] = d.notes + [x["note"] for x in (result["programme"], result["appraisal"]) if "note" in x]
    result["findings"] = ([f.to_dict() for f in d.findings] + result["programme"].get("findings", [])
                          + result["appraisal"].get("findings", []))
    return cite_all(result, sources_of(d.policy))     # the company's documents, never our source codes


# ---------------------------------------------------------------------------- workbook

def write_scores_xlsx(result: dict, path) -> Path | None:
    """One sheet per part (问卷得分, 满意度指数, 回执评价, 激励得分, 服务目标, 培训出勤, 培训学时,
    KPI得分, KPI明细, 说明与提示) through the safe writer; returns the backup made, if any."""
    from openpyxl import Workbook


    wb = Workbook()
    wb.remove(wb.active)
    for title, columns, rows in _sheets(result):
        table_sheet(wb, title, columns, rows)
    return save_workbook(wb, Path(path))


SCORE, RATE, DATE = "0.00", "0.00%", "yyyy-mm-dd"


def _sheets(r: dict) -> list[tuple]:
    aspects = list(r["receipts"][0]["means"]) if r["receipts"] else []
    inc = [r["incentive"]["overall"]] + r["incentive"]["engineers"]

    def part(x, key, field):
        return next((q[field] for q in x["parts"] if q["key"] == key), None)

    kpi_lines = [[k["quarter"], k["person"], l["metric"], l["weight"], l["attainment"], l["cap"], l["points"], l["note"]]
                 for k in r["kpi"] for l in k["lines"]]
    c = r["csi"]
    return [
        ("问卷得分", [("调查编号", 12, None), ("调查日期", 11, DATE), ("客户名称", 30, None), ("得分", 8, SCORE),
                  ("满意程度", 9, None), ("已评项目", 8, None)],
         [[q["survey_no"], q["date"], q["customer"], q["score"], q["class"], q["rated"]] for q in r["surveys"]["questionnaires"]]),
        ("满意度指数", [("二级指标", 18, None), ("权重 λ", 9, "0.0000"), ("得分 X", 9, SCORE), ("调查项目", 50, None)],
         [[i["name"], i["weight"], i["score"], i["items"]] for i in c["indicators"]]
         + [["CSI", None, c["csi"], f"一致性比率 CR={c['cr']}；" + "；".join(c["notes"])]]),
        ("回执评价", [("服务人员", 10, None), ("回执数", 8, None)] + [(a, 12, SCORE) for a in aspects] + [("综合", 8, SCORE)],
         [[x["engineer"], x["receipts"]] + [x["means"][a] for a in aspects] + [x["overall"]] for x in r["receipts"]]),
        ("激励得分", [("对象", 10, None), ("重复维修 N", 10, None), ("投诉率 X", 10, RATE), ("满意度 P", 10, RATE),
                  ("N 得分", 8, None), ("X 得分", 8, None), ("P 得分", 8, None), ("激励得分", 9, SCORE), ("说明", 60, None)],
         [[x["who"], x["N"], x["X"], x["P"], part(x, "N", "score"), part(x, "X", "score"), part(x, "P", "score"),
           x["total"], x["notes"]] for x in inc]),
        ("服务目标", [("服务目标", 24, None), ("要求", 28, None), ("实际", 10, RATE), ("达标", 6, None), ("计算依据", 50, None)],
         [[t["name"], t["requirement"], t["actual"], t["met"], t["basis"]] for t in r["targets"]["items"]]),
        ("培训出勤", [("培训编号", 11, None), ("日期", 11, DATE), ("主题", 28, None), ("对象", 9, None), ("课时", 6, None),
                  ("应到", 6, None), ("实到", 6, None), ("请假", 6, None), ("旷课", 6, None)],
         [[s["session_no"], s["date"], s["topic"], s["kind"], s["lessons"], s["expected"], s["present"], s["leave"],
           s["absent"]] for s in r["training"]["sessions"]]),
        ("培训学时", [("姓名", 10, None), ("月份", 9, None), ("培训学时", 9, None), ("要求", 6, None), ("达标", 6, None)],
         [[h["person"], h["month"], h["hours"], h["required"], h["met"]] for h in r["training"]["hours"]]),
        ("KPI得分", [("季度", 9, None), ("姓名", 10, None), ("岗位", 12, None), ("得分", 8, SCORE), ("合格", 6, None),
                   ("说明", 60, None)],
         [[k["quarter"], k["person"], k["post"], k["total"], k["passed"], k["notes"]] for k in r["kpi"]]),
        ("KPI明细", [("季度", 9, None), ("姓名", 10, None), ("指标", 24, None), ("权重", 7, "0.00"), ("达成率", 9, RATE),
                   ("封顶", 7, RATE), ("得分", 8, SCORE), ("说明", 36, None)], kpi_lines),
        ("说明与提示", FINDING_COLUMNS,
         [["", "", None, None, "note", "说明", n] for n in r["notes"] + r["incentive"]["notes"]] + finding_rows(r["findings"])),
    ]


__all__ = ["parse_period", "quarter_label", "period_scores", "write_scores_xlsx"]
