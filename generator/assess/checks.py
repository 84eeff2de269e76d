"""``aftersales check``: every checker over every register, findings collected, never raised.

Field and number checks live here, deadline clocks in ``clocks`` (D18 in ``stats_clock``), the
outlet and 三包 rules (P4, P6, F2) in ``outlet_checks``, the people rules (P9, P10, P11, S5/S10)
in ``people_checks``; CHECKERS lists them all. A
checker takes the RunContext and returns a list of Finding.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from generator.assess.clocks import check_deadlines
from generator.assess.outlet_checks import OUTLET_CHECKERS
from generator.assess.people_checks import PEOPLE_CHECKERS
from generator.assess.stats_clock import check_stats_reports
from generator.config.policy import find_policy
from generator.config.register_specs import Column, load_specs
from generator.core.findings import Finding, sort_key
from generator.registers.read import (
    Register,
    Table,
    master_lists,
    read_all,
    workbook_path,
)
from generator.rules.number_checks import check_numbers
from generator.rules.numbering import department_codes, numbering_rule, register_entries
from generator.rules.workcal import calendar_from


@dataclass
class RunContext:
    """What one run over a register folder sees: the registers as read, the policy, the day
    judged as today, and the working-day calendar built from both."""

    registers: dict[str, Register]
    policy: dict
    today: dt.date
    _calendar: object = field(default=None, repr=False)
    directory: Path | None = None                 # the folder read (None: registers given directly)
    expected: tuple[str, ...] = ()                # register ids the run looked for

    @property
    def calendar(self):
        """The working-day calendar: state holidays with 调休, overridden by the master sheet."""
        if self._calendar is None:
            self._calendar = calendar_from(self.policy, self.registers.get("master"))
        return self._calendar

    @classmethod
    def load(cls, directory, today: dt.date, only: list[str] | None = None) -> "RunContext":
        """Read the folder's policy, then its registers (a broken policy is said first)."""
        policy = find_policy(directory) if Path(directory).is_dir() else None
        expected = tuple(rid for rid in load_specs() if not only or rid in only or rid == "master")
        return cls(registers=read_all(directory, only=only), policy=policy, today=today,
                   directory=Path(directory), expected=expected)

    def choice_sources(self) -> dict[str, list[str]]:
        master = self.registers.get("master")
        if master is None:
            return {}
        return master_lists({key: [r.values for r in table.records] for key, table in master.tables.items()})


def _show(v):
    return v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v


def check_fields(ctx: RunContext) -> list[Finding]:
    sources = ctx.choice_sources()
    out: list[Finding] = []
    for reg in ctx.registers.values():
        for table in reg.tables.values():
            out += reg_table_fields(reg.spec.id, table, sources)
            out += check_parents(reg, table)
    return out


def reg_table_fields(register: str, table: Table, sources: dict[str, list[str]]) -> list[Finding]:
    sheet = table.spec
    out: list[Finding] = []
    typed_bad = {(f.row, f.column) for f in table.findings}
    choice_sets = {c.key: set(c.choices) if c.choices else set(sources.get(c.choices_from, ()))
                   for c in sheet.columns if c.choices or c.choices_from}

    def add(rec, col: Column, code, value, **fields):
        out.append(Finding.of(code, register, sheet.name, rec.row, col.header, value=_show(value),
                              header=col.header, **fields))

    for rec in table.records:
        v = rec.values
        for col in sheet.columns:
            val = v.get(col.key)
            if val is None:
                if col.required and (rec.row, col.header) not in typed_bad:
                    add(rec, col, "field.required", None)
                continue
            allowed = choice_sets.get(col.key)
            if allowed and str(val) not in allowed:
                if col.choices:
                    add(rec, col, "field.choice", val, given=val, options="/".join(col.choices))
                elif allowed:  # sourced from master data: warn, the master may be incomplete
                    add(rec, col, "field.master_choice", val, given=val)
            if _out_of_range(val, col):
                add(rec, col, "field.range", val, given=val, range=_range_text(col))
            if col.not_before:
                other = v.get(col.not_before)
                if other is not None and _as_dt(val) < _as_dt(other):
                    before = sheet.column(col.not_before).header
                    add(rec, col, "field.date_order", val, given=_show(val), before=before, other=_show(other))
    return out


def _out_of_range(val, col: Column) -> bool:
    from decimal import Decimal

    if not isinstance(val, (int, Decimal)) or isinstance(val, bool):
        return False
    return (col.min is not None and val < Decimal(str(col.min))) or (
        col.max is not None and val > Decimal(str(col.max)))


def _range_text(col: Column) -> str:
    lo = "" if col.min is None else f"{col.min:g}"
    hi = "" if col.max is None else f"{col.max:g}"
    return f"[{lo}, {hi}]"


def _as_dt(v) -> dt.datetime:
    return v if isinstance(v, dt.datetime) else dt.datetime(v.year, v.month, v.day)


def check_parents(reg: Register, table: Table) -> list[Finding]:
    """Item lines must point at an existing parent record (e.g. 申请明细 → 物料申请)."""
    if not table.spec.parent:
        return []
    parent_key, col_key = table.spec.parent.split(".")
    parent = reg.tables.get(parent_key)
    if parent is None:
        return []
    known = {r.values.get(col_key) for r in parent.records}
    col = table.spec.column(col_key)
    return [
        Finding.of("field.parent", reg.spec.id, table.spec.name, r.row, col.header, value=r.values[col_key],
                   header=col.header, given=r.values[col_key], parent=parent.spec.name)
        for r in table.records
        if r.values.get(col_key) is not None and r.values[col_key] not in known
    ]


def read_findings(ctx: RunContext) -> list[Finding]:
    return [f for reg in ctx.registers.values() for f in reg.findings]


def check_register_numbers(ctx: RunContext) -> list[Finding]:
    """Checker for ``aftersales check``: every numbered sheet of every register."""
    known, lookup = department_codes(ctx.policy, ctx.registers)
    out: list[Finding] = []
    for reg in ctx.registers.values():
        for sheet in (view for s in reg.spec.sheets for view in s.numbered()):
            table = reg.tables.get(sheet.key)
            if table is None:
                continue
            rule = numbering_rule(ctx.policy, sheet.numbering)
            out += check_numbers(
                register_entries(table.records, sheet, lookup), rule, known,
                register=reg.spec.id, sheet=sheet.name, column=sheet.column(sheet.number).header,
                rule_id=sheet.numbering,
            )
    return out


# What is not checked without a register (the master also holds the company's own rest days).
MISSING_EFFECT = {
    "master": "公司自定的休息日和调休上班日、部门和人员名单未读取：期限只按国家法定节假日计算，部门和人员无法核对",
}


def missing_registers(ctx: RunContext) -> list[Finding]:
    """Every register the run looked for and did not find, and what is not checked without it."""
    if ctx.directory is None:
        return []
    specs = load_specs()
    return [
        Finding.of("read.missing_register", rid, "", value=specs[rid].workbook,
                   file=workbook_path(ctx.directory, specs[rid]).name, title=specs[rid].title,
                   effect=MISSING_EFFECT.get(rid, "本台账未检查"))
        for rid in ctx.expected if rid not in ctx.registers
    ]


CHECKERS = (missing_registers, read_findings, check_fields, check_register_numbers, check_deadlines,
            check_stats_reports, *OUTLET_CHECKERS, *PEOPLE_CHECKERS)


def run_checks(ctx: RunContext) -> list[Finding]:
    findings: list[Finding] = []
    for checker in CHECKERS:
        findings += checker(ctx)
    return sorted(findings, key=sort_key)
