"""The context of one form: the plain dict a template is filled with.

Built from the form spec (``forms/<id>.toml``) and the registers: the record's columns by key,
lookups, child lines (padded, paged, paired), marks (☑/☐), tallies and fee lines, or a
month's statistics, or an overdue case's clocks; on top of the ``doc_*`` control block.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from itertools import zip_longest

from generator.config.form_specs import Child, FormSpec
from generator.core.money import yuan
from generator.core.text import percent, value_text
from generator.documents.control import basis, control_block, is_uncontrolled
from generator.documents.subjects import FormData, Subject, child_records, matches
from generator.rules.masking import mask, scrub
from generator.rules.quote import quote

CHECKED, UNCHECKED = "☑", "☐"
BLANK_TALLY = "＿＿＿"


def _row(values: dict, sheet, masked: bool) -> dict:
    row = {}
    for col in sheet.columns:
        text = value_text(values.get(col.key), col.type)
        row[col.key] = mask(text, col.type) if masked and col.personal else text
    return row



def _blank(sheet, extra=("no", "amount", "balance")) -> dict:
    return {**{c.key: "" for c in sheet.columns}, **{k: "" for k in extra}}


def _lines(form: FormSpec, child: Child, rec, data: FormData, masked: bool) -> tuple[list[dict], list]:
    """Formatted lines of a child (padded) and the typed line values (for tallies)."""
    sheet = form.child_sheet(child)
    recs = child_records(form, child, rec, data)
    typed, lines = [], []
    remaining = _remaining(form, child, rec, data, recs) if child.remaining else None
    for i, r in enumerate(recs):
        values = dict(r.values)
        line = _row(values, sheet, masked)
        line["no"] = str(child.number_from + i)
        if child.amount:
            a, b = (values.get(k) for k in child.amount)
            values["amount"] = yuan(Decimal(a) * Decimal(b)) if a is not None and b is not None else None
        line["amount"] = value_text(values.get("amount"), "money")
        line["balance"] = value_text(remaining[i]) if remaining else ""
        typed.append(values)
        lines.append(line)
    lines += [_blank(sheet) for _ in range(child.min_rows - len(lines))]
    return lines, typed


def _remaining(form: FormSpec, child: Child, rec, data: FormData, recs: list) -> list:
    """Balance after each returned line: quantity applied for minus quantity returned so far."""
    spec = child.remaining
    match, qty = tuple(spec["match"]), spec["qty"]
    applied = defaultdict(int)
    for item in data.group(child.register or form.register, spec["of"], child.key).get(
            value_text(rec.values.get(child.on or form.number_column)), []):
        applied[tuple(value_text(item.values.get(k)) for k in match)] += item.values.get(qty) or 0
    returned = defaultdict(int)
    out = []
    for r in recs:
        key = tuple(value_text(r.values.get(k)) for k in match)
        returned[key] += r.values.get(qty) or 0
        out.append(applied[key] - returned[key] if key in applied else None)
    return out


def _pages(lines: list[dict], sheet, per_page: int, groups: int) -> list[list[dict]]:
    """Sign-in pages: per_page rows, each row holding `groups` numbered lines (l, r)."""
    size = per_page * groups
    count = max(1, -(-len(lines) // size)) * size
    numbered = [dict(line) for line in lines] + [_blank(sheet) for _ in range(count - len(lines))]
    for i, line in enumerate(numbered):
        line["no"] = str(i + 1)
    pages = []
    for p in range(0, count, size):
        chunk = numbered[p:p + size]
        cols = [chunk[g * per_page:(g + 1) * per_page] for g in range(groups)]
        pages.append([dict(zip("lr", row)) for row in zip(*cols)])
    return pages


def _marks(values: list[str], chosen: str) -> list[str]:
    return [CHECKED if v == chosen else UNCHECKED for v in values]


def _mark_line(values: list[str], chosen: str) -> str:
    """The whole scale on one line, as the register spec lists it: ☑好　☐不好."""
    return "　".join(f"{m}{v}" for m, v in zip(_marks(values, chosen), values))


def _distinct(lines: list[dict], keys: tuple[str, ...]) -> list[dict]:
    """Each distinct non-blank combination of ``keys`` once, in order (e.g. every shipment)."""
    seen, out = set(), []
    for line in lines:
        k = tuple(line.get(key, "") for key in keys)
        if any(k) and k not in seen:
            seen.add(k)
            out.append(dict(zip(keys, k)))
    return out


def _pair_rows(form: FormSpec, pair, ctx: dict) -> list[dict]:
    """Two child lists side by side, padded with the shorter list's blank line."""
    blanks = [_blank(form.child_sheet(form.child(name))) for name in (pair.left, pair.right)]
    return [{"l": a or blanks[0], "r": b or blanks[1]} for a, b in zip_longest(ctx[pair.left], ctx[pair.right])]


