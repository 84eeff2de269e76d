"""Exact numbers: money in yuan, rates, and threshold bands from the policy.

Money is ``Decimal`` rounded to 0.01 yuan half-up (``yuan``); rates and shares stay exact
(``rate``). A *band* is a policy table such as ``{ ge = 0.60, lt = 0.70, score = 50 }``: the
keys ``ge``/``gt``/``le``/``lt`` are the bounds exactly as the regulation writes them
(``70%>P≥60%`` becomes ``ge = 0.60, lt = 0.70``), every other key is the band's payload.

>>> yuan("1,234.565元")
Decimal('1234.57')
>>> match_bands(Decimal("0.55"), [{"le": Decimal("0.50"), "score": 0}, {"ge": Decimal("0.60"), "score": 50}])
[]
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from generator.core.errors import UserError
from generator.core.normalize import to_decimal
from generator.core.text import CENT, num_text, pct_text

BOUNDS = ("ge", "gt", "le", "lt")
_OPS = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<"}


def yuan(x, what: str = "金额") -> Decimal:
    """Money in yuan: Decimal rounded to 0.01 half-up. Accepts int, Decimal, text, or float."""
    return _number(x, what).quantize(CENT, rounding=ROUND_HALF_UP)


def rate(x, what: str = "数值") -> Decimal:
    """An exact number (rate, share, count of days) without rounding."""
    return _number(x, what)


def _number(x, what: str) -> Decimal:
    if x is None:
        raise UserError(f"{what}为空")
    try:
        return to_decimal(x)
    except ValueError as e:
        raise UserError(f"{what}不是有效数字：{x!r}（{e}）") from None


def share(x, what: str = "比率") -> Decimal:
    """A rate as a fraction: 0.55, '0.55' and '55%' all give Decimal('0.55')."""
    if isinstance(x, str) and x.strip().rstrip("%％") != x.strip():
        return rate(x.strip().rstrip("%％"), what) / 100
    return rate(x, what)


def non_negative(x, what: str) -> Decimal:
    d = rate(x, what)
    if d < 0:
        raise UserError(f"{what}不能为负数：{x}")
    return d


def round_to(x: Decimal, places: int) -> Decimal:
    return x.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def allocate(total: Decimal, shares: list) -> list[Decimal]:
    """Split ``total`` (yuan) in proportion to ``shares`` so the cents add up exactly.

    Largest-remainder method: every part is the exact share rounded down to the cent, then
    the leftover cents go to the largest remainders (earlier entries first on ties).
    """
    total = yuan(total)
    weights = [Fraction(rate(s)) for s in shares]
    whole = sum(weights)
    if whole <= 0 or any(w < 0 for w in weights):
        raise UserError("分摊比例必须为非负数且不能全为 0")
    cents = int(total / CENT)
    exact = [Fraction(cents) * w / whole for w in weights]
    parts = [int(e) for e in exact]  # floor for non-negative values
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: cents - sum(parts)]:
        parts[i] += 1
    return [Decimal(p) * CENT for p in parts]


def match_bands(value, bands: list[dict]) -> list[dict]:
    """Every band whose bounds hold for ``value``, in policy order."""
    v = Fraction(Decimal(repr(value))) if isinstance(value, float) else Fraction(value)
    return [b for b in bands if _holds(v, b)]


def _holds(v: Fraction, band: dict) -> bool:
    checks = {
        "ge": lambda b: v >= b,
        "gt": lambda b: v > b,
        "le": lambda b: v <= b,
        "lt": lambda b: v < b,
    }
    return all(checks[k](Fraction(band[k])) for k in BOUNDS if k in band)


def band_text(band: dict, name: str = "x", percent: bool = False) -> str:
    """The bounds of a band in the regulation's notation, e.g. '60% ≤ P < 70%'."""
    show = pct_text if percent else num_text
    low = [f"{show(band[k])} {_OPS['le' if k == 'ge' else 'lt']} " for k in ("ge", "gt") if k in band]
    high = [f" {_OPS[k]} {show(band[k])}" for k in ("le", "lt") if k in band]
    return "".join(low) + name + "".join(high) if (low or high) else f"任意 {name}"
