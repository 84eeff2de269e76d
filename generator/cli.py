"""Command-line entry point ``aftersales``: a thin shell over the library."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table as RichTable

from .cli_app import app, console, day_option, print_json, progress, user_errors
from .checks import CheckContext, run_checks
from .findings import counts
from .policy import find_policy
from .registers import read_all
from .registry_init import init_registers


@app.command()
def init(
    directory: Path = typer.Argument(..., help="台账目录 / folder for the registers"),
    sample: bool = typer.Option(False, "--sample", help="填入示例数据（2025-07-01 至 2026-06-30）/ fill a sample year"),
    force: bool = typer.Option(False, "--force", help="覆盖已有文件（先备份）/ overwrite, keeping a backup"),
    macros: bool = typer.Option(False, "--macros", help="生成带按钮的 .xlsm（按钮需 Windows/macOS 上的 Excel 和 xlwings）/ macro workbooks with buttons"),
):
    """生成台账工作簿和策略文件 policy.toml / write the register workbooks and policy."""
    with user_errors():
        written = init_registers(directory, sample=sample, force=force)
        if macros:
            from .xlsm import install_macros

            written = [p for p in written if p.exists()] + install_macros(directory)
    for p in written:
        console.print(f"已生成 {p}")


def show_findings(findings) -> None:
    by_register = defaultdict(list)
    for f in findings:
        by_register[f.register].append(f)
    for register, items in by_register.items():
        t = RichTable(title=f"台账 {register}", show_lines=False)
        for h in ("工作表", "行", "列", "代码", "级别", "说明"):
            t.add_column(h)
        for f in items:
            level = "[red]错误[/]" if f.severity == "error" else "[yellow]警告[/]"
            t.add_row(f.sheet, str(f.row or ""), escape(f.column or ""), f.code, level, escape(f.message))
        console.print(t)
    c = counts(findings)
    console.print(f"共 {c['error']} 个错误，{c['warning']} 个警告")


@app.command()
def check(
    directory: Path = typer.Argument(..., help="台账目录 / folder with the registers"),
    json_: bool = typer.Option(False, "--json", help="输出 JSON / print JSON"),
    today: Optional[str] = typer.Option(None, "--today", help="以该日期判断超期，默认今天 / reference date"),
    write_back_: bool = typer.Option(False, "--write-back", help="把校验结果写回各台账（“校验结果”表并标出单元格，先备份）/ write findings into the workbooks"),
):
    """校验台账：必填、类型、选项、日期先后、编号、期限 / check the registers.

    Exit 0 when no errors, 1 when any error, 2 when the check could not run.
    """
    written = []
    with user_errors():
        day = day_option(today, "--today", default=dt.date.today())
        findings = check_directory(directory, day)
        if write_back_:
            from .writeback import write_back

            written = write_back(directory, findings, dt.datetime.now())
    if json_:
        print_json({"findings": [f.to_dict() for f in findings], "counts": counts(findings),
                    "written": [str(p) for p in written]})
    else:
        show_findings(findings)
        for p in written:
            console.print(f"已写回 {p}")
    raise typer.Exit(1 if counts(findings)["error"] else 0)


def load_context(directory: Path, today: dt.date) -> CheckContext:
    policy = find_policy(directory) if Path(directory).is_dir() else None
    return CheckContext(registers=read_all(directory), policy=policy, today=today)


def check_directory(directory: Path, today: dt.date):
    return run_checks(load_context(directory, today))


@app.command()
def demo(
    out: Path = typer.Argument(Path("demo-out"), help="输出目录 / output folder"),
    today: str = typer.Option("2026-06-30", "--today", help="示例数据的参照日期 / reference date for the sample"),
    silent: bool = typer.Option(False, "--silent", help="不显示进度条 / no progress bars"),
):
    """在内置示例数据上运行完整流程 / run the whole job on the bundled sample year."""
    with user_errors():
        run_demo(out, day_option(today, "--today"), silent)


def sample_start() -> dt.date:
    from .sample import START

    return START


def sample_months() -> list[str]:
    from .periods import month_key, month_text, months_between
    from .sample import END, START

    return [month_text(ym) for ym in months_between(month_key(START), month_key(END))]


def run_demo(out: Path, day: dt.date, silent: bool) -> None:
    from .audit_pack import build_pack
    from .cli_report import make_report
    from .ledger import penalty_ledger, write_ledger_xlsx
    from .pack_verify import verify_pack
    from .period_scores import period_scores, write_scores_xlsx
    from .periods import parse_period, period_from_options

    registers = out / "registers"
    init_registers(registers, sample=True, force=True)
    console.print(f"[bold]1. 示例台账[/] 已写入 {registers}")
    ctx = load_context(registers, day)
    findings = run_checks(ctx)
    c = counts(findings)
    console.print(f"[bold]2. 校验[/] {c['error']} 个错误，{c['warning']} 个警告（示例中故意留有几处错误，见 README）")
    if not silent:
        show_findings(findings)
    month, quarter = "2026-06", "2026-Q2"   # the last full month and quarter of the sample year
    ledgers = out / "罚扣台账"
    ledgers.mkdir(exist_ok=True)
    previous, lines = None, []
    for ym in sample_months():  # chained month by month, so each carries the cap's excess forward
        previous = penalty_ledger(ctx.registers, ctx.policy, ym, ctx.calendar, previous)
        write_ledger_xlsx(previous, ledgers / f"罚扣台账-{ym}.xlsx")
        items = sum(len(p["items"]) for p in previous["people"])
        deducted = sum((p["total_deducted"] for p in previous["people"]), start=0)
        carried = sum((p["carried_forward"] for p in previous["people"]), start=0)
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
    pack = build_pack(registers, sample_start(), day, out / "审计包-示例年度.zip",
                      progress=lambda items, description, total: progress(items, description, silent, total=total))
    verified = verify_pack(pack.path)
    console.print(f"[bold]6. 审计包[/] {pack.path}：{pack.forms} 份表单、{pack.files} 个文件，用时 {pack.seconds:.0f} 秒；"
                  f"校验{'通过' if verified.ok else '未通过'}（SHA-256 {pack.sha256[:16]}…）")
    if pack.failures:
        console.print(f"   {len(pack.failures)} 条记录未能生成表单，见审计包内 check.xlsx")


# Each feature's subcommands register themselves on the shared app when imported; importing
# them after the core commands keeps init/check/demo first in --help.
from . import (  # noqa: E402,F401
    cli_numbering, cli_deadlines, cli_forms, cli_assess, cli_report, cli_pack, cli_money,
)


def main():
    app()
