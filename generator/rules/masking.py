"""Personal data in copies that leave the office (001 客户保密管理办法 4–7).

A masked copy shows a phone number by its first 3 and last 4 digits (13812345678 →
138****5678, 025-12345678 → 025****5678) and a person by the surname alone (张三 → 张*).
Columns a register spec marks ``personal`` are masked whole; in every other text each mobile
(11 digits from 13…19, also after +86) and landline (area code 0xx(x), bare or in brackets,
then 7–8 digits) number is masked, while hotlines (400-…), case numbers, dates and digits
inside longer codes stay as they are.
"""
from __future__ import annotations

import re

from generator.core.normalize import to_text

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
    return text[0] + "*" * (len(text) - 1)


def _phone(m: re.Match) -> str:
    return mask(m.group().replace("(", "").replace(")", ""), "phone")    # (025)12345678 -> 025****5678


def mask_text(text: str) -> str:
    """Every mobile and landline number in free text, masked."""
    return LANDLINE.sub(_phone, MOBILE.sub(_phone, text))


def scrub(value):
    """A form context with phone numbers masked in every string, however deeply nested."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
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


__all__ = ["LANDLINE", "MOBILE", "mask", "mask_text", "mask_value", "scrub"]
