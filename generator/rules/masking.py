"""Personal data in copies that leave the office (001 客户保密管理办法 4–7).

A masked copy shows a phone number by its first 3 and last 4 digits (13812345678 →
138****5678, 025-12345678 → 025****5678) and a person by the surname alone (张三 → 张*,
欧阳明华 → 欧阳**), also where the name or number appears inside free text.
Columns a register spec marks ``personal`` are masked whole; in every other text each mobile
(11 digits from 13…19, also after +86) and landline (area code 0xx(x), bare or in brackets,
then 7–8 digits) number is masked, while hotlines (400-…), case numbers, dates and digits
inside longer codes stay as they are.
"""
from __future__ import annotations

import re

from generator.core.normalize import to_text

# Compound surnames (复姓) a masked name keeps whole: 欧阳明华 → 欧阳**
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 令狐 夏侯 轩辕 端木 独孤 南宫 西门 百里 "
    "呼延 申屠 太史 澹台 公冶 闻人 赫连 钟离 宗政 濮阳 淳于 单于 太叔 仲孙 万俟 司空 闾丘 子车 亓官 司寇 "
    "巫马 公西 颛孙 壤驷 公良 漆雕 乐正 宰父 谷梁 拓跋 夹谷 梁丘 左丘 东郭 段干 第五 鲜于 申屠 羊舌".split())

# 11 digits from 13…19, alone or after the country code (+86 / 86): never inside a longer number
MOBILE = re.compile(r"(?:(?<!\d)|(?<=(?<!\d)86)|(?<=\+86))1[3-9]\d{9}(?!\d)")
# area code (0 + 2–3 digits, bare or in brackets), an optional - or space, 7–8 digits
LANDLINE = re.compile(r"(?<![\d-])(?:0\d{2,3}|\(0\d{2,3}\))[- ]?\d{7,8}(?!\d)")


def mask(text: str, kind: str) -> str:
    """A personal value as a masked copy shows it: 13812345678 -> 138****5678, 张三 -> 张*.

    ``kind`` is the column type: "phone" keeps the first 3 and last 4 digits (a number too
    short for that is all stars); any other type keeps the first character.
    """
    if not text:
        return text
    if kind == "phone":
        digits = text.replace(" ", "")
        return digits[:3] + "****" + digits[-4:] if len(digits) >= 8 else "****"
    keep = len(surname(text)) if len(text) > 2 else 1
    return text[:keep] + "*" * (len(text) - keep)


def surname(name: str) -> str:
    """The surname of a Chinese name: a compound surname (欧阳, 司马 …) whole, else one character."""
    return name[:2] if name[:2] in COMPOUND_SURNAMES else name[:1]


def _phone(m: re.Match) -> str:
    return mask(m.group().replace("(", "").replace(")", ""), "phone")    # (025)12345678 -> 025****5678


def mask_text(text: str, names=()) -> str:
    """Every mobile and landline number in free text masked, and every one of ``names`` (people
    known from the record's name fields and the master lists) shown by its surname alone."""
    text = LANDLINE.sub(_phone, MOBILE.sub(_phone, text))
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        if name in text:
            text = text.replace(name, mask(name, "text"))
    return text


def scrub(value, names=()):
    """A form context with phone numbers (and ``names``) masked in every string, however deeply nested."""
    if isinstance(value, str):
        return mask_text(value, names)
    if isinstance(value, dict):
        return {k: scrub(v, names) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(v, names) for v in value]
    return value


def mask_value(value, kind: str | None):
    """A cell value as a masked copy shows it: a personal column (``kind`` = its type) masked
    whole, other text with its phone numbers masked, a mobile number stored as a number masked.
    A blank cell stays as it is."""
    if value is None:
        return None
    if kind is not None:
        text = to_text(value)     # a phone stored as a number reads as its digits
        return mask(text, kind) if text else value
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, int) and not isinstance(value, bool) and MOBILE.fullmatch(str(value)):
        return mask_text(str(value))
    return value


__all__ = ["COMPOUND_SURNAMES", "LANDLINE", "MOBILE", "mask", "mask_text", "mask_value", "scrub", "surname"]
