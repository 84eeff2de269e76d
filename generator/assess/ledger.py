"""The monthly penalty ledger (罚扣台账) read from the registers: P1, P7, entered fines, P8, P9, P10, P11.

``penalty_ledger(registers, policy, month, calendar, previous=None)`` returns a plain dict;
every amount comes from the pure functions in ``penalties``.

What month M assesses:

- P1 (001 §14 4.5 1)): the deadline rule named by ``penalties.late_complaint.deadline`` runs
  on every register row the specs bind it to (complaints: 受理日期 → 回复日期; the fined
  person is the binding's person column, 责任人). Each day of delay is fined in the month it
  falls in: a case answered late in M is fined for its late days inside M, and a case still
  open past due at the end of M is fined for its late days inside M, the later months fining
  the rest. Summed over the months the days are the whole delay, never counted twice.
  Working or calendar days as ``day_kind`` says.
- The 行政处分 sheet, rows dated in M: a level listed in ``penalties.sanctions`` (警告, 小过,
  大过) is a P7 sanction (小过 per base = the person's 基点; 大过 = the month's whole bonus;
  an entered amount below the floor is reported); a 罚款 row is a fine at its entered amount
  under the rule in 条款 (P2, P3, P12; P9 or P10 amounts may be entered the same way).
- P8: capped items plus the amount carried in are deducted up to the cap share of the
  person's 月度效率奖金 (人员 sheet); the rest is carried forward. Without a known bonus
  nothing capped is deducted (all of it is carried) and an error says so.
- P11: ``check_special_approvals`` on the 特批记录 rows dated in M.

Carry-over into M: ``previous`` is an earlier month's ledger (a result of this function or
``read_ledger`` of a saved ``罚扣台账-YYYY-MM.xlsx``); the months after it are replayed from the
registers. Without one, every month from the first month with a record is replayed from zero.

- P9 and P10: the 损失分摊 and 设施损坏 rows dated in M (``people_checks.compensation_items``):
  loss shares count against the cap, facility-damage compensation of staff does not.

P4–P6 concern service outlets, not staff: ``check`` reports them from 旧件返回 and 结算单据.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import openpyxl

from generator.assess.checks import RunContext
from generator.assess.clocks import register_clocks
from generator.assess.people_checks import compensation_dates, compensation_items
from generator.core.errors import UserError
from generator.core.findings import ERROR, Finding
from generator.core.money import yuan
from generator.core.periods import (
    add_months,
    as_date,
    checked_month,
    month_bounds,
    month_key,
    month_text,
    months_between,
)
from generator.core.text import pct_text, yuan_text
from generator.registers.safewrite import save_workbook
from generator.rules.deadlines import get_rule, is_late
from generator.rules.penalties import (
    DAY_UNITS,
    Where,
    apply_monthly_cap,
    check_sanction,
    check_special_approvals,
    entered_fine,
    late_complaint,
    sanction,
)

LEDGER_PREFIX = "罚扣台账-"
SUMMARY_SHEET, ITEMS_SHEET, NOTES_SHEET = "罚扣汇总", "罚扣明细", "提示"
TOTAL_LABEL = "合计"                      # a totals row a manager may add to 罚扣汇总 (not a person)
FINE_KIND = "罚款"                       # 处分类型 of a fine entered with its amount
RULE_RE = re.compile(r"P\d{1,2}", re.ASCII)
MONEY_FORMAT = "#,##0.00"
ZERO = Decimal("0.00")

# 罚扣汇总 columns: (header, result key, is money). ``read_ledger`` reads 姓名 and 结转下月 back.
SUMMARY_COLUMNS = (
    ("月份", "month", False), ("姓名", "person", False), ("部门", "dept", False), ("岗位", "post", False),
    ("月度效率奖金", "bonus", True), ("罚扣上限", "limit", True), ("上月结转", "carried_in", True),
    ("本月应罚扣（计入上限）", "assessed", True), ("本月扣款（上限内）", "deducted", True),
    ("结转下月", "carried_forward", True), ("不计上限罚扣", "uncapped", True), ("本月实扣合计", "total_deducted", True),
)


# ---------------------------------------------------------------------------- the book

@dataclass
class _Month:
    caps: dict                     # person -> CapResult
    items: dict                    # person -> [(LedgerItem, source dict)]
    findings: list[Finding]


class _Book:
    """Everything the ledger needs from the registers, read once for a run of months."""

    def __init__(self, registers: dict, policy: dict, calendar, until: dt.date):
        self.policy, self.calendar = policy, calendar
        self.cfg = _late_cfg(policy)
        master = registers.get("master")
        self.staff_table = master.tables.get("staff") if master else None
        self.staff = {}
        for r in (self.staff_table.records if self.staff_table else []):
            self.staff.setdefault(r.values.get("name"), r.values)
        self.registers = registers
        self.sanctions = master.tables.get("sanctions") if master else None
        self.approvals = master.tables.get("approvals") if master else None
        rule = get_rule(policy, self.cfg["deadline"])
        ctx = RunContext(registers=registers, policy=policy, today=until, _calendar=calendar)
        self.clocks, self.calendar_findings = register_clocks(ctx, {rule.id: rule})

    # -- which months hold anything
    def first_month(self) -> tuple[int, int] | None:
        days = [c.due.date() for c in self.clocks] + [r.values["date"] for r in self._rows(self.sanctions)]
        days += compensation_dates(self.registers)
        return month_key(min(days)) if days else None

    @staticmethod
    def _rows(table, ym=None) -> list:
        if table is None:
            return []
        return [r for r in table.records if isinstance(r.values.get("date"), dt.date)
                and (ym is None or month_key(r.values["date"]) == ym)]

    def order(self, person: str) -> tuple:
        names = list(self.staff)
        return (0, names.index(person), "") if person in self.staff else (1, 0, person)

    # -- one month
    def month(self, ym: tuple[int, int], carried_in: dict) -> _Month:
        items: dict[str, list] = {}
        findings = list(self.calendar_findings)
        found = self._late_items(ym) + self._sanction_items(ym) + compensation_items(self.registers, self.policy, ym)
        for item, source, problem in found:
            if problem is not None:
                findings.append(problem)
            if item is not None:
                items.setdefault(item.person, []).append((item, source))
        findings += self._approval_findings(ym)
        bonus = {}
        for person in set(items) | set(carried_in):
            b = self.staff.get(person, {}).get("bonus")
            bonus[person] = ZERO if b is None else b
        caps = apply_monthly_cap({p: [i for i, _ in v] for p, v in items.items()}, bonus, carried_in, self.policy)
        for person, cap in caps.items():
            if self.staff.get(person, {}).get("bonus") is None and cap.carried_forward:
                findings.append(self._no_bonus(person, cap.carried_forward))
        return _Month(caps, items, findings)

    def _no_bonus(self, person: str, carried: Decimal) -> Finding:
        sheet = self.staff_table.spec.name if self.staff_table else "人员"
        where = "未填月度效率奖金" if person in self.staff else "不在基础数据“人员”表中"
        return Finding.of("penalty.no_bonus", "master", sheet, None, "月度效率奖金", value=person,
                          person=person, why=where, carried=yuan_text(carried))

    # -- P1
    def _days(self, a: dt.date, b: dt.date) -> int:
        """Late days d with a < d <= b, counted as the policy's day_kind says."""
        if b <= a:
            return 0
        if self.cfg["day_kind"] == "working":
            return self.calendar.working_days_between(a, b)
        return (b - a).days

    def _late_items(self, ym) -> list[tuple]:
        first, last = month_bounds(ym)
        before_month = first - dt.timedelta(days=1)
        out = []
        for c in self.clocks:
            if c.stop is not None and not is_late(c.rule, c.due, c.stop):
                continue
            due, end = c.due.date(), as_date(c.stop)
            source = {"register": c.register, "sheet": c.sheet.name, "row": c.record.row}
            try:   # late days are those after the due day, up to the reply (or for ever while open)
                days = self._days(max(due, before_month), last if end is None else min(end, last))
                if days <= 0:
                    continue
                before = self._days(due, before_month if end is None else min(end, before_month))
            except UserError as e:
                out.append((None, source, Finding.of("penalty.calendar", c.register, c.sheet.name, c.record.row,
                                                     c.stop_header, case=c.case_no, reason=e.message)))
                continue
            person = c.value(c.binding.person)
            if person in (None, ""):
                header = c.sheet.column(c.binding.person).header if c.binding.person else "责任人"
                out.append((None, source, Finding.of(
                    "penalty.no_person", c.register, c.sheet.name, c.record.row, header, variant="late",
                    case=c.case_no, rule_title=c.rule.title, days=days, unit=DAY_UNITS[self.cfg["day_kind"]],
                    header=header)))
                continue
            item = late_complaint(str(person).strip(), c.case_no, days, self.policy)[0]
            out.append((replace(item, explanation=item.explanation + self._late_note(due, end, last, days, before)),
                        source, None))
        return out

    def _late_note(self, due: dt.date, end, last: dt.date, days: int, before: int) -> str:
        """Why this month's days: the due day, the reply (or still open), and days fined earlier."""
        label, unit = self.cfg["label"], DAY_UNITS[self.cfg["day_kind"]]
        closed = end is not None and end <= last
        text = f"应于 {due} 前{label}，" + (f"实际 {end} {label}" if closed else f"截至 {last} 仍未{label}，逐月计罚")
        if before:
            text += (f"；共超期 {before + days} {unit}，" if closed else "；") + f"此前月份已计 {before} {unit}"
        return f"（{text}）"

    # -- P7 and entered fines
    def _sanction_items(self, ym) -> list[tuple]:
        out = []
        levels = self.policy.get("penalties", {}).get("sanctions", {})
        for r in self._rows(self.sanctions, ym):
            v = r.values
            sheet = self.sanctions.spec
            source = {"register": "master", "sheet": sheet.name, "row": r.row}
            where = Where("master", sheet.name, r.row, sheet.column("amount").header)
            person, kind, case = str(v.get("person") or "").strip(), v.get("kind"), v.get("case_no")
            rule, reason = str(v.get("rule") or "").strip().upper(), v.get("reason") or ""
            staff = self.staff.get(person, {})
            try:
                if not person:
                    col = sheet.column("person").header
                    out.append((None, source, Where("master", sheet.name, r.row, col).finding(
                        "penalty.no_person", header=col)))
                elif kind in levels:
                    bases, amount = staff.get("base_points"), v.get("amount")
                    items = sanction(kind, person, case, self.policy, bases=bases, bonus=staff.get("bonus"), amount=amount)
                    why = f"{rule}：{reason}" if rule else reason
                    for i in items:
                        out.append((replace(i, explanation=f"{i.explanation}（{why}）"), source, None))
                    if amount is not None:
                        out += [(None, source, f) for f in check_sanction(kind, amount, self.policy, bases=bases, where=where)]
                elif kind == FINE_KIND:
                    if not RULE_RE.fullmatch(rule):
                        col = sheet.column("rule").header
                        out.append((None, source, Where("master", sheet.name, r.row, col).finding(
                            "penalty.fine_rule", rule, header=col, given=rule)))
                    elif v.get("amount") is None:
                        out.append((None, source, where.finding("penalty.fine_amount")))
                    else:
                        out += [(i, source, None) for i in entered_fine(rule, person, case, v["amount"], reason, self.policy)]
                else:   # e.g. a level the company removed from its policy
                    col = sheet.column("kind").header
                    known = "、".join([*levels, FINE_KIND])
                    out.append((None, source, Where("master", sheet.name, r.row, col).finding(
                        "penalty.sanction_kind", kind, kind=kind, known=known)))
            except UserError as e:
                out.append((None, source, where.finding("penalty.sanction", person=person, kind=kind, reason=e.message)))
        return out

    # -- P11
    def _approval_findings(self, ym) -> list[Finding]:
        rows = self._rows(self.approvals, ym)
        if not rows:
            return []
        approvals = [{"approver": r.values.get("approver"), "post": r.values.get("post"), "date": r.values["date"],
                      "amount": r.values.get("amount"), "case": r.values.get("case_no"), "row": r.row} for r in rows]
        try:
            return check_special_approvals(approvals, self.policy, "master", self.approvals.spec.name)
        except UserError as e:
            return [Finding.of("approval.unreadable", "master", self.approvals.spec.name, reason=e.message)]


