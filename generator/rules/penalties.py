"""Penalties, deductions and compensation P1–P12 (RULES.md §5) as pure functions.

Every rule takes plain values plus the policy dict and returns ``LedgerItem`` records:
who pays, how much (Decimal yuan, 0.01 half-up), for which case, and a Chinese explanation
such as ``投诉 261009003 回复超期 3 个工作日 × 50 元``. Rules that settle an outlet's parts or
documents return a ``Settlement``; checks of entered amounts and approvals return
``Finding`` records. Nothing here reads a register: the caller computes inputs such as the
days late (from the deadlines module) and passes them in.

The monthly cap (P8) runs over the items of one month:

>>> from generator.config.policy import default_policy
>>> p = default_policy()
>>> items = late_complaint("张三", "261009003", 3, p)
>>> items[0].amount, items[0].explanation
(Decimal('150.00'), '投诉 261009003 回复超期 3 个工作日 × 50 元')
>>> r = apply_monthly_cap({"张三": items}, {"张三": 200}, {}, p)["张三"]
>>> r.deducted, r.carried_forward
(Decimal('100.00'), Decimal('50.00'))
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from generator.core.errors import UserError
from generator.core.findings import Finding
from generator.core.money import (
    allocate,
    band_text,
    match_bands,
    non_negative,
    rate,
    yuan,
)
from generator.core.periods import add_months, day_in_month, month_key, month_text
from generator.core.text import num_text, pct_text, yuan_text

PENALTY, SANCTION, COMPENSATION, OUTLET = "penalty", "sanction", "compensation", "outlet"
DAY_UNITS = {"working": "个工作日", "calendar": "天"}   # policy penalties.late_complaint.day_kind -> unit shown


@dataclass(frozen=True)
class LedgerItem:
    rule: str              # "P1" … "P12"
    person: str            # responsible person, or the service outlet for P4–P6
    case: str | None       # complaint 单号, order, batch or document number
    amount: Decimal        # yuan, >= 0
    explanation: str       # Chinese, shown in the ledger
    capped: bool = False   # counts against the P8 monthly cap
    kind: str = PENALTY    # penalty | sanction | compensation | outlet

    def to_dict(self) -> dict:
        d = asdict(self)
        d["amount"] = yuan_text(self.amount)
        return d


@dataclass(frozen=True)
class Settlement:
    """How much of an outlet's parts batch or settlement document is paid or written off."""
    rule: str
    party: str
    case: str | None
    submitted: Decimal     # value of the batch / documents
    rate: Decimal          # share accepted: 1, 0.9 or 0
    accepted: Decimal      # submitted × rate (written off / paid)
    withheld: Decimal      # submitted − accepted
    period: str | None     # YYYY-MM in which it is settled (None: not settled)
    explanation: str
    items: list[LedgerItem] = field(default_factory=list)  # the withheld amount, when > 0


@dataclass(frozen=True)
class Where:
    """Where an entered value sits, for findings (register id, sheet name, Excel row, column)."""
    register: str = "penalties"
    sheet: str = ""
    row: int | None = None
    column: str | None = None

    def finding(self, code: str, value=None, **fields) -> Finding:
        return Finding.of(code, self.register, self.sheet, self.row, self.column, value=value, **fields)


@dataclass(frozen=True)
class CapResult:
    """P8 for one person and one month. All amounts in yuan."""
    person: str
    bonus: Decimal            # the month's efficiency bonus
    limit: Decimal            # bonus × cap share
    carried_in: Decimal       # excess carried from earlier months
    assessed: Decimal         # capped items assessed this month
    deducted: Decimal         # deducted this month under the cap
    carried_forward: Decimal  # still owed, carried into next month
    uncapped: Decimal         # items outside the share (P7 sanctions, compensation) deducted: in full up to the bonus
    uncapped_assessed: Decimal = Decimal("0.00")   # those items as assessed (more than ``uncapped`` past the bonus)

    @property
    def total_deducted(self) -> Decimal:
        return self.deducted + self.uncapped

    def to_dict(self) -> dict:
        d = {k: (yuan_text(v) if isinstance(v, Decimal) else v) for k, v in asdict(self).items()}
        d["total_deducted"] = yuan_text(self.total_deducted)
        return d


