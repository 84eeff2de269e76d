"""Declarative register specs: one TOML file per workbook in ``specs/``.

A spec names the workbook, its sheets, and for each sheet its columns (Chinese header, type,
required, choices, aliases), the column that carries the document number and the policy
numbering rule it follows, the deadline clocks it runs, and the status column. Everything
else — workbook layout, reading, validation, rendering — is driven from these specs.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

SPEC_DIR = Path(__file__).with_name("specs")

TYPES = {"text", "integer", "decimal", "money", "date", "datetime", "choice", "phone", "bool"}


@dataclass(frozen=True)
class Column:
    key: str                     # ASCII id used in code and templates
    header: str                  # Chinese header the user sees
    type: str = "text"
    required: bool = False
    choices: tuple[str, ...] = ()
    choices_from: str | None = None   # "master.<sheet key>.<column key>" for dropdowns from master data
    aliases: tuple[str, ...] = ()     # other headers offices already use (单号, 投诉单号 ...)
    min: float | None = None
    max: float | None = None
    not_before: str | None = None     # key of a date column this date must not precede
    width: float | None = None
    personal: bool = False            # masked in uncontrolled copies (phone, contact name)
    note: str = ""                    # input hint shown as the validation prompt

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


@dataclass(frozen=True)
class DeadlineBinding:
    rule: str                    # deadline id in policy [deadlines]
    start: str                   # column key that starts the clock
    stop: str | None = None      # column key that stops it (empty = still open)
    when: tuple[tuple[str, str], ...] = ()   # (column key, value) pairs that select this clock
    person: str | None = None
    dept: str | None = None

    def applies(self, values: dict) -> bool:
        return all(values.get(k) == v for k, v in self.when)


@dataclass(frozen=True)
class NumberBinding:
    """A further numbered column of a sheet (the first is ``SheetSpec.number``), e.g. the N2
    complaint processing form number beside the N1 complaint 单号."""
    column: str                  # column key carrying the number
    numbering: str               # policy numbering rule id
    date: str | None = None      # column key the number's date part must agree with
    dept: str | None = None      # column key giving {DEPT}
    form: str | None = None      # id of the form that prints this number as its 编号


@dataclass(frozen=True)
class SheetSpec:
    key: str
    name: str                    # sheet name the user sees
    columns: tuple[Column, ...]
    title: str = ""
    number: str | None = None        # column key carrying the document number
    numbering: str | None = None     # policy numbering rule id
    number_date: str | None = None   # column key the number's date part must agree with
    number_dept: str | None = None   # column key giving {DEPT}
    parent: str | None = None        # "sheet key.column key" this line belongs to (item lines)
    deadlines: tuple[DeadlineBinding, ...] = ()
    status: DeadlineBinding | None = None   # clock behind the status column
    hidden: bool = False
    more_numbers: tuple[NumberBinding, ...] = ()   # further numbered columns (N2 beside N1)
    optional: bool = False           # a workbook without this sheet reads it as empty (sheets added later)

    def numbered(self) -> list["SheetSpec"]:
        """One view per numbered column, each with ``number``/``numbering``/``number_date``/
        ``number_dept`` set to that column, so number checks and allocation treat every
        numbered column alike (the sheet itself first, when it has a number)."""
        views = [self] if self.number else []
        return views + [replace(self, number=b.column, numbering=b.numbering, number_date=b.date,
                                number_dept=b.dept, more_numbers=()) for b in self.more_numbers]

    def printed_number(self, form_id: str) -> str | None:
        """The column a form prints as its 编号: a binding naming the form, else the sheet's number."""
        return next((b.column for b in self.more_numbers if b.form == form_id), self.number)

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(f"{self.name}: no column {key!r}")

    def has(self, key: str) -> bool:
        return any(c.key == key for c in self.columns)


@dataclass(frozen=True)
class RegisterSpec:
    id: str
    workbook: str
    title: str
    sheets: tuple[SheetSpec, ...]
    source: str = ""

    def sheet(self, key: str) -> SheetSpec:
        for s in self.sheets:
            if s.key == key:
                return s
        raise KeyError(f"{self.id}: no sheet {key!r}")


def _binding(d: dict) -> DeadlineBinding:
    return DeadlineBinding(
        rule=d["rule"], start=d["start"], stop=d.get("stop"),
        when=tuple(sorted(d.get("when", {}).items())),
        person=d.get("person"), dept=d.get("dept"),
    )


def _column(d: dict) -> Column:
    d = dict(d)
    for k in ("choices", "aliases"):
        d[k] = tuple(d.get(k, ()))
    col = Column(**d)
    if col.type not in TYPES:
        raise ValueError(f"column {col.key}: unknown type {col.type!r}")
    return col


def _sheet(d: dict) -> SheetSpec:
    d = dict(d)
    d["columns"] = tuple(_column(c) for c in d.get("columns", ()))
    d["deadlines"] = tuple(_binding(b) for b in d.get("deadlines", ()))
    d["more_numbers"] = tuple(NumberBinding(**b) for b in d.get("more_numbers", ()))
    if "status" in d:
        d["status"] = _binding(d["status"])
    sheet = SheetSpec(**d)
    keys = [c.key for c in sheet.columns]
    if len(set(keys)) != len(keys):
        raise ValueError(f"sheet {sheet.key}: duplicate column keys")
    more = [x for b in sheet.more_numbers for x in (b.column, b.date, b.dept)]
    for ref in [sheet.number, sheet.number_date, sheet.number_dept, *more]:
        if ref and ref not in keys:
            raise ValueError(f"sheet {sheet.key}: unknown column {ref!r}")
    return sheet


def _extended(sheets: list[dict], extensions: list[dict]) -> list[dict]:
    """Apply ``[[extend]]`` blocks: each names a sheet key and appends ``columns``,
    ``deadlines`` and ``more_numbers`` to it (so additions stay in blocks of their own)."""
    out = {s["key"]: dict(s) for s in sheets}
    for ext in extensions:
        ext = dict(ext)
        key = ext.pop("sheet")
        if key not in out:
            raise ValueError(f"extend: no sheet {key!r}")
        for field, items in ext.items():
            if field not in ("columns", "deadlines", "more_numbers"):
                raise ValueError(f"extend {key}: cannot extend {field!r}")
            out[key][field] = [*out[key].get(field, ()), *items]
    return list(out.values())


def parse_spec(data: dict) -> RegisterSpec:
    data = dict(data)
    sheets = _extended(data.get("sheets", ()), data.pop("extend", ()))
    data["sheets"] = tuple(_sheet(s) for s in sheets)
    return RegisterSpec(**data)


@functools.lru_cache(maxsize=1)
def load_specs() -> dict[str, RegisterSpec]:
    """All register specs by id, in a fixed order (file name order)."""
    specs = {}
    for path in sorted(SPEC_DIR.glob("*.toml")):
        spec = parse_spec(tomllib.loads(path.read_text(encoding="utf-8")))
        specs[spec.id] = spec
    return specs
