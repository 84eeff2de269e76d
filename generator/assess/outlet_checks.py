"""Checkers for ``aftersales check`` over the service-outlet sheets and the tickets' 三包 columns.

- P4 (001 §8 六): 售后工单 › 旧件返回, one batch per row: a fine per part returned without a
  fault, the write-off rate by the day the batch was sent (full by the 15th of the month after
  the replacement month, 90% to its last day, nothing later), ten times the supply value for
  parts passed off; an entered 核销金额 is compared with the rule.
- P6 (001 §9 三 2): 售后工单 › 结算单据: documents received after the 15th are settled next
  month, after the month's last day at 90%, without an electronic copy not at all; an entered
  实际结算月份 / 实际结算金额 is compared with the rule.
- F2 (004 Ⅸ, or 001 九 4 三 1 by policy): tickets with 购机日期 and 质量问题 filled: the remedy
  by days since purchase against 三包处理, and repairs within a week.

A sheet or column a company does not keep gives no finding. Each finding's message ends with
the rule id.
"""
from __future__ import annotations

from generator.core.errors import UserError
from generator.core.findings import Finding
from generator.core.periods import month_key, month_text
from generator.core.text import num_text, value_text, yuan_text
from generator.rules.penalties import (
    Where,
    check_outlet_fine,
    fraudulent_writeoff,
    no_fault_parts,
    parts_writeoff,
    settle_documents,
)
from generator.rules.sanbao import YES, check_ticket

TICKETS = "tickets"


def _table(ctx, register: str, sheet: str):
    reg = ctx.registers.get(register)
    return reg.tables.get(sheet) if reg else None


def _at(table, code: str, row, column_key: str | None, value=None, **fields) -> Finding:
    header = table.spec.column(column_key).header if column_key else None
    return Finding.of(code, TICKETS, table.spec.name, row, header, value=value, **fields)


def _unreadable(table, row, key: str, value, e: UserError) -> Finding:
    header = table.spec.column(key).header
    return _at(table, "field.type", row, key, value_text(value), header=header, shown=value_text(value),
               reason=f"无法识别：{e.message}")


def _month(value) -> tuple[int, int]:
    try:
        return month_key(value)
    except (UserError, ValueError, TypeError, AttributeError):
        raise UserError(f"月份「{value_text(value)}」应写成 2026-03") from None


def check_returned_parts(ctx) -> list[Finding]:
    """P4 over 旧件返回."""
    t = _table(ctx, TICKETS, "returned_parts")
    out: list[Finding] = []
    for r in (t.records if t else []):
        v = r.values
        batch, outlet = v.get("batch_no"), v.get("outlet")
        if v.get("sent") is None or v.get("value") is None or v.get("replaced_month") is None:
            continue   # field.required says so
        try:
            s = parts_writeoff(outlet, batch, v["value"], _month(v["replaced_month"]), v["sent"], ctx.policy)
        except UserError as e:
            out.append(_unreadable(t, r.row, "replaced_month", v["replaced_month"], e))
            continue
        if s.withheld:
            out.append(_at(t, "parts.writeoff", r.row, "sent", value_text(v["sent"]), explanation=s.explanation,
                           accepted=yuan_text(s.accepted), withheld=yuan_text(s.withheld)))
        if v.get("written_off") is not None and v["written_off"] != s.accepted:
            col = "written_off"
            out.append(_at(t, "parts.mismatch", r.row, col, yuan_text(v[col]), header=t.spec.column(col).header,
                           given=yuan_text(v[col]), right=yuan_text(s.accepted), explanation=s.explanation))
        if v.get("no_fault"):
            items = no_fault_parts(outlet, batch, v["no_fault"], ctx.policy)
            per = ctx.policy["penalties"]["outlet_parts"]["no_fault_per_part"]
            out.append(_at(t, "parts.no_fault", r.row, "no_fault", v["no_fault"], batch=batch, n=v["no_fault"],
                           outlet=outlet, amount=yuan_text(items[0].amount), per=num_text(per)))
        if v.get("passed_off") == YES:
            items = fraudulent_writeoff(outlet, batch, v["value"], ctx.policy)
            k = ctx.policy["penalties"]["outlet_parts"]["fraud_multiple"]
            out.append(_at(t, "parts.fraud", r.row, "passed_off", YES, batch=batch, outlet=outlet,
                           amount=yuan_text(items[0].amount) if items else "0.00", k=num_text(k)))
    return out


