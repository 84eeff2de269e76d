"""Edit a user's xlsx/xlsm by rewriting only the parts that change.

openpyxl load + save drops the cached values of every formula, Excel's x14 extensions, text
boxes and custom document properties (FIELD-NOTES). Here every zip member the edit does not
touch is copied as it was; a worksheet that changes is patched as bytes: its rows are located
by a scan and only the touched rows are rewritten, so a 50,000-row sheet costs one pass and
no object per cell. Cell formats are appended to styles.xml (``xlsxstyles``); notes and whole
sheets are handled by ``xlsxbook``.
"""
from __future__ import annotations

import bisect
import functools
import posixpath
import re
import zipfile
from html import escape
from pathlib import Path

from lxml import etree

from generator.core.errors import UserError

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
COMMENTS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
VML_CT = "application/vnd.openxmlformats-officedocument.vmlDrawing"
TEXT_FORMAT = 49                      # built-in number format "@"
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?(?:/>|>.*?</(?:\w+:)?c>)", re.S)
_PREFIX = re.compile(rb"<(\w+:)?")
_C_START = re.compile(rb"<(?:\w+:)?c[\s>/]")
_NO_REF = re.compile(rb"<(?:\w+:)?c(?=[\s/>])(?![^>]*\sr=\")")
_ATTR = {name: re.compile(rb"\s" + name.encode() + rb'="([^"]*)"') for name in ("r", "s", "t", "spans")}


class PatchError(Exception):
    """The file has a shape this module does not edit (then nothing is written)."""


@functools.lru_cache(maxsize=None)
def col_letter(col: int) -> str:
    s = ""
    while col:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def xml_text(value) -> str:
    """Text safe inside an XML element or attribute (characters XML cannot hold are dropped)."""
    text = str(value)
    if _BAD_XML.search(text):
        text = _BAD_XML.sub("", text)
    return escape(text, quote=True)


def _attr(tag: bytes, name: str) -> bytes | None:
    m = _ATTR[name].search(tag)
    return m.group(1) if m else None


def _set_attr(tag: bytes, name: str, value: str | None) -> bytes:
    """tag is a start tag (b'<c r="A1" s="3">' or self-closing); value None removes it."""
    pat = _ATTR[name]
    if pat.search(tag):
        return pat.sub(b"" if value is None else f' {name}="{value}"'.encode(), tag, count=1)
    if value is None:
        return tag
    end = -2 if tag.endswith(b"/>") else -1
    return tag[:end] + f' {name}="{value}"'.encode() + tag[end:]


# ---------------------------------------------------------------------------
# The package: zip members, relationships, content types


