"""Turn raw cell values into typed values.

Offices type the same thing many ways: 2026-10-08, 2026/10/8, 2026年10月8日, an Excel serial
number, full-width digits, stray spaces, numbers stored as numbers. Each function returns the
typed value or raises ValueError with a short Chinese reason.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_FULLWIDTH = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９：－／．，（）＋"}
_FULLWIDTH[0x3000] = 0x20  # ideographic space

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
EPOCH_1904 = dt.date(1904, 1, 1)      # a workbook saved with the 1904 date system (old Mac Excel)


def excel_serial(day: dt.date, *, date1904: bool = False) -> int:
    """Excel's day number of ``day`` (the inverse of reading a serial in ``to_datetime``)."""
    return (day - (EPOCH_1904 if date1904 else EXCEL_EPOCH.date())).days

_DATE_RE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]*(\d{1,2})[:：时](\d{1,2})分?(?:[:：]?(\d{1,2})秒?)?)?",
    re.ASCII,
)


def clean_text(value, fold: bool = True) -> str | None:
    """Strip spaces (also full-width) and a leading apostrophe; with fold, turn full-width
    digits and punctuation into ASCII (for values that are parsed: dates, numbers, phones)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    text = text.translate(_FULLWIDTH) if fold else text
    text = text.strip(" \t\r\n\u3000")
    if text.startswith("'"):
        text = text[1:].strip(" \t\u3000")
    return text or None


def to_text(value) -> str | None:
    """Free text stays as typed (Chinese punctuation kept), only trimmed."""
    if value is None:
        return None
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return clean_text(value, fold=False)


def to_datetime(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 1 <= value < 2958466:
            raise ValueError("不是有效的 Excel 日期序号")
        return (EXCEL_EPOCH + dt.timedelta(days=float(value))).replace(microsecond=0)
    text = clean_text(value)
    if text is None:
        raise ValueError("空值")
    m = _DATE_RE.fullmatch(text)
    if not m:
        try:  # an Excel serial typed as text, e.g. "46303"
            return to_datetime(float(text))
        except ValueError:
            raise ValueError("无法识别的日期格式（应如 2026-10-08 或 2026-10-08 09:30）") from None
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
    try:
        return dt.datetime(y, mo, d, h, mi, s)
    except ValueError:
        raise ValueError("日期不存在") from None


def to_date(value) -> dt.date:
    return to_datetime(value).date()  # a time of day typed into a date column is dropped


def to_int(value) -> int:
    if isinstance(value, bool):
        raise ValueError("不是整数")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError("不是整数")
    text = clean_text(value)
    if text is None or not re.fullmatch(r"[+-]?\d+", text, re.ASCII):
        raise ValueError("不是整数")
    return int(text)


def to_decimal(value, places: int | None = None) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("不是数字")
    if isinstance(value, float):
        d = Decimal(repr(value))
    elif isinstance(value, (int, Decimal)):
        d = Decimal(value)
    else:
        text = clean_text(value)
        text = text.replace(",", "").replace("元", "").replace("¥", "").replace("￥", "").strip() if text else text
        try:
            d = Decimal(text)
        except (InvalidOperation, TypeError):
            raise ValueError("不是数字") from None
    if not d.is_finite():
        raise ValueError("不是数字")
    if places is not None:
        d = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return d


_PHONE_RE = re.compile(r"(?:\+?86)?1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,5})?|400-?\d{3}-?\d{4}", re.ASCII)


def to_phone(value) -> str:
    text = clean_text(value)
    if text is None:
        raise ValueError("空值")
    compact = text.replace(" ", "")
    if not _PHONE_RE.fullmatch(compact):
        raise ValueError("不是有效的电话号码（手机 11 位，座机如 025-12345678）")
    return compact


def convert(value, type_: str):
    """Typed value for a column type; ValueError with a Chinese reason when it cannot be."""
    if type_ in ("text", "choice"):
        return to_text(value)
    if type_ == "integer":
        return to_int(value)
    if type_ == "money":
        return to_decimal(value, 2)
    if type_ == "decimal":
        return to_decimal(value)
    if type_ == "date":
        return to_date(value)
    if type_ == "datetime":
        return to_datetime(value)
    if type_ == "phone":
        return to_phone(value)
    if type_ == "bool":
        t = to_text(value)
        if t in ("是", "Y", "y", "TRUE", "True", "true", "1"):
            return True
        if t in ("否", "N", "n", "FALSE", "False", "false", "0"):
            return False
        raise ValueError("应为 是/否")
    raise ValueError(f"unknown column type {type_}")


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and clean_text(value) is None)
