"""Report sections on cases: complaints, the complaint statistics table, tickets and their
SLA attainment, satisfaction surveys and training.

Each record belongs to a period by its own date: complaints and tickets by 受理, closed
complaints by 结案日期, surveys by 调查日期, sessions by 培训日期. Regulation values named in
titles and notes (closing days, survey bands, points per level) come from the policy, so a
company that changes one sees its own value.
"""
from __future__ import annotations

from collections import Counter
from decimal import Decimal

from generator.assess.report_context import (
    UNFILLED,
    ReportRun,
    as_ratio,
    bound_rules,
    clock_outcome,
    counts_table,
    departments,
    label_of,
    missing_section,
    month_of,
    ordered_labels,
    score_findings,
)
from generator.assess.report_model import Chart, Section, Table, mean, ratio
from generator.core.errors import UserError
from generator.core.money import band_text
from generator.core.periods import Period, as_date
from generator.core.text import num_text
from generator.rules import scores
from generator.rules.deadlines import lateness

# 001 §14 4.1 客户投诉分类: 按程度 严重投诉 (服务质量类, 外观包装类, 产品质量类) and 轻微投诉 (建议类, 其他类).
SEVERITY = {"服务质量": "严重", "外观包装": "严重", "产品质量": "严重", "建议": "轻微", "其他": "轻微"}
SEVERITY_ORDER = ("严重", "轻微")

# 004 Ⅷ (十)1 国内13天/国外17天内结案: the spec binds one clock per region under this prefix.
CLOSE_RULE_PREFIX = "complaint.close."
# 002 §4.4.4 表2: the spec binds ticket.levelN.response / ticket.levelN.onsite per fault level.
SLA_STEPS = (("response", "响应"), ("onsite", "到场"))


# ---------------------------------------------------------------------------- complaints

def complaints_section(run: ReportRun) -> Section:
    table = run.table("complaints", "complaints")
    if table is None:
        return missing_section("complaints", "投诉分析", "complaints.xlsx")
    sheet, recs = table.spec, table.records
    received = [[r for r in recs if p.contains(r.values.get("received"))] for p in run.both]
    heads = run.heads()
    sec = Section("complaints", "投诉分析")

    def by(key, known=()):
        counts = [Counter(label_of(r.values.get(key)) for r in rs) for rs in received]
        return counts, ordered_labels(known, *counts)

    (c, p), labels = by("category", sheet.column("category").choices)
    sec.tables.append(counts_table("complaints.category", "按投诉类别", "投诉类别", c, p, labels, heads, "投诉类别"))
    sev = [Counter(SEVERITY.get(label_of(r.values.get("category")), "未分级") for r in rs) for rs in received]
    sec.tables.append(counts_table("complaints.severity", "按严重程度（001 §14 4.1）", "严重程度", *sev,
                                   ordered_labels(SEVERITY_ORDER, *sev), heads, "严重程度", _severity_note()))
    (c, p), labels = by("dept", departments(run))
    sec.tables.append(counts_table("complaints.dept", "按责任部门", "责任部门", c, p,
                                   [x for x in labels if c[x] or p[x]], heads, "责任部门"))
    (c, p), labels = by("channel", sheet.column("channel").choices)
    sec.tables.append(counts_table("complaints.channel", "按受理渠道", "受理渠道", c, p, labels, heads, "受理渠道"))

    pairs = bound_rules(run, [b for b in table.spec.deadlines if b.rule.startswith(CLOSE_RULE_PREFIX)])
    closing = [_closing(run, table, pairs, p) for p in run.both]
    counts = [Counter("逾期结案" if late else "按期结案" for _, _, late in outs) for outs, _ in closing]
    sec.tables.append(counts_table("complaints.closing", _closing_title(pairs), "结案时效", *counts,
                                   ["按期结案", "逾期结案"], heads, "结案时效", "按本期结案日期统计；期限自受理日期起算"))
    rates = [ratio(c["按期结案"], sum(c.values())) for c in counts]
    run.indicators += [("投诉受理数", len(received[0]), len(received[1])),
                       ("投诉结案数", sum(counts[0].values()), sum(counts[1].values())),
                       ("投诉按期结案率", *rates)]
    late_rows = [[r.values.get("complaint_no"), r.values.get("category"), label_of(r.values.get("dept")),
                  as_date(r.values.get("received")), due.date(), as_date(r.values.get("closed")),
                  _how_late(run, rule, due, r.values.get("closed"))]
                 for (r, (rule, due), late) in closing[0][0] if late]
    sec.tables.append(Table("complaints.late", "本期逾期结案明细", ["投诉编号", "投诉类别", "责任部门", "受理日期",
                                                                 "结案期限", "结案日期", "逾期"], late_rows))
    for (_, unjudged), p in zip(closing, run.both):
        if unjudged:
            sec.notes.append(f"{p.label}有 {unjudged} 件结案投诉缺少国内国外或日期，未能判定是否按期。")
    return sec


