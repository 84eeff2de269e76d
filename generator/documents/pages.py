"""Page discipline, applied to every template when it is compiled and to every rendered record.

An auditor must be able to tell from any single page what it belongs to, and a long table must
stay readable across pages. Templates are edited by people, so none of this is left to them:

- tables: the rows above an item loop (a caption row and the column headings) repeat on every
  page (Word and LibreOffice repeat only header rows that start at the table's first row, so
  all of them are marked), no row is split across pages, and heading paragraphs and caption
  rows are kept with what follows;
- copies: a page break inside the ``doc_copies`` loop (一式三联/一式五联) becomes a section
  break, so each copy is its own section;
- sections: every section of a record restarts its page numbers and its footer's page line says
  ``<title>　编号：<number>　<copy>　第 X 页 共 Y 页`` where Y counts the pages of that section
  only. LibreOffice keeps SECTIONPAGES as cached in the file, but computes PAGEREF: Y is a
  PAGEREF to a bookmark (``pg_end_<record>_<section>``) in the section's last paragraph. The
  same bookmarks, exported as PDF destinations, give each record's page range in a document
  of many records (``compose``).
"""
from __future__ import annotations

import copy
import re

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
W = "{%s}" % W_NS
LOOP_ROW = re.compile(r"\{%-?\s*tr\s+for\b")
COPIES_LOOP = re.compile(r"\{%-?\s*p\s+for\s+\w+\s+in\s+doc_copies\b")
P_FOR, P_ENDFOR = re.compile(r"\{%-?\s*p\s+for\b"), re.compile(r"\{%-?\s*p\s+endfor\b")
MAX_HEADING_ROWS = 3          # more rows above a loop are the form itself, not headings
HEADING_CHARS = 30            # a short paragraph right before a table is its heading
PAGE_FIELD = re.compile(rb"\b(?:NUMPAGES|SECTIONPAGES)\b")
BOOKMARK = "AsEnd{record}s{section}"   # letters and digits: LibreOffice escapes "_" in PDF names
# sectPr children in schema order (CT_SectPr): where ours go
SECT_ORDER = ("headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar",
              "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote",
              "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings", "sectPrChange")


def w(tag: str) -> str:
    return W + tag


def text_of(el) -> str:
    return "".join(t.text or "" for t in el.iter(w("t")))


def _child(parent, tag: str, order: tuple[str, ...] | None = None):
    """The ``w:tag`` child of ``parent``, created in schema position when ``order`` is given."""
    found = parent.find(w(tag))
    if found is not None:
        return found
    el = etree.Element(w(tag))
    if order and tag in order:
        rank = order.index(tag)
        for i, sib in enumerate(parent):
            name = etree.QName(sib).localname
            if name in order and order.index(name) > rank:
                parent.insert(i, el)
                return el
    parent.append(el)
    return el


def _ppr(p):
    ppr = p.find(w("pPr"))
    if ppr is None:
        ppr = etree.Element(w("pPr"))
        p.insert(0, ppr)
    return ppr


def keep_next(p) -> None:
    ppr = _ppr(p)
    if ppr.find(w("keepNext")) is None:
        el = etree.Element(w("keepNext"))
        style = ppr.find(w("pStyle"))
        ppr.insert(0 if style is None else ppr.index(style) + 1, el)


def _trpr(tr):
    trpr = tr.find(w("trPr"))
    if trpr is None:
        trpr = etree.Element(w("trPr"))
        tblpr = tr.find(w("tblPrEx"))
        tr.insert(0 if tblpr is None else 1, trpr)
    return trpr


def heading_rows(rows: list) -> int:
    """How many rows from the top of a table are its headings (repeated on every page)."""
    marked = [i for i, r in enumerate(rows) if r.find(f"{w('trPr')}/{w('tblHeader')}") is not None]
    loop = next((i for i, r in enumerate(rows) if LOOP_ROW.search(text_of(r))), None)
    if loop is not None and 0 < loop <= MAX_HEADING_ROWS:
        return loop
    return max(marked) + 1 if marked else 0


def discipline_table(tbl) -> None:
    rows = tbl.findall(w("tr"))
    heads = heading_rows(rows)
    for i, tr in enumerate(rows):
        trpr = _trpr(tr)
        if trpr.find(w("cantSplit")) is None:
            trpr.insert(0, etree.Element(w("cantSplit")))
        if i < heads:
            if trpr.find(w("tblHeader")) is None:
                trpr.append(etree.Element(w("tblHeader")))
            for p in tr.iter(w("p")):
                keep_next(p)


def _copy_breaks(body) -> None:
    """A page break inside the ``doc_copies`` loop becomes a section break (empty sectPr marker,
    filled in by ``finish_sections``)."""
    depth, copies_at = 0, []
    for el in body:
        if el.tag != w("p"):
            continue
        txt = text_of(el)
        if P_FOR.search(txt):
            depth += 1
            if COPIES_LOOP.search(txt):
                copies_at.append(depth)
        elif P_ENDFOR.search(txt):
            if copies_at and copies_at[-1] == depth:
                copies_at.pop()
            depth -= 1
        elif copies_at:
            breaks = [br for br in el.iter(w("br")) if br.get(w("type")) == "page"]
            for br in breaks:
                run = br.getparent()
                run.getparent().remove(run)
            if breaks:
                _ppr(el).append(etree.Element(w("sectPr")))


