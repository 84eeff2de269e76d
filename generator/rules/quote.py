"""Paid-service quotes (F1) and the 三包 remedy (F2), from ``policy['fees']``.

A quote adds the cost lines (travel and materials at cost, lodging and meals per day away,
labour per labour day), charges tax on them, and adds the management share on the total
with tax (002 §4.4.3 表1, §4.5.3.1):

>>> from generator.config.policy import default_policy
>>> q = quote(default_policy(), travel=300, days=2, labour_days=2, materials=1000)
>>> q.cost, q.tax, q.total
(Decimal('2100.00'), Decimal('315.00'), Decimal('3381.00'))
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from generator.core.money import band_text, match_bands, non_negative, rate, yuan
from generator.core.text import num_text, pct_text, yuan_text


@dataclass(frozen=True)
class QuoteLine:
    key: str        # travel, lodging, meals, labour, materials, cost, tax, management, total
    name: str       # 交通费 …
    basis: str      # how it was computed, e.g. '150 元/天 × 2 天'
    amount: Decimal


@dataclass(frozen=True)
class Quote:
    lines: list[QuoteLine]

    def _get(self, key: str) -> Decimal:
        return next(l.amount for l in self.lines if l.key == key)

    @property
    def cost(self) -> Decimal:
        return self._get("cost")

    @property
    def tax(self) -> Decimal:
        return self._get("tax")

    @property
    def management(self) -> Decimal:
        return self._get("management")

    @property
    def total(self) -> Decimal:
        return self._get("total")

    def to_dict(self) -> dict:
        return {
            "lines": [{"key": l.key, "name": l.name, "basis": l.basis, "amount": yuan_text(l.amount)} for l in self.lines],
            "cost": yuan_text(self.cost), "tax": yuan_text(self.tax),
            "management": yuan_text(self.management), "total": yuan_text(self.total),
        }


def quote(policy: dict, *, travel=0, days=0, labour_days=0, materials=0,
          lodging_by_customer: bool = False, meals_by_customer: bool = False) -> Quote:
    """F1: the quote for a paid service. ``days`` away from base, ``labour_days`` of work.

    Lodging or meals the customer provides (表1 备注 也可顾客提供) are quoted at 0.
    """
    fees = policy["fees"]
    d = non_negative(days, "出差天数")
    ld = non_negative(labour_days, "人工天数")

    def per_day(key, n, unit, by_customer):
        if by_customer:
            return "顾客提供", Decimal("0.00")
        return f"{num_text(fees[key])} 元/天 × {num_text(n)} {unit}", yuan(rate(fees[key]) * n)

    cost_lines = [
        QuoteLine("travel", "交通费", "实际发生", yuan(non_negative(travel, "交通费"))),
        QuoteLine("lodging", "住宿费", *per_day("lodging_per_day", d, "天", lodging_by_customer)),
        QuoteLine("meals", "餐饮费", *per_day("meals_per_day", d, "天", meals_by_customer)),
        QuoteLine("labour", "人工费", *per_day("labour_per_day", ld, "人工日", False)),
        QuoteLine("materials", "材料费", "按实际计算", yuan(non_negative(materials, "材料费"))),
    ]
    cost = sum((l.amount for l in cost_lines), Decimal("0.00"))
    tax = yuan(cost * rate(fees["tax_rate"]))
    management = yuan((cost + tax) * rate(fees["management_rate"]))
    return Quote(cost_lines + [
        QuoteLine("cost", "成本合计", "以上各项之和", cost),
        QuoteLine("tax", "税费", f"成本 × {pct_text(fees['tax_rate'])}", tax),
        QuoteLine("management", "管理费", f"成本与税费之和 × {pct_text(fees['management_rate'])}", management),
        QuoteLine("total", "报价", "成本 + 税费 + 管理费", cost + tax + management),
    ])


@dataclass(frozen=True)
class Remedy:
    remedy: str | None   # 无理由退货 / 退货 / 换货 / 免费维修 / 收费维修 / 不予退换; None: undefined
    defined: bool
    note: str


def sanbao_remedy(days_since_purchase: int, resaleable: bool, is_quality_fault: bool, policy: dict) -> Remedy:
    """F2: what the 三包 rules give a customer ``days_since_purchase`` days after buying (004 Ⅸ).

    A quality fault follows the day bands (退货 ≤ 15, 换货 16–29, 免费维修 31–89, 收费维修 > 90);
    without one, a resaleable item may still be returned within 7 days. A day count the
    articles leave out (exactly 30 or 90) is reported as undefined, not guessed.
    """
    cfg = policy["fees"]["sanbao"]
    days = non_negative(days_since_purchase, "购买天数")
    repair_note = f"；维修须在 {cfg['repair_within_days']} 天内完成（第十六条）"
    if is_quality_fault:
        hits = match_bands(days, cfg["quality_bands"])
        if not hits:
            covered = "、".join(band_text(b, "天数") for b in cfg["quality_bands"])
            return Remedy(None, False, f"购买后第 {num_text(days)} 天出现质量问题：制度（004 Ⅸ 第七–十条）未规定该天数的处理（各条为 {covered}），请人工判定")
        remedy = hits[0]["remedy"]
        note = f"质量问题，购买后第 {num_text(days)} 天（{band_text(hits[0], '天数')}）：{remedy}"
        return Remedy(remedy, True, note + (repair_note if "维修" in remedy else ""))
    if resaleable and days <= rate(cfg["no_reason_days"]):
        return Remedy("无理由退货", True, f"不影响再次销售，购买后 {num_text(days)} 天 ≤ {cfg['no_reason_days']} 天：可无理由退货（第六条）")
    return Remedy("不予退换", True, "非质量问题且不符合无理由退货条件：恕不退换（第十一–十四条），维修按收费服务（第五条）")

