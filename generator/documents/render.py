"""Fill the Word templates: one plain context dict per form, rendered with docxtpl.

The context is built from the form spec (``forms/<id>.toml``) and the registers: the
record's columns by key, lookups, child lines, marks (☑/☐), tallies, and the ``doc_*``
document-control block from the policy. Cell text is data, never template code: the Jinja
environment is sandboxed and autoescaping, every printed value goes through ``xml_text``
(XML-escaped, braces as character references, control characters shown as ␀…␟), and an
unknown name in a template fails loudly (StrictUndefined) instead of printing nothing.

Rendering keeps docxtpl's template dialect ({%tr %}, {%p %}, …) but compiles each template
part once per process and writes the result straight into a reproducible zip
(``docx_repro``); ``render_docxtpl`` is the plain ``DocxTemplate.render`` path it must match.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import zip_longest
from pathlib import Path

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree
from markupsafe import Markup, escape

from generator.config.form_specs import Child, FormSpec, load_forms
from generator.core.errors import UserError
from generator.core.money import num_text, yuan
from generator.documents.docx_repro import docx_bytes, read_parts, write_atomic

PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"   # an installed wheel
REPO_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"          # a clone
CHECKED, UNCHECKED = "☑", "☐"
CONTROLLED, UNCONTROLLED, SUPERSEDED = "受控", "非受控", "作废"
NUMERALS = "一二三四五六七八九十"
_REV = re.compile(rb"<dc:identifier>aftersales:([\w-]+):r(\d+)</dc:identifier>")
_CONTROL = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f]")


# ---------------------------------------------------------------------------
# Safe text and the sandboxed environment

def _control_picture(m: re.Match) -> str:
    c = ord(m.group())
    return "\u2421" if c == 0x7F else chr(0x2400 + c)   # ␀…␟, ␡: visible, valid XML


def xml_text(value) -> Markup:
    """A value as WordprocessingML text: escaped, braces neutralised, controls made visible."""
    if value is None:
        return Markup("")
    if isinstance(value, Markup):
        return value
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub(_control_picture, text)
    text = "".join(ch for ch in text if not (0xD800 <= ord(ch) <= 0xDFFF or ch in "\ufffe\uffff"))
    return Markup(str(escape(text)).replace("{", "&#123;").replace("}", "&#125;"))


def make_env() -> SandboxedEnvironment:
    """The Jinja environment every template renders in (also used to lint templates)."""
    return SandboxedEnvironment(autoescape=True, finalize=xml_text, undefined=StrictUndefined)


# ---------------------------------------------------------------------------
# Values as text

def fmt(value, kind: str = "text") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(yuan(value)) if kind == "money" else num_text(value)
    if isinstance(value, float):
        return num_text(Decimal(repr(value)))
    return str(value)


def mask(text: str, kind: str) -> str:
    """Personal data in an uncontrolled copy: 13812345678 -> 138****5678, 张三 -> 张*."""
    if not text:
        return text
    if kind == "phone":
        digits = text.replace(" ", "")
        return digits[:3] + "****" + digits[-4:] if len(digits) >= 8 else "****"
    return text[0] + "*" * (len(text) - 1)


def percent(part: int, whole: int) -> str:
    if not whole:
        return ""
    return f"{(Decimal(part) * 100 / Decimal(whole)).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


# ---------------------------------------------------------------------------
# What a form is rendered for: a record, a month, an overdue case

@dataclass
class Subject:
    number: str                      # shown as 编号 and used in the file name
    record: object = None            # registers.Record for record forms
    data: dict = field(default_factory=dict)   # period / overdue payload


class FormData:
    """The registers a batch reads, with join indexes built once."""

    def __init__(self, registers: dict, policy: dict, today: dt.date | None = None):
        self.registers, self.policy = registers, policy
        self.today = today or dt.date.today()
        self._index: dict[tuple, dict] = {}

    def table(self, register: str, sheet: str):
        if register not in self.registers:
            raise UserError(f"缺少台账 {register}（{register}.xlsx），无法填写该表单")
        return self.registers[register].tables[sheet]

    def position(self, register: str, sheet: str, rec) -> int:
        """1-based position of a record in its sheet (序号)."""
        k = (register, sheet, None)
        if k not in self._index:
            self._index[k] = {id(r): i for i, r in enumerate(self.table(register, sheet).records, 1)}
        return self._index[k][id(rec)]

    def group(self, register: str, sheet: str, key: str) -> dict:
        k = (register, sheet, key)
        if k not in self._index:
            idx = defaultdict(list)
            # a register the folder lacks (no master.xlsx) simply has nothing to join
            records = self.table(register, sheet).records if register in self.registers else []
            for rec in records:
                idx[fmt(rec.values.get(key))].append(rec)
            self._index[k] = idx
        return self._index[k]


def _matches(values: dict, where) -> bool:
    return all(fmt(values.get(k)) == v for k, v in where)


def subjects(form: FormSpec, data: FormData) -> list[Subject]:
    """Everything this form can be filled for, in register order."""
    if form.kind == "period":
        return _period_subjects(form, data)
    if form.kind == "overdue":
        return _overdue_subjects(data)
    table = data.table(form.register, form.sheet)
    out = []
    for rec in table.records:
        if not _matches(rec.values, form.where):
            continue
        if form.only_with and not _child_records(form, form.child(form.only_with), rec, data):
            continue
        number = fmt(rec.values.get(form.number_column)) if form.number_column else ""
        out.append(Subject(number or f"第{rec.row}行", rec))
    return out


def _period_subjects(form: FormSpec, data: FormData) -> list[Subject]:
    months = defaultdict(list)
    for rec in data.table(form.register, form.sheet).records:
        d = rec.values.get(form.period["date"])
        if isinstance(d, dt.date):
            months[f"{d.year:04d}-{d.month:02d}"].append(rec)
    return [Subject(m, data={"records": recs}) for m, recs in sorted(months.items())]


def _overdue_subjects(data: FormData) -> list[Subject]:
    from generator.assess.checks import RunContext
    from generator.assess.clocks import overdue_cases

    ctx = RunContext(registers=data.registers, policy=data.policy, today=data.today)
    cases: dict[tuple, dict] = {}
    for group in overdue_cases(ctx):
        for case in group["cases"]:
            key = (case["register"], case["case_no"])
            entry = cases.setdefault(key, {"dept": group["dept"], "person": group["person"], "items": []})
            entry["items"].append(case)
    return [Subject(case_no, data={"register": reg, **entry}) for (reg, case_no), entry in cases.items()]


# ---------------------------------------------------------------------------
# The context

def _row(values: dict, sheet, masked: bool) -> dict:
    row = {}
    for col in sheet.columns:
        text = fmt(values.get(col.key), col.type)
        row[col.key] = mask(text, col.type) if masked and col.personal else text
    return row


def _child_records(form: FormSpec, child: Child, rec, data: FormData) -> list:
    parent_key = child.on or form.number_column
    recs = data.group(child.register or form.register, child.sheet, child.key).get(
        fmt(rec.values.get(parent_key)), [])
    return [r for r in recs if _matches(r.values, child.where)]


def _blank(sheet, extra=("no", "amount", "balance")) -> dict:
    return {**{c.key: "" for c in sheet.columns}, **{k: "" for k in extra}}


def _lines(form: FormSpec, child: Child, rec, data: FormData, masked: bool) -> tuple[list[dict], list]:
    """Formatted lines of a child (padded) and the typed line values (for tallies)."""
    sheet = form.child_sheet(child)
    recs = _child_records(form, child, rec, data)
    typed, lines = [], []
    remaining = _remaining(form, child, rec, data, recs) if child.remaining else None
    for i, r in enumerate(recs):
        values = dict(r.values)
        line = _row(values, sheet, masked)
        line["no"] = str(child.number_from + i)
        if child.amount:
            a, b = (values.get(k) for k in child.amount)
            values["amount"] = yuan(Decimal(a) * Decimal(b)) if a is not None and b is not None else None
        line["amount"] = fmt(values.get("amount"), "money")
        line["balance"] = fmt(remaining[i]) if remaining else ""
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
            fmt(rec.values.get(child.on or form.number_column)), []):
        applied[tuple(fmt(item.values.get(k)) for k in match)] += item.values.get(qty) or 0
    returned = defaultdict(int)
    out = []
    for r in recs:
        key = tuple(fmt(r.values.get(k)) for k in match)
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
        found = data.group(lk.register or form.register, lk.sheet, lk.key).get(fmt(rec.values.get(lk.on)))
        row = _row(found[0].values, sheet, masked) if found else _blank(sheet, ())
        ctx.update({lk.prefix + k: v for k, v in row.items()})
    typed = {}
    for child in form.children:
        lines, typed[child.name] = _lines(form, child, rec, data, masked)
        ctx[child.name] = lines
        if child.page_rows:
            ctx[child.name + "_pages"] = _pages(lines, form.child_sheet(child), child.page_rows, child.groups)
    for pair in form.pairs:
        ctx[pair.name] = _pair_rows(form, pair, ctx)
    columns = form.columns()
    for m in form.marks:
        ctx[f"{m.field}_marks"] = _marks(list(m.values or columns[m.field].choices), fmt(rec.values.get(m.field)))
    for t in form.tallies:
        lines = [v for v in typed[t.child] if _matches(v, t.where)]
        ctx[t.name] = fmt(sum((v.get(t.sum) or 0 for v in lines), Decimal(0)), "money") if t.sum else len(lines)
    if form.fees:
        ctx.update(fee_context(form, rec.values, data.policy))
    ctx["doc_seq"] = str(data.position(form.register, form.sheet, rec))
    return ctx


def period_context(form: FormSpec, subject: Subject, data: FormData, masked: bool) -> dict:
    """客户投诉案件统计表: a month's closed cases by responsible unit × class, with shares."""
    sheet = form.sheet_spec()
    group_key, across_key = form.period["group"], form.period["across"]
    across = list(sheet.column(across_key).choices)
    recs = subject.data["records"]
    table = defaultdict(lambda: [0] * len(across))
    for r in recs:
        unit = fmt(r.values.get(group_key)) or "（未判定）"
        cls = fmt(r.values.get(across_key))
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
    items = [{"no": str(i + 1), "rule": c["rule"], "rule_title": c["rule_title"], "source": c["source"],
              "start": fmt(c["start"]), "due": fmt(c["due"]), "days_overdue": str(c["days_overdue"]),
              "calendar_days_overdue": str(c["calendar_days_overdue"])} for i, c in enumerate(d["items"])]
    customer = ""
    first = d["items"][0]
    for t in reg.tables.values():
        if t.spec.name == first["sheet"]:
            rec = next((r for r in t.records if r.row == first["row"]), None)
            customer = fmt(rec.values.get("customer")) if rec else ""
    return {"case_no": subject.number, "register_title": reg.spec.title, "dept": d["dept"] or "",
            "person": d["person"] or "", "customer": customer, "items": items,
            "max_days": str(max(c["days_overdue"] for c in d["items"]))}


