"""``aftersales report``: the monthly, quarterly (D18), half-yearly or yearly report as a workbook (and PDF)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table as RichTable

from generator.assess.checks import RunContext
from generator.assess.report import build_report
from generator.assess.report_model import Report, show
from generator.cli.common import (
    console,
    day_option,
    print_json,
    register_dir,
    user_errors,
)
from generator.core.errors import UserError
from generator.core.periods import Period, period_from_options
from generator.reports.report_xlsx import write_report_xlsx


def make_report(directory, period: Period, out, *, pdf: bool = False, today: dt.date | None = None
                ) -> tuple[Report, list[Path]]:
    """Read the registers in ``directory``, write the report workbook ``out`` (and the PDF beside it).

    Returns the report and the files written. ``today`` is the day open cases are judged overdue
    against (default: today).
    """
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise UserError(f"报告文件应以 .xlsx 结尾：{out}")
    directory = register_dir(Path(directory))
    ctx = RunContext.load(directory, today or dt.date.today())
    report = build_report(ctx, period)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_report_xlsx(report, out)
    paths = [out]
    if pdf:
        # deferred: matplotlib loads only when a PDF is asked for
        from generator.reports.report_pdf import write_report_pdf

        paths.append(write_report_pdf(report, out.with_suffix(".pdf")))
    return report, paths


def report_command(
    directory: Path = typer.Argument(..., help="台账目录 / folder with the registers"),
    month: Optional[str] = typer.Option(None, "--month", help="月报：月份，如 2026-10 / monthly report"),
    quarter: Optional[str] = typer.Option(None, "--quarter", help="季度售后统计报表（002 §4 7，D18）：如 2026-Q3 / quarterly statistics report"),
    half: Optional[str] = typer.Option(None, "--half", help="半年报：如 2026-H2（H1 上半年）/ half-yearly report"),
    year: Optional[str] = typer.Option(None, "--year", help="年报：年份，如 2026 / yearly report"),
    out: Path = typer.Option(..., "--out", help="输出工作簿 .xlsx / output workbook"),
    pdf: bool = typer.Option(False, "--pdf", help="同时在工作簿旁生成同名 PDF / also write FILE.pdf"),
    today: Optional[str] = typer.Option(None, "--today", help="判断未完成事项是否超期的参照日期，默认今天 / reference date"),
    json_: bool = typer.Option(False, "--json", help="输出 JSON / print JSON"),
):
    """生成月报、季度售后统计报表、半年报或年报（含图表，与上期对比）/ write the period report with charts.

    Each sheet compares the period with the previous one (month, half year or year); the charts
    are native Excel charts over the sheet's cells.
    """
    with user_errors():
        day = day_option(today, "--today")
        period = period_from_options(month=month, half=half, year=year, quarter=quarter)
        report, paths = make_report(directory, period, out, pdf=pdf, today=day)
    summary = report.table("summary.indicators")
    if json_:
        print_json({
            "period": period.code, "previous": report.previous.code, "files": [str(p) for p in paths],
            "indicators": [{"name": r[0], "current": r[1], "previous": r[2]} for r in summary.rows],
        })
        return
    t = RichTable(title=f"{report.title} {period.label}（对比 {report.previous.label}）")
    for head in summary.columns:
        t.add_column(head)
    for r in summary.rows:
        t.add_row(*(show(v) for v in r))
    console.print(t)
    for p in paths:
        console.print(f"已生成 {p}")
