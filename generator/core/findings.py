"""Findings: typed records of what is wrong in a register.

Every check returns a list of Finding; nothing raises on the first problem.
`row` is the Excel row number the user sees (header is row 1, first record row 2).
Codes are stable strings such as ``field.required`` or ``number.gap``, each defined once in
``finding_codes`` with its severity, message template and rule; ``Finding.of`` is how the
package makes a finding, so a code outside the catalogue cannot be made.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from generator.core.finding_codes import ERROR, WARNING, lookup


@dataclass(frozen=True)
class Finding:
    register: str          # register id, e.g. "complaints"
    sheet: str             # sheet name the user sees, e.g. "投诉登记"
    row: int | None        # Excel row number (None for a finding about the whole sheet)
    column: str | None     # Chinese column header (None for a whole-row finding)
    code: str              # stable code: field.required, number.gap, deadline.overdue ...
    severity: str          # "error" or "warning"
    message: str           # plain Chinese message for office staff
    value: Any = None      # the offending cell value as read (JSON-safe)

    @classmethod
    def of(cls, code: str, register: str, sheet: str, row: int | None = None, column: str | None = None, *,
           value: Any = None, variant: str | None = None, **fields) -> "Finding":
        """The finding ``code`` at a place: severity and message from the catalogue, the
        message's fields from ``fields`` (``variant`` picks a catalogued second wording)."""
        entry = lookup(code)
        return cls(register, sheet, row, column, code, entry.severity, entry.message(variant, **fields), value)

    def to_dict(self) -> dict:
        d = asdict(self)
        v = d["value"]
        if v is not None and not isinstance(v, (str, int, float, bool)):
            d["value"] = str(v)
        return d

    def key(self) -> tuple:
        """Flattened tuple used by tests: (row, column, code)."""
        return (self.row, self.column, self.code)


def counts(findings: list[Finding]) -> dict[str, int]:
    return {
        ERROR: sum(1 for f in findings if f.severity == ERROR),
        WARNING: sum(1 for f in findings if f.severity == WARNING),
    }


def sort_key(f: Finding) -> tuple:
    return (f.register, f.sheet, f.row or 0, f.column or "", f.code)