FEE_LINE_KEYS = ("no", "item", "basis", "amount", "note")


def fee_context(form: FormSpec, values: dict, policy: dict) -> dict:
    """有偿服务报价单 fee lines (RULES.md F1) from the ticket's cost columns and ``quote.quote``."""
    from generator.rules.quote import quote

    cols = form.fees
    q = quote(policy, **{k: values.get(cols[k]) or 0 for k in ("travel", "days", "labour_days", "materials")})
    costs = [ln for ln in q.lines if ln.key not in ("cost", "tax", "management", "total")]
    charged = values.get(cols["charged"]) if "charged" in cols else None
    note = "报价依据：002 §4.4.3 表1《收费标准》、§4.5.3.1 维修报价 = 维修成本 + 管理费。"
    if charged is not None:
        note += f"台账登记收费金额 {fmt(charged, 'money')} 元。"
    return {
        "fee_lines": [dict(zip(FEE_LINE_KEYS, (str(i), ln.name, ln.basis, fmt(ln.amount, "money"), "")))
                      for i, ln in enumerate(costs, 1)],
        "fee_subtotal": fmt(q.cost, "money"), "fee_tax": fmt(q.tax, "money"),
        "fee_management": fmt(q.management, "money"), "fee_total": fmt(q.total, "money"), "fee_note": note,
    }