# ---------------------------------------------------------------------------- helpers

def _pol(policy: dict, *path: str):
    node = policy
    for i, key in enumerate(path):
        if not isinstance(node, dict) or key not in node:
            raise UserError(f"策略文件缺少 {'.'.join(path[: i + 1])}")
        node = node[key]
    return node


def _item(policy, rule, person, case, amount, text, kind=PENALTY) -> list[LedgerItem]:
    amount = yuan(amount)
    if amount <= 0:
        return []
    # only personal economic penalties count against the P8 cap; compensation is paid in full
    capped = kind == PENALTY and rule in _pol(policy, "penalties", "monthly_cap", "rules")
    return [LedgerItem(rule, str(person), None if case is None else str(case), amount, text, capped, kind)]


def _count(n, what: str) -> int:
    if isinstance(n, bool) or int(n) != n or n < 0:
        raise UserError(f"{what}应为非负整数：{n!r}")
    return int(n)


def _choice(kind: str, options: dict, what: str):
    if kind not in options:
        raise UserError(f"未知的{what}：{kind!r}（可选：{'、'.join(options)}）")
    return options[kind]


def _date(d, what: str) -> dt.date:
    if isinstance(d, dt.datetime):
        return d.date()
    if isinstance(d, dt.date):
        return d
    raise UserError(f"{what}应为日期：{d!r}")


# ---------------------------------------------------------------------------- P1–P3

def late_complaint(person: str, case: str, days_late: int, policy: dict, label: str | None = None) -> list[LedgerItem]:
    """P1: complaint handling late, a fine per day of delay (001 §14 4.5 1)).

    ``days_late`` counts the days past the deadline named by
    ``penalties.late_complaint.deadline`` (or a deadline rule marked ``late_fine``, whose
    ``label`` names the step), in the policy's ``day_kind`` (working or calendar days); the
    deadlines module computes it.
    """
    cfg = _pol(policy, "penalties", "late_complaint")
    days = _count(days_late, "超期天数")
    unit = _choice(cfg["day_kind"], DAY_UNITS, "天数类型 day_kind")
    text = f"投诉 {case} {label or cfg['label']}超期 {days} {unit} × {num_text(cfg['per_day'])} 元"
    return _item(policy, "P1", person, case, days * rate(cfg["per_day"]), text)


_RECORD_FAULTS = {"falsified": "记录作假（抽查发现）", "hidden_or_refused": "隐瞒或拒绝受理"}


def complaint_record_fault(kind: str, person: str, case: str | None, policy: dict, count: int = 1) -> list[LedgerItem]:
    """P2: falsified complaint records, or a complaint hidden or refused, per instance (001 §14 4.5 3)–4))."""
    label = _choice(kind, _RECORD_FAULTS, "投诉记录违规类型")
    per = _pol(policy, "penalties", "complaint_records", kind)
    n = _count(count, "次数")
    subject = f"投诉 {case} " if case else "投诉"
    text = f"{subject}{label} {n} 次 × {num_text(per)} 元"
    return _item(policy, "P2", person, case, n * rate(per), text)


