"""``aftersales apportion`` (P9 loss apportionment) and ``aftersales sanbao`` (F2 三包 remedy)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from generator.assess.people_checks import loss_items
from generator.cli.common import (
    console,
    day_option,
    print_json,
    register_dir,
    user_errors,
)
from generator.config.policy import default_policy, find_policy
from generator.core.errors import UserError
from generator.core.money import yuan
from generator.core.text import value_text, yuan_text
from generator.registers.read import read_all
from generator.rules.compensation import DEPARTMENT, PERSONAL, SHARED
from generator.rules.sanbao import check_ticket

JSON_OPT = typer.Option(False, "--json", help="输出 JSON / print JSON")


def _one(loss: str, person, ratios, dept, case) -> dict:
    given = [k for k, v in (("--person", person), ("--ratios", ratios), ("--dept", dept)) if v]
    if len(given) != 1:
        raise UserError("请指定且只指定一种责任：--person 张三（个人过失）、--ratios \"张三 60%、李四 40%\"（共同过失）"
                        "或 --dept 生产部（部门过失）")
    fault = PERSONAL if person else SHARED if ratios else DEPARTMENT
    return {"date": None, "case_no": case, "loss": yuan(loss, "--loss"), "fault": fault,
            "persons": person or ratios, "dept": dept}


def apportion(
    directory: Path = typer.Argument(..., help="台账目录：读取 基础数据 › 人员 的基点与 部门 › 部门基点合计 / folder with the registers"),
    loss: Optional[str] = typer.Option(None, "--loss", help="损失金额（元）；不填则分摊 基础数据 › 损失分摊 的每一行 / the loss"),
    person: Optional[str] = typer.Option(None, "--person", help="个人过失：责任人 / personal fault"),
    ratios: Optional[str] = typer.Option(None, "--ratios", help="共同过失：如 \"张三 60%、李四 40%\" / shared fault"),
    dept: Optional[str] = typer.Option(None, "--dept", help="部门过失：责任部门名称 / department fault"),
    case: Optional[str] = typer.Option(None, "--case", help="关联编号（投诉单号等）/ case number"),
    json_: bool = JSON_OPT,
):
    """损失金额责任分摊（P9，004 Ⅷ 经济处罚准则）：个人过失全额承担，共同过失按责任比例，
    部门过失 = 损失 ÷ 部门基点合计 × 个人基点 / apportion a loss by the P9 rules."""
    with user_errors():
        registers = read_all(register_dir(directory), only=["master"])
        policy = find_policy(directory)
        if loss is not None:
            rows = [(None, _one(loss, person, ratios, dept, case))]
        else:
            table = registers.get("master").tables.get("losses") if registers.get("master") else None
            rows = [(r.row, r.values) for r in (table.records if table else [])]
            if not rows:
                raise UserError("基础数据 › 损失分摊 没有记录；或用 --loss 与 --person/--ratios/--dept 指定一笔损失")
        out = []
        for row, values in rows:
            try:
                items, note = loss_items(registers, policy, values)
            except UserError as e:
                if row is None:
                    raise
                out.append({"row": row, "case": values.get("case_no"), "error": e.message, "shares": []})
                continue
            out.append({"row": row, "case": values.get("case_no"), "loss": yuan(values["loss"]), "fault": values["fault"],
                        "shares": [{"person": i.person, "amount": i.amount, "explanation": i.explanation} for i in items],
                        "note": note})
    if json_:
        print_json({"apportioned": out})
        return
    for x in out:
        head = f"第 {x['row']} 行 " if x["row"] else ""
        if "error" in x:
            console.print(f"[red]{head}{escape(value_text(x['case']))}：{escape(x['error'])}[/]")
            continue
        console.print(f"[bold]{head}{escape(value_text(x['case']))} {x['fault']}，损失 {yuan_text(x['loss'])} 元[/]")
        for s in x["shares"]:
            console.print(f"  {escape(s['person'])}  {yuan_text(s['amount'])} 元  {escape(s['explanation'])}")
        if x["note"]:
            n = x["note"]
            console.print(f"  [yellow]注意：{escape(n['dept'])} 部门基点合计 {n['total']} ≠ 人员基点之和 {n['members']}，"
                          "按部门基点合计分摊[/]")


def sanbao(
    purchased: str = typer.Option(..., "--purchased", help="购买日期，如 2026-03-01 / purchase date"),
    received: str = typer.Option(..., "--received", help="报修（受理）日期 / day the fault was reported"),
    quality: bool = typer.Option(True, "--quality/--no-quality", help="是否质量问题 / quality fault or not"),
    resaleable: bool = typer.Option(False, "--resaleable", help="不影响再次销售（无理由退货）/ still resaleable"),
    directory: Optional[Path] = typer.Option(None, "--dir", help="台账目录：使用其中的 policy.toml / use this folder's policy"),
    json_: bool = JSON_OPT,
):
    """三包处理（F2）：按购买天数给出退货、换货、免费维修或收费维修，以及一周内修复的期限 / the 三包 remedy."""
    with user_errors():
        policy = default_policy() if directory is None else find_policy(register_dir(directory))
        bought = day_option(purchased, "--purchased")
        got = day_option(received, "--received")
        c = check_ticket(bought, got, quality, resaleable, None, None, dt.date.max, policy)
    result = {"days": c.days, "remedy": c.remedy.remedy, "defined": c.remedy.defined, "note": c.remedy.note,
              "repair_due": c.repair_due.date().isoformat() if c.repair_due else None}
    if json_:
        print_json(result)
        return
    console.print(f"{c.remedy.remedy or '未规定（请人工判定）'}：{escape(c.remedy.note)}")


__all__ = ["apportion", "sanbao"]