def discipline_body(body) -> None:
    """Apply the page rules to a template's body (before it is compiled)."""
    for bm in list(body.iter(w("bookmarkStart"), w("bookmarkEnd"))):   # _GoBack and the like:
        bm.getparent().remove(bm)                                      # ours must be the only ones
    for tbl in body.iter(w("tbl")):
        discipline_table(tbl)
    children = list(body)
    for el, nxt in zip(children, children[1:]):
        txt = text_of(el).strip()
        if el.tag == w("p") and nxt.tag == w("tbl") and txt and len(txt) <= HEADING_CHARS and "{%" not in txt:
            keep_next(el)
    for p in body.iter(w("p")):
        ppr = p.find(w("pPr"))
        style = ppr.find(w("pStyle")) if ppr is not None else None
        if style is not None and style.get(w("val"), "").lower().startswith(("heading", "title")):
            keep_next(p)
    _copy_breaks(body)


# ---------------------------------------------------------------------------
# A rendered record: its sections

def section_marks(body) -> list:
    """The sectPr elements of a rendered body in order (paragraph ones, then the body's own)."""
    inner = [p for p in body.iter(w("sectPr")) if p.getparent() is not body]
    own = body.find(w("sectPr"))
    return inner + ([own] if own is not None else [])


def last_paragraph(body):
    """The body's closing paragraph, added (1 pt high) when the body ends in a table."""
    blocks = [el for el in body if el.tag in (w("p"), w("tbl"))]
    if blocks and blocks[-1].tag == w("p"):
        return blocks[-1]
    p = etree.Element(w("p"))
    spacing = etree.SubElement(etree.SubElement(p, w("pPr")), w("spacing"))
    spacing.set(w("line"), "20")
    spacing.set(w("lineRule"), "exact")
    own = body.find(w("sectPr"))
    (body.insert(body.index(own), p) if own is not None else body.append(p))
    return p


def fill_section(sect, template, header_rid: str | None, footer_rid: str | None) -> None:
    """Make ``sect`` a copy of the template's section settings with our header/footer, a new
    page and page numbers from 1."""
    for child in list(sect):
        sect.remove(child)
    for k in list(sect.attrib):
        del sect.attrib[k]
    for child in template:
        if etree.QName(child).localname not in ("headerReference", "footerReference", "pgNumType", "type"):
            sect.append(copy.deepcopy(child))
    for tag, rid in (("footerReference", footer_rid), ("headerReference", header_rid)):
        if rid:
            ref = etree.Element(w(tag))
            ref.set(w("type"), "default")
            ref.set("{%s}id" % R_NS, rid)
            sect.insert(0, ref)
    _child(sect, "type", SECT_ORDER).set(w("val"), "nextPage")
    _child(sect, "pgNumType", SECT_ORDER).set(w("start"), "1")


def add_bookmark(p, name: str, bid: int) -> None:
    start = etree.SubElement(p, w("bookmarkStart"))
    start.set(w("id"), str(bid))
    start.set(w("name"), name)
    etree.SubElement(p, w("bookmarkEnd")).set(w("id"), str(bid))


def footer_line(footer: bytes, bookmark: str, label: str) -> bytes:
    """A rendered footer whose page count is that of one section and whose page line names the
    record (``label``: title, number, copy) before 第 X 页."""
    xml = PAGE_FIELD.sub(b"PAGEREF " + bookmark.encode() + rb" \\h", footer)
    if not label:
        return xml
    root = etree.fromstring(xml)
    line = next((p for p in root.iter(w("p")) if any("PAGE" in (t.text or "") for t in p.iter(w("instrText")))),
                None)
    if line is None:
        line = etree.SubElement(root, w("p"))
    runs = line.findall(w("r"))
    run = etree.Element(w("r"))
    if runs and runs[0].find(w("rPr")) is not None:
        run.append(copy.deepcopy(runs[0].find(w("rPr"))))
    t = etree.SubElement(run, w("t"))
    t.text = label + "　"
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    first = runs[0] if runs else None
    (line.insert(line.index(first), run) if first is not None else line.append(run))
    return etree.tostring(root, encoding="UTF-8", standalone=True)


def page_label(context: dict, copy_label: str) -> str:
    bits = [str(context.get("doc_title") or ""), f"编号：{context['doc_number']}" if context.get("doc_number") else "",
            copy_label]
    return "　".join(b for b in bits if b)


__all__ = ["BOOKMARK", "add_bookmark", "discipline_body", "fill_section", "footer_line", "heading_rows",
           "last_paragraph", "page_label", "section_marks"]