def policy_notice_fault(kind: str, person: str, case: str | None, policy: dict, caused_complaint: bool = False) -> list[LedgerItem]:
    """P3: a complaint from a customer's misunderstanding of policy (charged to the sales manager),
    or an unapproved notice to customers, higher when it caused a complaint (001 §14 4.2.3.1 ④⑤)."""
    cfg = _pol(policy, "penalties", "policy_notice")
    if kind == "misunderstanding":
        per, text = cfg["misunderstanding"], f"投诉 {case} 因客户不知晓或误解市场政策引起抱怨，责任销售经理"
    elif kind == "unapproved_notice":
        if caused_complaint:
            per, text = cfg["unapproved_notice_complaint"], f"未经审批向客户发文并引发投诉 {case}"
        else:
            per, text = cfg["unapproved_notice"], "未经审批向客户发文或传达非正式政策 1 人次"
    else:
        raise UserError(f"未知的发文违规类型：{kind!r}（可选：misunderstanding、unapproved_notice）")
    return _item(policy, "P3", person, case, per, f"{text} × {num_text(per)} 元")


def entered_fine(rule: str, person: str, case: str | None, amount, reason: str, policy: dict) -> list[LedgerItem]:
    """A fine entered with its amount in a register (罚款 rows of the sanctions sheet, e.g. P2, P3, P12).

    The amount is taken as entered; it counts against the P8 cap when its rule is listed in
    ``penalties.monthly_cap.rules``.
    """
    a = yuan(amount, "罚款金额")
    subject = f"{case} " if case else ""
    return _item(policy, str(rule), person, case, a, f"{subject}{reason}，罚款 {yuan_text(a)} 元")


# ---------------------------------------------------------------------------- P4–P6 service outlets

def no_fault_parts(outlet: str, case: str | None, count: int, policy: dict) -> list[LedgerItem]:
    """P4: returned parts found without the reported fault, a fine per part (001 §8 六 5)."""
    per = _pol(policy, "penalties", "outlet_parts", "no_fault_per_part")
    n = _count(count, "无故障旧件数量")
    text = f"旧件 {case} 无故障返回 {n} 个 × {num_text(per)} 元"
    return _item(policy, "P4", outlet, case, n * rate(per), text, OUTLET)


def parts_writeoff(outlet: str, case: str | None, value, replaced_month, sent_on: dt.date, policy: dict) -> Settlement:
    """P4: write-off of a batch of parts replaced in ``replaced_month`` and sent back on ``sent_on``.

    Sent by the 15th of the next month: written off in full; later in the next month: at 90%;
    after the next month's 31st (its last day): not written off (001 §8 六 注).
    """
    cfg = _pol(policy, "penalties", "outlet_parts")
    value = yuan(value, "旧件金额")
    sent = _date(sent_on, "发出日期")
    nxt = add_months(month_key(replaced_month), 1)
    full_by = day_in_month(nxt, int(cfg["full_writeoff_by_day"]))
    last = day_in_month(nxt, int(cfg["last_writeoff_day"]))
    head = f"旧件 {case}（{month_text(month_key(replaced_month))} 更换）于 {sent} 发出"
    if sent <= full_by:
        r, how = Decimal(1), f"未超过 {full_by}，全额核销"
    elif sent <= last:
        r, how = rate(cfg["late_writeoff_rate"]), f"超过 {full_by}，按 {pct_text(cfg['late_writeoff_rate'])} 核销"
    else:
        r, how = Decimal(0), f"超过 {last}，不予核销"
    return _settlement("P4", outlet, case, value, r, None, f"{head}，{how}", policy)


def fraudulent_writeoff(outlet: str, case: str | None, value, policy: dict) -> list[LedgerItem]:
    """P4: out-of-warranty or too-late parts passed off for write-off: a multiple of their supply value."""
    k = _pol(policy, "penalties", "outlet_parts", "fraud_multiple")
    v = yuan(value, "旧件供价总额")
    text = f"保外或逾期旧件 {case} 返回冒充核销，供价 {yuan_text(v)} 元 × {num_text(k)} 倍"
    return _item(policy, "P4", outlet, case, v * rate(k), text, OUTLET)


