"""What a form is filled for: a record, a month, or an overdue case, and the registers it reads.

``subjects`` lists everything a form can be filled for, in register order; ``FormData`` holds
the registers of one batch with the join indexes built once.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from generator.assess.checks import RunContext
from generator.assess.clocks import overdue_cases
from generator.assess.late_cases import late_cases
from generator.config.form_specs import Child, FormSpec
from generator.core.errors import UserError
from generator.core.text import value_text


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
                idx[value_text(rec.values.get(key))].append(rec)
            self._index[k] = idx
        return self._index[k]



def matches(values: dict, where) -> bool:
    return all(value_text(values.get(k)) == v for k, v in where)



def subjects(form: FormSpec, data: FormData) -> list[Subject]:
    """Everything this form can be filled for, in register order."""
    if form.kind == "period":
        return _period_subjects(form, data)
    if form.kind == "overdue":
        return _overdue_subjects(data)
    if form.kind == "closed_late":
        return _late_subjects(data)
    table = data.table(form.register, form.sheet)
    out = []
    for rec in table.records:
        if not matches(rec.values, form.where):
            continue
        if form.only_with and not child_records(form, form.child(form.only_with), rec, data):
            continue
        printed = form.sheet_spec().printed_number(form.id)   # 客户抱怨处理表: the N2 form number
        number = value_text(rec.values.get(printed)) if printed else ""
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
    """One subject per overdue case, with every deadline clock it ran past (催办单)."""
    ctx = RunContext(registers=data.registers, policy=data.policy, today=data.today)
    cases: dict[tuple, dict] = {}
    for group in overdue_cases(ctx):
        for case in group["cases"]:
            key = (case["register"], case["case_no"])
            entry = cases.setdefault(key, {"dept": group["dept"], "person": group["person"], "items": []})
            entry["items"].append(case)
    return [Subject(case_no, data={"register": reg, **entry}) for (reg, case_no), entry in cases.items()]


def _late_subjects(data: FormData) -> list[Subject]:
    """One subject per case closed after a deadline (洽办单, D17), with every clock it ran past."""
    ctx = RunContext(registers=data.registers, policy=data.policy, today=data.today)
    return [Subject(case["case_no"], data=case) for case in late_cases(ctx)]


def child_records(form: FormSpec, child: Child, rec, data: FormData) -> list:
    """The child sheet's rows joined to ``rec`` and passing the child's ``where``."""
    parent_key = child.on or form.number_column
    recs = data.group(child.register or form.register, child.sheet, child.key).get(
        value_text(rec.values.get(parent_key)), [])
    return [r for r in recs if matches(r.values, child.where)]

