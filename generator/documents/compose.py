"""Records as sections: one record's .docx, or many records of one template in ONE .docx.

LibreOffice's cost is per document, not per page (FIELD-NOTES): 200 one-page forms as 200
files take 33 s, as one 200-section document about 5 s. A record is its body (block elements,
copy sections marked by paragraph sectPr) with its header and one footer per section
(``Record``). ``assemble`` lays records one after another into the template's package: each
section gets the template's page settings, its record's header, its own footer, page numbers
from 1 and the bookmark ``pg_end_<record>_<section>`` in its last paragraph. Records of one
template share styles, numbering and media, so composing is XML concatenation: about the
cost of rendering one form per record, not docxcompose's 8.6 s per 200 files.

A record's own .docx is ``assemble`` of one record (record index 0); ``read_record`` takes it
apart again, so a composed document can be made from the cached record files.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from lxml import etree

from generator.documents.pages import (
    BOOKMARK,
    R_NS,
    add_bookmark,
    fill_section,
    last_paragraph,
    section_marks,
    w,
)

RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
HEADER_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
FOOTER_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
HEADER_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"
FOOTER_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"
# Parts no reader needs: Word 2010's duplicate style sheet (half of a template's bytes) and the
# preview picture. Dropping them (and unused styles, ``used_styles``) keeps every record file
# and the pack small.
DROPPED = ("word/stylesWithEffects.xml", "docProps/thumbnail.jpeg")
OUR_BOOKMARK = re.compile(rb"PAGEREF AsEnd\d+s\d+")
OUR_PREFIX = "AsEnd"


@dataclass
class Record:
    body: list                                    # block elements; copy sections end in a paragraph sectPr
    header: bytes | None
    footers: list[bytes] = field(default_factory=list)   # one per section (None: no footer)
    header_rels: bytes | None = None              # the header's own relationships (a logo …)
    footer_rels: bytes | None = None


def rels_name(part: str) -> str:
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels"


def _target(doc_name: str, target: str) -> str:
    folder = doc_name.rpartition("/")[0]
    return target.lstrip("/") if target.startswith("/") else f"{folder}/{target}"


STYLE_REF = re.compile(rb'<w:(?:pStyle|rStyle|tblStyle|numStyleLink|styleLink) w:val="([^"]+)"')


def used_styles(parts: dict[str, bytes]) -> bytes:
    """styles.xml with only the styles the package uses (and those they are based on, link to
    or continue with) and no latent styles: Word's 160 built-in styles are most of a form's
    bytes, every record file carried them."""
    styles = etree.fromstring(parts["word/styles.xml"])
    w_ns = styles.nsmap.get("w") or "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

    def q(ns: str, tag: str) -> str:
        return f"{{{ns}}}{tag}"

    by_id = {s.get(q(w_ns, "styleId")): s for s in styles.findall(q(w_ns, "style"))}
    wanted = {m.decode() for name, data in parts.items() if name.startswith("word/") and name.endswith(".xml")
              and name != "word/styles.xml" for m in STYLE_REF.findall(data)}
    wanted |= {k for k, s in by_id.items() if s.get(q(w_ns, "default")) in ("1", "true")}
    todo = list(wanted)
    while todo:
        style = by_id.get(todo.pop())
        for tag in ("basedOn", "link", "next"):
            ref = style.find(q(w_ns, tag)) if style is not None else None
            if ref is not None and ref.get(q(w_ns, "val")) not in wanted:
                wanted.add(ref.get(q(w_ns, "val")))
                todo.append(ref.get(q(w_ns, "val")))
    for k, s in by_id.items():
        if k not in wanted:
            styles.remove(s)
    latent = styles.find(q(w_ns, "latentStyles"))
    if latent is not None:
        styles.remove(latent)
    return etree.tostring(styles, encoding="UTF-8", standalone=True)


def slim(parts: dict[str, bytes]) -> dict[str, bytes]:
    """``parts`` without DROPPED members and every reference to them, and with only the styles
    they use."""
    parts = dict(parts)
    if "word/styles.xml" in parts:
        parts["word/styles.xml"] = used_styles(parts)
    for name in DROPPED:
        if name not in parts:
            continue
        del parts[name]
        short = name.rpartition("/")[2]
        for rels in [n for n in parts if n.endswith(".rels")]:
            parts[rels] = re.sub(rb'<Relationship [^>]*Target="[^"]*' + re.escape(short.encode()) + rb'"[^>]*/>', b"",
                                 parts[rels])
        parts["[Content_Types].xml"] = re.sub(rb'<Override PartName="/' + re.escape(name.encode()) + rb'"[^>]*/>', b"",
                                              parts["[Content_Types].xml"])
    return parts


class Package:
    """A template's package ready to take records: its header/footer parts removed."""

    def __init__(self, parts: dict[str, bytes], doc_name: str):
        self.doc_name = doc_name
        self.rels_name = rels_name(doc_name)
        parts = slim(parts)
        rels = etree.fromstring(parts[self.rels_name])
        for rel in list(rels):
            if rel.get("Type") in (HEADER_REL, FOOTER_REL):
                target = _target(doc_name, rel.get("Target"))
                parts.pop(target, None)
                parts.pop(rels_name(target), None)
                rels.remove(rel)
        self.rels = rels
        self.types = etree.fromstring(parts["[Content_Types].xml"])
        for o in list(self.types):
            if o.get("ContentType") in (HEADER_CT, FOOTER_CT):
                self.types.remove(o)
        self.root = etree.fromstring(parts[doc_name])
        body = self.root.find(w("body"))
        self.section = copy.deepcopy(body.find(w("sectPr")))     # the template's page settings
        for child in list(body):          # emptied once, not at every copy of the root
            body.remove(child)
        self.parts = parts

    def assemble(self, records: list[Record]) -> dict[str, bytes]:
        """The parts of one document holding ``records`` (at least one) in order, a section per copy."""
        parts = dict(self.parts)
        rels, types = copy.deepcopy(self.rels), copy.deepcopy(self.types)
        root = copy.deepcopy(self.root)
        body = root.find(w("body"))

        def add_part(name: str, data: bytes, reltype: str, ctype: str, own_rels: bytes | None) -> str:
            rid = "rIdAs" + name.rpartition("/")[2].split(".")[0]
            parts[name] = data
            if own_rels:
                parts[rels_name(name)] = own_rels
            rel = etree.SubElement(rels, "{%s}Relationship" % RELS_NS)
            rel.set("Id", rid)
            rel.set("Type", reltype)
            rel.set("Target", name.rpartition("/")[2])
            o = etree.SubElement(types, "{%s}Override" % CT_NS)
            o.set("PartName", "/" + name)
            o.set("ContentType", ctype)
            return rid

        bid = 1000
        for i, rec in enumerate(records):
            folder = self.doc_name.rpartition("/")[0]
            header = add_part(f"{folder}/header_r{i}.xml", rec.header, HEADER_REL, HEADER_CT,
                                                  rec.header_rels) if rec.header else None
            holder = etree.Element(w("body"))
            for el in rec.body:
                holder.append(el)
            last = last_paragraph(holder)
            if last.find(f"{w('pPr')}/{w('sectPr')}") is not None:
                last = etree.SubElement(holder, w("p"))
            closing = etree.SubElement(last.find(w("pPr")) if last.find(w("pPr")) is not None
                                       else _new_ppr(last), w("sectPr"))
            marks = section_marks(holder)
            for j, sect in enumerate(marks):
                name = BOOKMARK.format(record=i, section=j)
                footer = rec.footers[j] if j < len(rec.footers) else (rec.footers[-1] if rec.footers else None)
                fid = None
                if footer:
                    footer = OUR_BOOKMARK.sub(b"PAGEREF " + name.encode(), footer)
                    fid = add_part(f"{folder}/footer_r{i}_{j}.xml", footer, FOOTER_REL, FOOTER_CT, rec.footer_rels)
                fill_section(sect, self.section, header, fid)
                add_bookmark(sect.getparent().getparent(), name, bid)
                bid += 1
            if i == len(records) - 1:        # the document's last section is the body's own sectPr
                closing.getparent().remove(closing)
            for el in list(holder):
                body.append(el)
        body.append(closing)
        parts[self.doc_name] = etree.tostring(root, encoding="UTF-8", standalone=True)
        parts[self.rels_name] = etree.tostring(rels, encoding="UTF-8", standalone=True)
        parts["[Content_Types].xml"] = etree.tostring(types, encoding="UTF-8", standalone=True)
        return parts