def record_context(form: FormSpec, subject: Subject, data: FormData, masked: bool) -> dict:
    """One record's form: its columns, lookups, child lines (paged, paired), marks, tallies, fees."""
    rec = subject.record
    ctx = _row(rec.values, form.sheet_spec(), masked)
    for lk in form.lookups:
        sheet = form.child_sheet(lk)
        found = data.group(lk.register or form.register, lk.sheet, lk.key).get(value_text(rec.values.get(lk.on)))
        row = _row(found[0].values, sheet, masked) if found else _blank(sheet, ())
        ctx.update({lk.prefix + k: v for k, v in row.items()})
    typed = {}
    for child in form.children:
        lines, typed[child.name] = _lines(form, child, rec, data, masked)
        ctx[child.name] = lines
        if child.page_rows:
            ctx[child.name + "_pages"] = _pages(lines, form.child_sheet(child), child.page_rows, child.groups)
        if child.distinct:
            ctx[child.name + "_distinct"] = _distinct(lines, child.distinct)
    for pair in form.pairs:
        ctx[pair.name] = _pair_rows(form, pair, ctx)
    columns = form.columns()
    for m in form.marks:
        values, chosen = list(m.values or columns[m.field].choices), value_text(rec.values.get(m.field))
        ctx[f"{m.field}_marks"] = _marks(values, chosen)
        ctx[f"{m.field}_line"] = _mark_line(values, chosen)
    for t in form.tallies:
        lines = [v for v in typed[t.child] if matches(v, t.where)]
        if not typed[t.child]:      # nothing listed: a blank to fill by hand, not "0"
            ctx[t.name] = BLANK_TALLY
        else:
            ctx[t.name] = value_text(sum((v.get(t.sum) or 0 for v in lines), Decimal(0)), "money") if t.sum else len(lines)
    if form.fees:
        ctx.update(fee_context(form, rec.values, data.policy))
    ctx["doc_seq"] = str(data.position(form.register, form.sheet, rec))
    return ctx


def known_names(form: FormSpec, subject: Subject, data: FormData) -> set[str]:
    """People a masked copy hides inside free text: the record's, its lines' and lookups' personal
    text columns, and the personal name columns of the master lists (staff, customer contacts)."""
    names = set()

    def add(values: dict, sheet):
        for col in sheet.columns:
            if col.personal and col.type not in ("phone",):
                names.add(value_text(values.get(col.key)))

    if subject.record is not None:
        add(subject.record.values, form.sheet_spec())
        for child in form.children:
            for r in child_records(form, child, subject.record, data):
                add(r.values, form.child_sheet(child))
    for r in subject.data.get("records", ()):
        add(r.values, form.sheet_spec())
    master = data.registers.get("master")
    if master is not None:
        for table in master.tables.values():
            for r in table.records:
                add(r.values, table.spec)
    return {n for n in names if n}


def period_context(form: FormSpec, subject: Subject, data: FormData, masked: bool) -> dict:
    """客户投诉案件统计表: a month's closed cases by responsible unit × class, with shares."""
    sheet = form.sheet_spec()
    group_key, across_key = form.period["group"], form.period["across"]
    across = list(sheet.column(across_key).choices)
    recs = subject.data["records"]
    table = defaultdict(lambda: [0] * len(across))
    for r in recs:
        unit = value_text(r.values.get(group_key)) or "（未判定）"
        cls = value_text(r.values.get(across_key))
        if cls in across:
            table[unit][across.index(cls)] += 1
    total = len(recs)
    groups = [{"group": unit, "counts": [str(c) for c in counts], "total": str(sum(counts)),
               "ratio": percent(sum(counts), total)} for unit, counts in sorted(table.items())]
    col_sums = [sum(c[i] for c in table.values()) for i in range(len(across))]
    y, m = subject.number.split("-")
    return {
        "period": subject.number, "period_label": f"{int(y)}年{int(m)}月", "across": across,
        "groups": groups, "case_count": str(total),
        "totals": {"counts": [str(c) for c in col_sums], "total": str(sum(col_sums)), "ratio": percent(total, total)},
        "cases": [_row(r.values, sheet, masked) for r in sorted(
            recs, key=lambda r: (r.values.get(form.period["date"]), r.row))],
    }


def overdue_context(form: FormSpec, subject: Subject, data: FormData, masked: bool) -> dict:
    """催办单: one overdue case and every clock it has run past (deadlines.overdue_cases)."""
    d = subject.data
    reg = data.registers[d["register"]]
    items = [{"no": str(i + 1), "rule": c["rule"], "rule_title": c["rule_title"],
              "source": basis(form, data.policy, c["source"] or ""),
              "start": value_text(c["start"]), "due": value_text(c["due"]), "days_overdue": str(c["days_overdue"]),
              "calendar_days_overdue": str(c["calendar_days_overdue"])} for i, c in enumerate(d["items"])]
    customer = ""
    first = d["items"][0]
    for t in reg.tables.values():
        if t.spec.name == first["sheet"]:
            rec = next((r for r in t.records if r.row == first["row"]), None)
            customer = value_text(rec.values.get("customer")) if rec else ""
    return {"case_no": subject.number, "register_title": reg.spec.title, "dept": d["dept"] or "",
            "person": d["person"] or "", "customer": customer, "items": items,
            "max_days": str(max(c["days_overdue"] for c in d["items"]))}


