"""``aftersales deadline`` and ``aftersales remind``: due moments and overdue cases (催办)."""
from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table as RichTable

from generator.assess.checks import RunContext
from generator.assess.clocks import overdue_report
from generator.cli.common import (
    console,
    day_option,
    err_console,
    print_json,
    register_dir,
    user_errors,
)
from generator.cli.forms import pdf_engine_chosen
from generator.config.policy import default_policy, find_policy
from generator.config.register_specs import load_specs
from generator.core.errors import UserError
from generator.core.normalize import to_datetime
from generator.registers.read import read_register, workbook_path
from generator.rules.citations import cite, sources_of
from generator.rules.deadlines import due_moment, fmt_moment, get_rule
from generator.rules.workcal import calendar_from

WEEKDAYS = "一二三四五六日"


def _moment(text: str) -> dt.datetime:
    try:
        return to_datetime(text)
    except ValueError as e:
        raise UserError(f"起算时间 {text!r} {e}") from None


def _master(directory: Path):
    """The folder's master register (its 节假日 sheet), or None when the folder has none."""

    if not workbook_path(directory, load_specs()["master"]).exists():
        return None
    return read_register(directory, "master")


def _amount(v):
    return int(v) if v == int(v) else str(v)


def deadline(
    rule: str = typer.Argument(..., help="期限规则编号，如 complaint.reply / rule id in policy [deadlines]"),
    start: str = typer.Argument(..., help="起算时间，如 2026-09-30T16:00；只写日期按当天 00:00 / start date or datetime"),
    directory: Optional[Path] = typer.Option(
        None, "--dir", help="台账目录：使用其中的 policy.toml 和基础数据“节假日”表 / use this folder's policy and holidays"),
    json_: bool = typer.Option(False, "--json", help="输出 JSON / print JSON"),
):
    """计算期限的到期时间（按法定节假日、调休和营业时间）/ print a rule's due moment."""
    with user_errors():
        if directory is None:
            policy, master = default_policy(), None
        else:
            register_dir(directory)
            policy, master = find_policy(directory), _master(directory)
        r = get_rule(policy, rule)
        begin = _moment(start)
        due = due_moment(r, begin, calendar_from(policy, master))
    if json_:
        print_json({"rule": r.id, "start": begin.isoformat(), "due": due.isoformat(), "title": r.title,
                    "clock": r.clock, "amount": _amount(r.amount), "source": r.source})
        return
    basis = cite(r.source, sources_of(policy))       # the company's document, not our source code
    for line in (f"{r.id}  {r.title}（{r.describe()}" + (f"，{basis}）" if basis else "）"),
                 f"起算 {fmt_moment(begin)}（星期{WEEKDAYS[begin.weekday()]}）",
                 f"到期 {fmt_moment(due)}（星期{WEEKDAYS[due.weekday()]}）"):
        console.print(line, markup=False)


def _jsonable(v):
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return v


def remind(
    directory: Path = typer.Argument(..., help="台账目录 / folder with the registers"),
    today: Optional[str] = typer.Option(None, "--today", help="以该日期判断超期，默认今天 / reference date"),
    json_: bool = typer.Option(False, "--json", help="输出 JSON / print JSON"),
    out: Optional[Path] = typer.Option(None, "--out", help="为每件超期案件生成催办单（Word）到此目录 / render a 催办单 per case here"),
    pdf: bool = typer.Option(False, "--pdf", help="同时生成 PDF / also PDF"),
    pdf_engine: Optional[str] = typer.Option(None, "--pdf-engine", metavar="libreoffice|word|wps|auto",
                                             help="PDF 由谁生成，默认取策略 [pdf] engine（libreoffice）/ PDF engine"),
):
    """列出超期未办的案件，按责任部门和责任人分组，可生成催办单 / overdue cases per department and person.

    无法判断是否超期的行（日期读不出、缺列、日历未覆盖）不列入，另行列出 / rows that cannot be
    judged are listed apart."""
    forms = []
    with user_errors():
        day = day_option(today, "--today", default=dt.date.today())
        register_dir(directory)
        ctx = RunContext.load(directory, day)
        groups, not_judged = overdue_report(ctx)
        if out and groups:
            # deferred: docxtpl loads only when forms are rendered
            from generator.documents.batch import render_forms

            with pdf_engine_chosen(directory, pdf_engine) if pdf else nullcontext():
                made = render_forms(directory, "reminder", out, pdf=pdf, today=day)
            forms = made.docx + made.pdf
    if json_:
        print_json({"today": day.isoformat(), "groups": _jsonable(groups), "files": [str(p) for p in forms],
                    "not_judged": [f.to_dict() for f in not_judged]})
        return
    titles = {k: reg.spec.title for k, reg in ctx.registers.items()}
    for f in not_judged:
        err_console.print(f"[yellow]未能判断：[/]{titles.get(f.register, f.register)} › {f.sheet}：{f.message}")
    if not groups:
        console.print(f"截至 {day:%Y-%m-%d} 没有超期未办的案件" + ("（上列各项未能判断，不在其内）" if not_judged else ""))
        return
    t = RichTable(title=f"超期未办案件（截至 {day:%Y-%m-%d}）")
    for h in ("责任部门", "责任人", "编号", "台账", "期限", "应完成", "超期"):
        t.add_column(h, no_wrap=h in ("编号", "应完成"), overflow="fold")
    total = 0
    for g in groups:
        for c in g["cases"]:
            total += 1
            t.add_row(g["dept"] or "（未填）", g["person"] or "（未填）", c["case_no"], c["sheet"],
                      f"{c['ref']} {c['rule_title']}".strip(), fmt_moment(c["due"]),
                      f"{c['days_overdue']} 个工作日（{c['calendar_days_overdue']} 天）")
    console.print(t)
    console.print(f"共 {total} 件，涉及 {len(groups)} 个责任部门/责任人")
    if forms:
        console.print(f"已生成催办单 {len(forms)} 份 → {out}")
