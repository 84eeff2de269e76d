"""The docx engine: fill a Word template with a context, safely and reproducibly.

Cell text is data, never template code: the Jinja environment is sandboxed and autoescaping,
every printed value goes through ``xml_text`` (XML-escaped, braces as character references,
control characters shown as ␀…␟), and an unknown name in a template fails loudly
(StrictUndefined) instead of printing nothing.

Rendering keeps docxtpl's template dialect ({%tr %}, {%p %}, …) but compiles each template
part once per process and writes the result straight into a reproducible zip
(``docx_repro``); ``render_docxtpl`` is the plain ``DocxTemplate.render`` path it must match.

A template carries its form id and revision in docProps/core.xml
(``<dc:identifier>aftersales:<form>:r<revision></dc:identifier>``, see ``stamp_template``).
"""
from __future__ import annotations

import io
import re
from pathlib import Path

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree
from markupsafe import Markup, escape

from generator.config.form_specs import FormSpec
from generator.config.resources import shipped_dir
from generator.core.errors import UserError
from generator.documents.compose import (
    FOOTER_REL,
    HEADER_REL,
    Package,
    Record,
    rels_name,
)
from generator.documents.docx_repro import CORE, docx_bytes, read_parts, write_bytes
from generator.documents.pages import (
    BOOKMARK,
    discipline_body,
    footer_line,
    page_label,
    section_marks,
    w,
)

SHIPPED_TEMPLATES = shipped_dir("templates")   # the wheel's copy, or the repository's templates/
COMPANY_TEMPLATES = "templates"       # a register folder's own templates: <folder>/templates/
_REV = re.compile(rb"<dc:identifier>aftersales:([\w-]+):r(\d+)</dc:identifier>")
_IDENTIFIER = re.compile(rb"<dc:identifier>[^<]*</dc:identifier>|<dc:identifier/>")
_CONTROL = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f]")


# ---------------------------------------------------------------------------
# Safe text and the sandboxed environment

def _control_picture(m: re.Match) -> str:
    c = ord(m.group())
    return "\u2421" if c == 0x7F else chr(0x2400 + c)   # ␀…␟, ␡: visible, valid XML


def xml_text(value) -> Markup:
    """A value as WordprocessingML text: escaped, braces neutralised, controls made visible."""
    if value is None:
        return Markup("")
    if isinstance(value, Markup):
        return value
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub(_control_picture, text)
    text = "".join(ch for ch in text if not (0xD800 <= ord(ch) <= 0xDFFF or ch in "\ufffe\uffff"))
    return Markup(str(escape(text)).replace("{", "&#123;").replace("}", "&#125;"))


def make_env() -> SandboxedEnvironment:
    """The Jinja environment every template renders in (also used to lint templates)."""
    return SandboxedEnvironment(autoescape=True, finalize=xml_text, undefined=StrictUndefined)


# ---------------------------------------------------------------------------
# Templates: where they are, which revision they carry

def template_path(form: FormSpec, directory: Path | None = None) -> Path:
    """A company's own template beside the registers (``templates/``) wins over the shipped one."""
    candidates = ([Path(directory) / COMPANY_TEMPLATES] if directory else []) + [SHIPPED_TEMPLATES]
    for d in candidates:
        p = d / form.template_name
        if p.exists():
            return p
    raise UserError(f"找不到表单模板 {form.template_name}（应在 templates/ 目录中）")


def _revision(parts: dict[str, bytes]) -> int | None:
    m = _REV.search(parts.get(CORE, b""))
    return int(m.group(2)) if m else None


def template_revision(path: Path) -> int | None:
    """The revision stamped in a template (None for an unstamped company template)."""
    return _revision(read_parts(path))


def stamp_template(path: Path, form_id: str, revision: int) -> Path:
    """Stamp ``aftersales:<form>:r<revision>`` into a template and rewrite it reproducibly."""
    parts = read_parts(path)
    core = parts[CORE]
    mark = b"<dc:identifier>aftersales:%s:r%d</dc:identifier>" % (form_id.encode(), revision)
    if _IDENTIFIER.search(core):
        core = _IDENTIFIER.sub(mark, core, count=1)
    else:
        core = re.sub(rb"(</cp:coreProperties>)", mark + rb"\1", core, count=1)
    parts[CORE] = core
    return write_bytes(path, docx_bytes(parts))


# ---------------------------------------------------------------------------
# The compiled template and rendering


LISTING_CHARS = re.compile(r"<w:t(?: [^>]*)?>[^<]*[\t\a\n\f]")     # what docxtpl's resolve_listing acts on


