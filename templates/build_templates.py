"""Build the Word templates ``templates/<form id>_tpl.docx`` with python-docx.

Run ``python templates/build_templates.py`` after changing a layout below; the output is
byte-reproducible. The templates are ordinary .docx files: a company may open one in Word,
restyle it and keep the ``{{ … }}`` fields (docxtpl/Jinja tags; names in generator/config/form_specs.py).

Every template shares one look — A4, fixed margins, 宋体 (SimSun) body and 黑体 titles on the
East-Asian font channel with ``w:lang w:eastAsia="zh-CN"``, single-line borders — and one
document-control block (header: company, 文件编号, 版本, 受控状态, 分发号 and the red
受控/非受控/作废 mark; footer: 编制/审核/批准, 发布/实施日期, 第X页 共Y页).

The building blocks: ``Form`` (page, control block, title, spacer, copies loop), ``Grid``
(a bordered table on a column grid) with ``row`` / ``kv`` / ``loop`` / ``ratings`` / ``text``
/ ``sign`` rows, and cell makers ``L`` (label), ``V`` (field), ``T`` (text), ``UP`` (merge
with the cell above). Each form below is a short description in those terms.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import (
    WD_CELL_VERTICAL_ALIGNMENT,
    WD_ROW_HEIGHT_RULE,
    WD_TABLE_ALIGNMENT,
)
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.config.form_specs import load_forms  # noqa: E402
from generator.config.policy import default_policy  # noqa: E402
from generator.documents.docx_repro import normalize_docx  # noqa: E402

OUT = Path(__file__).resolve().parent
PAGE_W, PAGE_H = 210, 297
MARGIN = dict(top=30, bottom=20, left=18, right=18, header=10, footer=8)
WIDTH = PAGE_W - MARGIN["left"] - MARGIN["right"]       # 174 mm of table width
BODY_FONT, TITLE_FONT, LATIN_FONT, LATIN_TITLE = "宋体", "黑体", "Times New Roman", "Arial"
BODY_PT, GRID_PT, SMALL_PT, TITLE_PT = 10.5, 10, 8, 16
RED = RGBColor(0xC0, 0x00, 0x00)
ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
         "right": WD_ALIGN_PARAGRAPH.RIGHT}
MARK_ID = "aftersales:{form}:r{revision}"   # core.xml identifier: which form and template revision


# ---------------------------------------------------------------------------
# Runs and paragraphs: every run names both font channels and the zh-CN language.

def style_run(run, *, bold=False, size=None, title=False, color=None):
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    latin, east = (LATIN_TITLE, TITLE_FONT) if title else (LATIN_FONT, BODY_FONT)
    for attr, name in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east), ("w:cs", latin)):
        fonts.set(qn(attr), name)
    fonts.set(qn("w:hint"), "eastAsia")
    if bold:
        run.bold = True
    if size:
        run.font.size = Pt(size)
    if color is not None:
        run.font.color.rgb = color
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)   # last child: python-docx inserts later properties before it
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    return run


def write(par, text: str, align="left", **style):
    par.alignment = ALIGN[align]
    style_run(par.add_run(text), **style)
    return par


def field_run(par, instr: str, **style):
    """A Word field (PAGE, NUMPAGES) as begin / instruction / separate / result / end runs."""
    for kind, text in (("begin", None), (None, f" {instr} "), ("separate", None), (None, "1"), ("end", None)):
        run = style_run(par.add_run(), **style)
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text.strip() == instr:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._element.append(el)


# Schema order of the property elements we add (Word rejects out-of-order children).
ORDER = {
    "tblPr": ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
              "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar",
              "tblLook", "tblCaption", "tblDescription"),
    "tcPr": ("cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
             "textDirection", "tcFitText", "vAlign", "hideMark"),
}


def insert_ordered(parent, child):
    """Insert child among parent's children in schema order."""
    order = ORDER[etree_local(parent)]
    rank = order.index(etree_local(child))
    for i, existing in enumerate(parent):
        name = etree_local(existing)
        if name in order and order.index(name) > rank:
            parent.insert(i, child)
            return child
    parent.append(child)
    return child


def etree_local(el) -> str:
    return el.tag.rsplit("}", 1)[-1]


def set_borders(el_pr, tag: str, color="000000", size=4, sides=("top", "left", "bottom", "right", "insideH", "insideV")):
    borders = OxmlElement(tag)
    for side in sides:
        b = OxmlElement(f"w:{side}")
        b.set(qn("w:val"), "single")
        b.set(qn("w:sz"), str(size))
        b.set(qn("w:space"), "0")
        b.set(qn("w:color"), color)
        borders.append(b)
    insert_ordered(el_pr, borders)


# ---------------------------------------------------------------------------
# Cells

@dataclass(frozen=True)
class Cell:
    text: str = ""
    span: int = 1
    align: str = "left"
    bold: bool = False
    up: bool = False          # merge with the cell above (vertical label)
    size: float | None = None
    top: bool = False         # text block: start at the top of a tall cell


def L(text: str, span: int = 1, **kw) -> Cell:
    """A label cell: centred static text."""
    return Cell(text, span, kw.pop("align", "center"), **kw)


NAME = re.compile(r"[A-Za-z_][\w.]*")


def V(expr: str, span: int = 1, **kw) -> Cell:
    """A value cell: a context name (wrapped in {{ }}), or literal text / text holding tags."""
    text = "{{ %s }}" % expr if NAME.fullmatch(expr) else expr
    return Cell(text, span, kw.pop("align", "left"), **kw)


def T(text: str, span: int = 1, **kw) -> Cell:
    """Static text (may hold tags and line breaks); multi-line text starts at the top."""
    kw.setdefault("top", "\n" in text)
    return Cell(text, span, kw.pop("align", "left"), **kw)


def UP(span: int = 1) -> Cell:
    return Cell(span=span, up=True)


BLANK = T("")


