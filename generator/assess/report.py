"""Period reports (月报 / 半年报 / 年报): statistics from the registers. Pure: no file I/O.

``build_report(ctx, period)`` turns a RunContext (registers, policy, today, calendar) into a
``Report`` (generator.assess.report_model): a summary of the main indicators, then one section
per topic, each comparing the period with the one before it. The sections live in
report_cases (complaints, tickets, satisfaction, training), report_materials and
report_penalties (penalties and scores); report_context holds what they share.

Scores (S2 classes, CSI, S4 receipts, S5 KPI, S6 incentive, S7 targets, S9 training) come from
generator.assess.period_scores, computed once per period here and handed to every section.
"""
from __future__ import annotations

from generator.assess.period_scores import period_scores
from generator.assess.programme import programme_table
from generator.assess.report_cases import (
    complaint_statistics_section,
    complaints_section,
    satisfaction_section,
    tickets_section,
    training_section,
)
from generator.assess.report_context import ReportRun, as_ratio
from generator.assess.report_materials import materials_section
from generator.assess.report_model import (
    KIND_TITLES,
    Ratio,
    Report,
    Section,
    Table,
    points_between,
)
from generator.assess.report_penalties import penalties_section
from generator.core.periods import Period
from generator.rules.citations import cite_inline, sources_of

TOPICS = (complaints_section, complaint_statistics_section, tickets_section, satisfaction_section,
          training_section, materials_section, penalties_section)


def build_report(ctx, period: Period) -> Report:
    """Every section of the report for ``period`` compared with the period before."""
    run = ReportRun(ctx, period, period.previous())
    run.scores = [period_scores(ctx.registers, ctx.policy, p.code, ctx.calendar) for p in run.both]
    sections = [topic(run) for topic in TOPICS]          # each adds its indicators to run.indicators
    s8 = programme_table(run.scores)                     # yearly reports: the survey programme (S8)
    if s8 is not None:
        next(s for s in sections if s.key == "satisfaction").tables.append(s8)
    sections.insert(0, summary_section(run))
    company = ctx.policy.get("company", {}).get("name", "")
    _cite_company_documents(sections, sources_of(ctx.policy))
    return Report(company, KIND_TITLES[period.kind], period, run.previous, ctx.today, sections)


def _cite_company_documents(sections: list[Section], sources: dict) -> None:
    """Titles and notes cite the company's own documents, never our source codes (000 ch.7 …)."""
    for sec in sections:
        sec.notes = [cite_inline(n, sources) for n in sec.notes]
        for t in sec.tables:
            t.title, t.note = cite_inline(t.title, sources), cite_inline(t.note, sources)
            t.rows = [[cite_inline(v, sources) if isinstance(v, str) else v for v in row] for row in t.rows]


def change(now, before):
    """本期 − 上期: for shares in percentage points (Points), otherwise in the indicator's unit."""
    if now is None or before is None:
        return None
    if isinstance(now, Ratio) and isinstance(before, Ratio):
        return points_between(now, before)
    return now - before


def summary_section(run: ReportRun) -> Section:
    rows = [[name, now, before, change(now, before)] for name, now, before in run.indicators]
    sec = Section("summary", "概要")
    sec.tables.append(Table("summary.indicators", "主要指标", ["指标", *run.heads(), "变化"], rows,
                            note="变化 = 本期 − 上期；比率的变化以百分点计"))
    now, before = (s["targets"]["items"] for s in run.scores)
    rows = [[a["name"], a["requirement"], as_ratio(a["actual"]), as_ratio(b["actual"]),
             {True: "达标", False: "未达标", None: "无数据"}[a["met"]], a["basis"]] for a, b in zip(now, before)]
    sec.tables.append(Table("summary.targets", "服务目标（001 §3）", ["服务目标", "要求", *run.heads(), "本期结论", "本期依据"],
                            rows, note="与 aftersales scores 一致：及时率为期内到期案件的按时完成率"))
    return sec


__all__ = ["build_report", "summary_section", "change"]