LATE_ITEM_KEYS = ("no", "rule", "rule_title", "source", "start", "due", "stop", "lateness")


def late_context(form: FormSpec, subject: Subject, data: FormData, masked: bool) -> dict:
    """洽办单: one case closed late and every clock it ran past (late_cases.late_cases)."""
    d = subject.data
    reg = data.registers[d["register"]]
    items = [dict(zip(LATE_ITEM_KEYS, (str(i), c["rule"], c["rule_title"], basis(form, data.policy, c["source"] or ""),
                                       value_text(c["start"]),
                                       value_text(c["due"]), value_text(c["stop"]), c["lateness"])))
             for i, c in enumerate(d["items"], 1)]
    rec = next((r for t in reg.tables.values() if t.spec.name == d["sheet"] for r in t.records if r.row == d["row"]), None)
    return {"case_no": subject.number, "register_title": reg.spec.title, "dept": d["dept"] or "",
            "person": d["person"] or "", "customer": value_text(rec.values.get("customer")) if rec else "",
            "items": items}


FEE_LINE_KEYS = ("no", "item", "basis", "amount", "note")


def fee_context(form: FormSpec, values: dict, policy: dict) -> dict:
    """有偿服务报价单 fee lines (RULES.md F1) from the ticket's cost columns and ``quote.quote``."""
    cols = form.fees
    q = quote(policy, **{k: values.get(cols[k]) or 0 for k in ("travel", "days", "labour_days", "materials")})
    costs = [ln for ln in q.lines if ln.key not in ("cost", "tax", "management", "total")]
    charged = values.get(cols["charged"]) if "charged" in cols else None
    cited = basis(form, policy, "002 §4.4.3; 002 §4.5.3.1")
    note = f"报价依据：{cited}（收费标准；维修报价 = 维修成本 + 管理费）。" if cited else ""
    if charged is not None:
        note += f"台账登记收费金额 {value_text(charged, 'money')} 元。"
    lines = {ln.key: ln for ln in q.lines}
    return {
        "fee_lines": [dict(zip(FEE_LINE_KEYS, (str(i), ln.name, ln.basis, value_text(ln.amount, "money"), "")))
                      for i, ln in enumerate(costs, 1)],
        "fee_subtotal": value_text(q.cost, "money"), "fee_tax": value_text(q.tax, "money"),
        "fee_management": value_text(q.management, "money"), "fee_total": value_text(q.total, "money"), "fee_note": note,
        "fee_tax_basis": lines["tax"].basis, "fee_management_basis": lines["management"].basis,
    }


BUILDERS = {"record": record_context, "period": period_context, "overdue": overdue_context,
            "closed_late": late_context}


def build_context(form: FormSpec, subject: Subject, data: FormData, control: dict) -> dict:
    """The whole context of one form: control block, then the form's own names."""
    masked = is_uncontrolled(control) and data.policy.get("records", {}).get("mask_phone", False)
    ctx = dict(control)
    ctx.update(BUILDERS[form.kind](form, subject, data, masked))
    if masked:     # names and phone numbers inside free text too (001 客户保密管理办法)
        own = {k: ctx[k] for k in control}
        ctx = {**scrub(ctx, known_names(form, subject, data)), **own}
    return ctx


def blank_context(form: FormSpec, policy: dict) -> dict:
    """A context with every name the spec provides and one blank line per list (for linting)."""
    ctx = control_block(form, policy)
    for name in form.names():
        ctx.setdefault(name, "")
    for child in form.children:
        sheet = form.child_sheet(child)
        ctx[child.name] = [_blank(sheet)]
        if child.page_rows:
            ctx[child.name + "_pages"] = [[{"l": _blank(sheet), "r": _blank(sheet)}]]
    for p in form.pairs:
        ctx[p.name] = [{"l": ctx[p.left][0], "r": ctx[p.right][0]}]
    for m in form.marks:
        ctx[f"{m.field}_marks"] = [UNCHECKED] * len(m.values or form.columns()[m.field].choices)
        ctx[f"{m.field}_line"] = ""
    for child in form.children:
        if child.distinct:
            ctx[child.name + "_distinct"] = [{k: "" for k in child.distinct}]
    if form.kind == "period":
        n = len(form.sheet_spec().column(form.period["across"]).choices)
        counts = {"counts": [""] * n, "total": "", "ratio": ""}
        ctx.update(across=[""] * n, groups=[{"group": "", **counts}], totals=counts,
                   cases=[_blank(form.sheet_spec(), ())])
    if form.kind == "overdue":
        ctx["items"] = [{k: "" for k in ("no", "rule", "rule_title", "source", "start", "due", "days_overdue",
                                         "calendar_days_overdue")}]
    if form.kind == "closed_late":
        ctx["items"] = [{k: "" for k in LATE_ITEM_KEYS}]
    if form.fees:
        ctx["fee_lines"] = [{k: "" for k in FEE_LINE_KEYS}]
        ctx.update(fee_tax_basis="", fee_management_basis="")
    return ctx