def outlet_fine(kind: str, outlet: str, case: str | None, amount, policy: dict) -> list[LedgerItem]:
    """P5: a fine on a service outlet as entered by the manager (check it with ``check_outlet_fine``)."""
    cfg = _choice(kind, _pol(policy, "penalties", "outlet_fines"), "网点罚款类型")
    a = yuan(amount, "罚款金额")
    text = f"{cfg['title']}（{case}），罚款 {yuan_text(a)} 元（规定 {num_text(cfg['min'])}–{num_text(cfg['max'])} 元）"
    return _item(policy, "P5", outlet, case, a, text, OUTLET)


def check_outlet_fine(kind: str, amount, policy: dict, where: Where = Where()) -> list[Finding]:
    """P5: an entered outlet fine must lie within the regulation's range (001 §9 六, 七)."""
    cfg = _choice(kind, _pol(policy, "penalties", "outlet_fines"), "网点罚款类型")
    a = yuan(amount, "罚款金额")
    if rate(cfg["min"]) <= a <= rate(cfg["max"]):
        return []
    return [where.finding("penalty.out_of_range", yuan_text(a), title=cfg["title"], low=num_text(cfg["min"]),
                          high=num_text(cfg["max"]), given=yuan_text(a))]


def settle_documents(outlet: str, case: str | None, amount, month, received_on: dt.date,
                     has_electronic: bool, policy: dict) -> Settlement:
    """P6: settlement documents of an outlet for settlement ``month`` (当月), received on ``received_on``.

    By the 15th: settled this month; later in the month: next month; after the month's 31st
    (its last day): 90%, in the next month (or the month received, if later); no electronic
    copy: not settled (001 §9 三 2).
    """
    cfg = _pol(policy, "penalties", "settlement")
    amount = yuan(amount, "结算金额")
    got = _date(received_on, "收到日期")
    ym = month_key(month)
    cut = day_in_month(ym, int(cfg["next_month_after_day"]))
    last = day_in_month(ym, int(cfg["late_after_day"]))
    head = f"结算单据 {case}（{month_text(ym)}）于 {got} 收到"
    if cfg["electronic_required"] and not has_electronic:
        return _settlement("P6", outlet, case, amount, Decimal(0), None, f"{head}，无电子文档，不予结算", policy)
    if got <= cut:
        return _settlement("P6", outlet, case, amount, Decimal(1), month_text(ym), f"{head}，当月结算", policy)
    nxt = add_months(ym, 1)
    if got <= last:
        text = f"{head}，超过 {cut}，转 {month_text(nxt)} 结算"
        return _settlement("P6", outlet, case, amount, Decimal(1), month_text(nxt), text, policy)
    period = max(nxt, (got.year, got.month))
    text = f"{head}，超过 {last}，按 {pct_text(cfg['late_rate'])} 于 {month_text(period)} 结算"
    return _settlement("P6", outlet, case, amount, rate(cfg["late_rate"]), month_text(period), text, policy)


def _settlement(rule, party, case, submitted, r, period, text, policy) -> Settlement:
    accepted = yuan(submitted * r)
    withheld = submitted - accepted
    items = _item(policy, rule, party, case, withheld, f"{text}：扣减 {yuan_text(withheld)} 元", OUTLET)
    return Settlement(rule, party, case, submitted, r, accepted, withheld, period if r > 0 else None, text, items)


# ---------------------------------------------------------------------------- P7 sanctions

