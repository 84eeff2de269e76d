"""``init`` and ``check``: set up a register folder, check the registers."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table as RichTable

from generator.assess.checks import RunContext, run_checks
from generator.cli.common import console, day_option, print_json, user_errors
from generator.core.findings import counts
from generator.excel.xlsm import install_macros
from generator.registers.setup import init_registers
from generator.registers.writeback import layouts, write_back


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

            written = [p for p in written if p.exists()] + install_macros(directory)
    for p in written:
        console.print(f"已生成 {p}")


SHOWN_MAX = 300   # findings in the console table; a register with thousands is read in 校验结果 or --json


def show_findings(findings, *, written: bool = False) -> None:
    by_register = defaultdict(list)
    for f in findings[:SHOWN_MAX]:
        by_register[f.register].append(f)
    for register, items in by_register.items():
        t = RichTable(title=f"台账 {register}", show_lines=False)
        for h in ("工作表", "行", "列", "代码", "级别", "说明"):
            t.add_column(h, overflow="fold")   # narrow consoles wrap a message, never cut it with "…"
        for f in items:
            level = "[red]错误[/]" if f.severity == "error" else "[yellow]警告[/]"
            t.add_row(f.sheet, str(f.row or ""), escape(f.column or ""), f.code, level, escape(f.message))
        console.print(t)
    c = counts(findings)
    if len(findings) > SHOWN_MAX:
        where = "各台账的「校验结果」工作表" if written else "加 --write-back 写入各台账的「校验结果」工作表，或加 --json"
        console.print(f"以上列出前 {SHOWN_MAX} 条；全部 {len(findings)} 条见{where}")
    console.print(f"共 {c['error']} 个错误，{c['warning']} 个警告")


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
        ctx = RunContext.load(directory, day)
        findings = run_checks(ctx)
        if write_back_:   # the registers as read for the check, without their records (memory)
            registers = layouts(ctx.registers)
            del ctx
            written = write_back(directory, findings, dt.datetime.now(), registers=registers)
    if json_:
        print_json({"findings": [f.to_dict() for f in findings], "counts": counts(findings),
                    "written": [str(p) for p in written]})
    else:
        show_findings(findings, written=bool(written))
        for p in written:
            console.print(f"已写回 {p}")
    raise typer.Exit(1 if counts(findings)["error"] else 0)


