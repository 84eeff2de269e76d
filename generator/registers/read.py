"""Read register workbooks into typed records (python-calamine: fast, read-only).

Headers are matched by name (and the aliases a spec declares), so users may reorder columns
or add their own; a header decorated with a note in brackets or stray spaces is matched with a
``read.header`` warning, a known column not found is a ``read.missing_column`` warning. A
header merged over two rows is read, and a value merged over several rows fills each of them.
Rows typed below the table's range are read too. Every conversion problem becomes a
``field.type`` finding (an Excel error value a ``field.error`` finding) on the row and column
the user sees, and the record remembers the cell as unread (``Record.unread``) so that no
check takes it for an empty cell. A file that cannot be read at all is a UserError naming the
file and what is wrong.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine as calamine

from generator.config.register_specs import RegisterSpec, SheetSpec, load_specs
from generator.core import normalize
from generator.core.errors import UserError
from generator.core.findings import Finding
from generator.registers.sheetxml import SheetScan, scan_workbook

HEADER_SCAN_ROWS = 10   # the header row may sit below a title row or two
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class Record:
    row: int                 # Excel row number the user sees
    values: dict             # column key -> typed value or None
    raw: dict                # column key -> cell value as read, only where it differs from values
    # (sparse: a second full dict per row costs ~100 MB on a 50,000-row register)
    unread: dict = field(default_factory=dict)  # column key -> what a cell held that could not be read

    def __getitem__(self, key):
        return self.values[key]

    def get(self, key, default=None):
        v = self.values.get(key)
        return default if v is None else v


@dataclass
class Table:
    spec: SheetSpec
    records: list[Record] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)   # about cells
    notes: list[Finding] = field(default_factory=list)      # about the sheet: headers, columns not found
    header_row: int = 1
    columns: dict[str, int] = field(default_factory=dict)  # column key -> 1-based column index
    scan: SheetScan = field(default_factory=SheetScan, repr=False)

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
        return [f for t in self.tables.values() for f in t.notes + t.findings]


def workbook_path(directory: Path, spec: RegisterSpec) -> Path:
    """The register's file: the .xlsx, or the .xlsm written by ``init --macros``."""
    base = Path(directory) / spec.workbook
    for suffix in WORKBOOK_SUFFIXES + (".xls",):  # a legacy .xls is found, then refused clearly
        p = base.with_suffix(suffix)
        if p.exists():
            return p
    return base


_NOTE = re.compile(r"[（(【\[［].*?[）)】\]］]|[:：]$")   # 回复日期（年/月/日）, 回复日期(注)
ERROR_VALUE = re.compile(r"#(?:N/A|REF!|VALUE!|DIV/0!|NAME\?|NUM!|NULL!|SPILL!|CALC!|GETTING_DATA)")


def _header_key(text) -> str:
    return re.sub(r"[\s*＊]", "", str(text)) if text is not None else ""


def _loose_key(text) -> str:
    """The header without notes in brackets: what the user meant by a decorated header."""
    return _NOTE.sub("", _header_key(text))


def _open(path: Path, sheets=()) -> tuple[calamine.CalamineWorkbook, dict[str, SheetScan]]:
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
        trimmed, scans = scan_workbook(path, sheets)
        if trimmed is not None:  # far strays left out: calamine reads the trimmed copy
            return calamine.CalamineWorkbook.from_filelike(io.BytesIO(trimmed)), scans
        return calamine.CalamineWorkbook.from_path(str(path)), scans
    except OSError as e:
        raise UserError.from_os(e, path) from None
    except Exception as e:  # calamine and zipfile raise several types for broken archives
        raise UserError(f"{path}：文件已损坏，无法读取（{e}）") from None


def _find_header(rows: list[list], sheet: SheetSpec) -> tuple[int, dict[str, int], dict[str, str]]:
    """0-based header row index, column key -> 0-based index, and column key -> the decorated
    header text it was matched by; by best match of headers (exact names before loose ones).
    A header row may lean on the row above it (a two-row header): a cell left blank takes the
    text above it, and text split over the two rows ("回复" over "日期") is read as one."""
    exact = {_header_key(h): c.key for c in sheet.columns for h in c.headers}
    loose = {_loose_key(h): c.key for c in sheet.columns for h in c.headers}
    texts = {h.strip() for c in sheet.columns for h in c.headers}
    best: tuple[int, dict, dict] = (-1, {}, {})
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        above = rows[i - 1] if i > 0 else []
        found: dict[str, int] = {}
        decorated: dict[str, str] = {}
        for names, key_of in ((exact, _header_key), (loose, _loose_key)):
            for j, cell in enumerate(row):
                for text in _header_texts(cell, above[j] if j < len(above) else None):
                    key = names.get(key_of(text))
                    if key and key not in found and j not in found.values():
                        found[key] = j
                        if text.strip().strip("*＊").strip() not in texts:
                            decorated[key] = text
        if len(found) > len(best[1]):
            best = (i, found, decorated)
    return best


