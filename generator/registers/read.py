"""Read register workbooks into typed records (python-calamine: fast, read-only).

Headers are matched by name (and the aliases a spec declares), so users may reorder columns
or add their own. Rows typed below the table's range are read too. Every conversion problem
becomes a ``field.type`` finding on the row and column the user sees; a file that cannot be
read at all is a UserError naming the file and what is wrong.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine as calamine

from generator.config.register_specs import RegisterSpec, SheetSpec, load_specs
from generator.core import normalize
from generator.core.errors import UserError
from generator.core.findings import Finding

HEADER_SCAN_ROWS = 10   # the header row may sit below a title row or two
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class Record:
    row: int                 # Excel row number the user sees
    values: dict             # column key -> typed value or None
    raw: dict                # column key -> cell value as read

    def __getitem__(self, key):
        return self.values[key]

    def get(self, key, default=None):
        v = self.values.get(key)
        return default if v is None else v


@dataclass
class Table:
    spec: SheetSpec
    records: list[Record] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    header_row: int = 1
    columns: dict[str, int] = field(default_factory=dict)  # column key -> 1-based column index

    def by(self, key: str) -> dict:
        """Records indexed by a column's value (first one wins)."""
        out = {}
        for r in self.records:
            out.setdefault(r.values.get(key), r)
        return out

    def children(self, key: str) -> dict[object, list[Record]]:
        """Records grouped by a column's value, in row order."""
        out: dict[object, list[Record]] = {}
        for r in self.records:
            out.setdefault(r.values.get(key), []).append(r)
        return out


@dataclass
class Register:
    spec: RegisterSpec
    path: Path
    tables: dict[str, Table]

    @property
    def findings(self) -> list[Finding]:
        return [f for t in self.tables.values() for f in t.findings]


def workbook_path(directory: Path, spec: RegisterSpec) -> Path:
    """The register's file: the .xlsx, or the .xlsm written by ``init --macros``."""
    base = Path(directory) / spec.workbook
    for suffix in WORKBOOK_SUFFIXES + (".xls",):  # a legacy .xls is found, then refused clearly
        p = base.with_suffix(suffix)
        if p.exists():
            return p
    return base


def _header_key(text) -> str:
    return re.sub(r"[\s*＊]", "", str(text)) if text is not None else ""


def _open(path: Path) -> calamine.CalamineWorkbook:
    if not path.exists():
        raise UserError(f"找不到台账文件 {path}")
    if path.suffix.lower() == ".xls":
        raise UserError(f"{path}：旧版 .xls 格式无法读取，请在 Excel 中另存为 .xlsx")
    with open(path, "rb") as fh:
        magic = fh.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise UserError(f"{path}：文件设置了打开密码或是旧版 .xls 格式，请取消密码或另存为 .xlsx")
    if not magic.startswith(b"PK"):
        raise UserError(f"{path}：不是有效的 xlsx 文件（文件已损坏或格式不对）")
    try:
        return calamine.CalamineWorkbook.from_path(str(path))
    except Exception as e:  # calamine raises several types for broken archives
        raise UserError(f"{path}：文件已损坏，无法读取（{e}）") from None


def _find_header(rows: list[list], sheet: SheetSpec) -> tuple[int, dict[str, int]]:
    """0-based header row index and column key -> 0-based index, by best match of headers."""
    names = {_header_key(h): c.key for c in sheet.columns for h in c.headers}
    best = (-1, {})
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found: dict[str, int] = {}
        for j, cell in enumerate(row):
            key = names.get(_header_key(cell))
            if key and key not in found:
                found[key] = j
        if len(found) > len(best[1]):
            best = (i, found)
    return best


def read_table(book: calamine.CalamineWorkbook, path: Path, reg: RegisterSpec, sheet: SheetSpec) -> Table:
    if sheet.name not in book.sheet_names:
        if sheet.optional:   # a workbook made before the sheet existed: nothing recorded there
            return Table(spec=sheet)
        raise UserError(f"{path}：缺少工作表「{sheet.name}」")
    rows = book.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False)
    h, cols = _find_header(rows, sheet)
    missing = [c.header for c in sheet.columns if c.required and c.key not in cols]
    if h < 0 or missing:
        raise UserError(
            f"{path} 工作表「{sheet.name}」：找不到必需的列 {'、'.join(missing or [c.header for c in sheet.columns])}"
            f"（表头应在前 {HEADER_SCAN_ROWS} 行内）"
        )
    table = Table(spec=sheet, header_row=h + 1, columns={k: j + 1 for k, j in cols.items()})
    present = [(c, cols[c.key]) for c in sheet.columns if c.key in cols]
    absent = {c.key: None for c in sheet.columns if c.key not in cols}
    for i in range(h + 1, len(rows)):
        cells = rows[i]
        raw = {c.key: (cells[j] if j < len(cells) else None) for c, j in present}
        raw = {k: (None if v == "" else v) for k, v in raw.items()}
        if all(normalize.is_blank(v) for v in raw.values()):
            continue
        values = dict(absent)
        for col, _ in present:
            v = raw[col.key]
            if normalize.is_blank(v):
                values[col.key] = None
                continue
            try:
                values[col.key] = normalize.convert(v, col.type)
            except ValueError as e:
                values[col.key] = None
                table.findings.append(Finding.of(
                    "field.type", reg.id, sheet.name, i + 1, col.header, value=_show(v),
                    header=col.header, shown=_show(v), reason=e,
                ))
        raw.update(absent)
        table.records.append(Record(row=i + 1, values=values, raw=raw))
    return table


def _show(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return str(v)


def read_register(directory, register_id: str) -> Register:
    spec = load_specs()[register_id]
    path = workbook_path(Path(directory), spec)
    book = _open(path)
    try:
        tables = {s.key: read_table(book, path, spec, s) for s in spec.sheets}
    finally:
        book.close()
    return Register(spec=spec, path=path, tables=tables)


def read_all(directory, only: list[str] | None = None) -> dict[str, Register]:
    """Every register present in the folder (master first); missing optional ones are skipped."""
    directory = Path(directory)
    if not directory.is_dir():
        raise UserError(f"找不到台账目录 {directory}")
    regs = {}
    for rid, spec in load_specs().items():
        if only and rid not in only and rid != "master":
            continue
        if workbook_path(directory, spec).exists():
            regs[rid] = read_register(directory, rid)
    if not regs:
        raise UserError(f"{directory} 中没有台账文件（可用 aftersales init {directory} 生成）")
    return regs


def master_lists(rows_by_sheet: dict[str, list[dict]]) -> dict[str, list[str]]:
    """Dropdown values sourced from master data, keyed 'master.<sheet>.<column>': for the
    validations a new workbook gets and for the choice checks of ``check``."""
    out: dict[str, list[str]] = {}
    for sheet in load_specs()["master"].sheets:
        rows = rows_by_sheet.get(sheet.key)
        if rows is None:
            continue
        for col in sheet.columns:
            out[f"master.{sheet.key}.{col.key}"] = [str(r[col.key]) for r in rows if r.get(col.key) is not None]
    return out