# ---------------------------------------------------------------------------
# The document-control block

def template_revision(path: Path) -> int | None:
    """The template revision stamped by build_templates.py (None for a company's own template)."""
    parts = read_parts(path)
    m = _REV.search(parts.get("docProps/core.xml", b""))
    return int(m.group(2)) if m else None


def form_policy(form: FormSpec, policy: dict) -> dict:
    entry = policy.get("forms", {}).get(form.id)
    if entry is None:
        raise UserError(f"策略文件中没有表单 {form.id}（{form.title}）的受控信息：请在 [forms.{form.id}] 中填写文件编号、版本等")
    return entry


def control_block(form: FormSpec, policy: dict, *, number: str = "", copy_no: str = "",
                  uncontrolled: bool = False, revision: int | None = None,
                  today: dt.date | None = None) -> dict:
    """The doc_* names: company, 文件编号, 版本, 受控状态/mark, 分发号, signatures, dates, copies."""
    entry = form_policy(form, policy)
    company = policy.get("company", {})
    status = UNCONTROLLED if uncontrolled or entry["status"] == UNCONTROLLED else CONTROLLED
    superseded = revision is not None and revision < int(entry["revision"])
    copies = [f"第{NUMERALS[i]}联：{label}" for i, label in enumerate(form.copies)] or [""]
    return {
        "doc_company": company.get("name", ""), "doc_hotline": company.get("hotline", ""),
        "doc_address": company.get("address", ""), "doc_title": entry.get("title") or form.title,
        "doc_no": entry["doc_no"], "doc_version": entry["version"], "doc_status": status,
        "doc_mark": SUPERSEDED if superseded else status,
        "doc_copy_no": copy_no if status == CONTROLLED and not superseded else "",
        "doc_drafted_by": entry["drafted_by"], "doc_reviewed_by": entry["reviewed_by"],
        "doc_approved_by": entry["approved_by"], "doc_issued": fmt(entry["issued"]),
        "doc_effective": fmt(entry["effective"]), "doc_number": number, "doc_copies": copies,
        "doc_seq": "", "doc_today": fmt(today or dt.date.today()),
    }


