"""``calendar``: how far the working-day calendar reaches, importing the State Council's
holiday notice for the next year, and refreshing the 工作日 sheet of every register."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from generator.cli.common import (
    console,
    day_option,
    print_json,
    register_dir,
    user_errors,
)
from generator.config.policy import POLICY_FILE, load_policy, with_extra_covered_years
from generator.config.register_specs import load_specs
from generator.core.errors import UserError
from generator.registers.calendar_sheet import folder_calendar, refresh_folder
from generator.registers.holiday_rows import add_company_days
from generator.registers.read import read_register, workbook_path
from generator.registers.safewrite import (
    atomic_write_bytes,
    backup,
    ensure_not_open,
    patch_workbook,
)
from generator.rules.holiday_notice import parse_notice
from generator.rules.workcal import coverage, expiring_advice, notice_years

calendar_app = typer.Typer(help="工作日历：覆盖范围、导入国务院节假日通知、刷新台账的工作日表 / working-day calendar",
                           no_args_is_help=True)


@calendar_app.command("status")
def status(
    directory: Path = typer.Argument(..., help="台账目录 / folder with the registers"),
    json_: bool = typer.Option(False, "--json", help="输出 JSON / print JSON"),
    today: Optional[str] = typer.Option(None, "--today", help="以该日期计算剩余天数，默认今天 / reference date"),
):
    """日历覆盖的年份及来源、最后覆盖日、剩余天数 / years covered and by what."""
    with user_errors():
        register_dir(directory)
        day = day_option(today, "--today", default=dt.date.today())
        cal = folder_calendar(directory)
        master = _master(directory)
        info = coverage(cal, notice_years(master), day)
    if json_:
        print_json(info | {"advice": expiring_advice(info["last_day"]) if info["expiring"] else None})
        return
    for y in info["years"]:
        years = f"{y['from']}–{y['to']}" if y["from"] != y["to"] else str(y["from"])
        console.print(f"{years} 年：{escape(y['source'])}")
    console.print(f"日历覆盖至 {info['last_day']}，还剩 {info['days_left']} 天")
    if info["expiring"]:
        console.print(f"[yellow]{escape(expiring_advice(info['last_day']))}[/]")
    else:
        console.print("下一年的安排公布后（每年 11 月前后）用 aftersales calendar import 导入。")


@calendar_app.command("import")
def import_(
    directory: Path = typer.Argument(..., help="台账目录 / folder with the registers"),
    notice: Path = typer.Argument(..., help="国务院节假日安排通知全文（文本文件）/ text of the notice"),
    write: bool = typer.Option(False, "--write", help="写入基础数据「节假日」并标记该年已覆盖（先备份）/ write the days"),
    json_: bool = typer.Option(False, "--json", help="输出 JSON / print JSON"),
):
    """读取国务院节假日安排通知，列出放假（休）和调休上班（班）日 / read a State Council holiday notice."""
    with user_errors():
        register_dir(directory)
        parsed = parse_notice(_read_text(notice))
        rows = parsed.company_days()
        result = {"year": parsed.year, "title": parsed.title,
                  "holidays": [{"name": h.name, "off": [str(d) for d in h.off], "work": [str(d) for d in h.work]}
                               for h in parsed.holidays],
                  "rest_days": [str(d) for d in parsed.rest_days], "work_days": [str(d) for d in parsed.work_days],
                  "written": False, "kept": []}
        if write:
            result |= _write_notice(directory, parsed.year, rows)
    if json_:
        print_json(result)
        return
    console.print(f"{parsed.title}：")
    for h in parsed.holidays:
        work = f"；调休上班 {'、'.join(str(d) for d in h.work)}" if h.work else ""
        span = f"{h.off[0]} 至 {h.off[-1]}" if len(h.off) > 1 else str(h.off[0])
        console.print(f"  {h.name}：{span} 放假，共 {len(h.off)} 天{work}")
    console.print(f"工作日放假（休）{len(parsed.rest_days)} 天：{'、'.join(f'{d:%m-%d}' for d in parsed.rest_days)}")
    console.print(f"周末上班（班）{len(parsed.work_days)} 天：{'、'.join(f'{d:%m-%d}' for d in parsed.work_days)}")
    if not write:
        console.print("未写入；确认无误后加 --write 写入基础数据「节假日」并标记该年已覆盖。")
        return
    for d, kind, _ in result["kept"]:
        console.print(f"  {d} 已在「节假日」中（类型 {kind}），保留公司录入")
    console.print(f"已写入 {result['added']} 天，{parsed.year} 年已加入 calendar.extra_covered_years；"
                  f"已刷新 {len(result['refreshed'])} 个台账的工作日表")


def _write_notice(directory: Path, year: int, rows) -> dict:
    """Master 节假日 rows, then the policy's covered years, then every 工作日 sheet; every file is
    checked first (policy line found, nothing open), so a refusal leaves everything as it was."""
    policy_path = directory / POLICY_FILE
    if not policy_path.exists():
        raise UserError(f"{directory} 中没有 {POLICY_FILE}，无法标记 {year} 年已覆盖（可用 aftersales init 生成）")
    policy = load_policy(policy_path)
    years = set(policy["calendar"]["extra_covered_years"]) | {year}
    text = with_extra_covered_years(policy_path.read_text(encoding="utf-8"), years)
    spec = load_specs()["master"]
    master_path = workbook_path(directory, spec)
    registers = [workbook_path(directory, s) for s in load_specs().values()]
    for p in [policy_path, *registers]:
        ensure_not_open(p)
    if not master_path.exists():
        raise UserError(f"找不到基础数据工作簿 {master_path}")
    # its 工作日 sheet is refreshed with every other register's below
    added, kept = patch_workbook(master_path, lambda book: add_company_days(
        book, read_register(directory, "master").tables["holidays"], rows))
    backup(policy_path)
    atomic_write_bytes(policy_path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    refreshed = refresh_folder(directory)
    return {"written": True, "added": len(added), "kept": [(str(d), k, n) for d, k, n in kept],
            "refreshed": [str(p) for p in refreshed]}


@calendar_app.command("refresh")
def refresh(directory: Path = typer.Argument(..., help="台账目录 / folder with the registers")):
    """按当前日历重写每个台账的隐藏工作日表 / rewrite every register's 工作日 sheet."""
    with user_errors():
        register_dir(directory)
        done = refresh_folder(directory)
    for p in done:
        console.print(f"已刷新 {p}")


def _master(directory: Path):
    path = workbook_path(directory, load_specs()["master"])
    return read_register(directory, "master") if path.exists() else None


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise UserError(f"找不到通知文件 {path}")
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):   # Notepad on Chinese Windows saves GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UserError(f"{path} 不是 UTF-8 或 GBK 文本")