class Grid:
    """A bordered table on a fixed column grid (mm widths summing to the text width)."""

    def __init__(self, form: "Form", widths: list[float], size: float | None = GRID_PT,
                 margin: float | None = None):
        assert abs(sum(widths) - WIDTH) < 0.5, f"grid widths {widths} sum to {sum(widths)}, not {WIDTH}"
        self.form, self.widths, self.size = form, widths, size
        if hasattr(form.container, "sections"):      # the document body
            self.table = form.container.add_table(rows=0, cols=len(widths))
        else:                                       # a header or footer
            self.table = form.container.add_table(0, len(widths), Mm(WIDTH))
        self.table.alignment = WD_TABLE_ALIGNMENT.CENTER
        self.table.autofit = False
        tbl_pr = self.table._tbl.tblPr   # autofit=False gave it <w:tblLayout w:type="fixed"/>
        set_borders(tbl_pr, "w:tblBorders")
        if margin is not None:   # narrow cell margins for dense tables
            mar = OxmlElement("w:tblCellMar")
            for side in ("left", "right"):
                el = OxmlElement(f"w:{side}")
                el.set(qn("w:w"), str(int(margin * 56.7)))   # mm -> twips
                el.set(qn("w:type"), "dxa")
                mar.append(el)
            insert_ordered(tbl_pr, mar)
        for col, w in zip(self.table.columns, widths):
            col.width = Mm(w)

    # -- rows ---------------------------------------------------------------
    def row(self, *cells: Cell, height: float = 7.5, exact: bool = False, header: bool = False):
        cells = list(cells)
        used = sum(c.span for c in cells)
        assert used <= len(self.widths), f"row spans {used} columns of {len(self.widths)}: {cells}"
        if used < len(self.widths):   # the last cell stretches to the right edge
            cells[-1] = Cell(**{**cells[-1].__dict__, "span": cells[-1].span + len(self.widths) - used})
        row = self.table.add_row()
        row.height = Mm(height)
        row.height_rule = WD_ROW_HEIGHT_RULE.EXACTLY if exact else WD_ROW_HEIGHT_RULE.AT_LEAST
        if header:
            tr_pr = row._tr.get_or_add_trPr()
            el = OxmlElement("w:tblHeader")
            tr_pr.append(el)
        r = len(self.table.rows) - 1
        col = 0
        if height >= 14:   # a tall row holds running text: values start at the top
            cells = [Cell(**{**c.__dict__, "top": True}) if c.align != "center" else c for c in cells]
        for c in cells:
            first = self.table.cell(r, col)
            for i in range(col, col + c.span):
                self.table.cell(r, i).width = Mm(self.widths[i])
            if c.up:
                self.table.cell(r - 1, col).merge(self.table.cell(r, col + c.span - 1))
            else:
                if c.span > 1:
                    first = first.merge(self.table.cell(r, col + c.span - 1))
                self._fill(first, c)
            col += c.span
        return row

    def _fill(self, cell, c: Cell):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP if c.top else WD_CELL_VERTICAL_ALIGNMENT.CENTER
        lines = c.text.split("\n")
        par = cell.paragraphs[0]
        for i, line in enumerate(lines):
            if i:
                par = cell.add_paragraph()
            write(par, line, c.align, bold=c.bold, size=c.size or self.size)

    def kv(self, *pairs, height: float = 7.5):
        """Label/value pairs on one row: kv(("客户单位", "customer"), ("地址", "address"))."""
        cells = []
        for p in pairs:
            label, expr, *span = p
            cells += [L(label), V(expr, span[0] if span else 1)]
        return self.row(*cells, height=height)

    def loop(self, var: str, source: str, *cells: Cell, height: float = 7.5, exact: bool = False):
        """Rows repeated for each item of ``source`` (docxtpl {%tr for %} … {%tr endfor %})."""
        # A vertical label to the left keeps merging through the tag rows docxtpl removes.
        lead = [UP(cells[0].span)] if cells[0].up else []
        n = len(self.widths) - sum(c.span for c in lead)
        self.row(*lead, T("{%%tr for %s in %s %%}" % (var, source), n), height=1)
        self.row(*cells, height=height, exact=exact)
        self.row(*lead, T("{%tr endfor %}", n), height=1)

    def ratings(self, items: list[tuple[str, str]], levels: list[str], height: float = 7.5):
        """One row per rated item: label, then ☑/☐ and each level (from <field>_marks)."""
        for label, fld in items:
            self.row(L(label), *[T("{{ %s_marks[%d] }} %s" % (fld, i, lv)) for i, lv in enumerate(levels)],
                     height=height)

    def text(self, label: str, expr: str, height: float = 20):
        """A full-width block: the label line, then the field, from the top of a tall cell."""
        body = f"{label}\n{V(expr).text}" if label else V(expr).text
        return self.row(T(body, top=True), height=height)

    def sign(self, *pairs: tuple[str, str], height: float = 9):
        """A full-width signature line, right-aligned: 签名：…　日期：　年　月　日."""
        return self.row(T(sign(*pairs), align="right"), height=height)


def sign(*pairs: tuple[str, str]) -> str:
    """Signature line text: 签名：{{ who }}　　日期：{{ when }} for each (label, expr) pair."""
    parts = []
    for label, expr in pairs:
        value = V(expr).text if expr else "\u3000" * 4
        parts.append(f"{label}：{value}")
    return "\u3000\u3000".join(parts)


DATE_BLANK = "\u3000\u3000年\u3000\u3000月\u3000\u3000日"


# ---------------------------------------------------------------------------
# The form document: page set-up, control block, title, copies loop.