BUILDERS = {"record": record_context, "period": period_context, "overdue": overdue_context}


def build_context(form: FormSpec, subject: Subject, data: FormData, control: dict) -> dict:
    """The whole context of one form: control block, then the form's own names."""
    masked = control["doc_status"] == UNCONTROLLED and data.policy.get("records", {}).get("mask_phone", False)
    ctx = dict(control)
    ctx.update(BUILDERS[form.kind](form, subject, data, masked))
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
    if form.kind == "period":
        n = len(form.sheet_spec().column(form.period["across"]).choices)
        counts = {"counts": [""] * n, "total": "", "ratio": ""}
        ctx.update(across=[""] * n, groups=[{"group": "", **counts}], totals=counts,
                   cases=[_blank(form.sheet_spec(), ())])
    if form.kind == "overdue":
        ctx["items"] = [{k: "" for k in ("no", "rule", "rule_title", "source", "start", "due", "days_overdue",
                                         "calendar_days_overdue")}]
    if form.fees:
        ctx["fee_lines"] = [{k: "" for k in FEE_LINE_KEYS}]
    return ctx


# ---------------------------------------------------------------------------
# Templates

def template_path(form: FormSpec, directory: Path | None = None) -> Path:
    """A company's own template beside the registers (``templates/``) wins over the shipped one."""
    candidates = ([Path(directory) / "templates"] if directory else []) + [PACKAGE_TEMPLATES, REPO_TEMPLATES]
    for d in candidates:
        p = d / form.template_name
        if p.exists():
            return p
    raise UserError(f"找不到表单模板 {form.template_name}（应在 templates/ 目录中）")


HEADER_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
FOOTER_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
XML_DECL = b'<?xml version=\'1.0\' encoding=\'UTF-8\' standalone=\'yes\'?>\n'