class Package:
    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError) as e:
            raise UserError(f"{self.path}：文件已损坏或不是 xlsx（{e}）") from None
        self.members = {i.filename: i for i in self.zip.infolist()}
        self.changed: dict[str, bytes] = {}
        self.removed: set[str] = set()
        self.ct = etree.fromstring(self.read("[Content_Types].xml"))

    def has(self, name: str) -> bool:
        return name not in self.removed and (name in self.changed or name in self.members)

    def read(self, name: str) -> bytes:
        if name in self.changed:
            return self.changed[name]
        info = self.members.get(name)
        if info is None:
            raise PatchError(f"缺少部件 {name}")
        if info.file_size < 8 << 20:
            return self.zip.read(name)
        buf, pos = bytearray(info.file_size), 0   # a big sheet: one buffer, filled chunk by chunk
        with self.zip.open(info) as f:
            while chunk := f.read(1 << 20):
                buf[pos:pos + len(chunk)] = chunk
                pos += len(chunk)
        return buf

    def write(self, name: str, data: bytes) -> None:
        self.changed[name] = data
        self.removed.discard(name)

    def remove(self, name: str) -> None:
        self.changed.pop(name, None)
        self.removed.add(name)
        for o in self.ct.findall(f"{{{CT_NS}}}Override"):
            if o.get("PartName") == "/" + name:
                self.ct.remove(o)

    def rels(self, part: str) -> etree._Element:
        name = rels_name(part)
        if self.has(name):
            return etree.fromstring(self.read(name))
        return etree.Element(f"{{{PKG_RELS}}}Relationships", nsmap={None: PKG_RELS})

    def save_rels(self, part: str, root) -> None:
        self.write(rels_name(part), etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))

    def targets(self, part: str) -> dict[str, tuple[str, str]]:
        """rId -> (type, part name) of part's relationships."""
        out = {}
        for r in self.rels(part):
            if r.get("TargetMode") == "External":
                continue
            out[r.get("Id")] = (r.get("Type"), resolve(part, r.get("Target")))
        return out

    def add_rel(self, part: str, rel_type: str, target_part: str) -> str:
        root = self.rels(part)
        ids = {r.get("Id") for r in root}
        n = len(ids) + 1
        while f"rId{n}" in ids:
            n += 1
        target = posixpath.relpath(target_part, posixpath.dirname(part))
        etree.SubElement(root, f"{{{PKG_RELS}}}Relationship", Type=REL + rel_type, Target=target, Id=f"rId{n}")
        self.save_rels(part, root)
        return f"rId{n}"

    def override(self, part: str, content_type: str) -> None:
        etree.SubElement(self.ct, f"{{{CT_NS}}}Override", PartName="/" + part, ContentType=content_type)

    def default(self, ext: str, content_type: str) -> None:
        if not any(d.get("Extension", "").lower() == ext for d in self.ct.findall(f"{{{CT_NS}}}Default")):
            etree.SubElement(self.ct, f"{{{CT_NS}}}Default", Extension=ext, ContentType=content_type)

    def free_name(self, pattern: str) -> str:
        n = 1
        while self.has(pattern.format(n)):
            n += 1
        return pattern.format(n)

    def save(self, out: Path) -> None:
        self.write("[Content_Types].xml",
                   etree.tostring(self.ct, xml_declaration=True, encoding="UTF-8", standalone=True))
        # Level 1: a changed 100 MB sheet deflates in about a second instead of several
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            for name, info in self.members.items():
                if name in self.removed:
                    continue
                data = self.changed.pop(name) if name in self.changed else self.zip.read(name)
                if isinstance(data, (bytes, bytearray)):
                    z.writestr(info, data, compresslevel=1)
                    continue
                with z.open(name, "w", force_zip64=True) as w:   # a patched sheet, streamed
                    for piece in data.pieces():
                        w.write(piece)
            for name, data in self.changed.items():
                if name not in self.members:
                    z.writestr(name, data)

    def close(self) -> None:
        self.zip.close()


def rels_name(part: str) -> str:
    d, base = posixpath.split(part)
    return posixpath.join(d, "_rels", base + ".rels")