class Form:
    def __init__(self, form_id: str):
        self.id = form_id
        self.spec = load_forms()[form_id]
        self.doc = Document()
        self.container = self.doc
        self._page()
        self._styles()
        self._header()
        self._footer()

    def _page(self):
        s = self.doc.sections[0]
        s.orientation = WD_ORIENT.PORTRAIT
        s.page_width, s.page_height = Mm(PAGE_W), Mm(PAGE_H)
        s.top_margin, s.bottom_margin = Mm(MARGIN["top"]), Mm(MARGIN["bottom"])
        s.left_margin, s.right_margin = Mm(MARGIN["left"]), Mm(MARGIN["right"])
        s.header_distance, s.footer_distance = Mm(MARGIN["header"]), Mm(MARGIN["footer"])

    def _styles(self):
        normal = self.doc.styles["Normal"]
        normal.font.size = Pt(BODY_PT)
        style_run(normal)  # rFonts + lang on the Normal style too (Word's defaults for new text)
        pf = normal.paragraph_format
        pf.space_before = pf.space_after = Pt(0)
        pf.line_spacing = 1.0
        # Document defaults as well, so table styles and new paragraphs keep the CJK set-up.
        rpr = self.doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        fonts = rpr.find(qn("w:rFonts"))
        for attr, name in (("w:ascii", LATIN_FONT), ("w:hAnsi", LATIN_FONT), ("w:eastAsia", BODY_FONT)):
            fonts.set(qn(attr), name)
        for a in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(a), None)
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:eastAsia"), "zh-CN")

    def _header(self):
        hdr = self.doc.sections[0].header
        hdr.is_linked_to_previous = False
        hdr.paragraphs[0].text = ""
        self.container = hdr
        g = Grid(self, [18, 40, 12, 14, 18, 16, 14, 14, 28], size=SMALL_PT + 0.5)
        g.row(V("doc_company", 8, bold=True, size=12), T("{{ doc_mark }}", align="center", bold=True),
              height=6.5)
        g.row(L("文件编号"), V("doc_no"), L("版本"), V("doc_version"), L("受控状态"), V("doc_status"),
              L("分发号"), V("doc_copy_no"), UP(), height=5.5)
        mark = g.table.cell(0, 8)
        for run in mark.paragraphs[0].runs:
            run.font.color.rgb = RED
            run.font.size = Pt(15)
        tc_pr = mark._tc.get_or_add_tcPr()
        set_borders(tc_pr, "w:tcBorders", color="C00000", size=18, sides=("top", "left", "bottom", "right"))
        self.container = self.doc

    def _footer(self):
        ftr = self.doc.sections[0].footer
        ftr.is_linked_to_previous = False
        par = ftr.paragraphs[0]
        write(par, "编制：{{ doc_drafted_by }}\u3000审核：{{ doc_reviewed_by }}\u3000批准：{{ doc_approved_by }}"
                   "\u3000发布日期：{{ doc_issued }}\u3000实施日期：{{ doc_effective }}", size=SMALL_PT)
        par2 = ftr.add_paragraph()
        par2.alignment = ALIGN["right"]
        small = dict(size=SMALL_PT)
        style_run(par2.add_run("第 "), **small)
        field_run(par2, "PAGE", **small)
        style_run(par2.add_run(" 页  共 "), **small)
        field_run(par2, "NUMPAGES", **small)
        style_run(par2.add_run(" 页"), **small)

    # -- body blocks ----------------------------------------------------------
    def para(self, text: str = "", align="left", **style):
        return write(self.doc.add_paragraph(), text, align, **style)

    def spacer(self, pt: float = 1):
        """A hair-thin paragraph between two tables (keeps Word from merging them)."""
        p = self.doc.add_paragraph()
        style_run(p.add_run(""), size=pt)
        p.paragraph_format.line_spacing = Pt(pt)
        rpr = p._p.get_or_add_pPr()
        mark = OxmlElement("w:rPr")
        sz = OxmlElement("w:sz")
        sz.set(qn("w:val"), str(max(2, int(pt * 2))))
        mark.append(sz)
        rpr.append(mark)
        return p

    def title(self, number: bool = True, copy_label: bool = False):
        self.para("{{ doc_title }}", "center", bold=True, size=TITLE_PT, title=True)
        if not (copy_label or number):
            self.spacer(4)
            return
        p = self.doc.add_paragraph()
        p.alignment = ALIGN["right"]
        if copy_label:   # which copy of a multi-part set this page is: 第一联：存根
            style_run(p.add_run("{{ copy }}\u3000\u3000"), bold=True, size=BODY_PT)
        if number:
            style_run(p.add_run("编号：{{ doc_number }}"), size=BODY_PT - 1)

    def grid(self, widths, size=GRID_PT, margin=None) -> Grid:
        return Grid(self, widths, size, margin)

    def note(self, text: str, align="left"):
        return self.para(text, align, size=SMALL_PT + 1)

    def page_break_unless_last(self):
        self.para("{%p if not loop.last %}")
        p = self.doc.add_paragraph()
        run = style_run(p.add_run(), size=1)
        run.add_break(WD_BREAK.PAGE)
        self.para("{%p endif %}")

    def begin_loop(self, var: str, source: str):
        self.para("{%%p for %s in %s %%}" % (var, source))

    def end_loop(self):
        self.page_break_unless_last()
        self.para("{%p endfor %}")

    def save(self, revision: int, out: Path = OUT) -> Path:
        cp = self.doc.core_properties
        cp.title = self.spec.title
        cp.author = "aftersales"
        cp.last_modified_by = "aftersales"
        cp.identifier = MARK_ID.format(form=self.id, revision=revision)
        cp.revision = 1
        cp.subject = "受控表单"
        cp.language = "zh-CN"
        cp.comments = f"{self.spec.title}（{self.spec.source}）受控表单模板，由 templates/build_templates.py 生成"
        path = Path(out) / self.spec.template_name
        self.doc.save(path)
        return normalize_docx(path)


# ---------------------------------------------------------------------------
# The forms. Widths are in mm and sum to 174.

SIX = [26, 32, 24, 34, 24, 34]          # three label/value pairs
FOUR = [28, 59, 28, 59]                 # two label/value pairs
LEVELS_5 = ["非常满意", "满意", "一般", "不满意", "非常不满意"]


