"""``aftersales late``: cases closed after a deadline, per responsible department, and their
洽办单 (D17, 004 Ⅷ (十四)) — beside ``remind`` and its 催办单 for open overdue cases."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table as RichTable

from generator.assess.checks import RunContext
from generator.assess.late_cases import late_cases
from generator.cli.common import (
    console,
    day_option,
    print_json,
    register_dir,
    user_errors,
)
from generator.core.text import value_text

FORM = "late_notice"


def late(
    directory: Path = typer.Argument(..., help="台账目录 / folder with the registers"),
    since: Optional[str] = typer.Option(None, "--since", help="只列出该日期及以后结案（停表）的案件，如 2026-06-01 / closed on or after"),
    today: Optional[str] = typer.Option(None, "--today", help="参照日期，默认今天 / reference date"),
    out: Optional[Path] = typer.Option(None, "--out", help="为每件逾期结案的案件生成洽办单（Word）到此目录 / render a 洽办单 per case here"),
    pdf: bool = typer.Option(False, "--pdf", help="同时生成 PDF / also PDF"),
    json_: bool = typer.Option(False, "--json", help="输出 JSON / print JSON"),
):
    """列出已结案但处理时效逾期的案件（按责任部门），可生成洽办单追查逾期原因（004 Ⅷ (十四)）/ cases closed late."""
    files = []
    with user_errors():
        day = day_option(today, "--today", default=dt.date.today())
        start = day_option(since, "--since")
        ctx = RunContext.load(register_dir(directory), day)
        cases = [c for c in late_cases(ctx)
                 if start is None or any(_day(i["stop"]) >= start for i in c["items"])]
        if out and cases:
            # deferred: docxtpl loads only when forms are rendered
            from generator.documents.batch import render_forms

            wanted = [c["case_no"] for c in cases]
            made = render_forms(directory, FORM, out, numbers=wanted, pdf=pdf, today=day)
            files = made.docx + made.pdf
    if json_:
        print_json({"today": day.isoformat(), "cases": cases, "files": [str(p) for p in files]})
        return
    if not cases:
        console.print("没有逾期结案的案件")
        return
    t = RichTable(title="逾期结案案件（洽办）")
    for h in ("责任部门", "责任人", "编号", "台账", "期限", "应完成", "实际", "逾期"):
        t.add_column(h, overflow="fold")
    for c in cases:
        for i in c["items"]:
            t.add_row(c["dept"] or "（未填）", c["person"] or "（未填）", c["case_no"], c["sheet"], i["rule_title"],
                      value_text(i["due"]), value_text(i["stop"]), i["lateness"])
    console.print(t)
    console.print(f"共 {len(cases)} 件")
    if files:
        console.print(f"已生成洽办单 {len(files)} 份 → {out}")


def _day(v) -> dt.date:
    return v.date() if isinstance(v, dt.datetime) else v


__all__ = ["late"]
