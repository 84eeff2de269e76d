"""``aftersales penalties`` and ``aftersales scores``: the month's penalty ledger and a period's scores."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table as RichTable

from generator.assess.ledger import (
    ledger_path,
    penalty_ledger,
    previous_ledger,
    read_ledger,
    write_ledger_xlsx,
)
from generator.assess.period_scores import period_scores, write_scores_xlsx
from generator.cli.common import console, print_json, register_dir, user_errors
from generator.config.policy import find_policy
from generator.core.findings import ERROR
from generator.core.money import round_to
from generator.core.periods import checked_month, parse_period
from generator.core.text import pct_text, yuan_text
from generator.registers.read import read_all
from generator.rules.workcal import calendar_from

DIR_ARG = typer.Argument(..., help="台账目录 / folder with the registers")
JSON_OPT = typer.Option(False, "--json", help="输出 JSON / print JSON")


def _load(directory: Path):
    register_dir(directory)
    registers = read_all(directory)
    policy = find_policy(directory)
    return registers, policy, calendar_from(policy, registers.get("master"))


def _show_findings(findings: list[dict]) -> None:
    for f in findings:
        level = "[red]错误[/]" if f["severity"] == ERROR else "[yellow]警告[/]"
        where = f"{f['sheet']} 第 {f['row']} 行" if f["row"] else f["sheet"]
        console.print(f"{level} {escape(where)}：{escape(f['message'])}")


def _saved(path: Path, backup) -> None:
    console.print(f"已写入 {path}" + (f"（原文件已备份到 {backup}）" if backup else ""))


# ---------------------------------------------------------------------------- penalties

def penalties_cmd(
    directory: Path = DIR_ARG,
    month: str = typer.Option(..., "--month", help="月份，如 2026-03 / month"),
    json_: bool = JSON_OPT,
    out: Optional[Path] = typer.Option(None, "--out", help="另存罚扣台账 xlsx（罚扣汇总、罚扣明细）/ write the ledger here"),
    save: bool = typer.Option(False, "--save", help="保存为台账目录中的 罚扣台账-YYYY-MM.xlsx，供下月结转 / keep it beside the registers"),
):
    """月度罚扣台账：投诉超期（P1）、行政处分与罚款（P7 等）、损失分摊（P9）、设施损坏赔偿（P10）、
    按效率奖金比例的月度上限与结转（P8）、特批权限（P11）。

    上月结转取自台账目录中最近一期的 罚扣台账-YYYY-MM.xlsx（其后各月按台账重算）；
    没有时从最早的记录起逐月重算 / the monthly penalty ledger with the P8 cap and carry-over.
    """
    with user_errors():
        ym = checked_month(month)
        registers, policy, calendar = _load(directory)
        prev_file = previous_ledger(directory, ym)
        previous = read_ledger(prev_file) if prev_file else None
        result = penalty_ledger(registers, policy, ym, calendar, previous)
        result["carry_basis"]["file"] = prev_file.name if prev_file else None
        written = []
        for target in ([out] if out else []) + ([ledger_path(directory, ym)] if save else []):
            written.append((target, write_ledger_xlsx(result, target)))
    if json_:
        print_json(result)
        return
    _print_ledger(result)
    for target, backup in written:
        _saved(target, backup)


def _carry_text(basis: dict) -> str:
    replayed = basis["replayed"]
    span = replayed[0] if len(replayed) == 1 else f"{replayed[0]} 至 {replayed[-1]}" if replayed else ""
    again = f"，{span} 按台账重算" if replayed else ""
    if basis.get("file"):
        return f"上月结转取自 {basis['file']}{again}"
    if basis["previous_month"]:
        return f"上月结转取自 {basis['previous_month']} 台账{again}"
    return f"上月结转按台账从 {replayed[0]} 起逐月重算" if replayed else "无上月结转"


def _print_ledger(r: dict) -> None:
    """One paragraph per person (a wide table would be cut in a narrow console)."""
    console.print(f"[bold]{r['month']} 罚扣台账[/]（{_carry_text(r['carry_basis'])}）", highlight=False)
    if not r["people"]:
        console.print("本月没有罚扣项目")
    for p in r["people"]:
        bonus = "未知" if p["bonus"] is None else yuan_text(p["bonus"])
        console.print(
            f"[bold]{escape(p['person'])}[/]（月度效率奖金 {bonus}，上限 {yuan_text(p['limit'])}）："
            f"上月结转 {yuan_text(p['carried_in'])} + 本月应罚扣 {yuan_text(p['assessed'])} → "
            f"本月扣款 {yuan_text(p['deducted'])}，结转下月 {yuan_text(p['carried_forward'])}；"
            f"不计上限 {yuan_text(p['uncapped'])}；本月实扣合计 {yuan_text(p['total_deducted'])}")
        for i in p["items"]:
            console.print(f"  {i['rule']} {yuan_text(i['amount'])} 元  {escape(i['explanation'])}")
    _show_findings(r["findings"])


# ---------------------------------------------------------------------------- scores

def scores_cmd(
    directory: Path = DIR_ARG,
    period: str = typer.Option(..., "--period", help="期间：2026-03、2026-Q1、2026-H1 或 2026 / month, quarter, half or year"),
    json_: bool = JSON_OPT,
    out: Optional[Path] = typer.Option(None, "--out", help="另存评分 xlsx（每部分一张工作表）/ write the scores here"),
):
    """期间评分：问卷得分与满意程度（S1/S2）、CSI（S3）、回执评价（S4）、KPI（S5）、激励得分（S6）、
    服务目标（S7）、培训出勤与学时（S9/D12）；年度另有调查覆盖（S8）与考核结果运用（S5/S10）/ scores of a period from the registers."""
    with user_errors():
        p = parse_period(period)
        registers, policy, calendar = _load(directory)
        result = period_scores(registers, policy, p, calendar)
        backup = write_scores_xlsx(result, out) if out else None
    if json_:
        print_json(result)
        return
    _print_scores(result)
    if out:
        _saved(out, backup)


def _table(title: str, heads: tuple, rows: list) -> None:
    t = RichTable(title=title)
    for h in heads:
        t.add_column(h, overflow="fold")
    for row in rows:
        t.add_row(*("—" if v is None else escape(str(v)) for v in row))
    console.print(t)


def _pct(v) -> str | None:
    return None if v is None else pct_text(round_to(v, 4))


def _yes(v) -> str | None:
    return None if v is None else ("是" if v else "否")


def _print_scores(r: dict) -> None:
    s, c = r["surveys"]["summary"], r["csi"]
    classes = "，".join(f"{k} {n}" for k, n in s["classes"].items())
    console.print(f"[bold]{r['period']}（{r['start']} 至 {r['end']}）[/]")
    console.print(f"S1/S2 调查表 {s['count']} 份，平均 {s['mean'] if s['mean'] is not None else '—'} 分（{classes}）")
    console.print(f"S3 CSI = {c['csi'] if c['csi'] is not None else '—'}；" + "；".join(c["notes"]))
    aspects = list(r["receipts"][0]["means"]) if r["receipts"] else []
    _table("S4 回执评价（1 非常满意 … 5 很不满意）", ("服务人员", "回执数", *aspects, "综合"),
           [[x["engineer"], x["receipts"], *x["means"].values(), x["overall"]] for x in r["receipts"]])
    inc = [r["incentive"]["overall"]] + r["incentive"]["engineers"]
    _table("S6 激励得分", ("对象", "N", "X", "P", "得分", "说明"),
           [[x["who"], x["N"], _pct(x["X"]), _pct(x["P"]), x["total"], "；".join(x["notes"])] for x in inc])
    for n in r["incentive"]["notes"]:
        console.print(n)
    t = r["targets"]
    _table("S7 服务目标", ("目标", "要求", "实际", "达标", "依据"),
           [[x["name"], x["requirement"], _pct(x["actual"]), _yes(x["met"]), x["basis"]] for x in t["items"]])
    _table("S9 培训出勤", ("培训编号", "日期", "主题", "应到", "实到", "请假", "旷课"),
           [[x["session_no"], x["date"], x["topic"], x["expected"], x["present"], x["leave"], x["absent"]]
            for x in r["training"]["sessions"]])
    short = [h for h in r["training"]["hours"] if not h["met"]]
    console.print(f"D12 技术服务人员培训学时：{len(r['training']['hours']) - len(short)} 人次达到每月 "
                  f"{r['training']['required_hours']} 小时，{len(short)} 人次不足（见 --json 或 --out）")
    _table("S5 KPI 季度得分", ("季度", "姓名", "岗位", "得分", "合格"),
           [[k["quarter"], k["person"], k["post"], k["total"], _yes(k["passed"])] for k in r["kpi"]])
    _print_yearly(r)
    for n in r["notes"]:
        console.print(n)
    _show_findings(r["findings"])


def _print_yearly(r: dict) -> None:
    """S8 and S5/S10 (year periods; otherwise their notes say so)."""
    g, a = r["programme"], r["appraisal"]
    if g["checked"]:
        console.print(f"S8 满意度调查：{g['rounds']} 次，覆盖 {g['surveyed']}/{g['eligible']} 个重点客户（{_pct(g['coverage']) or '—'}），"
                      f"回收率 {_pct(g['return_rate']) or '未检查'}；要求：{g['requirements']}")
        for n in g["notes"]:
            console.print(n)
    if a["checked"]:
        console.print(f"S5/S10 考核结果运用（{a['year']} 年）：办事处{'不参与' if a['office_excluded'] else '参与'}年度绩效考核"
                      f"（客户投诉率 {_pct(a['complaint_rate']) or '—'}）")
        for n in a["notes"]:
            console.print(n)


__all__ = ["penalties_cmd", "scores_cmd"]