def service_receipt(f: Form):
    f.title()
    g = f.grid(SIX)
    g.kv(("服务人员", "engineer"), ("手机", "engineer_phone"))
    g.kv(("商务人员", ""), ("手机", ""), ("是否汇报", ""))
    g.kv(("客户单位", "customer"), ("单位地址", "address"))
    g.kv(("客户联系人 1", "contact"), ("手机/电话", "phone"))
    g.kv(("客户联系人 2", ""), ("手机/电话", ""))
    g.kv(("任务内容", "fault"), height=12)
    g.kv(("起始时间", "arrived"), ("完成时间", "completed"))
    f.spacer()
    s = f.grid([24, 12, 70, 20, 48])
    s.row(L("服务内容\n总结"), L("序号"), L("服务内容"), L("是否解决"), L("遗留问题及解决计划"))
    s.row(UP(), L("1"), V("work_done"), L("{{ resolved }}"), V("open_issue"), height=9)
    s.loop("v", "visits", UP(), L("{{ v.no }}"), V("{{ v.kind }} {{ v.work_record }}"), L(""), V(""), height=7)
    s.row(UP(), L("其它"), BLANK, BLANK, BLANK)
    f.spacer()
    r = f.grid([30, 28.8, 28.8, 28.8, 28.8, 28.8])
    r.row(T("您对服务的评价：", bold=True))
    r.ratings([("服务人员态度", "attitude"), ("服务人员技能", "skill"), ("服务响应速度", "speed")],
              [f"{i}. {lv}" for i, lv in enumerate(["非常满意", "满意", "一般", "不满意", "很不满意"], 1)])
    r.text("您对本公司的意见和建议：", "feedback", height=24)
    r.sign(("用户签名（签章）", ""), ("时间", DATE_BLANK))
    r.row(T("您的评价对我们很重要，是我们改善服务水平的依据，请您客观评分，谢谢！", align="center"))
    r.row(T("公司地址：{{ doc_address }}，全国客户免费服务热线：{{ doc_hotline }}", align="center"))


ITEM_HEAD = [28, 24, 22, 24]            # 物品名称, 型号, 品牌/厂家, 规格参数


def material_request(f: Form):
    f.title()
    g = f.grid(SIX)
    g.kv(("申请编号", "app_no"), ("申请人员", "applicant"), ("电话", "applicant_phone"))
    g.kv(("客户信息", "customer", 3), ("要求完成\n时间", "due"))
    g.kv(("使用方向", "purpose", 3), ("申请日期", "applied"))
    g.kv(("邮寄地址", "address"), ("收件人", "recipient"), ("联系方式", "recipient_phone"))
    f.spacer()
    t = f.grid(ITEM_HEAD + [14, 14, 24, 24], size=9.5)
    t.row(L("需求物料信息", bold=True))
    t.row(L("物品名称"), L("型号"), L("品牌/厂家"), L("规格参数"), L("申请\n数量"), L("性质"),
          L("预计归还\n日期"), L("备注"), header=True)
    t.loop("it", "items", V("it.name"), V("it.model"), V("it.brand"), V("it.spec"), L("{{ it.qty }}"),
           L("{{ it.nature }}"), L("{{ it.return_by }}"), V("it.remark"))
    t.row(L("需求原因"), V("reason", 7), height=18)


def material_return(f: Form):
    f.title()
    g = f.grid(SIX)
    g.kv(("申请编号", "app_no"), ("申请人员", "{{ ret_returner or applicant }}"), ("电话", "applicant_phone"))
    g.kv(("快递公司", "ret_courier"), ("快递单号", "ret_tracking_no"), ("邮寄件数", "ret_parcels"))
    g.kv(("客户信息", "customer", 3), ("归还日期", "ret_returned"))
    f.spacer()
    t = f.grid(ITEM_HEAD + [16, 16, 44], size=9.5)
    t.row(L("物料归还信息", bold=True))
    t.row(L("物品名称"), L("型号"), L("品牌/厂家"), L("规格参数"), L("归还\n数量"), L("结余\n数量"), L("备注"),
          header=True)
    t.loop("r", "returns", V("r.name"), V("r.model"), V("r.brand"), V("r.spec"), L("{{ r.qty }}"),
           L("{{ r.balance }}"), V("r.remark"))
    f.spacer()
    d = f.grid(ITEM_HEAD + [26, 25, 25], size=9.5)
    d.row(L("归还物品明细", bold=True))
    d.row(L("物品名称"), L("型号"), L("品牌/厂家"), L("规格参数"), L("设备资产码"), L("故障现象"), L("故障原因"),
          header=True)
    d.loop("r", "returns", V("r.name"), V("r.model"), V("r.brand"), V("r.spec"), V("r.asset_code"),
           V("r.symptom"), V("r.cause"))


def satisfaction_survey(f: Form):
    f.title(number=False)
    f.para("编号：{{ survey_no }}\u3000\u3000序号：{{ doc_seq }}", "right", size=BODY_PT - 1)
    g = f.grid([20, 34, 26, 20, 20, 22, 32], size=9.5)   # level columns sized to their labels
    g.row(L("客户名称"), V("customer", 2), L("地址"), V("address", 3))
    g.row(L("联系人"), V("contact", 2), L("联系方式"), V("phone", 3))
    g.row(L("所购产品\n规格型号"), V("product", 2), L("交付时间\n地点"), V("delivery", 3))
    levels = ["{{ %%s_marks[%d] }} %s" % (i, lv) for i, lv in enumerate(LEVELS_5)]
    groups = [("产品的\n质量和\n价格方面", [("产品的功能、性能", "q_function"), ("产品的可靠性", "q_reliability"),
                                      ("产品的外观造型", "q_appearance"), ("产品使用的方便性", "q_usability"),
                                      ("产品的性价比", "q_value")]),
              ("服务质量\n方面", [("售前服务", "q_presale"), ("安装服务", "q_install"), ("培训服务", "q_training"),
                            ("维修服务", "q_repair")])]
    for group, items in groups:
        for i, (label, fld) in enumerate(items):
            head = L(group) if i == 0 else UP()
            g.row(head, L(label), *[T(lv % fld) for lv in levels])
    g.row(T("请您对我们的产品服务提出宝贵意见或建议：\n{{ comments }}"), height=26)
    g.row(L("备注"), T("○ 非常满意（100分）○ 满意（80分）○ 一般（60分）○ 不满意（40分）○ 非常不满意（20分）",
                      size=8.5))
    f.spacer(4)
    f.para("制表：{{ preparer }}" + "\u3000" * 16 + "日期：{{ surveyed }}", size=BODY_PT)