def _severity_note() -> str:
    """严重：服务质量、外观包装、产品质量；轻微：建议、其他 — from SEVERITY."""
    return "；".join(f"{level}：{'、'.join(k for k, v in SEVERITY.items() if v == level)}" for level in SEVERITY_ORDER)


def _closing_title(pairs) -> str:
    """结案时效（004 Ⅷ (十)1：国内 13 天、国外 17 天）with the policy's days and source."""
    limits = "、".join(f"{'、'.join(v for _, v in b.when)} {rule.describe()}" for b, rule in pairs)
    if not limits:
        return "结案时效"
    return f"结案时效（{pairs[0][1].source}：{limits}）"


def _how_late(run: ReportRun, rule, due, stop) -> str:
    try:
        return lateness(rule, due, stop, run.ctx.calendar)
    except UserError:  # a year the calendar does not cover: calendar days still tell
        return f"{(as_date(stop) - due.date()).days} 天"


def _closing(run: ReportRun, table, pairs, period: Period):
    """[(record, (rule, due), late)] for complaints closed in the period, and how many could not be judged."""
    stops = {b.stop for b, _ in pairs}
    out, unjudged = [], 0
    for rec in table.records:
        if not any(period.contains(rec.values.get(s)) for s in stops):
            continue
        match = next(((b, rule) for b, rule in pairs
                      if b.applies(rec.values) and period.contains(rec.values.get(b.stop))), None)
        res = clock_outcome(run, match[1], rec, match[0]) if match else None
        if res is None:
            unjudged += 1
            continue
        out.append((rec, (match[1], res[0]), res[1]))
    return out, unjudged


def complaint_statistics_section(run: ReportRun) -> Section:
    """客户投诉案件统计表 (004 Ⅷ (九)10): cases closed in the period by class and responsible unit."""
    table = run.table("complaints", "complaints")
    if table is None:
        return missing_section("complaint_stats", "投诉案件统计表", "complaints.xlsx")
    sheet = table.spec
    closed = [[r for r in table.records if p.contains(r.values.get("closed"))] for p in run.both]
    by_class = Counter(label_of(r.values.get("category")) for r in closed[0])
    classes = ordered_labels(sheet.column("category").choices, by_class)
    cells = Counter((label_of(r.values.get("dept")), label_of(r.values.get("category"))) for r in closed[0])
    units_now, units_before = (Counter(label_of(r.values.get("dept")) for r in rs) for rs in closed)
    units = [u for u in ordered_labels(departments(run), units_now, units_before) if units_now[u] or units_before[u]]
    total = len(closed[0])
    rows = [[u, *(cells[(u, c)] for c in classes), units_now[u], ratio(units_now[u], total), units_before[u]]
            for u in units]
    total_row = ["合计", *(by_class[c] for c in classes), total, ratio(total, total), len(closed[1])]
    now, before = run.heads("合计")
    sec = Section("complaint_stats", "投诉案件统计表")
    sec.tables.append(Table("complaint_stats.units", f"客户投诉案件统计表（{run.period.label}结案）",
                            ["责任单位", *classes, now, "占比", before], rows, total_row,
                            Chart("结案件数（按责任单位）", (len(classes) + 1, len(classes) + 3), y_title="件数"),
                            "004 Ⅷ (九)10：每月10日前汇总上月结案案件，判定责任归属及比率；占比 = 该单位结案件数 ÷ 本期结案总数"))
    resp = [Counter(label_of(r.values.get("responsibility")) for r in rs) for rs in closed]
    labels = ordered_labels(sheet.column("responsibility").choices, *resp)
    now, before = run.heads("件数")
    sec.tables.append(Table("complaint_stats.responsibility", "责任认定", ["责任认定", now, "占比", before],
                            [[lab, resp[0][lab], ratio(resp[0][lab], total), resp[1][lab]] for lab in labels],
                            ["合计", total, ratio(total, total), len(closed[1])],
                            Chart("责任认定", (1, 3), y_title="件数")))
    return sec


# ---------------------------------------------------------------------------- tickets