def sanction(level: str, person: str, case: str | None, policy: dict, *, bases=None, bonus=None, amount=None) -> list[LedgerItem]:
    """P7: administrative sanction converted to a deduction (004 Ⅷ 行政罚扣折算).

    ``fixed``: the entered amount or the floor (警告 400); ``per_base``: the entered amount or
    floor × ``bases`` (小过 800 per base); ``whole_bonus``: the month's whole efficiency bonus
    (大过). Check an entered amount against its floor with ``check_sanction``.
    """
    cfg = _choice(level, _pol(policy, "penalties", "sanctions"), "行政处分等级")
    subject = f"投诉 {case} 行政处分：{level}" if case else f"行政处分：{level}"
    basis = cfg["basis"]
    if basis == "whole_bonus":
        if bonus is None:
            raise UserError(f"{person} 的{level}按当月效益奖金全额罚扣，需提供当月效益奖金")
        b = yuan(bonus, "当月效益奖金")
        return _item(policy, "P7", person, case, b, f"{subject}，当月效益奖金全额 {yuan_text(b)} 元", SANCTION)
    floor = _floor(level, cfg, bases)
    a = floor if amount is None else yuan(amount, "罚扣金额")
    if basis == "per_base":
        text = f"{subject}，{num_text(rate(bases))} 基数 × {num_text(cfg['amount'])} 元"
        if amount is not None:
            text = f"{subject}，罚扣 {yuan_text(a)} 元（{num_text(rate(bases))} 基数，每基数不低于 {num_text(cfg['amount'])} 元）"
    else:
        text = f"{subject}，罚扣 {yuan_text(a)} 元"
    return _item(policy, "P7", person, case, a, text, SANCTION)


def _floor(level: str, cfg: dict, bases) -> Decimal:
    if cfg["basis"] == "fixed":
        return yuan(cfg["amount"])
    if cfg["basis"] == "per_base":
        if bases is None:
            raise UserError(f"{level}按每基数罚扣，需提供基数")
        return yuan(rate(cfg["amount"]) * non_negative(bases, "基数"))
    raise UserError(f"penalties.sanctions.{level}.basis 应为 fixed、per_base 或 whole_bonus：{cfg['basis']!r}")


def check_sanction(level: str, amount, policy: dict, *, bases=None, where: Where = Where()) -> list[Finding]:
    """P7: an entered deduction below the sanction's floor (罚扣…元以上) is reported."""
    cfg = _choice(level, _pol(policy, "penalties", "sanctions"), "行政处分等级")
    if cfg["basis"] == "whole_bonus":
        return []
    floor, a = _floor(level, cfg, bases), yuan(amount, "罚扣金额")
    if a >= floor:
        return []
    return [where.finding("penalty.below_minimum", yuan_text(a), level=level, floor=yuan_text(floor), given=yuan_text(a))]


# ---------------------------------------------------------------------------- P8 monthly cap

def apply_monthly_cap(items_by_person: dict[str, list[LedgerItem]], bonus_by_person: dict, carried_in_by_person: dict,
                      policy: dict) -> dict[str, CapResult]:
    """P8: deduct at most ``share`` (50%) of the month's efficiency bonus; carry the rest forward.

    Items with ``capped`` set (rules listed in ``penalties.monthly_cap.rules``) plus the amount
    carried in are deducted up to the limit; the excess becomes ``carried_forward`` for the next
    month's call. Other items (sanctions, compensation) are not limited by the share.

    The reading of 004 Ⅷ followed here. 经济处罚准则 (三)4: "客户投诉罚扣最高金额以全月效率奖金50%为准，
    该月份超过50%以上者逐月分期罚扣" — the share limits the capped items and the excess is paid in
    later months. 行政罚扣折算 3: "大过以上者，当月效益奖金全额罚扣" — the heaviest sanction takes the
    whole bonus, so the whole bonus is the most any month can take. Hence: sanctions and
    compensation come first, in full but never beyond the bonus; the capped items and the
    carry-over then take what the share leaves, never more than what the bonus still holds;
    whatever is not deducted (of either kind) is carried forward and, in later months, counts
    as capped (逐月分期).
    """
    share = rate(_pol(policy, "penalties", "monthly_cap", "share"))
    people = sorted(set(items_by_person) | {p for p, v in carried_in_by_person.items() if yuan(v)})
    out: dict[str, CapResult] = {}
    for person in people:
        items = items_by_person.get(person, [])
        assessed = sum((i.amount for i in items if i.capped), Decimal("0.00"))
        uncapped = sum((i.amount for i in items if not i.capped), Decimal("0.00"))
        carried = yuan(carried_in_by_person.get(person, 0), f"{person} 的结转罚扣")
        due = assessed + carried
        if (due or uncapped) and person not in bonus_by_person:
            raise UserError(f"缺少 {person} 的当月效益奖金，无法按上限罚扣")
        bonus = yuan(bonus_by_person.get(person, 0), f"{person} 的当月效益奖金")
        limit = yuan(bonus * share)
        taken = min(uncapped, bonus)                   # sanctions first, never beyond the bonus
        deducted = min(due, limit, bonus - taken)
        out[person] = CapResult(person, bonus, limit, carried, assessed, deducted,
                                due - deducted + uncapped - taken, taken, uncapped)
    return out