def complaint_record(f: Form):
    f.title()
    g = f.grid(FOUR)
    g.kv(("用户单位名称", "customer"), ("用户编号", "cust_code"), height=9)
    g.kv(("负责人", "contact"), ("联系方式", "phone"), height=9)
    g.kv(("投诉对象", "{{ category }} {{ dept }}"), ("投诉日期", "received"), height=9)
    g.kv(("所购产品型号", "product"), ("交付时间/地点", "delivered"), height=9)
    g.kv(("投诉原因", "description", 3), height=60)
    g.kv(("受理人/日期", "{{ receiver }} {{ received }}"), ("审核/日期", ""), height=10)


def terminal_feedback(f: Form):
    f.title()
    g = f.grid([16, 24, 30, 22, 30, 20, 32], size=9.5)
    g.row(L("人员\n信息"), L("客户名称"), V("customer"), L("联系人"), V("contact"), L("联系电话"), V("phone"))
    g.row(UP(), L("报修时间"), V("received"), L("联系地址"), V("address", 3))
    g.row(UP(), L("反馈人员"), V("engineer"), L("联系方式"), V("engineer_phone"), L("反馈时间"), V("responded"))
    g.row(L("终端\n信息"), L("交/直流"), BLANK, L("型号/功率"), V("product"), L("模块厂家"), BLANK)
    g.row(UP(), L("单/双枪"), BLANK, L("枪厂家/电流"), BLANK, L("模块规格"), BLANK)
    g.row(UP(), L("主板型号"), BLANK, L("主板软件\n版本"), BLANK, L("屏幕厂家"), BLANK)
    g.row(UP(), L("客户功能需求"), BLANK)
    g.row(L("其他\n补充\n信息"), L("其他"), BLANK, height=12)
    g.row(L("故障\n现象"), L("问题现象"), V("fault"), height=16)
    g.row(L("故障\n处理"), L("出厂编号"), L("故障描述", 2), L("处理过程", 2), L("处理结果"))
    g.row(UP(), V("serial"), V("fault", 2), V("work_done", 2), V("{{ resolved }} {{ open_issue }}"), height=20)
    g.row(L("备注"), V("feedback", 6), height=9)
    g.row(L("处理\n建议"), V("open_issue", 6), height=14)
    g.row(L("要求\n解决\n日期"), BLANK, height=12)


def quality_report(f: Form):
    f.title()
    g = f.grid(FOUR)
    g.kv(("用户单位", "customer"), ("用户编号", "cust_code"), height=9)
    g.kv(("反馈时间", "received"), ("投诉编号", "complaint_no"), height=9)
    g.text("质量问题描述（产品型号名称及问题表现形式）：", "{{ product }}\n{{ description }}", height=55)
    g.sign(("质检部", ""), ("日期", DATE_BLANK))
    g.text("质量问题处理意见：", "{{ investigation }}\n责任认定：{{ responsibility }}", height=45)
    g.sign(("签名", ""), ("日期", DATE_BLANK))
    g.text("管理者代表意见：", "", height=35)
    g.sign(("签名", ""), ("日期", DATE_BLANK))
    g.row(T("抄送："), height=10)


def user_training(f: Form):
    f.title()
    g = f.grid(FOUR)
    g.kv(("用户单位", "customer"), ("用户编号", "customer_id"), height=9)
    g.row(T("人员名单：{% for a in attendees %}{{ a.name }}{% if not loop.last %}、{% endif %}{% endfor %}"),
          height=22)
    g.row(T("单位地址：{{ customer_address }}"), height=9)
    g.row(T("电话：{{ customer_phone }}", 2), T("邮编：{{ postcode }}", 2), height=9)
    g.row(T("培训时间：{{ date }} {{ time }}（{{ hours }} 课时）", 2), T("培训教员：{{ trainer }}", 2), height=9)
    g.text("培训内容：", "{{ topic }}\n{{ content }}", height=55)
    g.text("培训情况：", "outcome", height=40)


def training_signin(f: Form):
    f.title()
    g = f.grid(FOUR)
    g.kv(("培训主题", "topic"), ("组织部门", "dept"))
    g.kv(("培训时间", "{{ date }} {{ time }}"), ("培训地点", "place"))
    g.kv(("培训讲师", "trainer"), ("培训课时", "hours"))
    g.row(T("培训内容：{{ content }}"), height=12)
    f.para("参加培训人员签到", "center", bold=True, size=12, title=True)
    f.begin_loop("page", "attendees_pages")
    t = f.grid([9, 48, 16, 14] * 2, size=9.5, margin=1)
    heads = [L("序号"), L("所属单位"), L("姓名"), L("签名")]
    t.row(*heads, *heads, height=6.5, header=True)
    # 25 rows fit one page; a long unit name wraps (rows grow, nothing is cut off).
    t.loop("r", "page", L("{{ r.l.no }}"), V("r.l.unit", size=8), L("{{ r.l.name }}"), BLANK,
           L("{{ r.r.no }}"), V("r.r.unit", size=8), L("{{ r.r.name }}"), BLANK, height=6.2)
    f.end_loop()
    f.para("应到 {{ count_listed }} 人，实到 {{ count_present }} 人，请假 {{ count_leave }} 人，"
           "旷课 {{ count_absent }} 人", "left")


