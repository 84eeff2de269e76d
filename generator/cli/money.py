"""``aftersales ahp`` and ``aftersales quote``: AHP weights of a matrix, and a paid-service quote."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table as RichTable

from generator.cli.common import console, print_json, register_dir, user_errors
from generator.config.policy import default_policy, find_policy
from generator.core.errors import UserError
from generator.core.text import yuan_text
from generator.core.userfile import read_user_text
from generator.rules.ahp import policy_analyse, read_matrix_csv
from generator.rules.quote import quote as make_quote

DIR_HELP = "台账目录：使用其中的 policy.toml / use this folder's policy"


class Method(str, Enum):
    eigen = "eigen"
    colnorm = "colnorm"
    geomean = "geomean"


def _policy(directory: Optional[Path]) -> dict:
    return default_policy() if directory is None else find_policy(register_dir(directory))


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise UserError(f"找不到矩阵文件 {path}")
    return read_user_text(path, "矩阵文件")   # Excel on Chinese Windows saves CSV as GBK


def ahp(
    matrix: Path = typer.Argument(..., help="两两比较矩阵 CSV：第一行和第一列为准则名称，值如 3、1/5、0.2 / pairwise matrix CSV"),
    method: Optional[Method] = typer.Option(
        None, "--method", help="权重方法：eigen 特征向量 / colnorm 列归一化行平均 / geomean 几何平均；"
        "默认取策略 scores.csi.method（001 §13 4.3.3.3 列归一化）/ default: the policy's method"),
    directory: Optional[Path] = typer.Option(None, "--dir", help=DIR_HELP + "（随机一致性指标 RI 与 CR 阈值）"),
    json_: bool = typer.Option(False, "--json", help="输出 JSON / print JSON"),
):
    """层次分析法：计算权重、λmax、CI、CR 及一致性 / AHP weights and consistency of a pairwise matrix."""
    with user_errors():
        policy = _policy(directory)
        chosen = method.value if method else policy["scores"]["csi"]["method"]
        names, m = read_matrix_csv(_read_text(matrix))
        r = policy_analyse(names, m, chosen, policy)
    if json_:
        print_json(r.to_dict())
        return
    t = RichTable(title=f"权重（{chosen}{'' if method else '，策略 scores.csi.method'}）")
    t.add_column("准则")
    t.add_column("权重", justify="right")
    for name, w in r.weights.items():
        t.add_row(name, f"{w:.4f}")
    console.print(t)
    verdict = "一致性可接受" if r.consistent else "一致性不可接受，请调整判断矩阵"
    limit = policy["scores"]["ahp"]["max_cr"]
    console.print(f"λmax = {r.lambda_max:.4f}，CI = {r.ci:.4f}，RI = {r.ri:.2f}，CR = {r.cr:.4f}（阈值 {limit}）：{verdict}")


def quote(
    travel: str = typer.Option("0", "--travel", help="交通费（元，实际发生）/ travel at cost"),
    days: str = typer.Option("0", "--days", help="出差天数（住宿、餐饮按天计）/ days away"),
    labour_days: str = typer.Option("0", "--labour-days", help="人工天数 / labour days"),
    materials: str = typer.Option("0", "--materials", help="材料费（元，按实际）/ materials at cost"),
    customer_lodging: bool = typer.Option(False, "--customer-lodging", help="顾客提供住宿 / lodging provided by the customer"),
    customer_meals: bool = typer.Option(False, "--customer-meals", help="顾客提供餐饮 / meals provided by the customer"),
    directory: Optional[Path] = typer.Option(None, "--dir", help=DIR_HELP + "（收费标准）"),
    json_: bool = typer.Option(False, "--json", help="输出 JSON / print JSON"),
):
    """有偿服务报价：成本 + 税费 + 管理费 / quote a paid service (002 表1《收费标准》)."""
    with user_errors():
        q = make_quote(_policy(directory), travel=travel, days=days, labour_days=labour_days, materials=materials,
                       lodging_by_customer=customer_lodging, meals_by_customer=customer_meals)
    if json_:
        print_json(q.to_dict())
        return
    t = RichTable(title="有偿服务报价单")
    for h, just in (("项目", "left"), ("计算", "left"), ("金额（元）", "right")):
        t.add_column(h, justify=just)
    for line in q.lines:
        t.add_row(line.name, line.basis, yuan_text(line.amount))
    console.print(t)
