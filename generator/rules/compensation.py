"""Loss apportionment (P9) and facility damage (P10) as entered in a register, as pure functions.

The arithmetic of each rule is in ``penalties`` (``apportion_by_ratio``,
``apportion_by_base_points``, ``facility_damage``); this module reads what a register row
says (过失类型, a text of names and ratios, the department's 部门基点合计) and chooses the rule:

- 个人过失: the one person bears the whole loss (004 Ⅷ 经济处罚准则 (二));
- 共同过失: split by responsibility ratio, e.g. ``张三 60%、李四 40%`` or ``张三:3、李四:2``;
- 部门过失: loss ÷ the department's 部门基点合计 × the person's 基点 (004 Ⅷ (三)3). When the
  departments sheet gives no 部门基点合计 the members' points are summed instead.

>>> from generator.config.policy import default_policy
>>> [(i.person, str(i.amount)) for i in apportion_loss("共同过失", "C1", 1000, default_policy(), persons="张三 60%、李四 40%")]
[('张三', '600.00'), ('李四', '400.00')]
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from generator.core.errors import UserError
from generator.core.money import non_negative, yuan
from generator.core.text import num_text, yuan_text
from generator.rules.penalties import (
    LedgerItem,
    apportion_by_base_points,
    apportion_by_ratio,
    facility_damage,
)

PERSONAL, SHARED, DEPARTMENT = "个人过失", "共同过失", "部门过失"
FAULT_KINDS = (PERSONAL, SHARED, DEPARTMENT)
_SPLIT = re.compile(r"[、，,；;/\n]+")
_PART = re.compile(r"^\s*(.+?)\s*[:：=]?\s*(\d+(?:\.\d+)?)\s*(%|％)?\s*$")


def parse_ratios(text: str) -> dict[str, Decimal]:
    """``张三 60%、李四 40%`` or ``张三:3、李四:2`` → {name: share as written}; a lone name → {name: 1}."""
    parts = [p for p in _SPLIT.split(str(text or "")) if p.strip()]
    if len(parts) == 1 and not _PART.match(parts[0]):
        return {parts[0].strip(): Decimal(1)}
    out: dict[str, Decimal] = {}
    for p in parts:
        m = _PART.match(p)
        if not m:
            raise UserError(f"无法识别责任比例「{p.strip()}」，应写成 张三 60%、李四 40%")
        try:
            out[m.group(1)] = Decimal(m.group(2))
        except InvalidOperation:
            raise UserError(f"无法识别责任比例「{p.strip()}」") from None
    if not out or sum(out.values()) <= 0:
        raise UserError(f"责任比例「{text}」之和应大于 0")
    return out


def apportion_department(case: str | None, loss, points_by_person: dict, dept_total, policy: dict) -> list[LedgerItem]:
    """P9 部门过失: loss ÷ 部门基点合计 × the person's 基点, each share rounded to the cent.

    With ``dept_total`` None the members' points are summed (``apportion_by_base_points``, whose
    cents add up to the loss). A total larger than the members' sum leaves the rest of the loss
    with the department, as the regulation's formula gives.
    """
    if dept_total is None:
        return apportion_by_base_points(case, loss, points_by_person, policy)
    total = non_negative(dept_total, "部门基点合计")
    if total <= 0:
        raise UserError("部门基点合计应大于 0")
    amount = yuan(loss, "损失金额")
    items: list[LedgerItem] = []
    for name, pts in points_by_person.items():
        pts = non_negative(pts, f"{name} 的基点数")
        text = f"投诉 {case} 损失 {yuan_text(amount)} 元 ÷ 部门基点合计 {num_text(total)} × 个人基点 {num_text(pts)}"
        share = yuan(amount / total * pts)
        if share > 0:
            items.append(LedgerItem("P9", str(name), None if case is None else str(case), share, text,
                                    "P9" in policy["penalties"]["monthly_cap"]["rules"]))
    return items


def apportion_loss(fault: str, case: str | None, loss, policy: dict, *, persons: str | None = None,
                   dept_points: dict | None = None, dept_total=None) -> list[LedgerItem]:
    """P9 by 过失类型: ``persons`` is the 责任人及比例 text; ``dept_points`` the department's
    members and their 基点 (部门过失), ``dept_total`` its 部门基点合计 (or None)."""
    if fault == PERSONAL:
        if not persons:
            raise UserError("个人过失须填写责任人")
        names = parse_ratios(persons)
        if len(names) != 1:
            raise UserError(f"个人过失只应填一位责任人：{persons}")
        return apportion_by_ratio(case, loss, names, policy)
    if fault == SHARED:
        if not persons:
            raise UserError("共同过失须填写责任人及比例，如 张三 60%、李四 40%")
        return apportion_by_ratio(case, loss, parse_ratios(persons), policy)
    if fault == DEPARTMENT:
        if not dept_points:
            raise UserError("部门过失须填写责任部门，且该部门人员须有基点")
        return apportion_department(case, loss, dept_points, dept_total, policy)
    raise UserError(f"未知的过失类型「{fault}」（可选：{'、'.join(FAULT_KINDS)}）")


def damage_share(person: str, case: str | None, damage, policy: dict, *, employee: bool = True,
                 intentional: bool = False) -> Decimal:
    """P10: what the responsible person pays for ``damage`` (0.00 when nothing)."""
    items = facility_damage(person, case, damage, policy, employee=employee, intentional=intentional)
    return items[0].amount if items else Decimal("0.00")


__all__ = ["FAULT_KINDS", "PERSONAL", "SHARED", "DEPARTMENT", "parse_ratios", "apportion_department",
           "apportion_loss", "damage_share"]