def complaint_tracking(f: Form):
    f.title()
    g = f.grid(SIX)
    g.row(L("投诉承接", bold=True))
    g.row(L("单号"), V("complaint_no"), L("受理日期"), V("received"), L("受理渠道"), V("channel"))
    g.row(L("客户名称"), V("customer", 3), L("国内/国外"), V("region"))
    g.row(L("联系人"), V("contact"), L("联系电话"), V("phone"), L("产品型号"), V("product"))
    g.row(T("投诉事件描述（时间、地点、具体内容）：\n{{ description }}"), height=26)
    g.row(L("投诉分类"), T("严重投诉：{{ category_marks[0] }} 服务质量类\u3000{{ category_marks[1] }} 外观包装类\u3000"
                        "{{ category_marks[2] }} 产品质量类\n轻微投诉：{{ category_marks[3] }} 建议类\u3000\u3000"
                        "{{ category_marks[4] }} 其他类", top=False))
    g.row(L("客服签字"), V("receiver"), L("日期"), V("received"), L("总经理审批"), BLANK)
    g.row(L("转交处理部门及岗位", bold=True))
    g.row(L("处理部门"), V("dept"), L("处理人"), V("owner"), L("转交日期"), V("transferred"))
    g.row(L("投诉调查处理意见", bold=True))
    g.row(T("{{ investigation }}\n责任认定：{{ responsibility }}"), height=26)
    g.row(L("处理人签字"), V("owner"), L("日期"), V("dept_answered"), L("总经理审批"), BLANK)
    g.row(L("回复", bold=True))
    g.row(L("回复日期"), V("replied"), L("满意程度"),
          T("{{ satisfaction_marks[0] }} 非常满意 {{ satisfaction_marks[1] }} 满意 {{ satisfaction_marks[2] }} 一般 "
            "{{ satisfaction_marks[3] }} 不满意 {{ satisfaction_marks[4] }} 非常不满意", 3, size=9.5))
    g.row(L("回访", bold=True))
    g.row(L("回访日期"), V("revisited"), L("回访记录"), V("result", 3), height=16)
    g.row(L("客服签字"), V("receiver"), L("结案日期"), V("closed"), L("备案"), BLANK)


def quality_memo(f: Form):
    f.title()
    g = f.grid([24, 34, 22, 36, 22, 36])
    g.row(L("投诉单号"), V("complaint_no"), L("受理日期"), V("received"), L("客户名称"), V("customer"))
    g.row(L("产品型号"), V("product"), L("订单编号"), V("order_no"), L("数量"), V("quantity"))
    g.row(L("交货日期"), V("delivered"), L("不良数量"), V("defects"), L("销售经理"), V("owner"))
    g.row(T("质量投诉基本资料（现场调查）：\n{{ description }}"), height=30)
    g.row(L("责任认定"), T("{{ responsibility_marks[0] }} 本公司责任\u3000{{ responsibility_marks[1] }} 客户责任\u3000"
                        "{{ responsibility_marks[2] }} 第三方责任\u3000{{ responsibility_marks[3] }} 待定"), height=10)
    g.row(L("返修费用\n预算"), V("repair_budget", 2), L("返修交货\n备忘"), V("repair_delivery", 2), height=12)
    g.row(T("处理意见：\n{{ investigation }}"), height=28)
    g.row(T("本备忘单应在售后服务部门经理接收投诉后第 2 个工作日内完成（001 §14 4.2.3.3 ⑦）", align="center",
            size=9))
    g.row(L("委员会会签", bold=True))
    g.row(L("主任\n(总经理)"), BLANK, L("常务主任\n(售后服务部经理)"), BLANK, L("仓储负责人"), BLANK, height=12)
    g.row(L("销售经理"), BLANK, L("客户确认"), BLANK, L("日期"), T(DATE_BLANK), height=12)


def complaint_handling(f: Form):
    f.begin_loop("copy", "doc_copies")
    f.title(copy_label=True)
    g = f.grid([22, 36, 22, 36, 22, 36])
    g.row(L("投诉编号"), V("complaint_no"), L("受理日期"), V("received"), L("客户名称"), V("customer"))
    g.row(L("订单编号"), V("order_no"), L("料号"), V("part_no"), L("数量"), V("quantity"))
    g.row(L("交货日期"), V("delivered"), L("不良数量"), V("defects"), L("国内/国外"), V("region"))
    g.row(L("客户要求"), V("customer_request", 5), height=10)
    g.row(T("异常内容（业务部门填写，附异常样品与标签）：\n{{ description }}"), height=24)
    g.row(L("业务部门"), T("主管：\u3000\u3000\u3000\u3000经办：{{ receiver }}", 3), L("送总经理室"), V("transferred"))
    g.row(T("质量管理部：原因分析及责任归属判定\n{{ investigation }}"), height=22)
    g.row(L("责任归属"), T("{{ responsibility_marks[0] }} 本公司责任 {{ responsibility_marks[1] }} 客户责任 "
                        "{{ responsibility_marks[2] }} 第三方责任 {{ responsibility_marks[3] }} 待定", 3, size=9.5),
          L("责任部门"), V("dept"))
    g.row(T("制造部门：异常原因及处理对策\n"), height=16)
    g.row(T("研发部意见：\n"), height=12)
    g.row(T("业务部门处理意见及交涉结果：\n{{ result }}"), height=16)
    g.row(T("总经理室综合意见：\n"), height=12)
    g.row(L("核决"), BLANK, L("结案日期"), V("closed"), L("客户满意"), V("satisfaction"))
    f.note("流程：业务部门→总经理室(1/2天)→质量管理单位(1天)→制造单位(1天)→研发部(1天)→业务部门(国内5天 国外12天)"
           "→总经理室(1/2天)；自总经理室受理起国内13天、国外17天内结案（004 Ⅷ (十)）。")
    f.end_loop()


