"""Checkers for ``aftersales check`` over the master sheets that assess people, and the P9/P10
ledger items the monthly penalty ledger takes from them.

- P9 (004 Ⅷ 经济处罚准则 (二), (三)3): 基础数据 › 损失分摊, one loss per row: 个人过失 → the
  person, 共同过失 → by the ratios written, 部门过失 → loss ÷ the department's 部门基点合计 ×
  each member's 基点 (人员 sheet). A row that cannot be apportioned is an error; a 部门基点合计
  that disagrees with the members' points is a warning.
- P10 (001 §5 三): 基础数据 › 设施损坏: the responsible person's share; an entered 赔偿金额
  that disagrees is an error.
- P11 (001 §9 五): 基础数据 › 特批记录, every month (``penalties`` reports the month asked for).
- S5/S10 (001 §4 五 3, 八 4, 十 注): 基础数据 › 奖惩记录 counted per person and calendar year:
  two 黄牌 or one 红牌 → no year-end appraisal; three 记大过 → dismissal; three 记过 or two
  记大过 → no profit share. (Failed KPI quarters are counted by ``scores`` for a year.)
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

from generator.core.errors import UserError
from generator.core.findings import Finding
from generator.core.periods import month_key
from generator.core.text import num_text, yuan_text
from generator.rules.compensation import DEPARTMENT, apportion_loss, damage_share
from generator.rules.penalties import check_special_approvals, facility_damage

MASTER = "master"
NO = "否"
YES = "是"


def _table(registers: dict, sheet: str):
    reg = registers.get(MASTER)
    return reg.tables.get(sheet) if reg else None


def _staff(registers: dict) -> dict:
    t = _table(registers, "staff")
    out: dict = {}
    for r in (t.records if t else []):
        out.setdefault(r.values.get("name"), r.values)
    return out


def _departments(registers: dict) -> dict:
    """Department name -> its row (a row giving 部门基点合计 wins over a repeated one without)."""
    t = _table(registers, "departments")
    out: dict = {}
    for r in (t.records if t else []):
        name = r.values.get("name")
        if name not in out or (out[name].get("base_points") is None and r.values.get("base_points") is not None):
            out[name] = r.values
    return out


# ---------------------------------------------------------------------------- P9

def loss_items(registers: dict, policy: dict, row_values: dict):
    """The P9 items of one 损失分摊 row and any warning about the department's points (as a
    (code, fields) pair). Raises UserError when the row cannot be apportioned."""
    v = row_values
    dept_points = dept_total = None
    note = None
    if v.get("fault") == DEPARTMENT:
        dept = v.get("dept")
        if not dept:
            raise UserError("部门过失未填责任部门")
        members = {n: s.get("base_points") for n, s in _staff(registers).items()
                   if s.get("dept") == dept and s.get("base_points")}
        dept_points = members
        dept_total = _departments(registers).get(dept, {}).get("base_points")
        summed = sum(members.values(), Decimal(0))
        if dept_total is not None and members and dept_total != summed:
            note = {"dept": dept, "total": num_text(dept_total), "members": num_text(summed)}
    items = apportion_loss(v.get("fault"), v.get("case_no"), v.get("loss"), policy, persons=v.get("persons"),
                           dept_points=dept_points, dept_total=dept_total)
    return items, note


def check_losses(ctx) -> list[Finding]:
    t = _table(ctx.registers, "losses")
    out: list[Finding] = []
    for r in (t.records if t else []):
        if r.values.get("loss") is None or r.values.get("fault") is None:
            continue   # field.required says so
        try:
            _, note = loss_items(ctx.registers, ctx.policy, r.values)
        except UserError as e:
            out.append(Finding.of("loss.unreadable", MASTER, t.spec.name, r.row, t.spec.column("persons").header,
                                  value=r.values.get("persons"), reason=e.message))
            continue
        if note:
            out.append(Finding.of("loss.base_points", MASTER, t.spec.name, r.row, t.spec.column("dept").header,
                                  value=note["dept"], **note))
    return out


# ---------------------------------------------------------------------------- P10

def _damage_flags(v: dict) -> dict:
    return {"employee": v.get("employee") != NO, "intentional": v.get("intentional") == YES}


def check_damages(ctx) -> list[Finding]:
    t = _table(ctx.registers, "damages")
    out: list[Finding] = []
    for r in (t.records if t else []):
        v = r.values
        if v.get("damage") is None:
            continue
        try:
            right = damage_share(v.get("person"), v.get("case_no"), v["damage"], ctx.policy, **_damage_flags(v))
            items = facility_damage(v.get("person"), v.get("case_no"), v["damage"], ctx.policy, **_damage_flags(v))
        except UserError as e:
            out.append(Finding.of("damage.unreadable", MASTER, t.spec.name, r.row, t.spec.column("damage").header,
                                  value=str(v["damage"]), reason=e.message))
            continue
        if v.get("paid") is not None and v["paid"] != right:
            header = t.spec.column("paid").header
            out.append(Finding.of("damage.mismatch", MASTER, t.spec.name, r.row, header, value=yuan_text(v["paid"]),
                                  header=header, given=yuan_text(v["paid"]), right=yuan_text(right),
                                  explanation=items[0].explanation if items else "无需赔偿"))
    return out


def compensation_items(registers: dict, policy: dict, ym) -> list[tuple]:
    """(LedgerItem, source, problem) for the penalty ledger of month ``ym``: P9 shares and P10
    compensation of staff (a non-employee's compensation is not a payroll deduction)."""
    out: list[tuple] = []
    for key, make in (("losses", _loss_month_items), ("damages", _damage_month_items)):
        t = _table(registers, key)
        for r in (t.records if t else []):
            d = r.values.get("date")
            if not isinstance(d, dt.date) or month_key(d) != tuple(ym):
                continue
            source = {"register": MASTER, "sheet": t.spec.name, "row": r.row}
            try:
                out += [(i, source, None) for i in make(registers, policy, r.values)]
            except UserError:
                continue   # check reports the row (loss.unreadable / damage.unreadable)
    return out


def _loss_month_items(registers, policy, v) -> list:
    if v.get("loss") is None or v.get("fault") is None:
        return []
    return loss_items(registers, policy, v)[0]


def _damage_month_items(registers, policy, v) -> list:
    if v.get("damage") is None or v.get("employee") == NO or not v.get("person"):
        return []
    return facility_damage(v["person"], v.get("case_no"), v["damage"], policy, **_damage_flags(v))


def compensation_dates(registers: dict) -> list[dt.date]:
    """Dates of the P9/P10 rows (the ledger replays from the first month holding anything)."""
    return [r.values["date"] for key in ("losses", "damages") for r in (getattr(_table(registers, key), "records", None) or [])
            if isinstance(r.values.get("date"), dt.date)]


# ---------------------------------------------------------------------------- P11

def check_approvals(ctx) -> list[Finding]:
    """P11 over every month of 特批记录 (the same check ``penalties`` runs for one month)."""
    t = _table(ctx.registers, "approvals")
    rows = [r for r in (t.records if t else []) if isinstance(r.values.get("date"), dt.date)
            and r.values.get("approver") and r.values.get("post") and r.values.get("amount") is not None]
    if not rows:
        return []
    approvals = [{"approver": r.values["approver"], "post": r.values["post"], "date": r.values["date"],
                  "amount": r.values["amount"], "case": r.values.get("case_no"), "row": r.row} for r in rows]
    try:
        return check_special_approvals(approvals, ctx.policy, MASTER, t.spec.name)
    except UserError as e:
        return [Finding.of("approval.unreadable", MASTER, t.spec.name, reason=e.message)]


# ---------------------------------------------------------------------------- S5 / S10 cards

def card_counts(registers: dict, until: dt.date | None = None) -> dict[tuple[str, int], Counter]:
    """(person, year) -> Counter of 奖惩记录 kinds dated up to ``until``."""
    t = _table(registers, "cards")
    out: dict = defaultdict(Counter)
    for r in (t.records if t else []):
        d, person, kind = r.values.get("date"), r.values.get("person"), r.values.get("kind")
        if isinstance(d, dt.date) and person and kind and (until is None or d <= until):
            out[(str(person), d.year)][kind] += 1
    return out


def card_findings(registers: dict, policy: dict, failed_quarters: dict | None = None,
                  until: dt.date | None = None, years=None) -> list[Finding]:
    """S5/S10 per person and year from the cards (and ``failed_quarters`` {(person, year): n} when known)."""
    kpi, app = policy["scores"]["kpi"], policy["scores"]["appraisal"]
    t = _table(registers, "cards")
    sheet = t.spec.name if t else "奖惩记录"
    counts = card_counts(registers, until)
    keys = set(counts) | set(failed_quarters or {})
    out: list[Finding] = []
    for person, year in sorted(keys, key=lambda k: (k[1], k[0])):
        if years is not None and year not in years:
            continue
        c, failed = counts.get((person, year), Counter()), (failed_quarters or {}).get((person, year), 0)
        reasons = [f"{label} {n} {unit}" for n, limit, label, unit in (
            (failed, kpi["failed_quarters_cancel"], "季度考核不合格", "个季度"),
            (c["黄牌"], kpi["yellow_cards_cancel"], "黄牌", "张"),
            (c["红牌"], kpi["red_cards_cancel"], "红牌", "张")) if n >= limit]
        if reasons:
            out.append(Finding.of("appraisal.excluded", MASTER, sheet, None, None, value=person, person=person,
                                  year=year, reasons="、".join(reasons)))
        if c["记大过"] >= app["dismissal_major_demerits"]:
            out.append(Finding.of("appraisal.dismissal", MASTER, sheet, None, None, value=person, person=person,
                                  year=year, n=c["记大过"], limit=app["dismissal_major_demerits"]))
        bar = [f"{label} {n} 次" for n, limit, label in (
            (c["记过"], app["no_profit_share_demerits"], "记过"),
            (c["记大过"], app["no_profit_share_major_demerits"], "记大过")) if n >= limit]
        if bar:
            out.append(Finding.of("appraisal.no_profit_share", MASTER, sheet, None, None, value=person, person=person,
                                  year=year, reasons="、".join(bar)))
    return out


def check_cards(ctx) -> list[Finding]:
    return card_findings(ctx.registers, ctx.policy, until=ctx.today)


PEOPLE_CHECKERS = (check_losses, check_damages, check_approvals, check_cards)

__all__ = ["loss_items", "check_losses", "check_damages", "compensation_items", "compensation_dates",
           "check_approvals", "card_counts", "card_findings", "check_cards", "PEOPLE_CHECKERS"]