def _late_cfg(policy: dict) -> dict:
    try:
        cfg = policy["penalties"]["late_complaint"]
    except KeyError:
        raise UserError("策略文件缺少 penalties.late_complaint") from None
    if cfg.get("day_kind") not in DAY_UNITS:
        raise UserError(f"penalties.late_complaint.day_kind 应为 {'、'.join(DAY_UNITS)}：{cfg.get('day_kind')!r}")
    return cfg


# ---------------------------------------------------------------------------- public API

def chain_ledgers(registers: dict, policy: dict, months, calendar, previous: dict | None = None) -> list[dict]:
    """The ledgers of consecutive ``months``, each carrying the one before into the next (P8's
    capped excess moves on); the first continues ``previous`` or replays the registers."""
    out = []
    for month in months:
        previous = penalty_ledger(registers, policy, month, calendar, previous)
        out.append(previous)
    return out


def carried_forward(ledger: dict) -> dict[str, Decimal]:
    """person -> amount carried out of a ledger (a ``penalty_ledger`` result or ``read_ledger``)."""
    return {p["person"]: yuan(p["carried_forward"]) for p in ledger.get("people", []) if p.get("carried_forward")}


def penalty_ledger(registers: dict, policy: dict, month, calendar, previous: dict | None = None) -> dict:
    """The ledger of ``month`` (``'2026-03'``): per person the items, the P8 cap and the carry-over.

    Returns ``{"month", "cap_share", "carry_basis": {"previous_month", "replayed"}, "people":
    [{"person", "dept", "post", "bonus", "limit", "carried_in", "assessed", "deducted",
    "carried_forward", "uncapped", "total_deducted", "items": [{"rule", "case", "amount",
    "explanation", "capped", "kind", "source": {"register", "sheet", "row"}}]}], "totals",
    "findings": [Finding.to_dict()]}``. Money is Decimal (0.01); ``bonus`` is None when unknown.
    """
    ym = checked_month(month)
    book = _Book(registers, policy, calendar, month_bounds(ym)[1])
    if previous is not None:
        prev = month_key(previous["month"])
        if prev >= ym:
            raise UserError(f"上期罚扣台账的月份 {month_text(prev)} 应早于 {month_text(ym)}")
        start, carry = add_months(prev, 1), carried_forward(previous)
    else:
        start, carry = book.first_month() or ym, {}
    replayed = months_between(start, add_months(ym, -1))
    for m in replayed:
        carry = {p: c.carried_forward for p, c in book.month(m, carry).caps.items() if c.carried_forward}
    result = book.month(ym, carry)
    people = [_person(book, result, person) for person in sorted(result.caps, key=book.order)]
    totals = {k: sum((p[k] for p in people), ZERO)
              for k in ("carried_in", "assessed", "deducted", "carried_forward", "uncapped", "total_deducted")}
    return {
        "month": month_text(ym),
        "cap_share": policy["penalties"]["monthly_cap"]["share"],
        "carry_basis": {"previous_month": None if previous is None else month_text(month_key(previous["month"])),
                        "replayed": [month_text(m) for m in replayed]},
        "people": people,
        "totals": totals,
        "findings": [f.to_dict() for f in _unique(result.findings)],
    }


