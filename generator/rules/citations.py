"""Citations people can read: our source codes ("002 §4.4.3", "000 ch.6", "004 Ⅷ (十四)")
turned into the company document's own title and number (《客户服务制度》NR/S/001-15-001 第六章).

The policy's ``[document_control.sources]`` maps each code to ``{title, doc_no}``; a code the
map lacks is left out rather than printed (a bare "002" means nothing to a company).
"""
from __future__ import annotations

import re

CN_DIGITS = "零一二三四五六七八九"
_CODE = re.compile(r"^\s*(\d{3})\b\s*(.*)$")
_CHAPTER = re.compile(r"ch\.\s*(\d+)")
_SECTION = re.compile(r"§\s*([\d.]+\d|\d)")


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 14 → 十四, 20 → 二十, 23 → 二十三 (chapter numbers)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def _section(m: re.Match) -> str:
    num = m.group(1)
    return f"{num}条" if "." in num else f"第{cn_number(int(num))}节"


def _place(rest: str) -> str:
    """The part after the code: ch.6 → 第六章, §4.4.3 → 4.4.3条, §14 → 第十四节; the rest as is."""
    text = _CHAPTER.sub(lambda m: f"第{cn_number(int(m.group(1)))}章", rest)
    text = _SECTION.sub(_section, text)
    return re.sub(r"\s+", " ", text).strip(" ,，")


def document_name(code: str, sources: dict) -> str:
    """《title》doc_no of a source code, "" when the policy does not map it."""
    entry = sources.get(code) or {}
    title = str(entry.get("title", "")).strip()
    if not title:
        return ""
    doc_no = str(entry.get("doc_no", "")).strip()
    return f"《{title}》{doc_no}" if doc_no else f"《{title}》"


def cite(source: str, sources: dict) -> str:
    """A source string (codes separated by ";") as the company's documents: each part
    《title》doc_no + its place; parts whose code the map lacks are dropped, parts without a
    code (the company's own wording) kept as they are."""
    out: list[list[str]] = []         # [name, place, place …], one per document in order
    for part in re.split(r"[;；]", source or ""):
        m = _CODE.match(part)
        if not m:          # already the company's own words (《…》 written in the policy): as is
            if part.strip():
                out.append([part.strip()])
            continue
        name = document_name(m.group(1), sources)
        if not name:
            continue
        if not out or out[-1][0] != name:
            out.append([name])
        place = _place(m.group(2))
        if place:
            out[-1].append(place)
    return "；".join(name + ("" if name.endswith("》") else " ") + "、".join(places) if places else name
                    for name, *places in out).replace("》 ", "》")


_PLACE = r"(?:ch\.\s*\d+|§\s*[\d.]*\d|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]+|\([一二三四五六七八九十\d]+\)|第[一二三四五六七八九十\d]+条|" \
         r"[一二三四五六七八九十]+|\d+(?:\.\d+)*|表\d+)"
_INLINE = re.compile(rf"(?<![\w/.-])(00[0-4])(?![\d.])((?:[ \t]*[、,]?[ \t]+{_PLACE})+)")


def cite_inline(text: str, sources: dict) -> str:
    """Every source code inside a sentence ("签到统计（000 ch.7 §2.2）") replaced by its citation;
    an unmapped code and its place are dropped, with the brackets they leave empty."""
    out = _INLINE.sub(lambda m: cite(m.group(1) + " " + m.group(2).strip(), sources), text)
    return re.sub(r"（\s*[：:，,；;]?\s*）|\(\s*\)", "", out).replace("（：", "（")


def cite_all(value, sources: dict):
    """Every string in a nested result (dicts, lists) with its source codes cited."""
    if isinstance(value, str):
        return cite_inline(value, sources)
    if isinstance(value, dict):
        return {k: cite_all(v, sources) for k, v in value.items()}
    if isinstance(value, list):
        return [cite_all(v, sources) for v in value]
    return value


def sources_of(policy: dict) -> dict:
    return policy.get("document_control", {}).get("sources", {})


__all__ = ["cite", "cite_all", "cite_inline", "cn_number", "document_name", "sources_of"]
