"""A user's workbook opened for a patch (``xlsxpatch``): its sheets by name, their cells and
notes, a sheet the tool writes whole (校验结果), and saving only what changed."""
from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from lxml import etree

from generator.registers.print_setup import PAGE_FOOTER
from generator.registers.xlsxpatch import (
    COMMENTS_CT,
    VML_CT,
    WORKSHEET_CT,
    Package,
    PatchError,
    col_index,
    col_letter,
    rels_name,
    xml_text,
)
from generator.registers.xlsxsheet import PACK_FROM, SheetCells
from generator.registers.xlsxstyles import Styles

VML_HEAD = (b'<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            b'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
            b'<o:idmap v:ext="edit" data="%d"/></o:shapelayout>')
NOTE_TYPE = (b'<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
             b'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
             b'<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>')
_SHAPE = re.compile(rb"<v:shape\b(?:(?!<v:shape\b).)*?</v:shape>", re.S)


def note_shape(shape_id: int, row: int, col: int, lines: int) -> bytes:
    """The VML box Excel shows for a note (hidden until hovered); row, col 1-based."""
    r, c = row - 1, col - 1
    return (f'<v:shape id="_x0000_s{shape_id}" type="#_x0000_t202" style="position:absolute;margin-left:59.25pt;'
            f'margin-top:1.5pt;width:225pt;height:{24 + 14 * lines}pt;z-index:{shape_id % 1024};visibility:hidden" '
            'fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/>'
            '<v:shadow on="t" color="black" obstructed="t"/><v:path o:connecttype="none"/>'
            '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>'
            f'<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            f"<x:Anchor>{c + 1}, 15, {r}, 10, {c + 4}, 15, {r + 4 + lines}, 4</x:Anchor>"
            f"<x:AutoFill>False</x:AutoFill><x:Row>{r}</x:Row><x:Column>{c}</x:Column></x:ClientData>"
            "</v:shape>").encode()


