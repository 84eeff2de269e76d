"""Macro-enabled registers: a VBA project built here, and a button bar on each register sheet.

No Excel is needed to build the .xlsm. The VBA project (``xl/vbaProject.bin``) is written
from the module sources in ``macros/`` following [MS-OVBA]: each module stream holds only
its source, compressed (2.4.1), at offset 0, and ``_VBA_PROJECT`` holds no compiled code
(version 0xFFFF), so Excel compiles the source when it opens the file; the project is
stored in a small compound file [MS-CFB] written by ``compound_file``. The protection
fields (ID/CMG/DPB/GC: no password, visible) are copied from the project Excel saved in
xlwings' quickstart_standalone.xlsm.

Buttons are VML form-control buttons (like XlsxWriter's ``insert_button``) in the top strip
of the header row, which is made taller with its text pushed to the bottom; they run the
macros of ``macros/AfterSales.bas``. openpyxl keeps them (with ``keep_vba`` it carries the
VML part over and merges cell notes into it), so the safe writer and ``check --write-back``
do not lose them. LibreOffice opens the file, imports the modules and binds the buttons to
them (running them needs Excel: RunPython is xlwings' Excel bridge).

The modules: macros/AfterSales.bas (the button macros), xlwings.bas (from the pinned
xlwings wheel) and Dictionary.cls (VBA-Dictionary, which xlwings.bas needs on macOS; taken
from the wheel's quickstart_standalone.xlsm). ``install_macros`` also puts
aftersales_macros.py (the Python entry points) and xlwings.conf beside the workbooks.
"""
from __future__ import annotations

import io
import re
import struct
import sys
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl

from generator.config.register_specs import load_specs
from generator.core.errors import UserError
from generator.registers.read import workbook_path
from generator.registers.safewrite import (
    atomic_write_bytes,
    backup,
    ensure_not_open,
    save_workbook,
)
from generator.registers.writeback import RESULT_SHEET

MACRO_DIR = Path(__file__).resolve().parents[2] / "macros"
MODULE_FILES = ("AfterSales.bas", "xlwings.bas", "Dictionary.cls")
ENTRY_MODULE = "aftersales_macros.py"
CONF_FILE = "xlwings.conf"
CODEPAGE = 1252


@dataclass(frozen=True)
class Button:
    caption: str
    macro: str


BUTTONS = (
    Button("生成表单", "GenerateForms"),
    Button("校验", "CheckRegisters"),
    Button("分配编号", "AssignNumbers"),
    Button("催办", "SendReminders"),
)


# ---------------------------------------------------------------------------
# [MS-OVBA] 2.4.1 compression


