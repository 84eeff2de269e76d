"""Period reports (月报 / 半年报 / 年报): statistics from the registers. Pure: no file I/O.

``build_report(ctx, period)`` turns a RunContext (registers, policy, today, calendar) into a
``Report``: one ``Section`` per topic (one worksheet, one part of the PDF), each a list of
``Table``. A table's first column holds category labels; its other columns hold this period's
and the previous period's numbers side by side. A table may carry a ``Chart`` naming the
columns it plots; report_xlsx.py draws it as a native Excel chart over those very cells and
report_pdf.py draws the same data with matplotlib.

Cell values: ``int`` (counts), ``Decimal`` (means, hours, yuan), ``Ratio`` (a share, shown as
a percentage), ``str``, ``date`` or ``None`` (no data).

Definitions:
- A record belongs to a period by its own date: complaints and tickets by 受理, closed
  complaints by 结案日期, surveys by 调查日期, sessions by 培训日期, sanctions by 日期.
- On time or late: the deadline rules the register specs bind to their columns, computed with
  generator.rules.deadlines (due_moment, is_late). A step not done and already past due on the
  report's reference day (``ctx.today``) counts as late; one not yet due is left out.
- Material balances are taken at the last day of each period.
- Scores (S2 classes, CSI, S4 receipts, S5 KPI, S6 incentive, S7 targets, S9 training) come from
  generator.assess.period_scores, penalties (P1, P7, entered fines, P8 cap) from generator.assess.ledger run
  month by month; only the CSI trend per month calls scores.csi directly.

>>> parse_period(half="2026-H1").previous().label
'2025年下半年'
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from generator.assess.ledger import penalty_ledger
from generator.assess.period_scores import period_scores
from generator.core.errors import UserError
from generator.core.money import round_to
from generator.core.periods import Period, as_date
from generator.core.periods import (
    period_from_options as parse_period,  # tests and generator/__init__ import it from here
)
from generator.rules import scores
from generator.rules.deadlines import (
    due_moment,
    get_rule,
    is_late,
    is_overdue,
    lateness,
)

# 001 §14 4.1 客户投诉分类: 按程度 严重投诉 (服务质量类, 外观包装类, 产品质量类) and 轻微投诉 (建议类, 其他类).
SEVERITY = {"服务质量": "严重", "外观包装": "严重", "产品质量": "严重", "建议": "轻微", "其他": "轻微"}
SEVERITY_ORDER = ("严重", "轻微")

# 004 Ⅷ (十)1 国内13天/国外17天内结案: the spec binds one clock per region under this prefix.
CLOSE_RULE_PREFIX = "complaint.close."
# 002 §4.4.4 表2: the spec binds ticket.levelN.response / ticket.levelN.onsite per fault level.
SLA_STEPS = (("response", "响应"), ("onsite", "到场"))
# 000 ch.4 §4 物料申请表 预计归还日期: the clock from the return-by day.
MATERIAL_RETURN_RULE = "material.return"
LOAN = "借用"                         # 000 ch.4 §4 性质: a loan comes back
RETURNABLE = ("借用", "更换")         # 000 ch.4 §5: loans and the faulty parts of replacements come back
UNFILLED = "（未填）"
RATIO_PLACES = 4
MEAN_PLACES = 2


class Ratio(Decimal):
    """A share (0.8571), shown as a percentage (85.7%)."""


def ratio(part, whole) -> Ratio | None:
    if not whole:
        return None
    return Ratio(round_to(Decimal(part) / Decimal(whole), RATIO_PLACES))


def show(value) -> str:
    """A cell value as printed: 85.7%, 1,234.50, 2026-03-31, — for no data."""
    if value is None:
        return "—"
    if isinstance(value, Ratio):
        return f"{value * 100:.1f}%"
    if isinstance(value, Decimal):
        return f"{value:,f}"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value:%Y-%m-%d}"
    return str(value)


def mean(values, places: int = MEAN_PLACES) -> Decimal | None:
    values = [Fraction(v) for v in values]
    if not values:
        return None
    m = sum(values) / len(values)
    return round_to(Decimal(m.numerator) / Decimal(m.denominator), places)


# ---------------------------------------------------------------------------- periods

KIND_TITLES = {"month": "售后服务月度报告", "half": "售后服务半年度报告", "year": "售后服务年度报告"}


# ---------------------------------------------------------------------------- report shapes

@dataclass(frozen=True)
class Chart:
    title: str
    series: tuple[int, ...]          # table columns plotted (0-based; column 0 holds the categories)
    kind: str = "bar"                # bar | line
    y_title: str = ""
    percent: bool = False            # the plotted values are Ratios
    lines: tuple[int, ...] = ()      # further columns drawn as lines over the bars (targets)


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list]
    total: list | None = None        # a 合计 row shown under the rows, never plotted
    chart: Chart | None = None
    note: str = ""

    def column(self, header: str) -> list:
        i = self.columns.index(header)
        return [r[i] for r in self.rows]

    def row(self, label) -> list:
        for r in self.rows:
            if r[0] == label:
                return r
        raise KeyError(label)


@dataclass
class Section:
    key: str
    title: str                       # worksheet name
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    company: str
    title: str
    period: Period
    previous: Period
    today: dt.date
    sections: list[Section]

    def table(self, key: str) -> Table:
        for s in self.sections:
            for t in s.tables:
                if t.key == key:
                    return t
        raise KeyError(key)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


@dataclass
class _Run:
    """What every section builder needs."""
    ctx: object
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


def build_report(ctx, period: Period) -> Report:
    """Every section of the report for ``period`` compared with the period before."""
    run = _Run(ctx, period, period.previous())
    run.scores = [period_scores(ctx.registers, ctx.policy, p.code, ctx.calendar) for p in run.both]
    sections = [
        _complaints(run), _complaint_statistics(run), _tickets(run), _satisfaction(run),
        _training(run), _materials(run), _penalties_and_scores(run),
    ]
    sections.insert(0, _summary(run))
    company = ctx.policy.get("company", {}).get("name", "")
    return Report(company, KIND_TITLES[period.kind], period, run.previous, ctx.today, sections)


def _missing(key: str, title: str, workbook: str) -> Section:
    return Section(key, title, notes=[f"未找到台账 {workbook}，本部分从略。"])


def _label(v) -> str:
    text = "" if v is None else str(v).strip()
    return text or UNFILLED


def _ordered(known, *counters: Counter) -> list:
    """Known categories first (in their order), then any others found, sorted; blanks last."""
    seen = set().union(*counters)
    extra = sorted(k for k in seen if k not in known and k != UNFILLED)
    return list(known) + extra + ([UNFILLED] if UNFILLED in seen and UNFILLED not in known else [])


def _compare(key, title, head, cur: Counter, prev: Counter, labels, heads, chart_title, note="", total=True,
             y_title="件数") -> Table:
    """Counts of this period and the previous one per label, with a 合计 row and a bar chart."""
    rows = [[lab, cur.get(lab, 0), prev.get(lab, 0)] for lab in labels]
    sums = ["合计", sum(cur.values()), sum(prev.values())] if total else None
    return Table(key, title, [head, *heads], rows, sums, Chart(chart_title, (1, 2), y_title=y_title), note)


def _outcome(run: _Run, rule, rec, binding):
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


def _rules(run: _Run, bindings) -> list:
    """(binding, rule) for the bindings whose rule the policy still defines."""
    known = run.policy.get("deadlines", {})
    return [(b, get_rule(run.policy, b.rule)) for b in bindings if b.rule in known]


# ---------------------------------------------------------------------------- complaints

def _complaints(run: _Run) -> Section:
    table = run.table("complaints", "complaints")
    if table is None:
        return _missing("complaints", "投诉分析", "complaints.xlsx")
    sheet, recs = table.spec, table.records
    received = [[r for r in recs if p.contains(r.values.get("received"))] for p in run.both]
    heads = run.heads()
    sec = Section("complaints", "投诉分析")

    def by(key, known=()):
        counts = [Counter(_label(r.values.get(key)) for r in rs) for rs in received]
        return counts, _ordered(known, *counts)

    (c, p), labels = by("category", sheet.column("category").choices)
    sec.tables.append(_compare("complaints.category", "按投诉类别", "投诉类别", c, p, labels, heads, "投诉类别"))
    sev = [Counter(SEVERITY.get(_label(r.values.get("category")), "未分级") for r in rs) for rs in received]
    sec.tables.append(_compare("complaints.severity", "按严重程度（001 §14 4.1）", "严重程度", *sev,
                               _ordered(SEVERITY_ORDER, *sev), heads, "严重程度",
                               "严重：服务质量、外观包装、产品质量；轻微：建议、其他"))
    (c, p), labels = by("dept", _departments(run))
    sec.tables.append(_compare("complaints.dept", "按责任部门", "责任部门", c, p, [x for x in labels if c[x] or p[x]],
                               heads, "责任部门"))
    (c, p), labels = by("channel", sheet.column("channel").choices)
    sec.tables.append(_compare("complaints.channel", "按受理渠道", "受理渠道", c, p, labels, heads, "受理渠道"))

    closing = [_closing(run, table, p) for p in run.both]
    counts = [Counter("逾期结案" if late else "按期结案" for _, _, late in outs) for outs, _ in closing]
    sec.tables.append(_compare("complaints.closing", "结案时效（004 Ⅷ (十)1：国内13天、国外17天）", "结案时效",
                               *counts, ["按期结案", "逾期结案"], heads, "结案时效",
                               "按本期结案日期统计；期限自受理日期起算"))
    rates = [ratio(c["按期结案"], sum(c.values())) for c in counts]
    run.indicators += [("投诉受理数", len(received[0]), len(received[1])),
                       ("投诉结案数", sum(counts[0].values()), sum(counts[1].values())),
                       ("投诉按期结案率", *rates)]
    late_rows = [[r.values.get("complaint_no"), r.values.get("category"), _label(r.values.get("dept")),
                  as_date(r.values.get("received")), due.date(), as_date(r.values.get("closed")),
                  _how_late(run, rule, due, r.values.get("closed"))]
                 for (r, (rule, due), late) in closing[0][0] if late]
    sec.tables.append(Table("complaints.late", "本期逾期结案明细", ["投诉编号", "投诉类别", "责任部门", "受理日期",
                                                                 "结案期限", "结案日期", "逾期"], late_rows))
    for (_, unjudged), p in zip(closing, run.both):
        if unjudged:
            sec.notes.append(f"{p.label}有 {unjudged} 件结案投诉缺少国内国外或日期，未能判定是否按期。")
    return sec


def _how_late(run: _Run, rule, due, stop) -> str:
    try:
        return lateness(rule, due, stop, run.ctx.calendar)
    except UserError:  # a year the calendar does not cover: calendar days still tell
        return f"{(as_date(stop) - due.date()).days} 天"


def _closing(run: _Run, table, period: Period):
    """[(record, (rule, due), late)] for complaints closed in the period, and how many could not be judged."""
    pairs = _rules(run, [b for b in table.spec.deadlines if b.rule.startswith(CLOSE_RULE_PREFIX)])
    stops = {b.stop for b, _ in pairs}
    out, unjudged = [], 0
    for rec in table.records:
        if not any(period.contains(rec.values.get(s)) for s in stops):
            continue
        match = next(((b, rule) for b, rule in pairs if b.applies(rec.values) and period.contains(rec.values.get(b.stop))), None)
        res = _outcome(run, match[1], rec, match[0]) if match else None
        if res is None:
            unjudged += 1
            continue
        out.append((rec, (match[1], res[0]), res[1]))
    return out, unjudged


def _departments(run: _Run) -> list[str]:
    t = run.table("master", "departments")
    return [r.values["name"] for r in t.records if r.values.get("name")] if t else []


def _complaint_statistics(run: _Run) -> Section:
    """客户投诉案件统计表 (004 Ⅷ (九)10): cases closed in the period by class and responsible unit."""
    table = run.table("complaints", "complaints")
    if table is None:
        return _missing("complaint_stats", "投诉案件统计表", "complaints.xlsx")
    sheet = table.spec
    closed = [[r for r in table.records if p.contains(r.values.get("closed"))] for p in run.both]
    classes = _ordered(sheet.column("category").choices, Counter(_label(r.values.get("category")) for r in closed[0]))
    cells = Counter((_label(r.values.get("dept")), _label(r.values.get("category"))) for r in closed[0])
    units_now = Counter(_label(r.values.get("dept")) for r in closed[0])
    units_before = Counter(_label(r.values.get("dept")) for r in closed[1])
    units = [u for u in _ordered(_departments(run), units_now, units_before) if units_now[u] or units_before[u]]
    total = len(closed[0])
    rows = [[u, *(cells[(u, c)] for c in classes), units_now[u], ratio(units_now[u], total), units_before[u]]
            for u in units]
    by_class = Counter(_label(r.values.get("category")) for r in closed[0])
    total_row = ["合计", *(by_class[c] for c in classes), total, ratio(total, total), len(closed[1])]
    heads = ["责任单位", *classes, *run.heads("合计")[:1], "占比", *run.heads("合计")[1:]]
    sec = Section("complaint_stats", "投诉案件统计表")
    sec.tables.append(Table("complaint_stats.units", f"客户投诉案件统计表（{run.period.label}结案）", heads, rows, total_row,
                            Chart("结案件数（按责任单位）", (len(classes) + 1, len(classes) + 3), y_title="件数"),
                            "004 Ⅷ (九)10：每月10日前汇总上月结案案件，判定责任归属及比率；占比 = 该单位结案件数 ÷ 本期结案总数"))
    resp = [Counter(_label(r.values.get("responsibility")) for r in rs) for rs in closed]
    labels = _ordered(sheet.column("responsibility").choices, *resp)
    now, before = run.heads("件数")
    sec.tables.append(Table("complaint_stats.responsibility", "责任认定", ["责任认定", now, "占比", before],
                            [[lab, resp[0][lab], ratio(resp[0][lab], total), resp[1][lab]] for lab in labels],
                            ["合计", total, ratio(total, total), len(closed[1])],
                            Chart("责任认定", (1, 3), y_title="件数")))
    return sec


# ---------------------------------------------------------------------------- tickets

def _tickets(run: _Run) -> Section:
    table = run.table("tickets", "tickets")
    if table is None:
        return _missing("tickets", "工单与时效", "tickets.xlsx")
    received = [[r for r in table.records if p.contains(r.values.get("received"))] for p in run.both]
    levels = table.spec.column("level").choices
    counts = [Counter(_label(r.values.get("level")) for r in rs) for rs in received]
    sec = Section("tickets", "工单与时效")
    sec.tables.append(_compare("tickets.level", "按故障等级", "故障等级", *counts, _ordered(levels, *counts),
                               run.heads(), "故障等级"))
    svc = [Counter(_label(r.values.get("service_type")) for r in rs) for rs in received]
    sec.tables.append(_compare("tickets.service_type", "按服务类型", "服务类型", *svc,
                               _ordered(table.spec.column("service_type").choices, *svc), run.heads(), "服务类型"))
    attained = []
    for step, word in SLA_STEPS:
        bound = {dict(b.when).get("level"): (b, rule) for b, rule in _rules(run, table.spec.deadlines)
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
        note = f"期限（002 §4.4.4 表2）{rules}" + (f"；{'、'.join(without)}无{word}时限" if without else "")
        sec.tables.append(Table(f"tickets.{step}", f"{word}时效达标率", ["故障等级", *heads], rows, None,
                                Chart(f"{word}达标率", (3, 6), y_title="达标率", percent=True), note))
        pair = [ratio(sum(r[2 + 3 * i] for r in rows), sum(r[1 + 3 * i] for r in rows)) for i in range(2)]
        attained.append((f"工单{word}达标率", *pair))
    run.indicators += [("工单受理数", len(received[0]), len(received[1])), *attained]
    sec.notes.append("达标率 = 按时完成数 ÷ 考核数；考核数含已完成的和截至报告日仍未完成且已超期的（后者计为未达标），未到期的未完成工单不计。")
    return sec


def _attainment(run: _Run, records, binding, rule) -> tuple[int, int]:
    """(clocks judged, of which on time) among the records the binding applies to; open and
    not yet due ones are not judged."""
    lates = []
    for r in records:
        res = _outcome(run, rule, r, binding) if binding.applies(r.values) else None
        if res is not None and res[1] is not None:
            lates.append(res[1])
    return len(lates), lates.count(False)


# ---------------------------------------------------------------------------- satisfaction

def _satisfaction(run: _Run) -> Section:
    table = run.table("surveys", "surveys")
    if table is None:
        return _missing("satisfaction", "满意度", "surveys.xlsx")
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
    sec.tables.append(Table("satisfaction.items", "各项目平均得分（000 ch.5 §4：非常满意100 … 非常不满意20）",
                            ["评价项目", *run.heads()], rows, None, Chart("各项目平均得分", (1, 2), y_title="分")))
    surveys = [s["surveys"]["summary"] for s in run.scores]
    classes = [Counter(x["classes"]) for x in surveys]
    sec.tables.append(_compare("satisfaction.classes", "满意度分类（001 §13 4.6.1）", "分类", *classes,
                               [c["label"] for c in cfg["classes"]], run.heads(), "满意度分类",
                               "每份问卷总评分小于80为不满意，80～90为满意，大于90为很满意"))
    csis = [s["csi"] for s in run.scores]
    ind_rows = [[ind["name"], ind["weight"], *(c["indicators"][i]["score"] for c in csis)]
                for i, ind in enumerate(csis[0]["indicators"])]
    sec.tables.append(Table("satisfaction.csi", "顾客满意度指数 CSI = Σλi·Xi（001 §13 4.6.2）",
                            ["二级指标", "权重λ", *run.heads()], ind_rows, ["CSI", None, *(c["csi"] for c in csis)],
                            Chart("二级指标得分", (2, 3), y_title="分")))
    trend = []
    for ym in run.previous.months + run.period.months:
        group = [answers(r) for r in table.records if _ym(r.values.get("surveyed")) == ym]
        value = scores.csi(group, run.policy).csi if group else None
        now = ym in run.period.months
        trend.append([f"{ym[0]}-{ym[1]:02d}", value if now else None, None if now else value, len(group)])
    sec.tables.append(Table("satisfaction.trend", "CSI 月度趋势", ["月份", *run.heads(" CSI"), "问卷数"], trend, None,
                            Chart("CSI 月度趋势", (1, 2), kind="line", y_title="CSI")))
    sec.notes += [n for n in csis[0]["notes"] if n not in sec.notes]
    run.indicators += [("满意度问卷数", *(x["count"] for x in surveys)), ("顾客满意度指数 CSI", *(c["csi"] for c in csis)),
                       ("顾客满意率", *(_as_ratio(x["satisfied_share"]) for x in surveys))]
    return sec


def _ym(value):
    d = as_date(value)
    return (d.year, d.month) if d else None


# ---------------------------------------------------------------------------- training

def _training(run: _Run) -> Section:
    if run.table("training", "sessions") is None:
        return _missing("training", "培训", "training.xlsx")
    parts = [s["training"] for s in run.scores]
    sec = Section("training", "培训")
    keys = {"应到": "expected", "实到": "present", "请假": "leave", "旷课": "absent"}
    signin = [Counter({k: sum(x[v] for x in t["sessions"]) for k, v in keys.items()}) for t in parts]
    sec.tables.append(_compare("training.signin", "签到统计（000 ch.7 §2.2）", "签到", *signin, list(keys), run.heads(),
                               "签到人次", total=False, y_title="人次"))
    lessons = [sum((x["lessons"] for x in t["sessions"]), Decimal(0)) for t in parts]
    rates = [ratio(c["实到"], c["应到"]) for c in signin]
    sec.tables.append(Table("training.summary", "培训概况", ["项目", *run.heads()],
                            [["培训场次", *(len(t["sessions"]) for t in parts)], ["培训课时合计", *lessons],
                             ["出勤率（实到 ÷ 应到）", *rates]]))
    staff = run.table("master", "staff")
    depts = {r.values.get("name"): _label(r.values.get("dept")) for r in (staff.records if staff else [])}
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
    sec.notes += _findings(run, "training")
    run.indicators += [("培训场次", *(len(t["sessions"]) for t in parts)), ("培训出勤率", *rates),
                       ("技术服务人员学时达标率", ratio(sum(1 for r in rows if r[2] >= target), len(rows)),
                        ratio(sum(1 for r in rows if r[3] >= target), len(rows)))]
    return sec


def _findings(run: _Run, register: str | None = None) -> list[str]:
    """This period's messages from period_scores (for one register, or all of them), once each."""
    s = run.scores[0]
    found = [f["message"] for f in s["findings"] if register is None or f["register"] == register]
    return list(dict.fromkeys(found + (s["notes"] if register is None else [])))


