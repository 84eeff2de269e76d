"""Output file names: ``<form>_<number>.docx`` safe on Windows, macOS and Linux, unique per batch."""
from __future__ import annotations

import re
import unicodedata

_UNSAFE = re.compile(r"[^\w\u3400-\u9fff.-]+", re.ASCII)
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


def safe_name(form_id: str, number: str, max_bytes: int = 120) -> str:
    """``<form>_<number>`` safe on Windows, macOS and Linux whatever the cell held."""
    text = unicodedata.normalize("NFKC", str(number))
    text = _UNSAFE.sub("_", text).strip("._") or "无编号"
    while len(text.encode("utf-8")) > max_bytes:
        text = text[:-1]
    name = f"{form_id}_{text}".rstrip(". ")
    return f"_{name}" if name.split(".")[0].upper() in _RESERVED else name


def unique_names(form_id: str, numbers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in numbers:
        base = safe_name(form_id, n)
        k = seen.get(base.lower(), 0) + 1
        seen[base.lower()] = k
        out.append(base if k == 1 else f"{base}_{k}")
    return out


