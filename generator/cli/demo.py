"""``demo``: the whole job on the bundled sample year, step by step."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from generator.assess.checks import RunContext, run_checks
from generator.assess.ledger import chain_ledgers, write_ledger_xlsx
from generator.assess.period_scores import period_scores, write_scores_xlsx
from generator.cli.common import console, day_option, progress, user_errors
from generator.cli.registers import show_findings
from generator.cli.report import make_report
from generator.core.findings import counts
from generator.core.periods import (
    month_key,
    month_text,
    months_between,
    parse_period,
    period_from_options,
)
from generator.pack.build import build_pack
from generator.pack.verify import verify_pack
from generator.registers.setup import init_registers
from generator.sample.base import END, START


def demo(
    out: Path = typer.Argument(Path("demo-out"), help="输出目录 / output folder"),
    today: str = typer.Option("2026-06-30", "--today", help="示例数据的参照日期 / reference date for the sample"),
    silent: bool = typer.Option(False, "--silent", help="不显示进度条 / no progress bars"),
):
    """在内置示例数据上运行完整流程 / run the whole job on the bundled sample year."""
    with user_errors():
        run_demo(out, day_option(today, "--today"), silent)


def sample_months() -> list[str]:
    return [month_text(ym) for ym in months_between(month_key(START), month_key(END))]


def run_demo(out: Path, day: dt.date, silent: bool) -> None:
    registers = out / "registers"
    init_registers(registers, sample=True, force=True)
    console.print(f"[bold]1. 示例台账[/] 已写入 {registers}")
    ctx = RunContext.load(registers, day)
    findings = run_checks(ctx)
    c = counts(findings)
    console.print(f"[bold]2. 校验[/] {c['error']} 个错误，{c['warning']} 个警告（示例中故意留有几处错误，见 README）")
    if not silent:
        show_findings(findings)
    month, quarter = "2026-06", "2026-Q2"   # the last full month and quarter of the sample year
    ledgers = out / "罚扣台账"
    ledgers.mkdir(exist_ok=True)
    lines = []
    for ledger in chain_ledgers(ctx.registers, ctx.policy, sample_months(), ctx.calendar):
        ym = ledger["month"]
        write_ledger_xlsx(ledger, ledgers / f"罚扣台账-{ym}.xlsx")
        items = sum(len(p["items"]) for p in ledger["people"])
        deducted = sum((p["total_deducted"] for p in ledger["people"]), start=0)
        carried = sum((p["carried_forward"] for p in ledger["people"]), start=0)
        if items or carried:
            lines.append(f"{ym}：{items} 项，实扣 {deducted} 元，结转下月 {carried} 元")
    console.print(f"[bold]3. 罚扣[/] 逐月台账 → {ledgers}")
    for line in lines:
        console.print(f"   {line}")
    scores = period_scores(ctx.registers, ctx.policy, parse_period(quarter), ctx.calendar)
    write_scores_xlsx(scores, out / f"评分-{quarter}.xlsx")
    console.print(f"[bold]4. 评分[/] {quarter} → {out / f'评分-{quarter}.xlsx'}")
    _, paths = make_report(registers, period_from_options(month=month), out / f"月报-{month}.xlsx", pdf=True, today=day)
    console.print(f"[bold]5. 月报[/] {'、'.join(str(p) for p in paths)}")
    pack = build_pack(registers, START, day, out / "审计包-示例年度.zip",
                      progress=lambda items, description, total: progress(items, description, silent, total=total))
    verified = verify_pack(pack.path)
    console.print(f"[bold]6. 审计包[/] {pack.path}：{pack.forms} 份表单、{pack.files} 个文件，用时 {pack.seconds:.0f} 秒；"
                  f"校验{'通过' if verified.ok else '未通过'}（SHA-256 {pack.sha256[:16]}…）")
    if pack.failures:
        console.print(f"   {len(pack.failures)} 条记录未能生成表单，见审计包内 check.xlsx")