class CompiledTemplate:
    """A template's parts patched and compiled once, with the page rules of ``pages`` applied;
    ``record`` fills it for one context, ``render`` gives that record's .docx bytes."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.env = make_env()
        self.parts = read_parts(self.path)
        self.tpl = DocxTemplate(str(self.path))
        self.tpl.init_docx()
        discipline_body(self.tpl.docx.element.body)
        self.header = self.footer = None      # the default header and footer, compiled
        self.own_rels: dict[str, bytes | None] = {}     # and their own relationships
        try:
            self.body = self.env.from_string(self.tpl.patch_xml(self.tpl.get_xml()))
            for rel in self.tpl.docx.part.rels.values():
                if rel.reltype in (HEADER_REL, FOOTER_REL) and rel.target_part.blob:
                    src = self.env.from_string(self.tpl.patch_xml(self.tpl.get_part_xml(rel.target_part)))
                    own = self.parts.get(rels_name(str(rel.target_part.partname).lstrip("/")))
                    if rel.reltype == HEADER_REL and self.header is None:
                        self.header, self.own_rels["header"] = src, own
                    elif rel.reltype == FOOTER_REL and self.footer is None:
                        self.footer, self.own_rels["footer"] = src, own
        except TemplateError as e:
            raise UserError(f"模板 {self.path.name} 中的标记有误：{e}") from None
        self.revision = _revision(self.parts)
        self.doc_name = str(self.tpl.docx.part.partname).lstrip("/")
        self.package = Package(self.parts, self.doc_name)

    def _finish(self, xml: str) -> str:
        # docxtpl's post-processing of a rendered part (render_xml_part)
        xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        # the listing pass (a tab, new line or page break in a value) is a sixth of a record's
        # rendering and changes nothing when no text holds one of those characters
        return self.tpl.resolve_listing(xml) if LISTING_CHARS.search(xml) else xml

    def _render(self, template, context: dict) -> str:
        try:
            return self._finish(template.render(context))
        except UndefinedError as e:
            raise UserError(f"模板 {self.path.name} 引用了表单数据中没有的字段：{e.message}") from None
        except TemplateError as e:
            raise UserError(f"模板 {self.path.name} 无法填写：{e}") from None

    def _part(self, template, context: dict) -> bytes | None:
        if template is None:
            return None
        xml = etree.fromstring(self._render(template, context).encode("utf-8"))
        return etree.tostring(xml, encoding="UTF-8", standalone=True)

    def record(self, context: dict) -> Record:
        """One record: its body, header, and a footer per section naming title, number and copy."""
        body = self.tpl.fix_tables(self._render(self.body, context))
        self.tpl.docx_ids_index = 1000
        self.tpl.fix_docpr_ids(body)
        record = as_record(body, self._part(self.header, context), self._part(self.footer, context), context)
        record.header_rels, record.footer_rels = self.own_rels.get("header"), self.own_rels.get("footer")
        return record

    def render(self, context: dict) -> bytes:
        return docx_bytes(self.package.assemble([self.record(context)]))


def as_record(body, header: bytes | None, footer: bytes | None, context: dict) -> Record:
    """A rendered body with its header and footer as a Record: one footer per section (copy),
    each counting that section's pages and naming the record (``pages.footer_line``)."""
    own = body.find(w("sectPr"))
    if own is not None:
        body.remove(own)
    sections = len(section_marks(body)) + 1
    copies = [c for c in context.get("doc_copies") or [] if c]
    labels = copies if len(copies) == sections else [""] * sections
    footers = [footer_line(footer, BOOKMARK.format(record=0, section=j), page_label(context, labels[j]))
               if footer else None for j in range(sections)]
    return Record(list(body), header, footers)


_compiled: dict[tuple, CompiledTemplate] = {}


def compiled(path: Path) -> CompiledTemplate:
    """Per-process cache of compiled templates, keyed by path and modification time."""
    path = Path(path)
    key = (str(path.resolve()), path.stat().st_mtime_ns)
    if key not in _compiled:
        _compiled[key] = CompiledTemplate(path)
    return _compiled[key]


def render_docx(template: Path, context: dict, out: Path) -> Path:
    """Render one form to ``out`` (written atomically, byte-reproducible)."""
    return write_bytes(out, compiled(template).render(context))


def render_docxtpl(template: Path, context: dict, out: Path | None = None) -> bytes:
    """The plain docxtpl path (template reloaded every time, then the same page rules and
    sections): reference for tests and bench."""
    tpl = DocxTemplate(str(template))
    tpl.init_docx()
    discipline_body(tpl.docx.element.body)
    tpl.render(context, jinja_env=make_env())
    buf = io.BytesIO()
    tpl.save(buf)
    parts = read_parts(buf.getvalue())
    doc_name = str(tpl.docx.part.partname).lstrip("/")
    rendered, own = {}, {}
    for rel in tpl.docx.part.rels.values():
        if rel.reltype in (HEADER_REL, FOOTER_REL) and rel.reltype not in rendered:
            name = str(rel.target_part.partname).lstrip("/")
            rendered[rel.reltype], own[rel.reltype] = parts[name], parts.get(rels_name(name))
    body = etree.fromstring(parts[doc_name]).find(w("body"))
    record = as_record(body, *(_canonical(rendered.get(t)) for t in (HEADER_REL, FOOTER_REL)), context)
    record.header_rels, record.footer_rels = own.get(HEADER_REL), own.get(FOOTER_REL)
    data = docx_bytes(Package(parts, doc_name).assemble([record]))
    if out is not None:
        write_bytes(out, data)
    return data


def _canonical(xml: bytes | None) -> bytes | None:
    return None if xml is None else etree.tostring(etree.fromstring(xml), encoding="UTF-8", standalone=True)
