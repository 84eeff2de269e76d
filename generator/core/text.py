"""Values as the text people read on a form, a message or an explanation.

One formatter per job: ``value_text`` for any cell value, ``num_text`` for a number without
trailing zeros, ``yuan_text`` for money to the cent, ``pct_text`` for a share as a percentage
(``percent`` for part of a whole), and ``mask`` for personal data in an uncontrolled copy.
Text that a spreadsheet could take for a formula: ``formula_like`` (what openpyxl writes as a
formula), ``typed_text`` (a value typed into a live Excel) and ``csv_text`` (a CSV cell, OWASP).

>>> value_text(Decimal("1.50")), value_text(Decimal("1.5"), "money"), pct_text(Decimal("0.235"))
('1.5', '1.50', '23.5%')
>>> percent(1, 3), percent(0, 0)
('33.3%', '')
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def num_text(d) -> str:
    """A number as people write it in an explanation: 50, 1.5, 0.9 (no trailing zeros)."""
    d = Decimal(d)
    if d == d.to_integral_value():
        return str(d.quantize(Decimal(1)))
    return format(d.normalize(), "f")


def yuan_text(d) -> str:
    """Money to the cent, half-up: 12.5 -> '12.50'."""
    return f"{Decimal(d).quantize(CENT, rounding=ROUND_HALF_UP)}"


def pct_text(r, places: int | None = None) -> str:
    """A share as a percentage: 0.9 -> '90%', 0.235 -> '23.5%'; ``places`` fixes the decimals
    (half-up): pct_text(0.5, 1) -> '50.0%'."""
    p = Decimal(r) * 100
    if places is None:
        return num_text(p) + "%"
    return f"{p.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)}%"


def percent(part, whole, places: int = 1) -> str:
    """``part`` of ``whole`` as a percentage with ``places`` decimals; '' when whole is 0."""
    if not whole:
        return ""
    return pct_text(Decimal(part) / Decimal(whole), places)


def value_text(value, kind: str = "text") -> str:
    """A cell value as printed on a form: 是/否, 2026-03-31, 2026-03-31 08:30, 1.5, money 1.50."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return yuan_text(value) if kind == "money" else num_text(value)
    if isinstance(value, float):
        return num_text(Decimal(repr(value)))
    return str(value)



# Leading characters that make Excel, LibreOffice or WPS read a typed or imported cell as a
# formula (OWASP "CSV injection": = + - @, and tab / carriage return before them).
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value) -> bool:
    """True for a string openpyxl would write as a formula (``=`` and more): such a string must
    be written as a text cell (data_type "s"), never as it stands."""
    return isinstance(value, str) and len(value) > 1 and value.startswith("=")


def typed_text(value):
    """A value safe to type into a live spreadsheet: a string starting with = + - @ (or tab, CR)
    gets Excel's text prefix ``'`` (not shown, not stored in the cell); other values unchanged.

    >>> typed_text("=SUM(A1)"), typed_text("-"), typed_text(5), typed_text("张三")
    ("'=SUM(A1)", "'-", 5, '张三')
    """
    if isinstance(value, str) and value[:1] in FORMULA_LEADS:
        return "'" + value
    return value


def csv_text(value) -> str:
    """A CSV cell as OWASP recommends: text starting with = + - @, tab or CR gets a leading ``'``
    so that a spreadsheet opening the file shows it as text; None is empty.

    >>> csv_text("=cmd|' /C calc'!A0"), csv_text("@SUM(A1)"), csv_text(None), csv_text(3)
    ("'=cmd|' /C calc'!A0", "'@SUM(A1)", '', '3')
    """
    if value is None:
        return ""
    return str(typed_text(value if isinstance(value, str) else str(value)))
