"""Byte-reproducible .docx files.

Word processors stamp zip entries with the current time and core.xml with creation dates,
so the same content saved twice differs. Every .docx we write goes through ``write_docx``:
members in a fixed order ([Content_Types].xml first, then by name), every entry dated
1980-01-01 with the same attributes and compression, and core.xml dates pinned.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from generator.registers.safewrite import atomic_write_bytes

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
CORE = "docProps/core.xml"
FIRST = ("[Content_Types].xml", "_rels/.rels")
_DATE_TAGS = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")
_LAST_PRINTED = re.compile(rb"<cp:lastPrinted>[^<]*</cp:lastPrinted>")


def member_order(names) -> list[str]:
    names = list(names)
    head = [n for n in FIRST if n in names]
    return head + sorted(n for n in names if n not in FIRST)


def pin_core(xml: bytes, stamp: str = "1980-01-01T00:00:00Z") -> bytes:
    """core.xml with created/modified set to ``stamp`` and no last-printed date."""
    xml = _DATE_TAGS.sub(lambda m: m.group(1) + stamp.encode() + m.group(3), xml)
    return _LAST_PRINTED.sub(b"", xml)


def docx_bytes(parts: dict[str, bytes], stamp: str = "1980-01-01T00:00:00Z") -> bytes:
    """The zip bytes for ``parts`` (member name -> content), reproducibly."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in member_order(parts):
            data = parts[name]
            if name == CORE:
                data = pin_core(data, stamp)
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            z.writestr(info, data, compresslevel=6)
    return buf.getvalue()


def read_parts(source) -> dict[str, bytes]:
    """Member name -> bytes of a .docx given as a path or bytes."""
    data = source if isinstance(source, (bytes, bytearray)) else Path(source).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def write_bytes(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (``safewrite.atomic_write_bytes``); returns the path."""
    path = Path(path)
    atomic_write_bytes(path, lambda tmp: tmp.write_bytes(data))
    return path



def normalize_docx(path, stamp: str = "1980-01-01T00:00:00Z") -> Path:
    """Rewrite an existing .docx reproducibly, in place."""
    return write_bytes(path, docx_bytes(read_parts(path), stamp))
