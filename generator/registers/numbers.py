"""A numbered sheet of a register as read for allocation, and writing allocated numbers back
through the safe writer (used by ``number assign`` and the Excel button), under the
register's writer lock."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from generator.config.policy import find_policy
from generator.config.register_specs import SheetSpec, load_specs
from generator.core.errors import UserError
from generator.registers.calendar_sheet import patch_register
from generator.registers.lock import writer_lock
from generator.registers.read import Register, read_all, read_register, workbook_path
from generator.registers.safewrite import fingerprint
from generator.registers.xlsxpatch import TEXT_FORMAT
from generator.rules.numbering import (
    NumberEntry,
    assign_numbers,
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


def assign(directory: Path, register_id: str, sheet: str | None, *, dry_run: bool = False
           ) -> tuple[Numbered, dict[int, str]]:
    """Read, allocate and write under the register's writer lock: two runs at once never hand
    out the same numbers (the second waits, then reads what the first wrote)."""
    spec = load_specs().get(register_id)
    path = workbook_path(directory, spec) if spec is not None and Path(directory).is_dir() else None
    if path is None or not path.exists():
        n = load_numbered(directory, register_id, sheet)   # the same messages as without a lock
        return n, assign_numbers(n.entries, n.rule, rule_id=n.rule_id)
    with writer_lock(path):
        seen = fingerprint(path)
        n = load_numbered(directory, register_id, sheet)
        numbers = assign_numbers(n.entries, n.rule, rule_id=n.rule_id)
        if numbers and not dry_run:
            write_numbers(n, numbers, expect=seen)
    return n, numbers


def write_numbers(n: Numbered, numbers: dict[int, str], *, expect: tuple | None = None) -> None:
    """Write numbers as text cells (format @), patching only that sheet; refuse if any target
    cell was filled meanwhile, or the file changed since ``expect`` (its fingerprint when read)."""
    col = n.register.tables[n.sheet.key].columns[n.sheet.number]
    header = n.sheet.column(n.sheet.number).header

    def fill(book):
        cells = book.cells(n.sheet.name)
        taken = [row for row in numbers if _filled(_cell_value(book, cells.cell(row, col)))]
        if taken:
            raise UserError(f"工作表「{n.sheet.name}」第 {'、'.join(map(str, taken))} 行的{header}已有内容"
                            "（文件在读取后被修改），未写入任何编号，请重试")
        for row, number in numbers.items():
            cells.set_text(row, col, book.styles.derive(cells.style(row, col), numfmt=TEXT_FORMAT), number)
        book.recalc_on_open()   # formulas that use the numbers show them once Excel opens the file

    patch_register(n.register.path, fill, expect=expect)   # its 工作日 sheet brought up to date too


def _cell_value(book, cell: bytes | None):
    """The value a cell's XML holds, enough to tell empty from filled (a formula is filled)."""
    if cell is None or re.search(rb"<(?:\w+:)?f\b", cell):
        return None if cell is None else "=formula"
    t = re.search(rb'\st="([^"]*)"', cell[:cell.index(b">") + 1])
    texts = re.findall(rb"<(?:\w+:)?[vt](?:\s[^>]*)?>([^<]*)<", cell)
    if not texts:
        return None
    text = html.unescape(b"".join(texts).decode("utf-8"))
    return book.shared_string(int(text)) if t and t.group(1) == b"s" else text


def _filled(value) -> bool:
    return normalise_number(value)[0] is not None