def complaint_stats(f: Form):
    f.title(number=False)
    f.para("统计期间：{{ period_label }}（{{ period }}）\u3000\u3000结案件数：{{ case_count }}", "right",
           size=BODY_PT - 1)
    spec = f.spec.sheet_spec()
    n = len(spec.column(f.spec.period["across"]).choices)   # one column per class
    w = (WIDTH - 32 - 20 - 22) / n
    g = f.grid([32] + [w] * n + [20, 22])
    g.row(L(spec.column(f.spec.period["group"]).header), *[L("{{ across[%d] }}" % i) for i in range(n)],
          L("合计"), L("比率"), header=True)
    g.loop("r", "groups", L("{{ r.group }}"), *[L("{{ r.counts[%d] }}" % i) for i in range(n)],
           L("{{ r.total }}"), L("{{ r.ratio }}"))
    g.row(L("合计", bold=True), *[L("{{ totals.counts[%d] }}" % i) for i in range(n)], L("{{ totals.total }}"),
          L("{{ totals.ratio }}"))
    f.spacer(6)
    f.para("结案案件明细", "center", bold=True, size=12, title=True)
    c = f.grid([24, 22, 40, 22, 22, 44], size=9.5)
    c.row(L("投诉编号"), L("结案日期"), L("客户名称"), L("投诉类别"), L("责任单位"), L("处理结果"), header=True)
    c.loop("k", "cases", L("{{ k.complaint_no }}"), L("{{ k.closed }}"), V("k.customer"), L("{{ k.category }}"),
           L("{{ k.dept }}"), V("k.result"))
    f.spacer(6)
    s = f.grid([43.5] * 4)
    s.row(T("总经理室生产管理组：\n"), T("制造部：\n"), T("质量管理部：\n"), T("研发部：\n"), height=14)


def reminder(f: Form):
    f.title()
    g = f.grid(SIX)
    g.kv(("案件编号", "case_no"), ("台账", "register_title"), ("客户", "customer"))
    g.kv(("责任部门", "dept"), ("责任人", "person"), ("开单日期", "doc_today"))
    f.spacer()
    t = f.grid([12, 74, 30, 32, 26])
    t.row(L("序号"), L("逾期事项"), L("起算日期"), L("应完成时间"), L("逾期（工作日）"), header=True)
    t.loop("it", "items", L("{{ it.no }}"), V("{{ it.rule_title }}（{{ it.source }}）"), L("{{ it.start }}"),
           L("{{ it.due }}"), L("{{ it.days_overdue }}"))
    f.spacer()
    h = f.grid(FOUR)
    h.row(T("上列案件已逾处理时效，请责任部门于接单后 1 个工作日内处理完毕并回复总经理室；逾期原因另以“洽办单”"
            "追查（004 Ⅷ (十四)）。"), height=14)
    h.row(T("逾期原因及处理情况（责任部门填写）：\n"), height=40)
    h.row(L("总经理室"), T("签发：\n日期：" + DATE_BLANK), L("责任部门"), T("签收：\n日期：" + DATE_BLANK), height=12)


def service_info(f: Form):
    f.title()
    g = f.grid(SIX)
    g.row(L("处理单编号"), V("ticket_no"), L("受理时间"), V("received"), L("受理部门"), V("dept_code"))
    g.row(L("客户名称"), V("customer", 3), L("受理渠道"), V("channel"))
    g.row(L("客户地址"), V("address", 3), L("服务区域"), V("area"))
    g.row(L("联系人"), V("contact"), L("联系电话"), V("phone"), L("产品型号"), V("product"))
    g.row(L("出厂编号"), V("serial"), L("购机日期"), V("purchased"), L("发票号"), V("invoice_no"))
    g.row(L("售后类型"), T("{{ service_type_marks[0] }} 技术支持\u3000{{ service_type_marks[1] }} 质量信息\u3000"
                        "{{ service_type_marks[2] }} 有偿服务\u3000{{ service_type_marks[3] }} 咨询", 5))
    g.row(L("故障级别"), T("{{ level_marks[0] }} 一级\u3000{{ level_marks[1] }} 二级\u3000{{ level_marks[2] }} 三级"
                        "\u3000{{ level_marks[3] }} 四级\u3000\u3000需到场：{{ onsite }}", 5))
    g.row(T("顾客售后需求详细情况：\n{{ fault }}"), height=24)
    g.row(L("转交部门"), BLANK, L("服务人员"), V("engineer"), L("联系电话"), V("engineer_phone"))
    g.row(T("原因分析及售后技术方案（质量部/实施部门）：\n"), height=24)
    g.row(L("响应时间"), V("responded"), L("到场时间"), V("arrived"), L("完成时间"), V("completed"))
    g.row(T("处理结果：\n{{ work_done }}"), height=20)
    g.row(L("是否解决"), T("{{ resolved_marks[0] }} 是\u3000{{ resolved_marks[1] }} 否"), L("遗留问题"),
          V("open_issue", 3))
    g.row(L("外出服务编号"), V("field_service_no"), L("客服核实"), V("revisited"), L("客服签字"), BLANK)


def field_service(f: Form):
    f.title()
    g = f.grid([24, 34, 22, 36, 22, 36])
    g.row(L("客户资料", bold=True))
    g.row(L("客户名称"), V("ticket_customer", 3), L("电话"), V("ticket_phone"))
    g.row(L("客户地址"), V("ticket_address", 3), L("产品类型"), V("ticket_product"))
    g.row(L("服务人员"), V("engineer"), L("工单编号"), V("ticket_no"), L("服务部门"), V("dept_code"))
    g.row(L("安装/维修记录", bold=True))
    g.row(L("出发日期"), V("departed"), L("完成日期"), V("returned"), L("服务类型"),
          T("{{ kind_marks[0] }}安装 {{ kind_marks[1] }}售后 {{ kind_marks[2] }}维修", size=9.5))
    g.row(T("服务内容描述：\n{{ ticket_fault }}\n{{ work_record }}"), height=30)
    five = "{{ %s_marks[0] }}差 {{ %s_marks[1] }}一般 {{ %s_marks[2] }}满意 {{ %s_marks[3] }}好 {{ %s_marks[4] }}很好"
    g.row(L("工作态度"), T(five % (("attitude",) * 5), 2), L("产品损坏"),
          T("{{ damage_marks[0] }}无 {{ damage_marks[1] }}轻微 {{ damage_marks[2] }}严重", 2))
    g.row(L("卫生状况"), T(five % (("hygiene",) * 5), 2), L("顾客满意"), T(five % (("satisfied",) * 5), 2))
    g.row(L("处理结果"), V("result", 3), L("收费情况"), V("charge"), height=12)
    g.row(L("客户建议"), V("suggestion", 5), height=14)
    g.row(L("公司承诺"), V("promise", 5), height=14)
    g.sign(("服务人员", "engineer"), ("顾客签字", ""), ("日期", DATE_BLANK))