def tickets_section(run: ReportRun) -> Section:
    table = run.table("tickets", "tickets")
    if table is None:
        return missing_section("tickets", "工单与时效", "tickets.xlsx")
    received = [[r for r in table.records if p.contains(r.values.get("received"))] for p in run.both]
    levels = table.spec.column("level").choices
    counts = [Counter(label_of(r.values.get("level")) for r in rs) for rs in received]
    sec = Section("tickets", "工单与时效")
    sec.tables.append(counts_table("tickets.level", "按故障等级", "故障等级", *counts, ordered_labels(levels, *counts),
                                   run.heads(), "故障等级"))
    svc = [Counter(label_of(r.values.get("service_type")) for r in rs) for rs in received]
    sec.tables.append(counts_table("tickets.service_type", "按服务类型", "服务类型", *svc,
                                   ordered_labels(table.spec.column("service_type").choices, *svc), run.heads(),
                                   "服务类型"))
    attained = []
    for step, word in SLA_STEPS:
        bound = {dict(b.when).get("level"): (b, rule) for b, rule in bound_rules(run, table.spec.deadlines)
                 if b.rule.endswith("." + step) and "level" in dict(b.when)}
        rows = []
        for level in [lv for lv in levels if lv in bound]:
            row = [level]
            for recs in received:
                counted, on_time = _attainment(run, recs, *bound[level])
                row += [counted, on_time, ratio(on_time, counted)]
            rows.append(row)
        heads = [f"{p.label}{w}" for p in run.both for w in ("考核数", "达标数", "达标率")]
        rules = "；".join(f"{lv}：{bound[lv][1].describe()}" for lv in levels if lv in bound)
        without = [lv for lv in levels if lv not in bound]
        source = next(iter(bound.values()))[1].source if bound else ""
        note = f"期限（{source}）{rules}" + (f"；{'、'.join(without)}无{word}时限" if without else "")
        sec.tables.append(Table(f"tickets.{step}", f"{word}时效达标率", ["故障等级", *heads], rows, None,
                                Chart(f"{word}达标率", (3, 6), y_title="达标率", percent=True), note))
        pair = [ratio(sum(r[2 + 3 * i] for r in rows), sum(r[1 + 3 * i] for r in rows)) for i in range(2)]
        attained.append((f"工单{word}达标率", *pair))
    run.indicators += [("工单受理数", len(received[0]), len(received[1])), *attained]
    sec.notes.append("达标率 = 按时完成数 ÷ 考核数；考核数含已完成的和截至报告日仍未完成且已超期的（后者计为未达标），"
                     "未到期的未完成工单不计。")
    return sec


def _attainment(run: ReportRun, records, binding, rule) -> tuple[int, int]:
    """(clocks judged, of which on time) among the records the binding applies to; open and
    not yet due ones are not judged."""
    lates = []
    for r in records:
        res = clock_outcome(run, rule, r, binding) if binding.applies(r.values) else None
        if res is not None and res[1] is not None:
            lates.append(res[1])
    return len(lates), lates.count(False)


# ---------------------------------------------------------------------------- satisfaction

def satisfaction_section(run: ReportRun) -> Section:
    table = run.table("surveys", "surveys")
    if table is None:
        return missing_section("satisfaction", "满意度", "surveys.xlsx")
    cfg = run.policy["scores"]["survey"]
    items = [c for c in table.spec.columns if c.header in cfg["items"]]
    levels = cfg["levels"]

    def answers(rec) -> dict:
        # a level the policy does not know is left out (the field checks report it)
        return {c.header: (rec.values.get(c.key) if rec.values.get(c.key) in levels else None) for c in items}

    def item_mean(p: Period, item: str):
        points = [levels[v] for r in table.records if p.contains(r.values.get("surveyed"))
                  and (v := answers(r)[item]) is not None]
        return mean(points)

    sec = Section("satisfaction", "满意度")
    rows = [[c.header, *(item_mean(p, c.header) for p in run.both)] for c in items]
    sec.tables.append(Table("satisfaction.items", f"各项目平均得分（000 ch.5 §4：{_level_range(levels)}）",
                            ["评价项目", *run.heads()], rows, None, Chart("各项目平均得分", (1, 2), y_title="分")))
    surveys = [s["surveys"]["summary"] for s in run.scores]
    classes = [Counter(x["classes"]) for x in surveys]
    sec.tables.append(counts_table("satisfaction.classes", "满意度分类（001 §13 4.6.1）", "分类", *classes,
                                   [c["label"] for c in cfg["classes"]], run.heads(), "满意度分类",
                                   "每份问卷" + "；".join(f"{band_text(c, '总评分')} 为{c['label']}"
                                                        for c in cfg["classes"])))
    csis = [s["csi"] for s in run.scores]
    ind_rows = [[ind["name"], ind["weight"], *(c["indicators"][i]["score"] for c in csis)]
                for i, ind in enumerate(csis[0]["indicators"])]
    sec.tables.append(Table("satisfaction.csi", "顾客满意度指数 CSI = Σλi·Xi（001 §13 4.6.2）",
                            ["二级指标", "权重λ", *run.heads()], ind_rows, ["CSI", None, *(c["csi"] for c in csis)],
                            Chart("二级指标得分", (2, 3), y_title="分")))
    trend = []
    for ym in run.previous.months + run.period.months:
        group = [answers(r) for r in table.records if month_of(r.values.get("surveyed")) == ym]
        value = scores.csi(group, run.policy).csi if group else None
        now = ym in run.period.months
        trend.append([f"{ym[0]}-{ym[1]:02d}", value if now else None, None if now else value, len(group)])
    sec.tables.append(Table("satisfaction.trend", "CSI 月度趋势", ["月份", *run.heads(" CSI"), "问卷数"], trend, None,
                            Chart("CSI 月度趋势", (1, 2), kind="line", y_title="CSI")))
    sec.notes += [n for n in csis[0]["notes"] if n not in sec.notes]
    run.indicators += [("满意度问卷数", *(x["count"] for x in surveys)),
                       ("顾客满意度指数 CSI", *(c["csi"] for c in csis)),
                       ("顾客满意率", *(as_ratio(x["satisfied_share"]) for x in surveys))]
    return sec