def resolve(part: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


# ---------------------------------------------------------------------------
# A worksheet's cells, patched as bytes


class SheetCells:
    """Cells of one worksheet part: rows found by a scan, edits spliced in on ``bytes()``."""

    def __init__(self, data: bytes):
        self.data = data
        start = re.search(rb"<(?:\w+:)?sheetData\b[^>]*?(/?)>", data)
        if start is None:
            raise PatchError("工作表没有 sheetData")
        self.empty = start.group(1) == b"/"
        self.body_start = start.end()
        self.prefix = _PREFIX.match(data, start.start()).group(1) or b""   # no slice: no copy
        self.body_end = self.body_start if self.empty else data.rindex(b"</" + self.prefix + b"sheetData>")
        self.rows: dict[int, tuple[int, int]] = {}   # row -> (start, start of the next row)
        tag, last, prev = b"<" + self.prefix + b"row", 0, None
        pos = data.find(tag, self.body_start, self.body_end)
        while pos >= 0:   # a byte search per row: no regex over the cells
            if data[pos + len(tag):pos + len(tag) + 1] in b" \t\r\n/>":
                r = _attr(data[pos:data.index(b">", pos) + 1], "r")
                last = int(r) if r is not None else last + 1
                if prev is not None:
                    self.rows[prev[0]] = (prev[1], pos)
                prev = (last, pos)
            pos = data.find(tag, pos + len(tag), self.body_end)
        if prev is not None:
            self.rows[prev[0]] = (prev[1], self.body_end)
        self.order = sorted(self.rows)
        self.edits: dict[int, dict[int, object]] = {}   # row -> col -> ("style", s) | ("text", s, text)
        # Cells found by their r="F12" (one byte search each) unless some cell has no r
        self.implicit = bool(_NO_REF.search(data, self.body_start, min(self.body_end, self.body_start + 200_000)))
        self.close_c = b"</" + self.prefix + b"c>"
        self.splices: list[tuple[int, int, bytes]] = []   # edits outside the rows: (start, end, new)

    def changed(self) -> bool:
        return bool(self.edits or self.splices)

    def add_tail(self, element: bytes) -> None:
        """Insert ``element`` (a <legacyDrawing>) after </sheetData>, where the schema wants it."""
        m = _AFTER_LEGACY.search(self.data, self.body_end)
        at = m.start() if m else self.data.rindex(b"</")
        self.splices.append((at, at, element))

    def bind_r(self) -> None:
        """Bind the r prefix (relationship ids) on the worksheet element if it is not yet."""
        m = re.match(rb"(?:<\?[^>]*\?>\s*)?<(?:\w+:)?worksheet\b[^>]*>", self.data)
        head = m.group(0)
        if f'xmlns:r="{R_NS}"'.encode() in head:
            return
        if b"xmlns:r=" in head:
            raise PatchError("工作表把 r 前缀绑定到了别的命名空间")
        self.splices.append((m.end() - 1, m.end() - 1, f' xmlns:r="{R_NS}"'.encode()))

    def unselect(self) -> None:
        """Drop tabSelected from the sheet view (another sheet is shown)."""
        at = self.data.find(b' tabSelected="1"', 0, self.body_start)
        if at >= 0:
            self.splices.append((at, at + len(b' tabSelected="1"'), b""))

    def _locate(self, row: int, col: int) -> tuple[int, int] | None:
        """Byte span of cell (row, col), None when absent (only for sheets whose cells carry r)."""
        span = self.rows.get(row)
        if span is None:
            return None
        data, ref = self.data, f' r="{col_letter(col)}{row}"'.encode()
        pos = data.find(ref, *span)
        if pos < 0:
            return None
        start = data.rfind(b"<", span[0], pos)
        tag_end = data.index(b">", pos)
        if not _C_START.match(data, start):
            raise PatchError(f"无法定位单元格 {col_letter(col)}{row}")
        if data[tag_end - 1:tag_end] == b"/":
            return start, tag_end + 1
        return start, data.index(self.close_c, tag_end) + len(self.close_c)

    def _row_cells(self, row: int) -> dict[int, bytes]:
        span = self.rows.get(row)
        if span is None:
            return {}
        out, last = {}, 0
        for m in _CELL.finditer(self.data, *span):
            cell = m.group(0)
            r = _attr(cell[:cell.index(b">") + 1], "r")
            if r is None:
                col = last + 1
            else:
                col = col_index(re.match(rb"[A-Z]+", r).group(0).decode())
            out[col] = cell
            last = col
        return out

    def cell(self, row: int, col: int) -> bytes | None:
        if self.implicit:
            return self._row_cells(row).get(col)
        at = self._locate(row, col)
        return None if at is None else self.data[at[0]:at[1]]

    def style(self, row: int, col: int) -> int:
        edit = self.edits.get(row, {}).get(col)
        if edit is not None:
            return edit[1]
        cell = self.cell(row, col)
        s = _attr(cell[:cell.index(b">") + 1], "s") if cell else None
        return int(s) if s else 0

    def set_style(self, row: int, col: int, s: int) -> None:
        old = self.edits.setdefault(row, {}).get(col)
        self.edits[row][col] = ("text", s, old[2]) if old and old[0] == "text" else ("style", s)

    def set_text(self, row: int, col: int, s: int, text: str) -> None:
        self.edits.setdefault(row, {})[col] = ("text", s, text)

    def _new_cell(self, ref: str, edit, old: bytes | None) -> bytes:
        p = self.prefix.decode()
        if edit[0] == "text":
            return (f'<{p}c r="{ref}" s="{edit[1]}" t="inlineStr"><{p}is><{p}t xml:space="preserve">'
                    f"{xml_text(edit[2])}</{p}t></{p}is></{p}c>").encode()
        if old is None:
            return f'<{p}c r="{ref}" s="{edit[1]}"/>'.encode()
        end = old.index(b">") + 1
        return _set_attr(old[:end], "s", str(edit[1])) + old[end:]

    def _row_bytes(self, row: int) -> bytes:
        span = self.rows.get(row)
        if span is not None and not self.implicit:   # fast: every edited cell exists, splice in place
            found = {col: self._locate(row, col) for col in self.edits[row]}
            if all(found.values()):
                pieces, pos = [], span[0]
                for col, (start, end) in sorted(found.items(), key=lambda x: x[1]):
                    old = self.data[start:end]
                    pieces += [self.data[pos:start], self._new_cell(f"{col_letter(col)}{row}", self.edits[row][col], old)]
                    pos = end
                pieces.append(self.data[pos:span[1]])
                return b"".join(pieces)
        return self._row_rebuilt(row)

    def _row_rebuilt(self, row: int) -> bytes:
        p = self.prefix
        span = self.rows.get(row)
        if span is None:
            head, tail = f'<{p.decode()}row r="{row}">'.encode(), b"</" + p + b"row>"
        else:
            raw = self.data[span[0]:span[1]]
            end = raw.index(b">") + 1
            head = _set_attr(raw[:end], "spans", None)   # spans is a hint; stale after an added cell
            if head.endswith(b"/>"):
                head = head[:-2] + b">"
            tail = b"</" + p + b"row>"
        cells = self._row_cells(row)
        for col, edit in self.edits[row].items():
            cells[col] = self._new_cell(f"{col_letter(col)}{row}", edit, cells.get(col))
        return head + b"".join(cells[c] for c in sorted(cells)) + tail

    def __bytes__(self) -> bytes:
        return b"".join(self.pieces())

    def pieces(self):
        """The patched sheet as consecutive pieces (memoryview slices of the original and new
        bytes), to be streamed into the zip without one more copy of a big sheet."""
        if not self.changed():
            yield self.data
            return
        pieces, pos = list(self.splices), self.body_start
        inserts: dict[int, list[bytes]] = {}
        for row in sorted(self.edits):
            if row in self.rows:
                start, end = self.rows[row]
                pieces.append((start, end, self._row_bytes(row)))
            else:   # a new row goes before the first existing row below it
                i = bisect.bisect(self.order, row)
                at = self.rows[self.order[i]][0] if i < len(self.order) else self.body_end
                inserts.setdefault(at, []).append(self._row_bytes(row))
        if self.empty and self.edits:   # <sheetData/> opened up
            at = self.body_start
            pieces.append((at - 2, at, b">" + b"".join(self._row_bytes(r) for r in sorted(self.edits))
                           + b"</" + self.prefix + b"sheetData>"))
            inserts.clear()
        else:
            for at, rows in inserts.items():
                pieces.append((at, at, b"".join(rows)))
        pieces.sort(key=lambda x: (x[0], x[1]))
        data, pos = memoryview(self.data), 0   # slices without copies: the sheet may be 100+ MB
        for start, end, new in pieces:
            yield data[pos:start]
            yield new
            pos = end
        yield data[pos:]


# Elements that follow <legacyDrawing> in a worksheet (ECMA-376 order)
_AFTER_LEGACY = re.compile(rb"<(?:\w+:)?(legacyDrawingHF|drawingHF|picture|oleObjects|controls|"
                           rb"webPublishItems|tableParts|extLst)\b")


__all__ = ["Package", "PatchError", "SheetCells", "col_index", "col_letter",
           "xml_text"]