class Notes:
    """The notes of one worksheet: its comments part plus the VML shapes Excel draws them with."""

    def __init__(self, book: "Book", sheet: str):
        self.book, self.pkg, self.sheet = book, book.pkg, sheet
        self.part = book.parts[sheet]
        targets = self.pkg.targets(self.part)
        self.comments_part = next((p for t, p in targets.values() if t.endswith("/comments")), None)
        m = re.search(rb"<(?:\w+:)?legacyDrawing\b[^>]*?\w+:id=\"([^\"]+)\"", book.cells(sheet).tail)
        self.vml_part = targets[m.group(1).decode()][1] if m and m.group(1).decode() in targets else None
        if self.comments_part:
            self.root = etree.fromstring(self.pkg.read(self.comments_part))
        else:
            self.root = etree.fromstring(b'<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                                         b'main"><authors/><commentList/></comments>')
        self.ns = etree.QName(self.root).namespace
        self.items = {}
        for c in self.root.iter(self._q("comment")):
            ref = re.match(r"([A-Z]+)(\d+)", c.get("ref", ""))
            if ref:
                self.items[(int(ref.group(2)), col_index(ref.group(1)))] = c
        self.removed: list[tuple[int, int]] = []
        self.added: list[tuple[int, int, str]] = []

    def _q(self, tag):
        return f"{{{self.ns}}}{tag}"

    def get(self, row: int, col: int) -> str | None:
        c = self.items.get((row, col))
        return None if c is None else "".join(t.text or "" for t in c.iter(self._q("t")))

    def cells(self) -> list[tuple[int, int]]:
        return list(self.items)

    def remove(self, row: int, col: int) -> None:
        c = self.items.pop((row, col), None)
        if c is not None:
            c.getparent().remove(c)
            self.removed.append((row, col))

    def add(self, row: int, col: int, text: str, author: str) -> None:
        authors = self.root.find(self._q("authors"))
        names = [a.text for a in authors]
        if author not in names:
            etree.SubElement(authors, self._q("author")).text = author
            names.append(author)
        c = etree.SubElement(self.root.find(self._q("commentList")), self._q("comment"),
                             ref=f"{col_letter(col)}{row}", authorId=str(names.index(author)))
        t = etree.SubElement(etree.SubElement(c, self._q("text")), self._q("t"))
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        self.items[(row, col)] = c
        self.added.append((row, col, text))

    def save(self) -> None:
        if not self.removed and not self.added:
            return
        pkg = self.pkg
        if self.comments_part is None:
            self.comments_part = pkg.free_name("xl/comments{}.xml")
            pkg.override(self.comments_part, COMMENTS_CT)
            pkg.add_rel(self.part, "comments", self.comments_part)
        pkg.write(self.comments_part, etree.tostring(self.root, xml_declaration=True, encoding="UTF-8",
                                                     standalone=True))
        if self.vml_part is None:
            self.vml_part = pkg.free_name("xl/drawings/vmlDrawing{}.vml")
            pkg.default("vml", VML_CT)
            rid = self.book.pkg.add_rel(self.part, "vmlDrawing", self.vml_part)
            cells = self.book.cells(self.sheet)
            cells.add_tail(f'<legacyDrawing r:id="{rid}"/>'.encode())
            cells.bind_r()
            vml = VML_HEAD % self.book.free_idmap() + b"</xml>"
        else:
            vml = pkg.read(self.vml_part)
        pkg.write(self.vml_part, self._vml(vml))

    def _vml(self, vml: bytes) -> bytes:
        gone = set(self.removed)

        def keep(m):
            shape = m.group(0)
            if b'ObjectType="Note"' not in shape:
                return shape
            r = re.search(rb"<x:Row>(\d+)</x:Row>", shape)
            c = re.search(rb"<x:Column>(\d+)</x:Column>", shape)
            at = (int(r.group(1)) + 1, int(c.group(1)) + 1) if r and c else None
            return b"" if at in gone else shape

        vml = _SHAPE.sub(keep, vml)
        if not self.added:
            return vml
        if b"_x0000_t202" not in vml:
            vml = vml.replace(b"</o:shapelayout>", b"</o:shapelayout>" + NOTE_TYPE, 1)
        ids = [int(x) for x in re.findall(rb"_x0000_s(\d+)", vml)]
        idmap = re.search(rb'<o:idmap[^>]*data="(\d+)', vml)
        next_id = max(ids + [int(idmap.group(1)) * 1024 if idmap else 1024]) + 1
        shapes = b"".join(note_shape(next_id + i, r, c, text.count("\n") + 1 + len(text) // 30)
                          for i, (r, c, text) in enumerate(self.added))
        at = vml.rindex(b"</xml>")
        return vml[:at] + shapes + vml[at:]


class Book:
    """Sheets of a workbook by name; changes are kept until ``save``."""

    PART = "xl/workbook.xml"

    def __init__(self, path: Path):
        self.pkg = Package(path)
        try:
            self.styles = Styles(self.pkg)
            self.root = etree.fromstring(self.pkg.read(self.PART))
        except etree.XMLSyntaxError as e:
            raise PatchError(f"无法解析工作簿结构（{e}）") from None
        self.ns = etree.QName(self.root).namespace
        self.sheets_el = self.root.find(self._q("sheets"))
        rels = self.pkg.targets(self.PART)
        try:   # r:id in the transitional or the strict namespace
            self.parts = {s.get("name"): rels[next(v for k, v in s.attrib.items() if k.endswith("}id"))][1]
                          for s in self.sheets_el}
        except (KeyError, StopIteration):
            raise PatchError("工作簿的工作表关系不完整") from None
        self._cells: dict[str, SheetCells] = {}
        self._notes: dict[str, Notes] = {}
        self.workbook_dirty = False

    def _q(self, tag):
        return f"{{{self.ns}}}{tag}"

    def sheet_names(self) -> list[str]:
        return [s.get("name") for s in self.sheets_el]

    def raw(self, name: str) -> bytes:
        """The sheet's XML as in the file, whole (for a small sheet: edits are made in ``cells``)."""
        return self.pkg.read(self.parts[name])

    def cells(self, name: str) -> SheetCells:
        """The sheet's cells, to read and patch (a big sheet streamed from the file, held deflated)."""
        if name not in self._cells:
            part = self.parts[name]
            self._cells[name] = SheetCells(self.pkg.stream(part), pack=self.pkg.size(part) >= PACK_FROM)
        return self._cells[name]

    def notes(self, name: str) -> Notes:
        if name not in self._notes:
            self._notes[name] = Notes(self, name)
        return self._notes[name]

    def free_idmap(self) -> int:
        """A VML id block no drawing of the workbook uses yet."""
        used = {0}
        for name in self.pkg.members:
            if name.endswith(".vml"):
                used |= {int(x) for x in re.findall(rb'<o:idmap[^>]*data="([\d,]+)', self.pkg.read(name))
                         for x in x.split(b",") if x}
        return max(used) + 1

    def put_sheet(self, name: str, index: int, data: bytes) -> None:
        """Write sheet ``name`` whole (replacing the part, or a new sheet at ``index``)."""
        if name in self.parts:
            part = self.parts[name]
            old = self.pkg.read(part)
            if re.search(rb"<(?:\w+:)?f\b", old):
                self.drop_calc_chain()   # its entries for the old formulas would be stale
            if self.pkg.has(rels_name(part)):
                self.pkg.remove(rels_name(part))
            self._cells.pop(name, None)
            self.pkg.write(part, data)
            return
        part = self.pkg.free_name("xl/worksheets/sheet{}.xml")
        self.pkg.override(part, WORKSHEET_CT)
        rid = self.pkg.add_rel(self.PART, "worksheet", part)
        sheet_id = max((int(s.get("sheetId")) for s in self.sheets_el), default=0) + 1
        el = etree.Element(self._q("sheet"), name=name, sheetId=str(sheet_id))
        el.set(f"{{{R}}}id", rid)
        self.sheets_el.insert(index, el)
        for dn in self.root.iter(self._q("definedName")):   # sheet-scoped names follow their sheet
            if dn.get("localSheetId") is not None and int(dn.get("localSheetId")) >= index:
                dn.set("localSheetId", str(int(dn.get("localSheetId")) + 1))
        for view in self.root.iter(self._q("workbookView")):
            for attr in ("activeTab", "firstSheet"):
                if view.get(attr) is not None and int(view.get(attr)) >= index:
                    view.set(attr, str(int(view.get(attr)) + 1))
        self.parts[name] = part
        self.pkg.write(part, data)
        self.workbook_dirty = True

    def drop_calc_chain(self) -> None:
        rels = self.pkg.rels(self.PART)
        for r in list(rels):
            if r.get("Type", "").endswith("/calcChain"):
                self.pkg.remove(f"xl/{r.get('Target').lstrip('/').removeprefix('xl/')}")
                rels.remove(r)
                self.pkg.save_rels(self.PART, rels)

    def recalc_on_open(self) -> None:
        """Ask Excel to recalculate on open: formulas fed by cells we changed get new values."""
        calc = self.root.find(self._q("calcPr"))
        if calc is None:
            calc = etree.SubElement(self.root, self._q("calcPr"))
            for tag in ("oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
                        "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst"):
                later = self.root.find(self._q(tag))
                if later is not None:
                    later.addprevious(calc)
                    break
        calc.set("fullCalcOnLoad", "1")
        self.workbook_dirty = True

    def activate(self, name: str) -> None:
        index = self.sheet_names().index(name)
        for view in self.root.iter(self._q("workbookView")):
            view.set("activeTab", str(index))
        self.workbook_dirty = True
        for other in self.sheet_names():   # one selected tab, or Excel opens the sheets grouped
            head = self._cells[other].head if other in self._cells else self.pkg.head(self.parts[other], 8192)
            if other != name and b'tabSelected="1"' in head[:8192]:
                self.cells(other).unselect()

    def save(self, out: Path) -> None:
        for note in self._notes.values():
            note.save()
        for name, cells in self._cells.items():
            if cells.changed():
                self.pkg.write(self.parts[name], cells)   # streamed into the zip (SheetCells.pieces)
        self.styles.save()
        if self.workbook_dirty:
            self.pkg.write(self.PART, etree.tostring(self.root, xml_declaration=True, encoding="UTF-8",
                                                     standalone=True))
        self._cells.clear()   # the package holds the changed parts; each is let go once written
        self.pkg.save(out)

    def shared_string(self, i: int) -> str:
        """Shared string i (the table is read once, only when a cell needs it)."""
        if not hasattr(self, "_sst"):
            self._sst = []
            if self.pkg.has("xl/sharedStrings.xml"):
                root = etree.fromstring(self.pkg.read("xl/sharedStrings.xml"))
                self._sst = ["".join(t.text or "" for t in si.iter(f"{{{self.ns}}}t")) for si in root]
        return self._sst[i] if 0 <= i < len(self._sst) else ""

    def close(self) -> None:
        self.pkg.close()


R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class Formula(NamedTuple):
    """A formula cell with the value it computes (so readers that do not recalculate see it)."""
    text: str          # without the leading "="
    cached: object     # a number or text


def sheet_xml(cells: dict[tuple[int, int], tuple[object, int]], *, widths: dict[int, tuple[float, bool]],
              links: list[tuple[str, str, str]], freeze_row: int | None, selected: bool) -> bytes:
    """A whole worksheet: cells (row, col) -> (value, style), column widths (width, hidden),
    internal hyperlinks (ref, location, display), frozen rows above ``freeze_row``."""
    tab = ' tabSelected="1"' if selected else ""
    out = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}" '
           f'xmlns:r="{R}"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
           f'<sheetViews><sheetView workbookViewId="0"{tab}>']
    if freeze_row:
        out.append(f'<pane ySplit="{freeze_row - 1}" topLeftCell="A{freeze_row}" activePane="bottomLeft" '
                   'state="frozen"/><selection pane="bottomLeft"/>')
    out.append('</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>')
    if widths:
        out.append("<cols>" + "".join(f'<col min="{c}" max="{c}" width="{w}" customWidth="1"{HIDDEN[hidden]}/>'
                                      for c, (w, hidden) in sorted(widths.items())) + "</cols>")
    out.append("<sheetData>")
    rows: dict[int, list] = {}
    for (r, c), v in cells.items():
        rows.setdefault(r, []).append((c, v))
    for r in sorted(rows):
        out.append(f'<row r="{r}">')
        for c, (value, style) in sorted(rows[r]):
            ref, s = f"{col_letter(c)}{r}", f' s="{style}"' if style else ""
            if value is None:
                out.append(f'<c r="{ref}"{s}/>')
            elif isinstance(value, Formula):
                kind = "" if isinstance(value.cached, (int, float)) else ' t="str"'
                out.append(f'<c r="{ref}"{s}{kind}><f>{xml_text(value.text)}</f><v>{xml_text(value.cached)}</v></c>')
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                out.append(f'<c r="{ref}"{s}><v>{value}</v></c>')
            else:   # text, always: never a formula
                out.append(f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{xml_text(value)}</t></is></c>')
        out.append("</row>")
    out.append("</sheetData>")
    if links:
        out.append("<hyperlinks>" + "".join(f'<hyperlink ref="{ref}" location="{xml_text(loc)}" '
                                            f'display="{xml_text(disp)}"/>' for ref, loc, disp in links)
                   + "</hyperlinks>")
    # the page setup print_setup gives every other sheet the tool writes: A4 landscape, one page wide
    out.append('<printOptions horizontalCentered="1" gridLines="1"/>'
               '<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.6" header="0.3" footer="0.3"/>'
               '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
               f'<headerFooter><oddFooter>&amp;L&amp;A&amp;R{xml_text(PAGE_FOOTER)}</oddFooter></headerFooter>'
               "</worksheet>")
    return "".join(out).encode("utf-8")


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HIDDEN = {True: ' hidden="1"', False: ""}

__all__ = ["Book", "Notes", "PatchError", "sheet_xml"]
