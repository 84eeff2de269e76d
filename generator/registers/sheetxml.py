"""What python-calamine does not tell, read from the sheet XML itself: error cells and far strays.

- calamine returns an Excel error cell (``#N/A``, ``#REF!`` ...) as an empty string, so a broken
  lookup would read as "not filled in"; the error cells are found here by their ``t="e"`` type.
- calamine allocates the whole rectangle from A1 to the last cell it sees: one stray value in
  XFD1048576 asks for ~512 GB and aborts the process. When a sheet's rectangle is too big, the
  cells far from the data (beyond a wide gap of empty rows or columns) are left out of a copy
  of the workbook that calamine then reads, and named so the user can delete them.

Only plain byte scans run on an ordinary sheet; the slow path runs only for an oversized one.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

MAX_CELLS = 8_000_000        # rows x columns calamine may allocate (~32 bytes each: 256 MB)
ROW_GAP, COL_GAP = 5_000, 100   # a gap this wide of empty rows / columns ends the data

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
_REF = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})(\d+)"')
_WIDE_REF = re.compile(rb'r="([A-Z]{2,3})[0-9]')     # a literal prefix: one fast pass
_LAST_ROW = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
_ERROR_CELL = re.compile(rb'<c\b[^>]*?\bt="e"[^>]*>(?:(?!</c>).)*?<v>([^<]*)</v>', re.S)
_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})(\d+)"[^>]*?(?:/>|>.*?</c>)', re.S)


@dataclass
class SheetScan:
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # 0-based (row, col) -> "#N/A"
    ignored: list[str] = field(default_factory=list)                  # refs of far cells left out


def col_index(letters: bytes | str) -> int:
    """1-based column number of 'A', 'Z', 'AA' ... 'XFD'."""
    n = 0
    for ch in letters if isinstance(letters, str) else letters.decode():
        n = n * 26 + ord(ch) - 64
    return n


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part name in the package (xl/worksheets/sheet1.xml ...)."""
    book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.findall("rel:Relationship", _NS)}
    out = {}
    for s in book.findall("m:sheets/m:sheet", _NS):
        target = targets.get(s.get(f"{{{_NS['r']}}}id"), "")
        out[s.get("name")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    return out


CHUNK = 8 << 20      # bytes of sheet XML read at a time: a 50,000-row sheet is ~170 MB unpacked
OVERLAP = 4096       # each block is read with the end of the one before, so no tag is cut in two


def _scan_stream(fh, errors: dict[tuple[int, int], str]) -> int:
    """One pass over a sheet's XML in bounded memory: fills ``errors`` and returns the rectangle
    calamine would allocate, rows x columns: the last row (rows are in order) times the widest
    column seen anywhere. Matches in the overlap are seen twice, which max and a dict ignore."""
    wide: set[bytes] = set()
    last_row = last_cell = 0
    carry, done = b"", False
    for block in iter(lambda: fh.read(CHUNK), b""):
        data = carry + block
        wide.update(_WIDE_REF.findall(data))
        if b't="e"' in data:
            _errors_into(data, errors)
        if not done:
            end = data.find(b"</sheetData>")
            region = data if end < 0 else data[:end]
            row = _LAST_ROW.match(region, max(region.rfind(b"<row "), 0))
            cell = _REF.match(region, max(region.rfind(b"<c "), 0))
            last_row = int(row.group(1)) if row else last_row
            last_cell = int(cell.group(2)) if cell else last_cell
            done = end >= 0
        carry = data[-OVERLAP:]
    return max(last_row, last_cell) * max([26] + [col_index(c) for c in wide])


def _errors_into(xml: bytes, errors: dict[tuple[int, int], str]) -> None:
    for m in _ERROR_CELL.finditer(xml):
        ref = _REF.match(m.group(0))
        if ref:
            errors[(int(ref.group(2)) - 1, col_index(ref.group(1)) - 1)] = m.group(1).decode(errors="replace")


def _bound(values: list[int], gap: int) -> int:
    """The last value before the first gap wider than ``gap``."""
    values = sorted(set(values))
    last = values[0] if values else 0
    for v in values[1:]:
        if v - last > gap:
            break
        last = v
    return last


def _trim(xml: bytes) -> tuple[bytes, list[str]]:
    cells = [(m.group(1), int(m.group(2))) for m in _REF.finditer(xml)]
    max_row = _bound([r for _, r in cells], ROW_GAP)
    max_col = _bound([col_index(c) for c, _ in cells], COL_GAP)
    ignored: list[str] = []

    def keep(m: re.Match) -> bytes:
        if int(m.group(2)) <= max_row and col_index(m.group(1)) <= max_col:
            return m.group(0)
        ignored.append(f"{m.group(1).decode()}{int(m.group(2))}")
        return b""

    return _CELL.sub(keep, xml), ignored


def scan_workbook(path, names) -> tuple[bytes | None, dict[str, SheetScan]]:
    """Scan the named sheets: error cells, and far cells to leave out. Returns the bytes of a
    trimmed copy of the workbook to read instead (None when nothing was left out)."""
    scans: dict[str, SheetScan] = {}
    replaced: dict[str, bytes] = {}
    with zipfile.ZipFile(path) as zf:
        parts = sheet_parts(zf)
        for name in names:
            part = parts.get(name)
            if part is None or part not in zf.namelist():
                continue
            scan = scans[name] = SheetScan()
            with zf.open(part) as fh:
                extent = _scan_stream(fh, scan.errors)
            if extent > MAX_CELLS:      # the slow path, for a sheet with far strays: read it whole
                xml, scan.ignored = _trim(zf.read(part))
                replaced[part] = xml
                scan.errors.clear()
                if b't="e"' in xml:
                    _errors_into(xml, scan.errors)
        if not replaced:
            return None, scans
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
            for info in zf.infolist():
                out.writestr(info, replaced.get(info.filename, zf.read(info.filename)))
    return buf.getvalue(), scans
