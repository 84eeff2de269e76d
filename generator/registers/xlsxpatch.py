"""Edit a user's xlsx/xlsm by rewriting only the parts that change.

openpyxl load + save drops the cached values of every formula, Excel's x14 extensions, text
boxes and custom document properties (FIELD-NOTES). Here every zip member the edit does not
touch is copied as it was; a worksheet that changes is patched as bytes (``xlsxsheet``): its
rows are located by a scan and only the touched rows are rewritten, so a 50,000-row sheet costs
one pass and no object per cell, and a big sheet is streamed, never held whole. Cell formats
are appended to styles.xml (``xlsxstyles``); notes and whole sheets are handled by ``xlsxbook``.
"""
from __future__ import annotations

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
BIG_PART = 8 << 20                    # a part this big is read into one buffer, copied in pieces
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


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
        if info.file_size < BIG_PART:
            return self.zip.read(name)
        buf, pos = bytearray(info.file_size), 0   # a big sheet: one buffer, filled chunk by chunk
        with self.zip.open(info) as f:
            while chunk := f.read(1 << 20):
                buf[pos:pos + len(chunk)] = chunk
                pos += len(chunk)
        return buf

    def size(self, name: str) -> int:
        """Unpacked size of a part as in the file (0 for a part written since)."""
        info = self.members.get(name)
        return 0 if name in self.changed or info is None else info.file_size

    def stream(self, name: str, chunk: int = 1 << 20):
        """A part's bytes in pieces of ``chunk`` (a big sheet is never read whole)."""
        if name in self.changed or name not in self.members:
            yield self.read(name)
            return
        with self.zip.open(self.members[name]) as f:
            while piece := f.read(chunk):
                yield piece

    def head(self, name: str, n: int) -> bytes:
        """The first ``n`` bytes of a part."""
        if name in self.changed or name not in self.members:
            return bytes(self.read(name)[:n])
        with self.zip.open(self.members[name]) as f:
            return f.read(n)

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
                if name in self.changed:
                    data = self.changed.pop(name)
                elif info.file_size < BIG_PART:
                    data = self.zip.read(name)
                else:   # a big part kept as it was: copied in pieces, never read whole
                    data = _Stream(self.stream(name))
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


class _Stream:
    """Pieces already made, in the shape ``Package.save`` streams (like ``SheetCells.pieces``)."""

    def __init__(self, pieces):
        self._pieces = pieces

    def pieces(self):
        return self._pieces


def rels_name(part: str) -> str:
    d, base = posixpath.split(part)
    return posixpath.join(d, "_rels", base + ".rels")


def resolve(part: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


__all__ = ["Package", "PatchError", "col_index", "col_letter", "xml_text"]
