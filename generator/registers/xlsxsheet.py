"""A worksheet's cells, patched as bytes (for ``xlsxpatch``/``xlsxbook``).

The sheet part is read as a stream and split into its head (up to ``<sheetData>``), its rows
in blocks of whole rows, and its tail (from ``</sheetData>``). A big sheet's blocks are kept
deflated: a 50,000-row register's sheet is ~170 MB of XML but ~20 MB held this way, and a
block is inflated only when a cell in it is read or when the sheet is written out. Rows are
located by a byte search per row, only the touched rows are rewritten, and every other byte of
the sheet is written out as it was read.
"""
from __future__ import annotations

import bisect
import re
import zlib
from collections.abc import Iterable, Iterator

from generator.registers.xlsxpatch import (
    R_NS,
    PatchError,
    col_index,
    col_letter,
    xml_text,
)

BLOCK = 64 << 10           # bytes of rows per block: inflating one for a cell read costs ~0.1 ms
PACK_FROM = 8 << 20        # sheets this big keep their blocks deflated
REF_SCAN = 200_000         # bytes of the body looked at to tell cells without r="A1"
_SHEET_DATA = re.compile(rb"<(?:\w+:)?sheetData\b[^>]*?(/?)>")
_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?(?:/>|>.*?</(?:\w+:)?c>)", re.S)
_PREFIX = re.compile(rb"<(\w+:)?")
_C_START = re.compile(rb"<(?:\w+:)?c[\s>/]")
_NO_REF = re.compile(rb"<(?:\w+:)?c(?=[\s/>])(?![^>]*\sr=\")")
_ATTR = {name: re.compile(rb"\s" + name.encode() + rb'="([^"]*)"') for name in ("r", "s", "t", "spans")}
_TAG_END = b" \t\r\n/>"    # what may follow "<row" in a row's start tag
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\sref="[A-Z]+\d+:[A-Z]+(\d+)"')
# Elements that follow <legacyDrawing> in a worksheet (ECMA-376 order)
_AFTER_LEGACY = re.compile(rb"<(?:\w+:)?(legacyDrawingHF|drawingHF|picture|oleObjects|controls|"
                           rb"webPublishItems|tableParts|extLst)\b")


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


def _row_start(data: bytes, tag: bytes, at: int, end: int | None = None) -> int:
    """Where the first row start tag at or after ``at`` begins, -1 if none (a <rowBreaks> or a
    tag cut at the end of ``data`` is not one)."""
    end = len(data) if end is None else end
    pos = data.find(tag, at, end)
    while pos >= 0 and (pos + len(tag) >= len(data) or data[pos + len(tag)] not in _TAG_END):
        pos = data.find(tag, pos + 1, end)
    return pos