# ---------------------------------------------------------------------------- P9 loss apportionment

def apportion_by_ratio(case: str | None, loss, ratios: dict[str, object], policy: dict) -> list[LedgerItem]:
    """P9: a personal fault bears the whole loss; a shared fault splits it by responsibility ratio.

    ``ratios`` maps each responsible person to a share (0.6/0.4, 60/40 or 3:2 all work); one
    person takes all. Cents are allocated so the parts add up to the loss (004 Ⅷ 行政处罚准则 (二)).
    """
    if not ratios:
        raise UserError(f"投诉 {case} 没有责任人，无法分摊损失")
    total = yuan(loss, "损失金额")
    names = list(ratios)
    parts = allocate(total, [ratios[n] for n in names])
    whole = sum(rate(ratios[n]) for n in names)
    items: list[LedgerItem] = []
    for name, part in zip(names, parts):
        share = rate(ratios[name]) / whole
        how = "个人过失，全额承担" if len(names) == 1 else f"责任比例 {pct_text(round(share, 4))}"
        items += _item(policy, "P9", name, case, part, f"投诉 {case} 损失 {yuan_text(total)} 元，{how}")
    return items


def apportion_by_base_points(case: str | None, loss, points_by_person: dict[str, object], policy: dict) -> list[LedgerItem]:
    """P9: a department-level fault: loss ÷ the department's total base points × the person's points.

    ``points_by_person`` lists every member of the responsible department with their base
    points; the total is their sum (004 Ⅷ 经济处罚准则 (三)3).
    """
    if not points_by_person:
        raise UserError(f"投诉 {case} 的责任部门没有人员基点数，无法分摊损失")
    total = yuan(loss, "损失金额")
    names = list(points_by_person)
    points = [non_negative(points_by_person[n], f"{n} 的基点数") for n in names]
    dept = sum(points)
    items: list[LedgerItem] = []
    for name, pts, part in zip(names, points, allocate(total, points)):
        text = f"投诉 {case} 损失 {yuan_text(total)} 元 ÷ 部门总基点 {num_text(dept)} × 个人基点 {num_text(pts)}"
        items += _item(policy, "P9", name, case, part, text)
    return items


# ---------------------------------------------------------------------------- P10 facility damage

def facility_damage(person: str, case: str | None, damage, policy: dict, *, employee: bool = True,
                    intentional: bool = False) -> list[LedgerItem]:
    """P10: the responsible person's share of facility damage (001 §5 三).

    ≤ 1000 yuan: 50%; > 1000: 40% (of the whole amount, as written); a non-employee or
    intentional damage: 100%.
    """
    cfg = _pol(policy, "penalties", "facility_damage")
    d = yuan(damage, "损坏金额")
    if intentional or not employee:
        share, why = rate(cfg["full_share"]), "故意损坏" if intentional else "非公司职工损坏"
    else:
        band = _one_band(d, cfg["bands"], "penalties.facility_damage.bands")
        share, why = rate(band["share"]), band_text(band, "损坏金额")
    text = f"设施损坏 {case}：损坏金额 {yuan_text(d)} 元 × {pct_text(share)}（{why}）"
    return _item(policy, "P10", person, case, d * share, text, COMPENSATION)