def _level_range(levels: dict) -> str:
    """非常满意100 … 非常不满意20: the first and last level of the policy with their points."""
    (first, high), *_, (last, low) = levels.items()
    return f"{first}{num_text(high)} … {last}{num_text(low)}"


# ---------------------------------------------------------------------------- training

def training_section(run: ReportRun) -> Section:
    if run.table("training", "sessions") is None:
        return missing_section("training", "培训", "training.xlsx")
    parts = [s["training"] for s in run.scores]
    sec = Section("training", "培训")
    keys = {"应到": "expected", "实到": "present", "请假": "leave", "旷课": "absent"}
    signin = [Counter({k: sum(x[v] for x in t["sessions"]) for k, v in keys.items()}) for t in parts]
    sec.tables.append(counts_table("training.signin", "签到统计（000 ch.7 §2.2）", "签到", *signin, list(keys),
                                   run.heads(), "签到人次", total=False, y_title="人次"))
    lessons = [sum((x["lessons"] for x in t["sessions"]), Decimal(0)) for t in parts]
    rates = [ratio(c["实到"], c["应到"]) for c in signin]
    sec.tables.append(Table("training.summary", "培训概况", ["项目", *run.heads()],
                            [["培训场次", *(len(t["sessions"]) for t in parts)], ["培训课时合计", *lessons],
                             ["出勤率（实到 ÷ 应到）", *rates]]))
    staff = run.table("master", "staff")
    depts = {r.values.get("name"): label_of(r.values.get("dept")) for r in (staff.records if staff else [])}
    need = parts[0]["required_hours"]
    target = Decimal(need) * len(run.period.months)
    people = list(dict.fromkeys(h["person"] for t in parts for h in t["hours"]))
    rows = []
    for name in people:
        hours = [sum((h["hours"] for h in t["hours"] if h["person"] == name), Decimal(0)) for t in parts]
        short = sum(1 for h in parts[0]["hours"] if h["person"] == name and not h["met"])
        rows.append([name, depts.get(name, UNFILLED), *hours, target, short])
    sec.tables.append(Table("training.hours", f"技术服务人员培训学时（003 §4.4.3：每月至少 {need} 小时）",
                            ["姓名", "部门", *run.heads("学时"), "本期目标学时", "本期未达标月数"], rows, None,
                            Chart("技术服务人员培训学时", (2, 3), y_title="小时", lines=(4,)),
                            f"技术服务人员 = 岗位为{'、'.join(parts[0]['technician_posts'])}的人员"))
    sec.notes += score_findings(run, "training")
    run.indicators += [("培训场次", *(len(t["sessions"]) for t in parts)), ("培训出勤率", *rates),
                       ("技术服务人员学时达标率", ratio(sum(1 for r in rows if r[2] >= target), len(rows)),
                        ratio(sum(1 for r in rows if r[3] >= target), len(rows)))]
    return sec


__all__ = ["SEVERITY", "complaints_section", "complaint_statistics_section", "tickets_section",
           "satisfaction_section", "training_section"]
