"""``aftersales number next`` and ``aftersales number assign``: the next free document number,
and filling empty number cells in date order (written back through the safe writer)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Optional

import typer

from generator.cli.common import console, day_option, print_json, user_errors
from generator.core.errors import UserError
from generator.registers.numbers import Numbered, assign, load_numbered
from generator.rules.numbering import compile_rule, next_number

number_app = typer.Typer(
    help="单据编号：查下一个编号、补齐空白编号 / document numbers: next free number, fill empty cells.",
    no_args_is_help=True,
)

DIR_ARG = typer.Argument(..., help="台账目录 / folder with the registers")
REGISTER_OPT = typer.Option(..., "--register", "-r", help="台账，如 complaints、tickets / register id")
SHEET_OPT = typer.Option(
    None, "--sheet", help="工作表（台账有多个编号列时必填），如 field_services 或 外出服务 / numbered sheet")
JSON_OPT = typer.Option(False, "--json", help="输出 JSON / print JSON")


def _dept(n: Numbered, text: Optional[str]) -> Optional[str]:
    if "DEPT" not in compile_rule(n.rule, n.rule_id).pattern.fields:
        return None
    if not text:
        raise UserError(f"编号规则 {n.rule['pattern']} 含部门代码，请用 --dept 指定部门（如 SC 或 生产部）")
    known, lookup = n.depts
    code = lookup.get(text.strip().upper()) or lookup.get(text.strip())
    if code is None:
        raise UserError(f"不认识的部门 {text}（已知部门代码：{'、'.join(sorted(known))}）")
    return code


@number_app.command("next")
def next_cmd(
    directory: Path = DIR_ARG,
    register: str = REGISTER_OPT,
    date: Optional[str] = typer.Option(None, "--date", help="单据日期，默认今天，如 2026-10-08 / record date"),
    dept: Optional[str] = typer.Option(None, "--dept", help="部门代码或名称（编号含部门时必填），如 SC / department"),
    sheet: Optional[str] = SHEET_OPT,
    json_: bool = JSON_OPT,
):
    """显示下一个可用编号（本周期已用最大序号 + 1）/ print the next free number."""
    with user_errors():
        n = load_numbered(directory, register, sheet)
        day = day_option(date, "--date", default=dt.date.today())
        code = _dept(n, dept)
        number = next_number(n.entries, n.rule, day, code, rule_id=n.rule_id)
    if json_:
        print_json({"register": register, "sheet": n.sheet.key, "rule": n.rule_id,
                    "date": day.isoformat(), "dept": code, "number": number})
    else:
        console.print(number)


@number_app.command("assign")
def assign_cmd(
    directory: Path = DIR_ARG,
    register: str = REGISTER_OPT,
    sheet: Optional[str] = SHEET_OPT,
    dry_run: bool = typer.Option(False, "--dry-run", help="只显示将填写的编号，不写入 / show, do not write"),
    json_: bool = JSON_OPT,
):
    """按日期顺序为空白编号单元格填写编号，先备份再写回 / fill empty number cells in date order."""
    with user_errors():
        n, numbers = assign(directory, register, sheet, dry_run=dry_run)   # locked: read, allocate, write
    rows = [{"row": row, "number": number} for row, number in sorted(numbers.items())]
    if json_:
        print_json({"register": register, "sheet": n.sheet.key, "rule": n.rule_id,
                    "dry_run": dry_run, "assigned": rows})
        return
    if not rows:
        console.print("没有需要填写的空白编号")
        return
    for r in rows:
        console.print(f"第 {r['row']} 行  {r['number']}")
    done = "（试运行，未写入）" if dry_run else f"，已写入 {n.register.path.name}（原文件已备份）"
    console.print(f"共 {len(rows)} 个编号{done}")