class CompiledTemplate:
    """A template's parts patched and compiled once; ``render`` gives .docx bytes."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.env = make_env()
        self.parts = read_parts(self.path)
        self.tpl = DocxTemplate(str(self.path))
        self.tpl.init_docx()
        try:
            self.body = self.env.from_string(self.tpl.patch_xml(self.tpl.get_xml()))
            self.extra = {}
            for rel in self.tpl.docx.part.rels.values():
                if rel.reltype in (HEADER_REL, FOOTER_REL) and rel.target_part.blob:
                    name = str(rel.target_part.partname).lstrip("/")
                    src = self.tpl.patch_xml(self.tpl.get_part_xml(rel.target_part))
                    self.extra[name] = self.env.from_string(src)
        except TemplateError as e:
            raise UserError(f"模板 {self.path.name} 中的标记有误：{e}") from None
        m = _REV.search(self.parts.get("docProps/core.xml", b""))
        self.revision = int(m.group(2)) if m else None
        self.doc_name = str(self.tpl.docx.part.partname).lstrip("/")

    def _finish(self, xml: str) -> str:
        # docxtpl's post-processing of a rendered part (render_xml_part)
        xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        return self.tpl.resolve_listing(xml)

    def _render(self, template, context: dict) -> str:
        try:
            return self._finish(template.render(context))
        except UndefinedError as e:
            raise UserError(f"模板 {self.path.name} 引用了表单数据中没有的字段：{e.message}") from None
        except TemplateError as e:
            raise UserError(f"模板 {self.path.name} 无法填写：{e}") from None

    def render(self, context: dict) -> bytes:
        parts = dict(self.parts)
        body = self.tpl.fix_tables(self._render(self.body, context))
        self.tpl.docx_ids_index = 1000
        self.tpl.fix_docpr_ids(body)
        root = etree.fromstring(parts[self.doc_name])
        root.replace(root.find("{%s}body" % root.nsmap["w"]), body)
        parts[self.doc_name] = etree.tostring(root, encoding="UTF-8", standalone=True)
        for name, template in self.extra.items():
            xml = etree.fromstring(self._render(template, context).encode("utf-8"))
            parts[name] = etree.tostring(xml, encoding="UTF-8", standalone=True)
        return docx_bytes(parts)


_compiled: dict[tuple, CompiledTemplate] = {}


def compiled(path: Path) -> CompiledTemplate:
    """Per-process cache of compiled templates, keyed by path and modification time."""
    path = Path(path)
    key = (str(path.resolve()), path.stat().st_mtime_ns)
    if key not in _compiled:
        _compiled[key] = CompiledTemplate(path)
    return _compiled[key]


def render_docx(template: Path, context: dict, out: Path) -> Path:
    """Render one form to ``out`` (written atomically, byte-reproducible)."""
    return write_atomic(Path(out), compiled(template).render(context))


def render_docxtpl(template: Path, context: dict, out: Path | None = None) -> bytes:
    """The plain docxtpl path (template reloaded every time): reference for tests and bench."""
    tpl = DocxTemplate(str(template))
    tpl.render(context, jinja_env=make_env())
    buf = io.BytesIO()
    tpl.save(buf)
    data = docx_bytes(read_parts(buf.getvalue()))
    if out is not None:
        write_atomic(Path(out), data)
    return data


# ---------------------------------------------------------------------------
# File names

_UNSAFE = re.compile(r"[^\w\u3400-\u9fff.-]+", re.ASCII)
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


def safe_name(form_id: str, number: str, max_bytes: int = 120) -> str:
    """``<form>_<number>`` safe on Windows, macOS and Linux whatever the cell held."""
    text = unicodedata.normalize("NFKC", str(number))
    text = _UNSAFE.sub("_", text).strip("._") or "无编号"
    while len(text.encode("utf-8")) > max_bytes:
        text = text[:-1]
    name = f"{form_id}_{text}".rstrip(". ")
    return f"_{name}" if name.split(".")[0].upper() in _RESERVED else name


def unique_names(form_id: str, numbers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in numbers:
        base = safe_name(form_id, n)
        k = seen.get(base.lower(), 0) + 1
        seen[base.lower()] = k
        out.append(base if k == 1 else f"{base}_{k}")
    return out


# ---------------------------------------------------------------------------
# Batches: select, number the controlled copies, render on every core, log, convert

@dataclass
class RenderResult:
    docx: list[Path] = field(default_factory=list)
    pdf: list[Path] = field(default_factory=list)
    issued: list = field(default_factory=list)        # distribution.Issue rows written
    warnings: list[str] = field(default_factory=list)


def select(form: FormSpec, available: list[Subject], numbers: list[str] | None) -> list[Subject]:
    """The subjects named by ``numbers`` (all when None); an unknown number is a UserError."""
    if numbers is None:
        return available
    by_number = {}
    for s in available:
        by_number.setdefault(unicodedata.normalize("NFKC", s.number).strip(), s)
    chosen, unknown = [], []
    for n in numbers:
        s = by_number.get(unicodedata.normalize("NFKC", str(n)).strip())
        (chosen.append(s) if s else unknown.append(n))
    if unknown:
        sample = "、".join(s.number for s in available[:5])
        hint = f"（可填的编号如：{sample}{' 等' if len(available) > 5 else ''}，共 {len(available)} 个）" if available else "（该表单目前没有可填的记录）"
        raise UserError(f"{form.title}（{form.id}）中找不到编号 {'、'.join(map(str, unknown))}{hint}")
    return chosen


def _render_job(job: tuple) -> str:
    template, context, out = job
    return str(render_docx(Path(template), context, Path(out)))


def render_all(jobs: list[tuple], workers: int = 2, progress=None) -> list[Path]:
    """Render (template, context, out) jobs; on ``workers`` processes when the batch is big enough."""
    track = progress or (lambda it, total: it)
    if workers <= 1 or len(jobs) < 8:
        return [Path(_render_job(j)) for j in track(jobs, len(jobs))]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers) as pool:
        done = pool.map(_render_job, jobs, chunksize=max(1, min(32, len(jobs) // (workers * 4))))
        return [Path(p) for p in track(done, len(jobs))]


def render_forms(directory, form_name: str, out, *, numbers: list[str] | None = None,
                 pdf: bool = False, uncontrolled: bool = False, holder: str = "",
                 today: dt.date | None = None, workers: int = 2, progress=None) -> RenderResult:
    """Render a form for the given numbers (or every record) of the registers in ``directory``.

    Controlled copies get the next 分发号 and a row in 分发记录.xlsx; a template older than the
    policy's revision renders 作废 and issues nothing. With ``pdf``, the .docx files are
    converted in one batch; a missing LibreOffice is reported as a warning, the .docx stay.
    """
    from generator.config.form_specs import find_form
    from generator.config.policy import find_policy
    from generator.documents import distribution
    from generator.registers.read import read_all

    form = find_form(form_name)
    directory, out = Path(directory), Path(out)
    policy = find_policy(directory)
    entry = form_policy(form, policy)
    data = FormData(read_all(directory), policy, today)
    chosen = select(form, subjects(form, data), numbers)
    result = RenderResult()
    if not chosen:
        result.warnings.append(f"{form.title}：没有可填写的记录")
        return result
    template = template_path(form, directory)
    revision = template_revision(template)
    superseded = revision is not None and revision < int(entry["revision"])
    if superseded:
        result.warnings.append(f"模板 {template.name} 为第 {revision} 版，策略要求第 {entry['revision']} 版："
                               f"本次输出标记为“作废”，不作为受控文件发放")
    controlled = not uncontrolled and entry["status"] != UNCONTROLLED and not superseded
    copy_nos = distribution.next_copy_numbers(directory, form.id, len(chosen)) if controlled else [""] * len(chosen)
    out.mkdir(parents=True, exist_ok=True)
    names = unique_names(form.id, [s.number for s in chosen])
    jobs = []
    for subject, name, copy_no in zip(chosen, names, copy_nos):
        control = control_block(form, policy, number=subject.number, copy_no=copy_no,
                                uncontrolled=uncontrolled, revision=revision, today=data.today)
        jobs.append((str(template), build_context(form, subject, data, control), str(out / f"{name}.docx")))
    result.docx = render_all(jobs, workers, progress)
    if controlled:
        holders = holder or "、".join(form.copies)
        result.issued = [distribution.Issue(c, form.id, entry.get("title") or form.title, s.number, holders,
                                            data.today, None, p.name)
                         for c, s, p in zip(copy_nos, chosen, result.docx)]
        distribution.record_issues(directory, result.issued)
    if pdf:
        from generator.documents.pdf import INSTALL_HINT, convert_to_pdf, find_soffice

        if find_soffice() is None:
            result.warnings.append(INSTALL_HINT)
        else:
            result.pdf = convert_to_pdf(result.docx, out, workers=workers)
    return result


__all__ = [
    "FormData", "RenderResult", "render_all", "render_forms", "select", "Subject", "blank_context", "build_context", "compiled", "control_block", "fmt",
    "load_forms", "make_env", "render_docx", "render_docxtpl", "safe_name", "subjects", "template_path",
    "template_revision", "unique_names", "xml_text",
]
