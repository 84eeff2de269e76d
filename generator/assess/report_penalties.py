"""Report section on penalties and scores: the month-by-month penalty ledger of the period,
each person's deductions, and the S6 incentive, S4 receipt and S5 KPI scores.

Penalties (P1, P7, entered fines, the P8 monthly cap) come from generator.assess.ledger run
month by month; scores from generator.assess.period_scores. The cap share, the incentive
weights and the receipt levels named in titles come from the policy.
"""
from __future__ import annotations

from decimal import Decimal

from generator.assess.ledger import chain_ledgers
from generator.assess.report_context import ReportRun, as_ratio, score_findings
from generator.assess.report_model import Chart, Section, Table
from generator.core.dotted import in_force_text
from generator.core.periods import month_bounds
from generator.core.text import pct_text

ZERO = Decimal("0.00")
# 001 §4 十 1: the incentive's parts and the policy keys of their weights
INCENTIVE_PARTS = (("N", "年度重复维修次数 N", "weight_n"), ("X", "客户投诉率 X", "weight_x"),
                   ("P", "客户满意度 P", "weight_p"))


def penalties_section(run: ReportRun) -> Section:
    sec = Section("penalties", "罚扣与评分")
    books = _ledgers(run)
    now, before = ([b for ym, b in books if ym in p.months] for p in run.both)
    ledger = [[b["month"], person["person"], i["rule"], i["case"], i["amount"], i["explanation"]]
              for b in now for person in b["people"] for i in person["items"]]
    sec.tables.append(Table("penalties.ledger", "本期罚扣明细", ["月份", "姓名", "条款", "关联编号", "金额（元）", "说明"],
                            ledger))

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
    cap = pct_text(run.policy["penalties"]["monthly_cap"]["share"])
    deducted_now, deducted_before = run.heads("实扣（元）")
    sec.tables.append(Table("penalties.people", f"个人罚扣汇总（004 Ⅷ 经济处罚准则 (三)4：每月不超过效率奖金的{cap}）",
                            ["姓名", "本期项目数", "本期应罚（元）", deducted_now, "期末结转（元）", deducted_before],
                            rows, total, Chart("个人实扣金额", (3, 5), y_title="元")))
    run.indicators.append(("罚扣实扣合计（元）", *(sum((b["totals"]["total_deducted"] for b in months), ZERO)
                                            for months in (now, before))))
    sec.notes += [f"按当时有效的取值：{in_force_text(r)}" for r in run.scores[0]["rates"]]
    sec.tables += [_incentive(run), _receipts(run), _kpi(run)]
    sec.notes += list(dict.fromkeys(f["message"] for b in now for f in b["findings"]))
    sec.notes += [n for n in score_findings(run) if n not in score_findings(run, "training")]
    sec.notes.append("罚扣明细与上限逐月计算（P1 投诉回复超期按日、P7 行政处分、登记的罚款、"
                     "P8 月度上限逐月结转），与 aftersales penalties 的月度罚扣台账一致；评分与 aftersales scores 一致。")
    return sec


def _ledgers(run: ReportRun) -> list[tuple]:
    """[(month, penalty_ledger result)] for every month of the previous and this period, each
    carrying the month before into the next (the first one replays the registers from their start)."""
    today = run.ctx.today                      # months not yet begun have no ledger; nothing after today counts
    months = [m for m in run.previous.months + run.period.months if month_bounds(m)[0] <= today]
    ledgers = chain_ledgers(run.ctx.registers, run.policy, [f"{y}-{m:02d}" for y, m in months], run.ctx.calendar,
                            today=today)
    return list(zip(months, ledgers))


def _incentive(run: ReportRun) -> Table:
    """S6 incentive score of the whole service (001 §4 十 1), both periods."""
    overall = [s["incentive"]["overall"] for s in run.scores]
    rows = [[label, *((o[k] if k == "N" else as_ratio(o[k])) for o in overall)] for k, label, _ in INCENTIVE_PARTS]
    rows += [[f"{k} 得分", *(next((p["score"] for p in o["parts"] if p["key"] == k), None) for o in overall)]
             for k, _, _ in INCENTIVE_PARTS]
    notes = list(dict.fromkeys(n for o in overall for n in o["notes"])) + run.scores[0]["incentive"]["notes"]
    cfg = run.policy["scores"]["incentive"]
    weights = "、".join(f"{k} {pct_text(cfg[key])}" for k, _, key in INCENTIVE_PARTS)
    return Table("penalties.incentive", f"激励方案得分（001 §4 十 1：{weights}）", ["项目", *run.heads()], rows,
                 ["总分", *(o["total"] for o in overall)], note="；".join(notes))


def _receipts(run: ReportRun) -> Table:
    """S4 receipt ratings per engineer (1 非常满意 … 5 很不满意), tickets completed in each period."""
    cfg = run.policy["scores"]["receipt"]
    aspects = cfg["aspects"]
    (best, high), *_, (worst, low) = sorted(cfg["levels"].items(), key=lambda kv: kv[1])
    now, before = ({r["engineer"]: r for r in s["receipts"]} for s in run.scores)
    names = list(dict.fromkeys([*now, *before]))
    rows = [[n, now[n]["receipts"] if n in now else 0, *((now[n]["means"][a] if n in now else None) for a in aspects),
             *((side[n]["overall"] if n in side else None) for side in (now, before))] for n in names]
    k = 2 + len(aspects)
    return Table("penalties.receipts", f"服务回执评价（000 ch.3 §6：{high} {best} … {low} {worst}，越低越好）",
                 ["服务人员", "本期回执数", *aspects, *run.heads("综合")], rows, None,
                 Chart("服务回执综合评价（越低越好）", (k, k + 1), y_title="平均等级"))


def _kpi(run: ReportRun) -> Table:
    """S5 quarterly KPI scores for the quarters that end within the period."""
    rows = [[k["quarter"], k["person"], k["post"], k["total"],
             None if k["passed"] is None else ("合格" if k["passed"] else "不合格"), "；".join(k["notes"])]
            for k in run.scores[0]["kpi"]]
    return Table("penalties.kpi", "季度 KPI 考核（001 §4 七、九）", ["季度", "姓名", "岗位", "得分", "结论", "说明"], rows)


__all__ = ["penalties_section"]