class SheetCells:
    """Cells of one worksheet part: rows found by a scan, edits spliced in by ``pieces``.

    ``chunks`` are the part's bytes in order (one piece, or a stream of them); ``pack`` keeps
    the row blocks deflated (for a big sheet)."""

    def __init__(self, chunks: bytes | Iterable[bytes], *, pack: bool = False):
        self.pack = pack
        self.blocks: list[bytes] = []                       # whole rows each, deflated if pack
        self.rows: dict[int, tuple[int, int, int]] = {}    # row -> (block, start, start of the next row)
        self.sizes: list[int] = []                          # inflated length of each block
        self.implicit = False
        self._last_row = 0
        self._probe = b""                                   # the start of the body (see implicit)
        self._cached: tuple[int, bytes] | None = None
        self._split(iter([chunks]) if isinstance(chunks, (bytes, bytearray)) else iter(chunks))
        self.order = sorted(self.rows)
        self.edits: dict[int, dict[int, object]] = {}   # row -> col -> ("style", s) | ("text"|"number", s, value)
        self.close_c = b"</" + self.prefix + b"c>"
        self.dirty = False                              # head or tail changed

    # -- reading the part --------------------------------------------------------------

    def _split(self, chunks: Iterator[bytes]) -> None:
        buf = b""
        for chunk in chunks:
            buf += chunk
            m = _SHEET_DATA.search(buf)
            if m:
                break
        else:
            raise PatchError("工作表没有 sheetData")
        self.head = bytes(buf[:m.end()])
        self.prefix = _PREFIX.match(buf, m.start()).group(1) or b""
        self.empty = m.group(1) == b"/"
        rest = bytes(buf[m.end():])
        if self.empty:
            self.tail = rest + b"".join(chunks)
            return
        close, tag = b"</" + self.prefix + b"sheetData>", b"<" + self.prefix + b"row"
        pending = rest
        while True:
            end = pending.find(close)
            if end >= 0:
                self.tail = pending[end:] + b"".join(chunks)
                pending = pending[:end]
            while len(pending) > BLOCK:   # cut blocks at a row start: no row is split
                cut = _row_start(pending, tag, BLOCK)
                if cut < 0:
                    break
                self._add_block(pending[:cut], tag)
                pending = pending[cut:]
            if end >= 0:
                if pending:
                    self._add_block(pending, tag)
                # cells are found by their r="F12" (one byte search each) unless some cell has no r
                self.implicit, self._probe = bool(_NO_REF.search(self._probe)), b""
                return
            chunk = next(chunks, None)
            if chunk is None:
                raise PatchError("工作表的 sheetData 没有结束标记")
            pending += chunk

    def _add_block(self, data: bytes, tag: bytes) -> None:
        """Index the rows of ``data`` (whole rows) and keep it as the next block."""
        b, starts = len(self.blocks), []
        if len(self._probe) < REF_SCAN:
            self._probe += data[:REF_SCAN - len(self._probe)]
        pos = _row_start(data, tag, 0)
        while pos >= 0:   # a byte search per row: no regex over the cells
            r = _attr(data[pos:data.index(b">", pos) + 1], "r")
            self._last_row = int(r) if r is not None else self._last_row + 1
            starts.append((self._last_row, pos))
            pos = _row_start(data, tag, pos + len(tag))
        for i, (row, start) in enumerate(starts):
            self.rows[row] = (b, start, starts[i + 1][1] if i + 1 < len(starts) else len(data))
        self.sizes.append(len(data))
        self.blocks.append(zlib.compress(data, 1) if self.pack else bytes(data))

    def _block(self, b: int) -> bytes:
        if not self.pack:
            return self.blocks[b]
        if self._cached is None or self._cached[0] != b:   # one block inflated at a time
            self._cached = (b, zlib.decompress(self.blocks[b]))
        return self._cached[1]

    def _row(self, row: int) -> bytes | None:
        """The bytes of one row as in the file (with what follows it up to the next row)."""
        at = self.rows.get(row)
        return None if at is None else self._block(at[0])[at[1]:at[2]]

    # -- head and tail ------------------------------------------------------------------

    def changed(self) -> bool:
        return bool(self.edits or self.dirty)

    def add_tail(self, element: bytes) -> None:
        """Insert ``element`` (a <legacyDrawing>) after </sheetData>, where the schema wants it."""
        m = _AFTER_LEGACY.search(self.tail)
        at = m.start() if m else self.tail.rindex(b"</")
        self.tail, self.dirty = self.tail[:at] + element + self.tail[at:], True

    def bind_r(self) -> None:
        """Bind the r prefix (relationship ids) on the worksheet element if it is not yet."""
        m = re.match(rb"(?:<\?[^>]*\?>\s*)?<(?:\w+:)?worksheet\b[^>]*>", self.head)
        head = m.group(0)
        if f'xmlns:r="{R_NS}"'.encode() in head:
            return
        if b"xmlns:r=" in head:
            raise PatchError("工作表把 r 前缀绑定到了别的命名空间")
        at = m.end() - 1
        self.head, self.dirty = self.head[:at] + f' xmlns:r="{R_NS}"'.encode() + self.head[at:], True

    def unselect(self) -> None:
        """Drop tabSelected from the sheet view (another sheet is shown)."""
        if b' tabSelected="1"' in self.head:
            self.head, self.dirty = self.head.replace(b' tabSelected="1"', b"", 1), True

    # -- cells --------------------------------------------------------------------------

    def _locate(self, data: bytes, row: int, col: int) -> tuple[int, int] | None:
        """Byte span of cell (row, col) in its row's bytes ``data``, None when absent (only for
        sheets whose cells carry r)."""
        ref = f' r="{col_letter(col)}{row}"'.encode()
        pos = data.find(ref)
        if pos < 0:
            return None
        start = data.rfind(b"<", 0, pos)
        tag_end = data.index(b">", pos)
        if not _C_START.match(data, start):
            raise PatchError(f"无法定位单元格 {col_letter(col)}{row}")
        if data[tag_end - 1:tag_end] == b"/":
            return start, tag_end + 1
        return start, data.index(self.close_c, tag_end) + len(self.close_c)

    @staticmethod
    def _row_cells(data: bytes | None) -> dict[int, bytes]:
        out, last = {}, 0
        for m in _CELL.finditer(data or b""):
            cell = m.group(0)
            r = _attr(cell[:cell.index(b">") + 1], "r")
            col = last + 1 if r is None else col_index(re.match(rb"[A-Z]+", r).group(0).decode())
            out[col] = cell
            last = col
        return out

    def cell(self, row: int, col: int) -> bytes | None:
        data = self._row(row)
        if data is None:
            return None
        if self.implicit:
            return self._row_cells(data).get(col)
        at = self._locate(data, row, col)
        return None if at is None else data[at[0]:at[1]]

    def style(self, row: int, col: int) -> int:
        edit = self.edits.get(row, {}).get(col)
        if edit is not None:
            return edit[1]
        cell = self.cell(row, col)
        s = _attr(cell[:cell.index(b">") + 1], "s") if cell else None
        return int(s) if s else 0

    def set_style(self, row: int, col: int, s: int) -> None:
        old = self.edits.setdefault(row, {}).get(col)
        self.edits[row][col] = (old[0], s, old[2]) if old and old[0] in ("text", "number") else ("style", s)

    def set_text(self, row: int, col: int, s: int, text: str) -> None:
        self.edits.setdefault(row, {})[col] = ("text", s, text)

    def set_number(self, row: int, col: int, s: int, value: int | float) -> None:
        self.edits.setdefault(row, {})[col] = ("number", s, value)

    def extend_dimension(self, last_row: int) -> None:
        """The sheet's <dimension ref="A1:C20"> reaches down to ``last_row`` (rows were added)."""
        m = _DIMENSION.search(self.head)
        if m and int(m.group(1)) < last_row:
            self.head = self.head[:m.start(1)] + str(last_row).encode() + self.head[m.end(1):]
            self.dirty = True

    def _new_cell(self, ref: str, edit, old: bytes | None) -> bytes:
        p = self.prefix.decode()
        if edit[0] == "text":
            return (f'<{p}c r="{ref}" s="{edit[1]}" t="inlineStr"><{p}is><{p}t xml:space="preserve">'
                    f"{xml_text(edit[2])}</{p}t></{p}is></{p}c>").encode()
        if edit[0] == "number":
            return f'<{p}c r="{ref}" s="{edit[1]}"><{p}v>{edit[2]!r}</{p}v></{p}c>'.encode()
        if old is None:
            return f'<{p}c r="{ref}" s="{edit[1]}"/>'.encode()
        end = old.index(b">") + 1
        return _set_attr(old[:end], "s", str(edit[1])) + old[end:]

    def _row_bytes(self, row: int) -> bytes:
        data = self._row(row)
        if data is not None and not self.implicit:   # fast: every edited cell exists, splice in place
            found = {col: self._locate(data, row, col) for col in self.edits[row]}
            if all(found.values()):
                pieces, pos = [], 0
                for col, (start, end) in sorted(found.items(), key=lambda x: x[1]):
                    pieces += [data[pos:start], self._new_cell(f"{col_letter(col)}{row}", self.edits[row][col],
                                                               data[start:end])]
                    pos = end
                pieces.append(data[pos:])
                return b"".join(pieces)
        return self._row_rebuilt(row, data)

    def _row_rebuilt(self, row: int, data: bytes | None) -> bytes:
        p = self.prefix
        if data is None:
            head = f'<{p.decode()}row r="{row}">'.encode()
        else:
            end = data.index(b">") + 1
            head = _set_attr(data[:end], "spans", None)   # spans is a hint; stale after an added cell
            if head.endswith(b"/>"):
                head = head[:-2] + b">"
        cells = self._row_cells(data)
        for col, edit in self.edits[row].items():
            cells[col] = self._new_cell(f"{col_letter(col)}{row}", edit, cells.get(col))
        return head + b"".join(cells[c] for c in sorted(cells)) + b"</" + p + b"row>"

    # -- writing the part ---------------------------------------------------------------

    def __bytes__(self) -> bytes:
        return b"".join(self.pieces())

    def pieces(self) -> Iterator[bytes]:
        """The patched sheet as consecutive pieces, one block at a time, to be streamed into
        the zip without the whole sheet in memory."""
        if self.empty:
            if self.edits:   # <sheetData/> opened up
                yield self.head[:-2] + b">"
                yield from (self._row_bytes(r) for r in sorted(self.edits))
                yield b"</" + self.prefix + b"sheetData>"
            else:
                yield self.head
            yield self.tail
            return
        by_block: dict[int, list[int]] = {}   # edited rows of each block (len(blocks): after the last)
        for row in sorted(self.edits):
            if row in self.rows:
                by_block.setdefault(self.rows[row][0], []).append(row)
            else:
                i = bisect.bisect(self.order, row)
                by_block.setdefault(self.rows[self.order[i]][0] if i < len(self.order) else len(self.blocks),
                                    []).append(row)
        yield self.head
        for b in range(len(self.blocks)):
            data = self._block(b)
            if b not in by_block:
                yield data
                continue
            splices = []
            for row in by_block[b]:
                if row in self.rows:
                    splices.append((self.rows[row][1], self.rows[row][2], self._row_bytes(row)))
                else:   # a new row goes before the first existing row below it
                    at = self.rows[self.order[bisect.bisect(self.order, row)]][1]
                    splices.append((at, at, self._row_bytes(row)))
            splices.sort(key=lambda x: (x[0], x[1]))
            view, pos = memoryview(self._block(b)), 0
            for start, end, new in splices:
                yield view[pos:start]
                yield new
                pos = end
            yield view[pos:]
        yield from (self._row_bytes(r) for r in by_block.get(len(self.blocks), []))
        yield self.tail


__all__ = ["BLOCK", "PACK_FROM", "SheetCells"]
