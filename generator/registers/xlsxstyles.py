"""Cell formats of a workbook being patched (``xlsxpatch``): fills, fonts and cell formats are
only ever appended to styles.xml, never renumbered, so every cell keeps its look."""
from __future__ import annotations

import copy

from lxml import etree

from generator.registers.xlsxpatch import Package, PatchError


class Styles:
    PART = "xl/styles.xml"

    def __init__(self, pkg: Package):
        self.pkg = pkg
        self.root = etree.fromstring(pkg.read(self.PART))
        self.ns = etree.QName(self.root).namespace
        self.xfs = self._section("cellXfs")
        self.fills = self._section("fills")
        self.fonts = self._section("fonts")
        self._cache: dict = {}
        self.dirty = False

    def _q(self, tag: str) -> str:
        return f"{{{self.ns}}}{tag}"

    def _section(self, tag: str):
        el = self.root.find(self._q(tag))
        if el is None:
            raise PatchError(f"styles.xml 没有 {tag}")
        return el

    def _append(self, section, el) -> int:
        section.append(el)
        section.set("count", str(len(section)))
        self.dirty = True
        return len(section) - 1

    def fill_of(self, xf: int) -> int:
        xfs = self.xfs
        return int(xfs[xf].get("fillId", "0")) if 0 <= xf < len(xfs) else 0

    def fill_rgb(self, fill_id: int) -> str | None:
        """fgColor rgb of a solid fill, else None."""
        if not 0 <= fill_id < len(self.fills):
            return None
        pf = self.fills[fill_id].find(self._q("patternFill"))
        if pf is None or pf.get("patternType") != "solid":
            return None
        fg = pf.find(self._q("fgColor"))
        return fg.get("rgb") if fg is not None else None

    def solid_fill(self, rgb: str) -> int:
        key = ("fill", rgb)
        if key not in self._cache:
            fill = etree.Element(self._q("fill"))
            pf = etree.SubElement(fill, self._q("patternFill"), patternType="solid")
            etree.SubElement(pf, self._q("fgColor"), rgb="FF" + rgb)
            etree.SubElement(pf, self._q("bgColor"), indexed="64")
            self._cache[key] = self._append(self.fills, fill)
        return self._cache[key]

    def font(self, *, bold=False, color: str | None = None, underline=False) -> int:
        key = ("font", bold, color, underline)
        if key not in self._cache:
            base = copy.deepcopy(self.fonts[0])
            for tag, on in (("b", bold), ("u", underline)):
                old = base.find(self._q(tag))
                if old is not None:
                    base.remove(old)
                if on:
                    base.insert(0, etree.Element(self._q(tag)))
            if color:
                old = base.find(self._q("color"))
                if old is not None:
                    base.remove(old)
                sz = base.find(self._q("sz"))
                el = etree.Element(self._q("color"), rgb="FF" + color)
                (sz.addnext(el) if sz is not None else base.append(el))
            self._cache[key] = self._append(self.fonts, base)
        return self._cache[key]

    def derive(self, xf: int, *, fill: int | None = None, font: int | None = None, numfmt: int | None = None,
               wrap: bool = False) -> int:
        """A cell format like ``xf`` with the given parts replaced (cached per combination)."""
        xf = xf if 0 <= xf < len(self.xfs) else 0
        key = ("xf", xf, fill, font, numfmt, wrap)
        if key in self._cache:
            return self._cache[key]
        el = copy.deepcopy(self.xfs[xf])
        if fill is not None:
            el.set("fillId", str(fill))
            el.set("applyFill", "1")
        if font is not None:
            el.set("fontId", str(font))
            el.set("applyFont", "1")
        if numfmt is not None:
            el.set("numFmtId", str(numfmt))
            el.set("applyNumberFormat", "1")
        if wrap:
            al = el.find(self._q("alignment"))
            if al is None:
                al = etree.Element(self._q("alignment"))
                el.insert(0, al)
            al.set("wrapText", "1")
            al.set("vertical", "top")
            el.set("applyAlignment", "1")
        if self.fill_of(xf) == fill and font is None and numfmt is None and not wrap:
            self._cache[key] = xf
            return xf
        self._cache[key] = self._append(self.xfs, el)
        return self._cache[key]

    def save(self) -> None:
        if self.dirty:
            self.pkg.write(self.PART, etree.tostring(self.root, xml_declaration=True, encoding="UTF-8",
                                                     standalone=True))


__all__ = ["Styles"]
