"""Declarative form specs: one TOML file per controlled form in ``forms/``.

A form spec says where a form's data comes from and nothing about its layout (the layout
lives in the Word template ``templates/<id>_tpl.docx``)::

    id = "repair_record"                 # template templates/repair_record_tpl.docx
    title = "售后服务维修记录单"          # default title; the policy's [forms.<id>] may rename
    source = "002 §7"
    clause = "ISO 9001:2015 §8.5.5 …"    # what the form evidences (audit pack index)
    register = "tickets"                 # register id (specs/*.toml)
    sheet = "tickets"                    # sheet key: one form per record of this sheet
    customer = "customer"                # context key naming the customer (tests, listings)
    copies = ["存根", "售后服务", "客户"]  # 一式三联: one page per copy, labelled
    where = { service_type = "有偿服务" } # only records with these values get this form

    [[lookups]]                          # one row from another sheet, flattened as <prefix><key>
    prefix = "engineer_"
    register = "master"
    sheet = "staff"
    key = "name"                         # column of the looked-up sheet ...
    on = "engineer"                      # ... matched to this column of the record

    [[children]]                         # item lines: rows of a child sheet joined by key
    name = "warranty_parts"
    sheet = "parts"
    key = "ticket_no"                    # child column equal to the record's `on` column
    where = { kind = "三包件" }
    min_rows = 4                         # padded with blank rows for hand entry
    amount = ["qty", "unit_price"]       # line amount = qty × unit_price (money)
    distinct = ["courier", "tracking_no"]  # "<name>_distinct": each distinct non-blank set once

    [[pairs]]                            # two child lists side by side: rows {l, r}
    name = "part_rows"
    left = "warranty_parts"
    right = "bought_parts"

    [[marks]]                            # ☑ for the chosen level, ☐ for the others
    field = "attitude"
    values = [1, 2, 3, 4, 5]             # stored values; labels stay in the template

    [control]                            # document-control defaults (CONTROL_KEYS), each with
    doc_no = "HL-WI-2017-03"             # its source; the policy's [forms.<id>] overrides them
    ...

A form is its spec plus its template and nothing else: a company adds one by putting
``forms/<id>.toml`` and ``templates/<id>_tpl.docx`` beside its policy.toml (``load_forms(folder)``;
a company spec with a shipped id replaces the shipped one).

Context names (what templates use) are the record's column keys, ``<prefix><key>`` for
lookups, the child and pair names, ``<child>_pages`` for paged children, ``<child>_distinct``,
``<field>_marks`` (☑/☐ per choice) and ``<field>_line`` (the whole scale, "☑好　☐不好") for marks,
tally names, and ``doc_*`` for the
document-control block. ``names()`` lists them; a clash between two sources is an error.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from generator.config.register_specs import Column, SheetSpec, load_specs
from generator.core.errors import UserError
from generator.core.userfile import read_user_text

FORM_DIR = Path(__file__).with_name("forms")
COMPANY_FORMS = "forms"          # a register folder's own form specs: <folder>/forms/<id>.toml
KINDS = ("record", "period", "overdue", "closed_late")

# [control] of a spec: the document-control defaults a policy's [forms.<id>] may override.
CONTROL_KEYS = {
    "doc_no": str, "version": str, "revision": int, "status": str, "drafted_by": str,
    "reviewed_by": str, "approved_by": str, "issued": dt.date, "effective": dt.date,
}
STATUSES = ("受控", "非受控")

# Names every context carries: the document-control block and per-copy data.
CONTROL_NAMES = (
    "doc_company", "doc_hotline", "doc_address", "doc_title", "doc_no", "doc_version",
    "doc_status", "doc_mark", "doc_copy_no", "doc_drafted_by", "doc_reviewed_by",
    "doc_approved_by", "doc_issued", "doc_effective", "doc_number", "doc_copies", "doc_seq",
    "doc_today", "doc_basis",
)


def _pairs(d: dict | None) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, str(v)) for k, v in (d or {}).items()))


@dataclass(frozen=True)
class Lookup:
    prefix: str
    sheet: str
    key: str
    on: str
    register: str | None = None          # None: the form's register


@dataclass(frozen=True)
class Child:
    name: str
    sheet: str
    key: str
    on: str | None = None                # record column matched; None: the sheet's number column
    register: str | None = None
    where: tuple[tuple[str, str], ...] = ()
    min_rows: int = 0                    # pad to this many rows (blank lines to fill by hand)
    number_from: int = 1                 # 序号 of the first line
    amount: tuple[str, ...] = ()         # (qty column, unit price column) -> line "amount"
    remaining: dict = field(default_factory=dict)  # {of, match, qty}: balance after each line
    page_rows: int = 0                   # >0: split into pages of page_rows × groups lines
    groups: int = 1                      # column groups per page (sign-in sheet: two)
    distinct: tuple[str, ...] = ()       # columns: "<name>_distinct" lists each distinct non-blank set once


@dataclass(frozen=True)
class Pair:
    """Two child lists side by side, line by line: rows {"l": left line, "r": right line}."""
    name: str
    left: str
    right: str


@dataclass(frozen=True)
class Mark:
    field: str
    values: tuple[str, ...] = ()         # empty: the column's choices


@dataclass(frozen=True)
class Tally:
    name: str
    child: str
    where: tuple[tuple[str, str], ...] = ()
    sum: str | None = None               # column to add up (money); None: count lines


@dataclass(frozen=True)
class FormSpec:
    id: str
    title: str
    source: str
    register: str
    sheet: str
    kind: str = "record"
    customer: str | None = None
    copies: tuple[str, ...] = ()
    where: tuple[tuple[str, str], ...] = ()
    only_with: str | None = None         # child name that must have rows for a record to qualify
    lookups: tuple[Lookup, ...] = ()
    children: tuple[Child, ...] = ()
    pairs: tuple[Pair, ...] = ()
    marks: tuple[Mark, ...] = ()
    tallies: tuple[Tally, ...] = ()
    period: dict = field(default_factory=dict)   # kind "period": {date, group, across}
    fees: dict = field(default_factory=dict)     # paid quote: fee lines from policy + columns
    clause: str = ""                             # ISO 9001 / GB/T 27922 clauses it evidences
    control: dict = field(default_factory=dict)  # document-control defaults (CONTROL_KEYS)

    def defaults(self) -> dict:
        """The document-control entry before the policy's overrides: title, source, [control].
        (``source`` is there so a policy.toml written before the defaults moved here, with a
        full [forms.<id>] entry per form, stays valid.)"""
        return {"title": self.title, "source": self.source, **self.control}

    @property
    def template_name(self) -> str:
        return f"{self.id}_tpl.docx"

    def sheet_spec(self) -> SheetSpec:
        return load_specs()[self.register].sheet(self.sheet)

    @property
    def number_column(self) -> str | None:
        return self.sheet_spec().number

    def child(self, name: str) -> Child:
        for c in self.children:
            if c.name == name:
                return c
        raise KeyError(name)

    def child_sheet(self, child: Child | Lookup) -> SheetSpec:
        return load_specs()[child.register or self.register].sheet(child.sheet)

    def columns(self) -> dict[str, Column]:
        """Flat context key -> Column for the record and its lookups (used to format and mask)."""
        cols = {c.key: c for c in self.sheet_spec().columns} if self.kind == "record" else {}
        for lk in self.lookups:
            for c in self.child_sheet(lk).columns:
                cols[lk.prefix + c.key] = c
        return cols

    def names(self) -> set[str]:
        """Every top-level name the context for this form provides."""
        own = list(self.columns()) + [c.name for c in self.children] + [p.name for p in self.pairs]
        own += [f"{m.field}_marks" for m in self.marks] + [f"{m.field}_line" for m in self.marks]
        own += [t.name for t in self.tallies]
        own += [c.name + "_pages" for c in self.children if c.page_rows]
        own += [c.name + "_distinct" for c in self.children if c.distinct]
        own += list(KIND_NAMES.get(self.kind, ())) + (list(FEE_NAMES) if self.fees else [])
        return set(own) | set(CONTROL_NAMES)


# Names the per-period and per-overdue-case builders add (see documents/context.py).
KIND_NAMES = {
    "period": ("period", "period_label", "across", "groups", "totals", "cases", "case_count"),
    "overdue": ("case_no", "register_title", "dept", "person", "customer", "items", "max_days"),
    "closed_late": ("case_no", "register_title", "dept", "person", "customer", "items"),   # 洽办单 (D17)
}
FEE_NAMES = ("fee_lines", "fee_subtotal", "fee_tax", "fee_management", "fee_total", "fee_note",
             "fee_tax_basis", "fee_management_basis")

# A dict row exposes these as methods, which a template's r.<key> would reach first.
_DICT_ATTRS = set(dir(dict))


def _check(form: FormSpec) -> FormSpec:
    specs = load_specs()
    where = f"表单 {form.id}"
    if form.kind not in KINDS:
        raise ValueError(f"{where}: unknown kind {form.kind!r}")
    if form.register not in specs:
        raise ValueError(f"{where}: unknown register {form.register!r}")
    sheet = form.sheet_spec()
    for k, _ in form.where:
        sheet.column(k)
    seen: dict[str, str] = {}

    def claim(name: str, by: str):
        if name in seen and seen[name] != by:
            raise ValueError(f"{where}: context name {name!r} from {by} clashes with {seen[name]}")
        seen[name] = by

    for name in form.columns():
        claim(name, "columns")
    for name in CONTROL_NAMES:
        claim(name, "control block")
    for c in form.children:
        child_sheet = form.child_sheet(c)
        child_sheet.column(c.key)
        sheet.column(c.on or sheet.number)
        for k, _ in c.where:
            child_sheet.column(k)
        for k in c.amount:
            child_sheet.column(k)
        bad = {col.key for col in child_sheet.columns} & _DICT_ATTRS
        if bad:
            raise ValueError(f"{where}: child {c.name} has columns named like dict methods: {bad}")
        claim(c.name, f"child {c.name}")
    for lk in form.lookups:
        form.child_sheet(lk).column(lk.key)
    for p in form.pairs:
        form.child(p.left), form.child(p.right)
        claim(p.name, f"pair {p.name}")
    for m in form.marks:
        if m.field not in form.columns():
            raise ValueError(f"{where}: mark on unknown field {m.field!r}")
        if not m.values and not form.columns()[m.field].choices:
            raise ValueError(f"{where}: mark {m.field!r} needs values (the column has no choices)")
        claim(f"{m.field}_marks", "marks")
    for t in form.tallies:
        form.child(t.child)
        claim(t.name, "tallies")
    if form.only_with:
        form.child(form.only_with)
    if form.customer and form.customer not in form.names():
        raise ValueError(f"{where}: customer {form.customer!r} is not a context name")
    _check_control(form.control, where)
    return form


def _check_control(control: dict, where: str) -> None:
    for key in control:
        if key not in CONTROL_KEYS:
            raise ValueError(f"{where}: unknown key control.{key}")
    for key, kind in CONTROL_KEYS.items():
        if key not in control:
            raise ValueError(f"{where}: missing control.{key}")
        value = control[key]
        if not isinstance(value, kind) or isinstance(value, (bool, dt.datetime)):
            raise ValueError(f"{where}: control.{key} should be {kind.__name__}, got {value!r}")
    if control["status"] not in STATUSES:
        raise ValueError(f"{where}: control.status must be one of {STATUSES}")


def parse_form(data: dict) -> FormSpec:
    d = dict(data)
    d["where"] = _pairs(d.get("where"))
    d["copies"] = tuple(d.get("copies", ()))
    d["lookups"] = tuple(Lookup(**x) for x in d.get("lookups", ()))
    d["children"] = tuple(
        Child(**{**x, "where": _pairs(x.get("where")), "amount": tuple(x.get("amount", ())),
                 "distinct": tuple(x.get("distinct", ()))})
        for x in d.get("children", ())
    )
    d["pairs"] = tuple(Pair(**x) for x in d.get("pairs", ()))
    d["marks"] = tuple(Mark(field=x["field"], values=tuple(str(v) for v in x.get("values", ())))
                       for x in d.get("marks", ()))
    d["tallies"] = tuple(Tally(**{**x, "where": _pairs(x.get("where"))}) for x in d.get("tallies", ()))
    return _check(FormSpec(**d))


def _read_dir(folder: Path) -> dict[str, FormSpec]:
    forms = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            form = parse_form(tomllib.loads(read_user_text(path, "表单定义")))
        except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as e:
            raise UserError(f"表单定义 {path} 有误：{e}") from None
        if form.id != path.stem:
            raise UserError(f"表单定义 {path}：id {form.id!r} 与文件名不一致")
        forms[form.id] = form
    return forms


@functools.lru_cache(maxsize=1)
def _shipped() -> dict[str, FormSpec]:
    return _read_dir(FORM_DIR)


@functools.lru_cache(maxsize=8)
def _company(folder: str, stamp: tuple) -> dict[str, FormSpec]:
    return _read_dir(Path(folder))   # ``stamp`` (names and mtimes) re-reads an edited folder


def load_forms(directory: str | Path | None = None) -> dict[str, FormSpec]:
    """All form specs by id: the shipped ones in file-name order, then the register folder's
    own ``forms/*.toml`` (a company spec replaces a shipped one of the same id)."""
    forms = dict(_shipped())
    folder = Path(directory) / COMPANY_FORMS if directory is not None else None
    if folder is not None and folder.is_dir():
        stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("*.toml")))
        forms.update(_company(str(folder.resolve()), stamp))
    return forms


def find_form(name: str, directory: str | Path | None = None) -> FormSpec:
    """A form by id or by its Chinese title; UserError (exit 2) lists the known forms."""
    forms = load_forms(directory)
    if name in forms:
        return forms[name]
    for f in forms.values():
        if f.title == name:
            return f
    known = "、".join(f"{f.id}（{f.title}）" for f in forms.values())
    raise UserError(f"未知的表单 {name!r}。可用的表单：{known}")
