"""A numbered sheet of a register as read for allocation, and writing allocated numbers back
through the safe writer (used by ``number assign`` and the Excel button)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.config.policy import find_policy
from generator.config.register_specs import SheetSpec, load_specs
from generator.core.errors import UserError
from generator.registers.read import Register, read_all, read_register
from generator.registers.safewrite import edit_workbook
from generator.rules.numbering import (
    NumberEntry,
    department_codes,
    normalise_number,
    numbering_rule,
    register_entries,
)


@dataclass
class Numbered:
    """A numbered sheet as read: where it lives, its rule and its rows as NumberEntry."""

    register: Register
    sheet: SheetSpec
    rule: dict
    rule_id: str
    entries: list[NumberEntry]
    depts: tuple[set[str], dict[str, str]]


def load_numbered(directory: Path, register_id: str, sheet: str | None) -> Numbered:
    if not Path(directory).is_dir():
        raise UserError(f"找不到台账目录 {directory}")
    if register_id not in load_specs():
        raise UserError(f"没有台账 {register_id}（可用：{'、'.join(load_specs())}）")
    reg = read_register(directory, register_id)
    numbered = [v for s in reg.spec.sheets for v in s.numbered()]
    # --sheet names a sheet (key or name) or one numbered column of it (key or header)
    # a further column (N2) only when named; a sheet named or none: the sheet's own number
    chosen = [s for s in numbered if sheet in (s.number, s.column(s.number).header)]
    if not chosen:
        chosen = [s for s in numbered if sheet in (None, s.key, s.name) and s.number == reg.spec.sheet(s.key).number]
    names = "、".join(f"{s.key}（{s.name}）" if s.number == reg.spec.sheet(s.key).number
                     else f"{s.number}（{s.name}·{s.column(s.number).header}）" for s in numbered)
    if not chosen:
        raise UserError(f"台账 {register_id} 没有编号列 {sheet or ''}（有编号的工作表：{names or '无'}）")
    if len(chosen) > 1:
        raise UserError(f"台账 {register_id} 有多个编号列：{names}，请用 --sheet 指定")
    spec = chosen[0]
    policy = find_policy(directory)
    master = reg if register_id == "master" else _master(directory)
    depts = department_codes(policy, {"master": master} if master else {})
    entries = register_entries(reg.tables[spec.key].records, spec, depts[1])
    return Numbered(reg, spec, numbering_rule(policy, spec.numbering), spec.numbering, entries, depts)


def _master(directory: Path):
    try:
        return read_all(directory, only=["master"]).get("master")
    except UserError:  # no master workbook: the policy's departments alone
        return None


def write_numbers(n: Numbered, numbers: dict[int, str]) -> None:
    """Write numbers as text cells; refuse if any target cell was filled meanwhile."""
    col = n.register.tables[n.sheet.key].columns[n.sheet.number]
    header = n.sheet.column(n.sheet.number).header

    def fill(wb):
        ws = wb[n.sheet.name]
        taken = [row for row in numbers if _filled(ws.cell(row=row, column=col).value)]
        if taken:
            raise UserError(f"工作表「{n.sheet.name}」第 {'、'.join(map(str, taken))} 行的{header}已有内容"
                            "（文件在读取后被修改），未写入任何编号，请重试")
        for row, number in numbers.items():
            cell = ws.cell(row=row, column=col)
            cell.value = number
            cell.number_format = "@"  # text, so leading zeros stay

    edit_workbook(n.register.path, fill)


def _filled(value) -> bool:
    return normalise_number(value)[0] is not None