def _header_texts(cell, above) -> list[str]:
    """What a header cell may mean: itself, itself under the cell above, or the cell above."""
    blank, blank_above = normalize.is_blank(cell), normalize.is_blank(above)
    if blank:
        return [] if blank_above else [str(above)]
    return [str(cell)] + ([] if blank_above else [f"{above}{cell}"])


def _fill_merged(rows: list[list], merged) -> None:
    """A value merged over a block of cells stands in each cell of the block (a customer
    merged over its rows, a header merged over two header rows)."""
    for (r0, c0), (r1, c1) in merged or ():
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(c0, min(c1, len(row) - 1) + 1):
                row[c] = value


def read_table(book: calamine.CalamineWorkbook, path: Path, reg: RegisterSpec, sheet: SheetSpec,
               scan: SheetScan | None = None) -> Table:
    if sheet.name not in book.sheet_names:
        if sheet.optional:   # a workbook made before the sheet existed: nothing recorded there
            return Table(spec=sheet)
        raise UserError(f"{path}：缺少工作表「{sheet.name}」")
    scan = scan or SheetScan()
    ws = book.get_sheet_by_name(sheet.name)
    rows, merged = ws.to_python(skip_empty_area=False), ws.merged_cell_ranges
    del ws   # calamine's copy of the sheet goes before the records are made
    for (r, c), text in scan.errors.items():  # calamine reads an error cell as ""
        if r < len(rows) and c < len(rows[r]):
            rows[r][c] = text
    _fill_merged(rows, merged)
    h, cols, decorated = _find_header(rows, sheet)
    missing = [c.header for c in sheet.columns if c.required and c.key not in cols]
    if h < 0 or missing:
        raise UserError(
            f"{path} 工作表「{sheet.name}」：找不到必需的列 {'、'.join(missing or [c.header for c in sheet.columns])}"
            f"（表头应在前 {HEADER_SCAN_ROWS} 行内）"
        )
    table = Table(spec=sheet, header_row=h + 1, columns={k: j + 1 for k, j in cols.items()}, scan=scan)
    table.notes += _header_findings(reg, sheet, h + 1, cols, decorated, scan)
    present = [(c, cols[c.key]) for c in sheet.columns if c.key in cols]
    absent = {c.key: None for c in sheet.columns if c.key not in cols}
    same: dict = {}   # one object per distinct text or date: a register repeats them row after row
    for i in range(h + 1, len(rows)):
        cells, rows[i] = rows[i], None   # each row's list goes once its record is made
        raw = {c.key: (cells[j] if j < len(cells) else None) for c, j in present}
        raw = {k: (None if v == "" else v) for k, v in raw.items()}
        if all(normalize.is_blank(v) for v in raw.values()):
            continue
        values = dict(absent)
        unread = {}
        for col, _ in present:
            v = raw[col.key]
            if normalize.is_blank(v):
                values[col.key] = None
                continue
            value, problem = _convert(v, col)
            values[col.key] = same.setdefault(value, value) if type(value) in _SHARED else value
            if problem is not None:
                unread[col.key] = _show(v)
                code, fields = problem
                table.findings.append(Finding.of(code, reg.id, sheet.name, i + 1, col.header, value=_show(v),
                                                 header=col.header, shown=_show(v), **fields))
        raw = {k: v for k, v in raw.items() if type(v) is not type(values[k]) or v != values[k]}
        table.records.append(Record(row=i + 1, values=values, raw=raw, unread=unread))
    return table


_SHARED = (str, dt.date)   # immutable, compared by value; a datetime never equals a date


def _convert(v, col) -> tuple[object, tuple | None]:
    """(typed value, None) or (None, (finding code, fields)) for a cell that cannot be read."""
    if isinstance(v, str) and ERROR_VALUE.fullmatch(v.strip()):
        return None, ("field.error", {})
    try:
        return normalize.convert(v, col.type), None
    except ValueError as e:
        return None, ("field.type", {"reason": e})


def _header_findings(reg, sheet, header_row: int, cols: dict, decorated: dict, scan: SheetScan) -> list[Finding]:
    out = [
        Finding.of("read.header", reg.id, sheet.name, header_row, found, value=found, found=found,
                   header=sheet.column(key).header)
        for key, found in decorated.items()
    ]
    absent = [c.header for c in sheet.columns if c.key not in cols]
    if absent:
        out.append(Finding.of("read.missing_column", reg.id, sheet.name, header_row, None,
                              headers="、".join(absent)))
    if scan.ignored:
        shown = "、".join(scan.ignored[:5]) + (f" 等 {len(scan.ignored)} 个单元格" if len(scan.ignored) > 5 else "")
        out.append(Finding.of("read.far_cells", reg.id, sheet.name, None, None, cells=shown))
    return out


def _show(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return str(v)


def read_register(directory, register_id: str) -> Register:
    spec = load_specs()[register_id]
    path = workbook_path(Path(directory), spec)
    book, scans = _open(path, [s.name for s in spec.sheets])
    try:
        tables = {s.key: read_table(book, path, spec, s, scans.get(s.name)) for s in spec.sheets}
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