def repair_record(f: Form):
    f.begin_loop("copy", "doc_copies")
    f.title(copy_label=True)
    g = f.grid(SIX)
    g.row(L("维修单位"), V("doc_company", 5))
    g.row(L("用户姓名\n(单位、人)"), V("customer", 3), L("要求服务\n时间"), V("received"))
    g.row(L("用户地址\n及联系人"), T("地址：{{ address }}\n联系人：{{ contact }}\u3000\u3000联系电话：{{ phone }}", 5,
                                   top=False))
    g.row(L("型号"), V("product"), L("机号"), V("serial"), L("数量"), BLANK)
    g.row(L("发票号"), V("invoice_no"), L("购机日期"), V("purchased"), L("报修日期"), V("received"))
    g.row(T("报修内容：{{ fault }}\n" + "\u3000" * 30 + "记录人：{{ engineer }}"), height=18)
    g.row(T("维修结果：{{ work_done }}"), height=16)
    g.row(L("修理时间"), T("{{ arrived }} 至 {{ completed }}", 5))
    f.spacer()
    p = f.grid([44, 20, 44, 20, 22, 24])
    p.row(L("“三包”件（务必写明名称和数量）", 2), L("客户购买件（务必写明名称和数量）", 4))
    p.row(L("名称"), L("数量"), L("名称"), L("数量"), L("单价"), L("合计"), header=True)
    p.loop("pp", "part_rows", V("pp.l.name"), L("{{ pp.l.qty }}"), V("pp.r.name"), L("{{ pp.r.qty }}"),
           L("{{ pp.r.unit_price }}"), L("{{ pp.r.amount }}"))
    p.row(L("合计金额（元）", 4), L("{{ bought_total }}", 2))
    p.row(T("售后服务人员：{{ engineer }}\n日期：" + DATE_BLANK, 2),
          T("用户意见：{{ feedback }}\n签名：\u3000\u3000\u3000\u3000\u3000日期：" + DATE_BLANK, 4), height=16)
    p.row(T("部门领导：\n日期：", 2), T("仓库人员：\n日期：", 2), T("维修人员：{{ engineer }}\n日期：", 2), height=12)
    f.end_loop()


def info_collection(f: Form):
    f.title()
    g = f.grid(SIX)
    g.kv(("客户名称", "customer"), ("设备种类", "product"))
    g.kv(("联系人", "contact"), ("职务", ""), ("联系电话", "phone"))
    g.kv(("地址", "address"))
    g.row(L("设备信息", bold=True))
    g.row(T("1、项目编号（AB号）："), height=8)
    g.row(T("2、设备编号：{{ serial }}"), height=8)
    g.row(T("3、设备类型及尺寸：{{ product }}"), height=8)
    g.row(T("4、设备投运时间："), height=8)
    g.row(T("5、设备故障描述：\n{{ fault }}"), height=28)
    g.row(T("6、设备维修情况：\n{{ work_done }}"), height=28)
    g.row(T("7、设备零部件更换情况：\n{% for p in parts %}{{ p.name }} {{ p.model }} × {{ p.qty }}（{{ p.kind }}）"
            "{% if not loop.last %}；{% endif %}{% endfor %}"), height=24)
    g.sign(("填表人", "engineer"), ("日期", "completed"))


def paid_quote(f: Form):
    f.title()
    g = f.grid(SIX)
    g.kv(("客户名称", "customer"), ("联系人", "contact"))
    g.kv(("工单编号", "ticket_no"), ("产品型号", "product"), ("联系电话", "phone"))
    g.row(T("服务内容：{{ fault }}"), height=14)
    f.spacer()
    t = f.grid([12, 30, 66, 30, 36])
    t.row(L("序号"), L("费用类别"), L("计算依据"), L("金额（元）"), L("备注"), header=True)
    t.loop("ln", "fee_lines", L("{{ ln.no }}"), L("{{ ln.item }}"), V("ln.basis"), T("{{ ln.amount }}", align="right"),
           V("ln.note"))
    t.row(L("成本小计", 3), T("{{ fee_subtotal }}", align="right"), BLANK)
    t.row(L("税费", 3), T("{{ fee_tax }}", align="right"), BLANK)
    t.row(L("管理费", 3), T("{{ fee_management }}", align="right"), BLANK)
    t.row(L("报价合计", 3, bold=True), T("{{ fee_total }}", align="right", bold=True), BLANK)
    t.row(T("{{ fee_note }}", size=9))
    t.row(T("顾客确认：\n日期：" + DATE_BLANK, 3), T("客服人员：\n日期：", 2), height=14)


LAYOUTS = {fn.__name__: fn for fn in (
    service_receipt, material_request, material_return, satisfaction_survey, complaint_record,
    terminal_feedback, quality_report, user_training, training_signin, complaint_tracking, quality_memo,
    complaint_handling, complaint_stats, reminder, service_info, field_service, repair_record,
    info_collection, paid_quote,
)}


def build(form_id: str, policy: dict | None = None, out: Path = OUT) -> Path:
    """Build one template, stamped with the policy's template revision for the form."""
    policy = policy or default_policy()
    f = Form(form_id)
    LAYOUTS[form_id](f)
    return f.save(int(policy["forms"][form_id]["revision"]), out)


def build_all(out: Path = OUT) -> list[Path]:
    missing = set(load_forms()) - set(LAYOUTS)
    if missing:
        raise SystemExit(f"no layout for forms: {sorted(missing)}")
    policy = default_policy()
    return [build(fid, policy, out) for fid in load_forms()]


if __name__ == "__main__":
    for p in build_all():
        print(p.relative_to(ROOT))
