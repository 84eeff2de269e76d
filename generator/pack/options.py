"""What a pack is asked for (PackOptions), what goes into it (Case), what could not be made
(Failure) and what came out (PackResult)."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path

from generator.core.errors import UserError
from generator.core.periods import as_date


@dataclass(frozen=True)
class PackOptions:
    start: dt.date
    end: dt.date
    registers: tuple[str, ...] | None = None   # None: every register in the folder
    uncontrolled: bool = False
    mask_personal: bool = False
    all_forms: bool = False                    # every form, not only policy audit_pack.forms

    def contains(self, day) -> bool:
        d = as_date(day)
        return d is not None and self.start <= d <= self.end


def is_masked(policy: dict, opts: PackOptions) -> bool:
    """Masked: asked for, or an uncontrolled pack under a policy that masks uncontrolled copies."""
    return opts.mask_personal or (opts.uncontrolled and bool(policy.get("records", {}).get("mask_phone")))


@dataclass
class Case:
    """One form of one record (or month, or overdue case) that goes into the pack."""
    form: object                 # form_specs.FormSpec
    number: str
    date: dt.date | None
    register: str
    sheet: str
    row: int | None
    subject: object = None       # render.Subject
    stem: str = ""               # file name inside forms/<form>/
    customer: str = ""
    template: Path | None = None
    context: dict | None = None
    key: str = ""                # cache key (context read by the template + template + toolchain)
    docx: Path | None = None
    pdf: Path | None = None      # its own PDF, cut from the print file (--split-pdf)
    pages: int | None = None
    print_range: tuple[int, int] | None = None   # first and last page in print/<form>.pdf
    pages_sha256: str = ""       # of those pages' content (printfile.pages_digest)


@dataclass
class Failure:
    form: str
    title: str
    register: str
    sheet: str
    row: int | None
    number: str
    date: dt.date | None
    reason: str

    @classmethod
    def of(cls, case: Case, reason: str) -> Failure:
        return cls(case.form.id, case.form.title, case.register, case.sheet, case.row, case.number, case.date,
                   reason)

    def cells(self) -> list:
        return [self.form, self.title, self.register, self.sheet, self.row, self.number, self.date, self.reason]

    def to_dict(self) -> dict:
        return {**asdict(self), "date": self.date.isoformat() if self.date else None}


def error_text(e: Exception) -> str:
    """The reason a record failed, as check.xlsx shows it."""
    return e.message if isinstance(e, UserError) else f"{type(e).__name__}: {e}"


@dataclass
class PackResult:
    path: Path
    sha256: str
    forms: int                    # form files (.docx) in the pack
    files: int                    # members listed in manifest.json
    failures: list[Failure] = field(default_factory=list)
    rendered: int = 0             # .docx rendered in this run (the rest came from the cache)
    converted: int = 0            # PDFs converted in this run
    masked: bool = False
    controlled: bool = True
    seconds: float = 0.0
    signed_by: str = ""           # fingerprint of the company key that signed manifest.json

    def to_dict(self) -> dict:
        return {"pack": str(self.path), "sha256": self.sha256, "forms": self.forms, "files": self.files,
                "signed_by": self.signed_by,
                "rendered": self.rendered, "converted": self.converted, "controlled": self.controlled,
                "masked": self.masked, "seconds": round(self.seconds, 1),
                "failures": [f.to_dict() for f in self.failures]}


__all__ = ["Case", "Failure", "PackOptions", "PackResult", "error_text", "is_masked"]