def _one_band(value, bands: list[dict], path: str) -> dict:
    hits = match_bands(value, bands)
    if not hits:
        raise UserError(f"{path} 没有覆盖 {value} 的档位")
    return hits[0]


# ---------------------------------------------------------------------------- P11 special approvals

def check_special_approvals(approvals: list[dict], policy: dict, register: str = "tickets", sheet: str = "") -> list[Finding]:
    """P11: special free-service approvals beyond a post's monthly count or per-approval amount.

    Each approval is a dict: ``approver``, ``post``, ``date`` (date), ``amount`` (yuan), and
    optionally ``case``, ``row`` (Excel row) and ``escalated`` (true when the 售后服务部经理 also
    signed, which lifts the limits). Approvals are counted per approver and calendar month in
    date order (001 §9 五).
    """
    limits = _pol(policy, "penalties", "approval_limits")
    top = _pol(policy, "penalties", "approval_escalation_post")
    findings: list[Finding] = []
    seen: dict[tuple, int] = {}
    for a in sorted(approvals, key=lambda a: (_date(a.get("date"), "特批日期"), a.get("row") or 0)):
        post, who, day = a.get("post"), a.get("approver"), _date(a.get("date"), "特批日期")
        if not (post and who):
            raise UserError(f"特批记录缺少审批人或岗位：{a!r}")
        where = Where(register, sheet, a.get("row"))
        label = f"{post} {who} {day} 的特批" + (f"（{a['case']}）" if a.get("case") else "")
        if post == top or a.get("escalated"):
            continue
        if post not in limits:
            findings.append(where.finding("approval.no_authority", post, label=label, post=post, top=top))
            continue
        key = (who, day.year, day.month)
        seen[key] = seen.get(key, 0) + 1
        lim = limits[post]
        if seen[key] > lim["per_month"]:
            findings.append(where.finding("approval.over_count", seen[key], label=label, n=seen[key], post=post,
                                          limit=lim["per_month"], top=top))
        amt = yuan(a["amount"], "特批金额")
        if amt > rate(lim["max_amount"]):
            findings.append(where.finding("approval.over_amount", yuan_text(amt), label=label, amount=yuan_text(amt),
                                          post=post, limit=num_text(lim["max_amount"]), top=top))
    return findings


# ---------------------------------------------------------------------------- P12 delivery

def undelivered_order(person: str, order: str, policy: dict, customer_caused: bool = False) -> list[LedgerItem]:
    """P12: goods invoiced today but not delivered today, a fine per order; none when the customer caused it (001 §10 二 4)."""
    if customer_caused:
        return []
    per = _pol(policy, "penalties", "delivery", "undelivered_per_order")
    return _item(policy, "P12", person, order, per, f"销售单 {order} 当日开单未送 × {num_text(per)} 元")


def delivery_loss(person: str, order: str, value, policy: dict) -> list[LedgerItem]:
    """P12: goods lost or damaged through the delivery person's own fault, paid at their value (001 §10 二 4)."""
    share = rate(_pol(policy, "penalties", "delivery", "loss_share"))
    v = yuan(value, "货品价值")
    text = f"销售单 {order} 货品因配送员个人原因丢失或损坏，按货品价值 {yuan_text(v)} 元 × {pct_text(share)} 赔偿"
    return _item(policy, "P12", person, order, v * share, text, COMPENSATION)


__all__ = [
    "DAY_UNITS", "LedgerItem", "Settlement", "Where", "CapResult",
    "late_complaint", "complaint_record_fault", "policy_notice_fault", "entered_fine",
    "no_fault_parts", "parts_writeoff", "fraudulent_writeoff", "outlet_fine", "check_outlet_fine",
    "settle_documents", "sanction", "check_sanction", "apply_monthly_cap",
    "apportion_by_ratio", "apportion_by_base_points", "facility_damage",
    "check_special_approvals", "undelivered_order", "delivery_loss",
]