def _person(book: _Book, result: _Month, person: str) -> dict:
    cap, staff = result.caps[person], book.staff.get(person, {})
    d = {"person": person, "dept": staff.get("dept"), "post": staff.get("post"), "bonus": staff.get("bonus")}
    d.update({k: getattr(cap, k) for k in ("limit", "carried_in", "assessed", "deducted", "carried_forward", "uncapped")})
    d["total_deducted"] = cap.total_deducted
    d["items"] = [{"rule": i.rule, "case": i.case, "amount": i.amount, "explanation": i.explanation,
                   "capped": i.capped, "kind": i.kind, "source": src} for i, src in result.items.get(person, [])]
    return d


def _unique(findings: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for f in findings:
        if f not in seen:
            seen.add(f)
            out.append(f)
    return out


# ---------------------------------------------------------------------------- ledger files

def ledger_path(directory, month) -> Path:
    """Where a month's ledger is kept beside the registers: ``DIR/罚扣台账-2026-03.xlsx``."""
    return Path(directory) / f"{LEDGER_PREFIX}{month_text(month_key(month))}.xlsx"


def previous_ledger(directory, month) -> Path | None:
    """The latest saved ledger of a month before ``month`` in the folder, if any."""
    ym, best = month_key(month), None
    for p in Path(directory).glob(f"{LEDGER_PREFIX}*.xlsx"):
        m = re.fullmatch(re.escape(LEDGER_PREFIX) + r"(\d{4})-(\d{2})\.xlsx", p.name)
        if m and (int(m[1]), int(m[2])) < ym and (best is None or (int(m[1]), int(m[2])) > best[0]):
            best = ((int(m[1]), int(m[2])), p)
    return None if best is None else best[1]


def read_ledger(path) -> dict:
    """``{"month", "file", "people": [{"person", "carried_forward"}]}`` from a saved ledger's 罚扣汇总.

    The 结转下月 column is authoritative: a manager may have edited it (e.g. a waiver).
    """

    path = Path(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:
        raise UserError(f"{path}：无法打开罚扣台账（{e}）") from None
    try:
        if SUMMARY_SHEET not in wb.sheetnames:
            raise UserError(f"{path}：缺少工作表「{SUMMARY_SHEET}」")
        rows = list(wb[SUMMARY_SHEET].iter_rows(values_only=True))
    finally:
        wb.close()
    head = {str(h).strip(): i for i, h in enumerate(rows[0] if rows else ()) if h is not None}
    need = [h for h, k, _ in SUMMARY_COLUMNS if k in ("month", "person", "carried_forward")]
    if any(h not in head for h in need):
        raise UserError(f"{path} 工作表「{SUMMARY_SHEET}」第 1 行应有列 {'、'.join(need)}")
    month_col, person_col, carry_col = (head[h] for h in need)
    named = re.search(r"(\d{4}-\d{2})\.xlsx$", path.name)
    months, people = set(), []
    for i, row in enumerate(rows[1:], start=2):
        person = row[person_col] if person_col < len(row) else None
        if person in (None, "") or str(person).strip() == TOTAL_LABEL:
            continue
        months.add(month_text(month_key(row[month_col])))
        value = row[carry_col] if carry_col < len(row) else None
        people.append({"person": str(person).strip(), "carried_forward": ZERO if value in (None, "") else
                       yuan(value, f"{path.name} 第 {i} 行的结转下月")})
    if len(months) > 1 or (named and months and months != {named[1]}):
        raise UserError(f"{path}：「月份」列 {'、'.join(sorted(months))} 与文件名不符")
    month = named[1] if named else (months.pop() if months else None)
    if month is None:
        raise UserError(f"{path}：无法确定台账月份（文件名应如 {LEDGER_PREFIX}2026-03.xlsx）")
    return {"month": month, "file": str(path), "people": people}


def table_sheet(wb, title: str, columns: list[tuple], rows: list[list]):
    """A plain table sheet: bold frozen header, widths, number formats per column.

    ``columns`` holds ``(header, width, number_format or None)``.
    """
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    ws.append([c[0] for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in rows:
        ws.append([_cell(v) for v in row])
    for j, (_, width, fmt) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.number_format = fmt
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = ws.dimensions
    return ws


def _cell(v):
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, (list, tuple)):
        return "；".join(map(str, v))
    return v


FINDING_COLUMNS = [("台账", 10, None), ("工作表", 12, None), ("行", 6, None), ("列", 14, None),
                   ("代码", 22, None), ("级别", 6, None), ("说明", 80, None)]


def finding_rows(findings: list[dict]) -> list[list]:
    return [[f["register"], f["sheet"], f["row"], f["column"], f["code"],
             "错误" if f["severity"] == ERROR else "警告", f["message"]] for f in findings]


def write_ledger_xlsx(result: dict, path) -> Path | None:
    """Write a ledger (``penalty_ledger``'s result) as 罚扣汇总 / 罚扣明细 / 提示; returns the backup made."""
    from openpyxl import Workbook


    wb = Workbook()
    wb.remove(wb.active)
    share = pct_text(result["cap_share"])
    summary = [(f"罚扣上限（奖金×{share}）" if k == "limit" else h, 16 if money else 10 + 4 * (k == "dept"),
                MONEY_FORMAT if money else None) for h, k, money in SUMMARY_COLUMNS]
    table_sheet(wb, SUMMARY_SHEET, summary,
                [[result["month"] if k == "month" else p[k] for _, k, _ in SUMMARY_COLUMNS] for p in result["people"]])
    items = [[result["month"], p["person"], i["rule"], i["case"], i["amount"], i["capped"], i["explanation"],
              f"{i['source']['sheet']} 第 {i['source']['row']} 行"] for p in result["people"] for i in p["items"]]
    table_sheet(wb, ITEMS_SHEET, [("月份", 9, None), ("姓名", 10, None), ("条款", 6, None), ("编号", 12, None),
                                  ("金额", 12, MONEY_FORMAT), ("计入上限", 8, None), ("说明", 70, None),
                                  ("来源", 18, None)], items)
    table_sheet(wb, NOTES_SHEET, FINDING_COLUMNS, finding_rows(result["findings"]))
    return save_workbook(wb, Path(path))


__all__ = [
    "LEDGER_PREFIX", "penalty_ledger", "carried_forward", "ledger_path", "previous_ledger", "read_ledger",
    "write_ledger_xlsx", "table_sheet",
]