def _new_ppr(p):
    ppr = etree.Element(w("pPr"))
    p.insert(0, ppr)
    return ppr


def read_record(parts: dict[str, bytes], doc_name: str = "word/document.xml") -> Record:
    """A record back from the parts of its own .docx (made by ``assemble``)."""
    rels = {r.get("Id"): _target(doc_name, r.get("Target")) for r in etree.fromstring(parts[rels_name(doc_name)])}
    body = etree.fromstring(parts[doc_name]).find(w("body"))
    header, footers, own = None, [], {}
    for sect in section_marks(body):
        for ref in sect.findall(w("headerReference")):
            name = rels.get(ref.get("{%s}id" % R_NS))
            header, own["header"] = parts.get(name), parts.get(rels_name(name)) if name else None
        ref = sect.find(w("footerReference"))
        name = rels.get(ref.get("{%s}id" % R_NS)) if ref is not None else None
        footers.append(parts.get(name) if name else None)
        if name:
            own["footer"] = parts.get(rels_name(name))
    for bm in list(body.iter(w("bookmarkStart"))):
        if bm.get(w("name"), "").startswith(OUR_PREFIX):
            bid = bm.get(w("id"))
            for end in body.iter(w("bookmarkEnd")):
                if end.get(w("id")) == bid:
                    end.getparent().remove(end)
                    break
            bm.getparent().remove(bm)
    own = body.find(w("sectPr"))
    if own is not None:
        body.remove(own)
    return Record(list(body), header, footers, own.get("header"), own.get("footer"))


__all__ = ["DROPPED", "Package", "Record", "read_record", "rels_name", "slim"]
