"""Values as the text people read on a form, a message or an explanation.

One formatter per job: ``value_text`` for any cell value, ``num_text`` for a number without
trailing zeros, ``yuan_text`` for money to the cent, ``pct_text`` for a share as a percentage
(``percent`` for part of a whole), and ``mask`` for personal data in an uncontrolled copy.

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