def compress(data: bytes) -> bytes:
    """A CompressedContainer: signature byte, then one chunk per 4096 bytes of input."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        chunk = data[start:start + 4096]
        body = _compress_chunk(chunk)
        if len(body) <= 4096:
            out += struct.pack("<H", 0xB000 | (len(body) - 1)) + body   # flag 1, size - 3 incl. header
        else:  # incompressible: stored raw, padded to 4096 bytes
            out += struct.pack("<H", 0x3FFF) + chunk.ljust(4096, b"\0")
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    out = bytearray()
    seen: dict[bytes, list[int]] = defaultdict(list)   # 3-byte prefix -> earlier positions
    pos, indexed, n = 0, 0, len(chunk)
    while pos < n:
        flag_at, flags = len(out), 0
        out.append(0)
        for bit in range(8):
            if pos >= n:
                break
            bits = max((pos - 1).bit_length(), 4)        # offset bits grow with the position
            longest = (0xFFFF >> bits) + 3
            best, where = 0, 0
            for cand in reversed(seen.get(chunk[pos:pos + 3], [])[-64:]):
                size = 0
                while size < longest and pos + size < n and chunk[cand + size] == chunk[pos + size]:
                    size += 1
                if size > best:
                    best, where = size, cand
            if best >= 3:
                out += struct.pack("<H", ((pos - where - 1) << (16 - bits)) | (best - 3))
                flags |= 1 << bit
                pos += best
            else:
                out.append(chunk[pos])
                pos += 1
            for p in range(indexed, min(pos, n - 2)):
                seen[chunk[p:p + 3]].append(p)
            indexed = max(indexed, min(pos, n - 2))
        out[flag_at] = flags
    return bytes(out)


# ---------------------------------------------------------------------------
# [MS-CFB] a version-3 compound file, written in one go

SECTOR, MINI, CUTOFF = 512, 64, 4096
FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _chain(fat: list[int], first: int, count: int) -> int:
    for i in range(count):
        fat.append(first + i + 1 if i < count - 1 else END)
    return first if count else END


def compound_file(tree: dict) -> bytes:
    """Bytes of a compound file from {name: bytes | dict (a storage)}; names up to 31 chars."""
    entries = [["Root Entry", 5, b"", []]]   # name, type, data, children indexes

    def add(parent: int, items: dict) -> None:
        for name, value in items.items():
            entries.append([name, 1 if isinstance(value, dict) else 2,
                            b"" if isinstance(value, dict) else bytes(value), []])
            entries[parent][3].append(len(entries) - 1)
            if isinstance(value, dict):
                add(len(entries) - 1, value)
    add(0, tree)

    fat: list[int] = []
    minifat: list[int] = []
    big, ministream = bytearray(), bytearray()
    starts = {}
    for i, (name, kind, data, _) in enumerate(entries):
        if kind != 2 or not data:
            continue
        if len(data) < CUTOFF:
            count = -(-len(data) // MINI)
            starts[i] = _chain(minifat, len(ministream) // MINI, count)
            ministream += data.ljust(count * MINI, b"\0")
        else:
            count = -(-len(data) // SECTOR)
            starts[i] = _chain(fat, len(big) // SECTOR, count)
            big += data.ljust(count * SECTOR, b"\0")
    mini_sectors = -(-len(ministream) // SECTOR)
    root_start = _chain(fat, len(fat), mini_sectors)
    big += bytes(ministream).ljust(mini_sectors * SECTOR, b"\0")
    minifat_bytes = b"".join(struct.pack("<I", x) for x in minifat)
    minifat_sectors = -(-len(minifat_bytes) // SECTOR)
    minifat_start = _chain(fat, len(fat), minifat_sectors)
    big += minifat_bytes.ljust(minifat_sectors * SECTOR, b"\xff")
    dir_bytes = _directory(entries, starts, root_start, len(ministream))
    dir_start = _chain(fat, len(fat), len(dir_bytes) // SECTOR)
    big += dir_bytes
    fat_sectors = 1
    while (len(fat) + fat_sectors) > fat_sectors * (SECTOR // 4):
        fat_sectors += 1
    if fat_sectors > 109:
        raise ValueError("compound file too large for a header-only DIFAT")
    fat_first = len(fat)
    fat += [FATSECT] * fat_sectors
    fat += [FREE] * (fat_sectors * (SECTOR // 4) - len(fat))
    difat = [fat_first + i for i in range(fat_sectors)] + [FREE] * (109 - fat_sectors)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", bytes(16), 0x3E, 3, 0xFFFE, 9, 6,
        bytes(6), 0, fat_sectors, dir_start, 0, CUTOFF,
        minifat_start if minifat_sectors else END, minifat_sectors, END, 0,
    ) + struct.pack("<109I", *difat)
    return header + bytes(big) + struct.pack(f"<{len(fat)}I", *fat)


def _order(name: str) -> tuple:
    return (len(name), name.upper())   # CFB compares by length first, then case-insensitively


def _directory(entries, starts, root_start, ministream_size) -> bytes:
    left = [NOSTREAM] * len(entries)
    right = [NOSTREAM] * len(entries)
    child = [NOSTREAM] * len(entries)

    def tree(ids: list[int]) -> int:   # balanced binary tree of siblings (all black)
        if not ids:
            return NOSTREAM
        mid = len(ids) // 2
        left[ids[mid]], right[ids[mid]] = tree(ids[:mid]), tree(ids[mid + 1:])
        return ids[mid]

    for i, (_, _, _, kids) in enumerate(entries):
        child[i] = tree(sorted(kids, key=lambda k: _order(entries[k][0])))
    out = bytearray()
    for i, (name, kind, data, _) in enumerate(entries):
        encoded = name.encode("utf-16-le")
        if len(encoded) > 62:
            raise ValueError(f"compound file name too long: {name}")
        start, size = (root_start, ministream_size) if kind == 5 else (starts.get(i, END), len(data))
        out += struct.pack("<64sHBBIII16sIQQIQ", encoded.ljust(64, b"\0"), len(encoded) + 2, kind, 1,
                           left[i], right[i], child[i], bytes(16), 0, 0, 0,
                           start if size or kind == 5 else (0 if kind == 1 else END), size)
    while len(out) % SECTOR:
        out += struct.pack("<64sHBBIII16sIQQIQ", bytes(64), 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM,
                           bytes(16), 0, 0, 0, 0, 0)
    return bytes(out)


# ---------------------------------------------------------------------------
# [MS-OVBA] 2.3 the VBA project streams

PROJECT_ID = "{5CF9CDAB-B77B-4FE4-BD7E-D29900070E1B}"
PROTECTION = ('CMG="8D8FA61394EA98EA98EA98EA98"', 'DPB="8D8FA61394EF95EF95EF"', 'GC="8D8FA61394EF95EF9510"')
REFERENCES = (
    ("stdole", "*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\\Windows\\System32\\stdole2.tlb#OLE Automation"),
    ("Office", "*\\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\\Program Files\\Common Files\\"
               "Microsoft Shared\\OFFICE16\\MSO.DLL#Microsoft Office 16.0 Object Library"),
)
DOCUMENT_BASE = {"workbook": "0{00020819-0000-0000-C000-000000000046}",
                 "sheet": "0{00020820-0000-0000-C000-000000000046}"}


@dataclass(frozen=True)
class Module:
    name: str
    kind: str      # "module", "class" or "document"
    source: str    # CRLF lines, starting with its Attribute lines


def document_module(name: str, base: str) -> Module:
    attrs = [f'VB_Name = "{name}"', f'VB_Base = "{base}"', "VB_GlobalNameSpace = False",
             "VB_Creatable = False", "VB_PredeclaredId = True", "VB_Exposed = True",
             "VB_TemplateDerived = False", "VB_Customizable = True"]
    return Module(name, "document", "".join(f"Attribute {a}\r\n" for a in attrs))


def read_module(path: Path) -> Module:
    """A .bas/.cls file as its stream source (a class file's VERSION/BEGIN header dropped)."""
    text = path.read_bytes().decode("ascii").replace("\r\n", "\n").replace("\n", "\r\n")
    text = text[text.index("Attribute VB_Name"):]
    name = re.match(r'Attribute VB_Name = "([^"]+)"', text).group(1)
    return Module(name, "class" if path.suffix == ".cls" else "module", text)


def _rec(rid: int, data: bytes = b"") -> bytes:
    return struct.pack("<HI", rid, len(data)) + data


def _text(rid: int, uid: int, text: str) -> bytes:
    return _rec(rid, text.encode("cp1252")) + _rec(uid, text.encode("utf-16-le"))


def dir_stream(modules: list[Module]) -> bytes:
    """The decompressed dir stream: project information, references, modules."""
    out = bytearray()
    out += _rec(0x01, struct.pack("<I", 3)) + _rec(0x02, struct.pack("<I", 0x409))
    out += _rec(0x14, struct.pack("<I", 0x409)) + _rec(0x03, struct.pack("<H", CODEPAGE))
    out += _rec(0x04, b"VBAProject") + _rec(0x05) + _rec(0x40) + _rec(0x06) + _rec(0x3D)
    out += _rec(0x07, struct.pack("<I", 0)) + _rec(0x08, struct.pack("<I", 0))
    out += struct.pack("<HIIH", 0x09, 4, 1, 0) + _rec(0x0C) + _rec(0x3C)
    for name, libid in REFERENCES:
        lib = libid.encode("cp1252")
        out += _text(0x16, 0x3E, name)
        out += _rec(0x0D, struct.pack("<I", len(lib)) + lib + struct.pack("<IH", 0, 0))
    out += _rec(0x0F, struct.pack("<H", len(modules))) + _rec(0x13, struct.pack("<H", 0xFFFF))
    for m in modules:
        out += _rec(0x19, m.name.encode("cp1252")) + _rec(0x47, m.name.encode("utf-16-le"))
        out += _text(0x1A, 0x32, m.name) + _rec(0x1C) + _rec(0x48)
        out += _rec(0x31, struct.pack("<I", 0)) + _rec(0x1E, struct.pack("<I", 0))
        out += _rec(0x2C, struct.pack("<H", 0xFFFF)) + _rec(0x21 if m.kind == "module" else 0x22)
        out += _rec(0x2B)
    out += struct.pack("<HI", 0x10, 0)
    return bytes(out)


def project_stream(modules: list[Module]) -> bytes:
    kinds = {"document": "Document={}/&H00000000", "module": "Module={}", "class": "Class={}"}
    lines = [f'ID="{PROJECT_ID}"'] + [kinds[m.kind].format(m.name) for m in modules]
    lines += ['Name="VBAProject"', 'HelpContextID="0"', 'VersionCompatible32="393222000"', *PROTECTION, "",
              "[Host Extender Info]", "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000", "",
              "[Workspace]"] + [f"{m.name}=0, 0, 0, 0, C" for m in modules]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def vba_project(modules: list[Module]) -> bytes:
    """vbaProject.bin holding these modules' sources (Excel compiles them on open)."""
    names = [m.name for m in modules]
    if len(set(n.lower() for n in names)) != len(names):
        raise ValueError(f"duplicate VBA module names: {names}")
    wm = b"".join(n.encode("cp1252") + b"\0" + n.encode("utf-16-le") + b"\0\0" for n in names) + b"\0\0"
    vba = {"_VBA_PROJECT": bytes.fromhex("cc61ffff000100"), "dir": compress(dir_stream(modules))}
    vba.update({m.name: compress(m.source.encode("cp1252")) for m in modules})
    return compound_file({"VBA": vba, "PROJECT": project_stream(modules), "PROJECTwm": wm})


def macro_modules(sheet_codes: list[str]) -> list[Module]:
    """ThisWorkbook, one document module per sheet code name, then macros/ modules."""
    mods = [document_module("ThisWorkbook", DOCUMENT_BASE["workbook"])]
    mods += [document_module(code, DOCUMENT_BASE["sheet"]) for code in sheet_codes]
    return mods + [read_module(macro_file(f)) for f in MODULE_FILES]


def macro_file(name: str) -> Path:
    path = MACRO_DIR / name
    if not path.exists():
        raise UserError(f"找不到宏文件 {path}（macros/ 目录不完整）")
    return path


# ---------------------------------------------------------------------------
# Buttons: VML form controls in the top strip of the header row

BUTTON_W, BUTTON_H, GAP, TOP = 72, 22, 6, 3    # pixels
HEADER_HEIGHT = 48                               # points: room for buttons above the header text

VML_HEAD = """<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" \
xmlns:x="urn:schemas-microsoft-com:office:excel">
 <o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="1"/></o:shapelayout>
 <v:shapetype id="_x0000_t201" coordsize="21600,21600" o:spt="201" path="m,l,21600r21600,l21600,xe">
  <v:stroke joinstyle="miter"/>
  <v:path shadowok="f" o:extrusionok="f" strokeok="f" fillok="f" o:connecttype="rect"/>
  <o:lock v:ext="edit" shapetype="t"/>
 </v:shapetype>
 <v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">
  <v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/>
 </v:shapetype>
"""
VML_BUTTON = """ <v:shape id="_x0000_s{id}" type="#_x0000_t201" style="position:absolute;margin-left:{x}pt;\
margin-top:{y}pt;width:{w}pt;height:{h}pt;z-index:{z};mso-wrap-style:tight" o:button="t" \
fillcolor="buttonFace [67]" strokecolor="windowText [64]" o:insetmode="auto">
  <v:fill color2="buttonFace [67]" o:detectmouseclick="t"/>
  <o:lock v:ext="edit" rotation="t"/>
  <v:textbox style="mso-direction-alt:auto" o:singleclick="f">
   <div style="text-align:center"><font face="宋体" size="200" color="#000000">{caption}</font></div>
  </v:textbox>
  <x:ClientData ObjectType="Button">
   <x:Anchor>{anchor}</x:Anchor>
   <x:PrintObject>False</x:PrintObject>
   <x:AutoFill>False</x:AutoFill>
   <x:FmlaMacro>[0]!{macro}</x:FmlaMacro>
   <x:TextHAlign>Center</x:TextHAlign>
   <x:TextVAlign>Center</x:TextVAlign>
  </x:ClientData>
 </v:shape>
"""
FIRST_BUTTON_ID = 2040   # high in the drawing's id block: openpyxl numbers cell notes from 1026


def _column_pixels(ws, col: int) -> int:
    from openpyxl.utils import get_column_letter

    dim = ws.column_dimensions.get(get_column_letter(col))
    width = dim.width if dim is not None and dim.width else 8.43
    return int(width * 7 + 5)


def _anchor(ws, x: int) -> tuple[int, int]:
    """0-based column and pixel offset of pixel x from the sheet's left edge."""
    col = 1
    while x >= _column_pixels(ws, col):
        x -= _column_pixels(ws, col)
        col += 1
    return col - 1, x


def button_vml(ws, buttons=BUTTONS) -> str:
    """VML with the button bar at the top of row 1, starting in column B (A stays frozen)."""
    parts = [VML_HEAD]
    x = _column_pixels(ws, 1) + GAP
    for i, b in enumerate(buttons):
        c1, o1 = _anchor(ws, x)
        c2, o2 = _anchor(ws, x + BUTTON_W)
        parts.append(VML_BUTTON.format(
            id=FIRST_BUTTON_ID + i, x=x * 0.75, y=TOP * 0.75, w=BUTTON_W * 0.75, h=BUTTON_H * 0.75, z=i + 1,
            caption=escape(b.caption), macro=b.macro,
            anchor=f"{c1}, {o1}, 0, {TOP}, {c2}, {o2}, 0, {TOP + BUTTON_H}"))
        x += BUTTON_W + GAP
    parts.append("</xml>")
    return "".join(parts)


def make_room(ws) -> None:
    """Taller header row, header text at the bottom: the buttons sit above it."""
    from openpyxl.styles import Alignment

    ws.row_dimensions[1].height = max(ws.row_dimensions[1].height or 0, HEADER_HEIGHT)
    for cell in ws[1]:
        if cell.value is not None:
            al = cell.alignment
            cell.alignment = Alignment(horizontal=al.horizontal or "center", vertical="bottom",
                                       wrap_text=al.wrap_text)


# ---------------------------------------------------------------------------
# xlsx -> xlsm

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>\
<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>\
<Override PartName="/xl/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>"""


MAX_BUTTON_SHEETS = 9   # openpyxl carries vmlDrawing1..9.vml over on later saves


def register_sheet_names(wb) -> list[str]:
    """Visible data sheets of a register that get a button bar: the first nine (the hidden
    工作日/选项 sheets get none; the buttons act on the whole workbook, so a tenth sheet such as
    基础数据 › 奖惩记录 does without its own bar)."""

    names = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible" and ws.title != RESULT_SHEET]
    return names[:MAX_BUTTON_SHEETS]


def add_macros(wb, button_sheets: list[str] | None = None) -> None:
    """Give an openpyxl workbook a VBA project and button bars; save it as .xlsm afterwards."""
    if getattr(wb, "vba_archive", None) is not None:
        raise UserError("该工作簿已带有宏（VBA 工程），未改动")
    button_sheets = register_sheet_names(wb) if button_sheets is None else button_sheets
    wb.code_name = "ThisWorkbook"
    codes = []
    for i, ws in enumerate(wb.worksheets, start=1):
        ws.sheet_properties.codeName = f"Sheet{i}"
        codes.append(ws.sheet_properties.codeName)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/vbaProject.bin", vba_project(macro_modules(codes)))
        for n, name in enumerate(button_sheets, start=1):
            if n > MAX_BUTTON_SHEETS:
                raise UserError("工作表过多：最多为 9 个工作表加按钮")
            ws = wb[name]
            make_room(ws)
            ws.legacy_drawing = f"xl/drawings/vmlDrawing{n}.vml"
            z.writestr(ws.legacy_drawing, button_vml(ws))
    wb.vba_archive = zipfile.ZipFile(io.BytesIO(buf.getvalue()))


def make_xlsm(xlsx_path, xlsm_path) -> Path:
    """Write xlsm_path: the register xlsx_path with the VBA project and button bars."""


    src, dst = Path(xlsx_path), Path(xlsm_path)
    if dst.suffix.lower() != ".xlsm":
        raise UserError(f"{dst}：宏工作簿的扩展名应为 .xlsm")
    if not src.exists():
        raise UserError(f"找不到台账文件 {src}")
    try:
        wb = openpyxl.load_workbook(src, keep_links=True)
    except Exception as e:
        raise UserError(f"{src}：无法打开（{e}）") from None
    add_macros(wb)
    save_workbook(wb, dst)
    return dst


def conf_text(python: str | None = None) -> str:
    """macros/xlwings.conf with the interpreter that runs the buttons filled in.

    The file is read by VBA's ``Input #``: one ``"KEY","VALUE"`` pair a line, no comments.
    An empty INTERPRETER_WIN/MAC means ``python`` on the PATH; PYTHONPATH can stay empty
    because xlwings adds the workbook's folder, where aftersales_macros.py lives.
    """
    python = python or sys.executable
    key = "INTERPRETER_WIN" if re.match(r"^[A-Za-z]:\\|^\\\\", python) else "INTERPRETER_MAC"
    text = macro_file(CONF_FILE).read_text(encoding="utf-8")
    return text.replace(f'"{key}",""', f'"{key}","{python}"')


def install_macros(directory, *, python: str | None = None) -> list[Path]:
    """Turn every register .xlsx of the folder into .xlsm (the .xlsx goes to 备份/) and put
    aftersales_macros.py and xlwings.conf beside them. Returns the files written."""

    directory = Path(directory)
    for name in MODULE_FILES + (ENTRY_MODULE, CONF_FILE):   # fail before changing anything
        macro_file(name)
    conf = conf_text(python).encode("mbcs" if sys.platform == "win32" else "utf-8")  # VBA reads ANSI
    written = []
    for spec in load_specs().values():
        src = workbook_path(directory, spec)
        if src.suffix.lower() != ".xlsx" or not src.exists():
            continue
        ensure_not_open(src)
        written.append(make_xlsm(src, src.with_suffix(".xlsm")))
        backup(src)
        src.unlink()   # the reader prefers .xlsx: the macro workbook must be the only one
    entry = macro_file(ENTRY_MODULE).read_bytes()
    for name, data in ((ENTRY_MODULE, entry), (CONF_FILE, conf)):
        target = directory / name
        atomic_write_bytes(target, lambda tmp, data=data: tmp.write_bytes(data))
        written.append(target)
    return written