def _as_ratio(value) -> Ratio | None:
    return None if value is None else Ratio(value)


# ---------------------------------------------------------------------------- materials

@dataclass(frozen=True)
class _Line:
    rec: object
    app: object
    returns: tuple                   # (date, qty) of each return line

    def returned(self, by: dt.date) -> int:
        return sum(q for d, q in self.returns if d <= by)


def _materials(run: _Run) -> Section:
    apps_t, items_t, returns_t = (run.table("materials", k) for k in ("applications", "items", "returns"))
    if apps_t is None:
        return _missing("materials", "物料", "materials.xlsx")
    apps = apps_t.by("app_no")
    back = defaultdict(list)
    for r in returns_t.records if returns_t else []:
        if as_date(r.values.get("returned")) and r.values.get("qty") is not None:
            back[_line_key(r)].append((as_date(r.values["returned"]), r.values["qty"]))
    lines = [_Line(r, apps.get(r.values.get("app_no")), tuple(back.get(_line_key(r), ())))
             for r in (items_t.records if items_t else []) if r.values.get("qty") is not None]
    orphans = [l for l in lines if l.app is None or not as_date(l.app.values.get("applied"))]
    lines = [l for l in lines if l not in orphans]
    rule = get_rule(run.policy, MATERIAL_RETURN_RULE) if MATERIAL_RETURN_RULE in run.policy.get("deadlines", {}) else None

    def due(line):
        rb = line.rec.values.get("return_by")
        return due_moment(rule, rb, run.ctx.calendar) if rule and isinstance(rb, dt.date) else None

    def stats(p: Period) -> Counter:
        c = Counter()
        c["申请单数"] = sum(1 for a in apps_t.records if p.contains(a.values.get("applied")))
        for l in lines:
            if l.rec.values.get("nature") != LOAN:
                continue
            if p.contains(l.app.values["applied"]):
                c["借出数量"] += l.rec.values["qty"]
            for d, q in l.returns:
                if p.contains(d):
                    c["归还数量"] += q
                    c["逾期归还数量"] += q if (dm := due(l)) and is_late(rule, dm, d) else 0
            if l.app.values["applied"] <= p.end and (out := l.rec.values["qty"] - l.returned(p.end)) > 0:
                c["期末借出未还数量"] += out
                c["期末逾期未还数量"] += out if (dm := due(l)) and is_overdue(dm, p.end) else 0
        return c

    now, before = stats(run.period), stats(run.previous)
    labels = ["申请单数", "借出数量", "归还数量", "逾期归还数量", "期末借出未还数量", "期末逾期未还数量"]
    sec = Section("materials", "物料")
    sec.tables.append(_compare("materials.summary", "借用物料概况（数量单位：件）", "项目", now, before, labels, run.heads(),
                               "借用物料", f"期末 = {run.period.end} / {run.previous.end}；逾期按预计归还日期判定",
                               total=False, y_title="数量"))
    end = run.period.end
    ranked = []
    for l in lines:
        v = l.rec.values
        if v.get("nature") not in RETURNABLE or l.app.values["applied"] > end:
            continue
        got = l.returned(end)
        if v["qty"] - got <= 0:
            continue
        dm = due(l) if v.get("nature") == LOAN else None
        late = (end - dm.date()).days if dm and is_overdue(dm, end) else 0
        state = f"逾期 {late} 天" if late else ("未到期" if dm else "待返旧件" if v.get("nature") != LOAN else "未填归还日期")
        ranked.append((-late, l.app.values["applied"], str(v.get("app_no")), [
            v.get("app_no"), l.app.values["applied"], l.app.values.get("applicant"), v.get("name"), v.get("model"),
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


# ---------------------------------------------------------------------------- penalties and scores

def _penalties_and_scores(run: _Run) -> Section:
    sec = Section("penalties", "罚扣与评分")
    books = _ledgers(run)
    now, before = ([b for ym, b in books if ym in p.months] for p in run.both)
    ledger = [[b["month"], person["person"], i["rule"], i["case"], i["amount"], i["explanation"]]
              for b in now for person in b["people"] for i in person["items"]]
    sec.tables.append(Table("penalties.ledger", "本期罚扣明细", ["月份", "姓名", "条款", "关联编号", "金额（元）", "说明"], ledger))

    def sums(months, person, key):
        return sum((p[key] for b in months for p in b["people"] if p["person"] == person), ZERO)

    names = list(dict.fromkeys(p["person"] for b in now + before for p in b["people"]))
    rows = []
    for person in names:
        items = [i for b in now for p in b["people"] if p["person"] == person for i in p["items"]]
        last = next((p["carried_forward"] for p in now[-1]["people"] if p["person"] == person), ZERO)
        rows.append([person, len(items), sum((i["amount"] for i in items), ZERO), sums(now, person, "total_deducted"),
                     last, sums(before, person, "total_deducted")])
    total = ["合计", sum(r[1] for r in rows), *(sum((r[k] for r in rows), ZERO) for k in range(2, 6))] if rows else None
    sec.tables.append(Table("penalties.people", "个人罚扣汇总（004 Ⅷ 经济处罚准则 (三)4：每月不超过效率奖金的50%）",
                            ["姓名", "本期项目数", "本期应罚（元）", *run.heads("实扣（元）")[:1], "期末结转（元）",
                             *run.heads("实扣（元）")[1:]], rows, total, Chart("个人实扣金额", (3, 5), y_title="元")))
    run.indicators.append(("罚扣实扣合计（元）", *(sum((b["totals"]["total_deducted"] for b in months), ZERO)
                                            for months in (now, before))))
    sec.tables += [_incentive(run), _receipts(run), _kpi(run)]
    sec.notes += list(dict.fromkeys(f["message"] for b in now for f in b["findings"]))
    sec.notes += [n for n in _findings(run) if n not in _findings(run, "training")]
    sec.notes.append("罚扣明细与上限按 generator.assess.ledger 逐月计算（P1 投诉回复超期按日、P7 行政处分、登记的罚款、P8 月度上限逐月结转）；"
                     "评分按 generator.assess.period_scores。")
    return sec


ZERO = Decimal("0.00")


def _ledgers(run: _Run) -> list[tuple]:
    """[(month, penalty_ledger result)] for every month of the previous and this period, each
    carrying the month before into the next (the first one replays the registers from their start)."""
    out, previous = [], None
    for ym in run.previous.months + run.period.months:
        previous = penalty_ledger(run.ctx.registers, run.policy, f"{ym[0]}-{ym[1]:02d}", run.ctx.calendar, previous)
        out.append((ym, previous))
    return out


def _incentive(run: _Run) -> Table:
    """S6 incentive score of the whole service (001 §4 十 1), both periods."""
    overall = [s["incentive"]["overall"] for s in run.scores]
    labels = [("N", "年度重复维修次数 N"), ("X", "客户投诉率 X"), ("P", "客户满意度 P")]
    rows = [[label, *((o[k] if k == "N" else _as_ratio(o[k])) for o in overall)] for k, label in labels]
    rows += [[f"{k} 得分", *(next((p["score"] for p in o["parts"] if p["key"] == k), None) for o in overall)]
             for k, _ in labels]
    notes = list(dict.fromkeys(n for o in overall for n in o["notes"])) + run.scores[0]["incentive"]["notes"]
    return Table("penalties.incentive", "激励方案得分（001 §4 十 1：N 30%、X 40%、P 30%）", ["项目", *run.heads()], rows,
                 ["总分", *(o["total"] for o in overall)], note="；".join(notes))


def _receipts(run: _Run) -> Table:
    """S4 receipt ratings per engineer (1 非常满意 … 5 很不满意), tickets completed in each period."""
    aspects = run.policy["scores"]["receipt"]["aspects"]
    now, before = ({r["engineer"]: r for r in s["receipts"]} for s in run.scores)
    names = list(dict.fromkeys([*now, *before]))
    rows = [[n, now[n]["receipts"] if n in now else 0, *((now[n]["means"][a] if n in now else None) for a in aspects),
             *((side[n]["overall"] if n in side else None) for side in (now, before))] for n in names]
    k = 2 + len(aspects)
    return Table("penalties.receipts", "服务回执评价（000 ch.3 §6：1 非常满意 … 5 很不满意，越低越好）",
                 ["服务人员", "本期回执数", *aspects, *run.heads("综合")], rows, None,
                 Chart("服务回执综合评价（越低越好）", (k, k + 1), y_title="平均等级"))


def _kpi(run: _Run) -> Table:
    """S5 quarterly KPI scores for the quarters that end within the period."""
    rows = [[k["quarter"], k["person"], k["post"], k["total"],
             None if k["passed"] is None else ("合格" if k["passed"] else "不合格"), "；".join(k["notes"])]
            for k in run.scores[0]["kpi"]]
    return Table("penalties.kpi", "季度 KPI 考核（001 §4 七、九）", ["季度", "姓名", "岗位", "得分", "结论", "说明"], rows)


# ---------------------------------------------------------------------------- summary

def _summary(run: _Run) -> Section:
    rows = []
    for name, now, before in run.indicators:
        change = None
        if now is not None and before is not None:
            change = Ratio(now - before) if isinstance(now, Ratio) else now - before
        rows.append([name, now, before, change])
    sec = Section("summary", "概要")
    sec.tables.append(Table("summary.indicators", "主要指标", ["指标", *run.heads(), "变化"], rows,
                            note="变化 = 本期 − 上期；比率的变化以百分点计"))
    now, before = (s["targets"]["items"] for s in run.scores)
    rows = [[a["name"], a["requirement"], _as_ratio(a["actual"]), _as_ratio(b["actual"]),
             {True: "达标", False: "未达标", None: "无数据"}[a["met"]], a["basis"]] for a, b in zip(now, before)]
    sec.tables.append(Table("summary.targets", "服务目标（001 §3）", ["服务目标", "要求", *run.heads(), "本期结论", "本期依据"],
                            rows, note="按 generator.assess.period_scores：及时率为期内到期案件的按时完成率"))
    return sec


__all__ = ["parse_period", "Report", "Section", "Table", "Chart", "Ratio", "build_report", "show",
           "SEVERITY"]
