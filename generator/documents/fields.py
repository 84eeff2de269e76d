"""What each field of a Word template is: for the clerk who restyles a template in Word.

``template_fields(form)`` reads the template's text (body, headers, footers) and lists every
``{{ … }}`` field once, in order, with its Chinese label, type and where the value comes from
(workbook / sheet / column, the policy, or a computation), and whether it sits in a loop row
(``{%tr for … %}`` / ``{%p for … %}``: a row or paragraph repeated per line; delete the tag
row and the table no longer fills).
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from generator.config.form_specs import FEE_NAMES, KIND_NAMES, FormSpec
from generator.config.register_specs import Column, load_specs
from generator.documents.engine import template_path

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PART = re.compile(r"word/(document|header\d*|footer\d*)\.xml$")
_TAG = re.compile(r"\{\{(.*?)\}\}|\{%-?\s*(?:tr|p|tc)?\s*(.*?)-?%\}")
_FOR = re.compile(r"^for\s+(\w+)\s+in\s+([\w.]+)")
_NAME = re.compile(r"(?<![\w.\"'])([a-z_][a-z0-9_]*)((?:\.[a-z_][a-z0-9_]*)*)")
_JINJA_WORDS = {"if", "else", "elif", "endif", "for", "endfor", "in", "not", "and", "or", "is", "loop", "true",
                "false", "none", "map", "unique", "join", "attribute", "last", "first", "length", "list"}

TYPES = {"text": "文本", "date": "日期", "datetime": "日期时间", "integer": "整数", "decimal": "数字",
         "money": "金额（元）", "phone": "电话", "choice": "选项"}
CONTROL_LABELS = {
    "doc_company": ("公司名称", "策略 company.name"), "doc_hotline": ("服务热线", "策略 company.hotline"),
    "doc_address": ("公司地址", "策略 company.address"), "doc_title": ("表单名称", "表单定义 / 策略 forms"),
    "doc_no": ("文件编号", "表单定义 [control] / 策略 forms"), "doc_version": ("版本", "表单定义 [control]"),
    "doc_status": ("受控状态", "受控 / 非受控 / 作废"), "doc_mark": ("受控标记（红字）", "受控 / 非受控 / 作废"),
    "doc_copy_no": ("分发号", "分发记录.xlsx（受控副本自动编号）"),
    "doc_drafted_by": ("编制", "策略 document_control"), "doc_reviewed_by": ("审核", "策略 document_control"),
    "doc_approved_by": ("批准", "策略 document_control"), "doc_issued": ("发布日期", "表单定义 [control]"),
    "doc_effective": ("实施日期", "表单定义 [control]"), "doc_number": ("单据编号", "台账的编号列"),
    "doc_copies": ("联次", "表单定义 copies"), "doc_seq": ("序号", "记录在台账中的行序"),
    "doc_today": ("开单日期", "填写当天"), "doc_basis": ("依据文件", "策略 document_control.sources"),
}
COMPUTED = {
    "fee_lines": "费用明细行", "fee_subtotal": "成本小计", "fee_tax": "税费", "fee_management": "管理费",
    "fee_total": "报价合计", "fee_note": "报价说明", "fee_tax_basis": "税费计算依据（税率）",
    "fee_management_basis": "管理费计算依据（费率）", "no": "序号", "amount": "金额（数量 × 单价）",
    "balance": "结余数量", "period": "统计月份", "period_label": "统计月份", "across": "分类",
    "groups": "责任单位行", "totals": "合计行", "cases": "案件明细", "case_count": "案件数",
    "case_no": "案件编号", "register_title": "台账名称", "dept": "责任部门", "person": "责任人",
    "customer": "客户", "items": "逾期事项", "max_days": "最长逾期天数", "rule": "规则", "rule_title": "逾期事项",
    "source": "依据文件", "start": "起算日期", "due": "应完成时间", "days_overdue": "逾期（工作日）",
    "calendar_days_overdue": "逾期（日历天）", "item": "费用类别", "basis": "计算依据", "note": "备注",
    "group": "责任单位", "counts": "各类件数", "total": "合计", "ratio": "占比",
}


@dataclass(frozen=True)
class Field:
    field: str          # as written in the template, e.g. "{{ r.name }}"
    label: str          # Chinese label
    type: str           # 文本 / 日期 / 勾选 …
    source: str         # workbook / sheet / column, or policy key, or how it is computed
    loop: str = ""      # the loop it repeats in ("returns"), "" for a single value


def _texts(path: Path) -> list[str]:
    """Paragraph texts of the body, headers and footers, in order."""
    out = []
    with zipfile.ZipFile(path) as z:
        for name in sorted(n for n in z.namelist() if _PART.search(n)):
            root = etree.fromstring(z.read(name))
            for p in root.iter(W + "p"):
                text = "".join(t.text or "" for t in p.iter(W + "t"))
                if "{" in text:
                    out.append(text)
    return out


def _column_source(form: FormSpec, register: str | None, sheet_key: str, col: Column) -> str:
    reg = load_specs()[register or form.register]
    return f"{reg.workbook} / {reg.sheet(sheet_key).name} / {col.header}"


class _Resolver:
    def __init__(self, form: FormSpec):
        self.form = form
        self.cols = {}
        if form.kind == "record":
            for c in form.sheet_spec().columns:
                self.cols[c.key] = (c, _column_source(form, None, form.sheet, c))
        for lk in form.lookups:
            for c in form.child_sheet(lk).columns:
                self.cols[lk.prefix + c.key] = (c, _column_source(form, lk.register, lk.sheet, c) + f"（按 {lk.on} 查找）")

    def child_of(self, collection: str):
        name = collection
        for suffix in ("_pages", "_distinct"):
            name = name.removesuffix(suffix)
        try:
            return self.form.child(name)
        except KeyError:
            return None

    def top(self, name: str) -> tuple[str, str, str]:
        form = self.form
        if name in CONTROL_LABELS:
            label, source = CONTROL_LABELS[name]
            return label, "文本", source
        if name in self.cols:
            c, source = self.cols[name]
            return c.header, TYPES.get(c.type, c.type), source
        for m in form.marks:
            if name in (f"{m.field}_marks", f"{m.field}_line"):
                c, source = self.cols[m.field]
                return f"{c.header}（勾选 ☑/☐）", "勾选", source
        for t in form.tallies:
            if name == t.name:
                what = f"{t.child} 中 {dict(t.where)} 的" if t.where else f"{t.child} 的"
                return "合计" if t.sum else "人数/件数", "数字", f"计算：{what}{'金额之和' if t.sum else '行数'}（无明细时留空）"
        child = self.child_of(name)
        if child is not None:
            sheet = form.child_sheet(child)
            return f"{sheet.name}明细", "列表", _column_source(form, child.register, child.sheet, sheet.columns[0]).rsplit(" / ", 1)[0]
        if name in FEE_NAMES or name in KIND_NAMES.get(form.kind, ()) or name in COMPUTED:
            return COMPUTED.get(name, name), "文本", "计算"
        return name, "", ""

    def attr(self, collection: str, attrs: list[str]) -> tuple[str, str, str]:
        form = self.form
        pair = next((p for p in form.pairs if p.name == collection), None)
        child = self.child_of(collection)
        if pair and attrs and attrs[0] in ("l", "r"):
            child, attrs = form.child(pair.left if attrs[0] == "l" else pair.right), attrs[1:]
        elif child is not None and attrs and attrs[0] in ("l", "r"):
            attrs = attrs[1:]
        if child is not None and attrs:
            sheet = form.child_sheet(child)
            key = attrs[0]
            if key in {c.key for c in sheet.columns}:
                c = sheet.column(key)
                return c.header, TYPES.get(c.type, c.type), _column_source(form, child.register, child.sheet, c)
            return COMPUTED.get(key, key), "文本", "计算"
        if collection == "cases" and form.kind == "period" and attrs:     # the month's records themselves
            sheet = form.sheet_spec()
            if attrs[0] in {c.key for c in sheet.columns}:
                c = sheet.column(attrs[0])
                return c.header, TYPES.get(c.type, c.type), _column_source(form, None, form.sheet, c)
        if collection == "doc_copies":
            return "联次", "文本", "表单定义 copies"
        return COMPUTED.get(attrs[-1] if attrs else collection, collection), "文本", "计算"


def template_fields(form: FormSpec, directory=None) -> list[Field]:
    """Every field of the form's template once, in order, with label, type and source."""
    resolve = _Resolver(form)
    loops: dict[str, str] = {}        # loop variable -> collection it runs over
    seen, out = set(), []
    for text in _texts(template_path(form, directory)):
        for m in _TAG.finditer(text):
            expr, stmt = m.group(1), m.group(2)
            if stmt is not None:
                f = _FOR.match(stmt.strip())
                if f:
                    var, coll = f.groups()
                    loops[var] = loops.get(coll, coll)       # a nested loop (page → rows) keeps the list
                expr = stmt
            for name, dotted in _NAME.findall(expr or ""):
                if name in _JINJA_WORDS or name in loops and not dotted:
                    continue
                attrs = [a for a in dotted.split(".") if a]
                shown = name + dotted
                if shown in seen or (name in loops and not attrs):
                    continue
                seen.add(shown)
                if name in loops:
                    label, kind, source = resolve.attr(loops[name], attrs)
                    out.append(Field(f"{{{{ {shown} }}}}", label, kind, source, loops[name]))
                else:
                    label, kind, source = resolve.top(name)
                    if label == name and not kind:     # a Jinja name we do not know (a filter argument)
                        continue
                    out.append(Field(f"{{{{ {shown} }}}}", label, kind, source))
    return out


__all__ = ["Field", "template_fields"]