def check_settlements(ctx) -> list[Finding]:
    """P6 over 结算单据."""
    t = _table(ctx, TICKETS, "settlements")
    out: list[Finding] = []
    for r in (t.records if t else []):
        v = r.values
        if v.get("received") is None or v.get("amount") is None or v.get("month") is None:
            continue
        try:
            s = settle_documents(v.get("outlet"), v.get("doc_no"), v["amount"], _month(v["month"]), v["received"],
                                 v.get("electronic") != "无", ctx.policy)
        except UserError as e:
            out.append(_unreadable(t, r.row, "month", v["month"], e))
            continue
        if s.withheld or s.period != month_text(_month(v["month"])):
            out.append(_at(t, "settlement.adjusted", r.row, "received", value_text(v["received"]),
                           explanation=s.explanation))
        entered = v.get("settled_month")
        if entered is not None:
            right = s.period or "不予结算"
            try:
                given = month_text(_month(entered))
            except UserError:
                given = value_text(entered)
            if given != right:
                col = "settled_month"
                out.append(_at(t, "settlement.mismatch", r.row, col, value_text(entered), header=t.spec.column(col).header,
                               given=value_text(entered), right=right, explanation=s.explanation))
        if v.get("paid") is not None and v["paid"] != s.accepted:
            col = "paid"
            out.append(_at(t, "settlement.mismatch", r.row, col, yuan_text(v[col]), header=t.spec.column(col).header,
                           given=f"{yuan_text(v[col])} 元", right=f"{yuan_text(s.accepted)} 元", explanation=s.explanation))
    return out


def check_sanbao(ctx) -> list[Finding]:
    """F2 over the tickets that say whether the fault is a quality fault and when the product was bought."""
    t = _table(ctx, TICKETS, "tickets")
    out: list[Finding] = []
    days_limit = ctx.policy["fees"]["sanbao"]["repair_within_days"]
    for r in (t.records if t else []):
        v = r.values
        if v.get("purchased") is None or v.get("received") is None or v.get("quality_fault") is None:
            continue
        case = value_text(v.get("ticket_no")) or f"第 {r.row} 行"
        try:
            c = check_ticket(v["purchased"], v["received"], v["quality_fault"] == YES, v.get("resaleable") == YES,
                             v.get("sanbao_remedy"), v.get("completed"), ctx.today, ctx.policy)
        except UserError as e:
            out.append(_at(t, "sanbao.undefined", r.row, "purchased", value_text(v["purchased"]), case=case,
                           note=e.message))
            continue
        if not c.remedy.defined:
            out.append(_at(t, "sanbao.undefined", r.row, "purchased", value_text(v["purchased"]), case=case,
                           note=c.remedy.note))
        elif c.mismatch:
            out.append(_at(t, "sanbao.remedy", r.row, "sanbao_remedy", v["sanbao_remedy"], case=case,
                           note=c.remedy.note, given=v["sanbao_remedy"]))
        if c.repair_late:
            done = v.get("completed")
            state = f"实际 {value_text(done)} 完成" if done is not None else f"截至 {ctx.today} 仍未完成"
            out.append(_at(t, "sanbao.repair_late", r.row, "completed", value_text(done), case=case,
                           days=days_limit, due=value_text(c.repair_due), state=state))
    return out


def check_outlet_fines(ctx) -> list[Finding]:
    """P5 over 网点罚款: each entered fine within the range its 事由 allows (001 §9 六, 七)."""
    t = _table(ctx, TICKETS, "outlet_fines")
    fines = ctx.policy.get("penalties", {}).get("outlet_fines", {})
    by_title = {cfg.get("title"): key for key, cfg in fines.items()}
    out: list[Finding] = []
    for r in (t.records if t else []):
        v = r.values
        if v.get("kind") is None or v.get("amount") is None:
            continue
        where = Where(TICKETS, t.spec.name, r.row, t.spec.column("amount").header)
        try:
            out += check_outlet_fine(by_title.get(v["kind"], v["kind"]), v["amount"], ctx.policy, where)
        except UserError as e:
            out.append(_unreadable(t, r.row, "kind", v["kind"], e))
    return out


OUTLET_CHECKERS = (check_returned_parts, check_settlements, check_sanbao, check_outlet_fines)

__all__ = ["check_outlet_fines", "check_returned_parts", "check_settlements", "check_sanbao", "OUTLET_CHECKERS"]
