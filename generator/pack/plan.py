"""Which forms go into a pack, with which contexts (nothing is written here).

A record is in the pack when its record date lies in the period. The record date is the date
the register's numbering uses (``SheetSpec.number_date``: 受理日期, 申请日期 …); item lines take
their parent record's date, a 催办单 its case's date, and a monthly 统计表 is in the pack when
its whole month is. Forms are filled as of the period's last day (doc_today, overdue clocks).
"""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import re
from pathlib import Path

from docxtpl import DocxTemplate

from generator.config.form_specs import load_forms
from generator.core.errors import UserError
from generator.core.periods import as_date, month_bounds, month_key
from generator.core.text import value_text
from generator.documents.context import build_context
from generator.documents.control import control_block, form_policy
from generator.documents.engine import make_env, template_path, template_revision
from generator.documents.names import unique_names
from generator.documents.subjects import FormData, subjects
from generator.pack.files import TEMPLATE_ERRORS, canonical_json, toolchain_digest
from generator.pack.options import Case, Failure, PackOptions, error_text, is_masked
from generator.pack.verify import sha256_file
from generator.rules.masking import scrub

_DEVICE = re.compile(r"(?i)(CON|PRN|AUX|NUL|COM\d|LPT\d)")


def record_dates(registers: dict) -> dict[tuple[str, str], dict[int, dt.date | None]]:
    """(register, sheet name) -> {Excel row: record date} for every sheet that has one.

    A sheet's record date is its numbering date column; item lines (``parent``) take their
    parent record's date. Sheets with neither (master data) are not listed.
    """
    out = {}
    for rid, reg in registers.items():
        for table in reg.tables.values():
            spec = table.spec
            if spec.number_date:
                out[(rid, spec.name)] = {r.row: as_date(r.values.get(spec.number_date)) for r in table.records}
        for table in reg.tables.values():
            spec = table.spec
            if spec.parent and not spec.number_date:
                parent_key, col = spec.parent.split(".")
                parent = reg.tables.get(parent_key)
                if parent is None or not parent.spec.number_date:
                    continue
                by_number = {}
                for r in parent.records:
                    by_number.setdefault(r.values.get(col), as_date(r.values.get(parent.spec.number_date)))
                out[(rid, spec.name)] = {r.row: by_number.get(r.values.get(col)) for r in table.records}
    return out


def stems(form_id: str, numbers: list[str]) -> list[str]:
    """File names inside forms/<form>/: render's safe, unique names without the form prefix."""
    prefix = form_id + "_"
    names = [n[len(prefix):] if n.startswith(prefix) else n for n in unique_names(form_id, numbers)]
    # a bare number may be a Windows device name (CON, AUX …) once the prefix is gone
    return [f"_{s}" if _DEVICE.fullmatch(s.split(".")[0]) else s for s in names]


def _subject_case(form, subject, dates) -> Case:
    if form.kind == "period":
        last = month_bounds(month_key(subject.number))[1]
        return Case(form, subject.number, last, form.register, form.sheet_spec().name, None, subject)
    if form.kind == "overdue":
        item = subject.data["items"][0]
        row = item["row"]
        date = dates.get((item["register"], item["sheet"]), {}).get(row)
        return Case(form, subject.number, date, item["register"], item["sheet"], row, subject)
    if form.kind == "closed_late":   # 洽办单: the case's own register row
        d = subject.data
        date = dates.get((d["register"], d["sheet"]), {}).get(d["row"])
        return Case(form, subject.number, date, d["register"], d["sheet"], d["row"], subject)
    sheet = form.sheet_spec()
    rec = subject.record
    case = Case(form, subject.number, dates.get((form.register, sheet.name), {}).get(rec.row),
                form.register, sheet.name, rec.row, subject)
    if form.customer and form.customer in rec.values:
        case.customer = value_text(rec.values.get(form.customer))
    return case


def _in_period(case: Case, opts: PackOptions) -> bool:
    if case.form.kind == "period":
        first, last = month_bounds(month_key(case.number))
        return opts.start <= first and last <= opts.end
    return opts.contains(case.date)


def template_names(template: Path) -> set[str] | None:
    """Top-level names a template reads (body, headers, footers); None when it cannot be parsed.

    The cache key hashes only these, so a value the template never prints (e.g. doc_today on
    every form but the 催办单) does not make packs of different periods re-render a form.
    """
    try:
        return set(DocxTemplate(str(template)).get_undeclared_template_variables(make_env()))
    except TEMPLATE_ERRORS:
        return None


def plan_pack(directory, registers: dict, policy: dict, opts: PackOptions,
              toolchain: str | None = None) -> tuple[list[Case], list[Failure]]:
    """Every form of the period with its context and cache key; records that cannot be filled
    become failures with the reason (nothing is written)."""
    if opts.mask_personal:
        policy = copy.deepcopy(policy)
        policy.setdefault("records", {})["mask_phone"] = True
    masked = is_masked(policy, opts)
    data = FormData(registers, policy, opts.end)
    dates = record_dates(registers)
    base = hashlib.sha256((toolchain or toolchain_digest()).encode())
    cases: list[Case] = []
    failures: list[Failure] = []
    wanted = set(policy["audit_pack"]["forms"])
    for form in load_forms().values():
        if form.register not in registers or not (opts.all_forms or form.id in wanted):
            continue
        try:
            chosen = [c for c in (_subject_case(form, s, dates) for s in subjects(form, data)) if _in_period(c, opts)]
        except UserError as e:     # a form whose records cannot even be listed
            failures.append(Failure(form.id, form.title, form.register, "", None, "", None, e.message))
            continue
        if not chosen:
            continue
        for case, stem in zip(chosen, stems(form.id, [c.number for c in chosen])):
            case.stem = stem
        try:
            form_policy(form, policy)
            template = template_path(form, directory)
            revision = template_revision(template)
            template_sha = sha256_file(template)
            used = template_names(template)
        except TEMPLATE_ERRORS as e:
            failures += [Failure.of(c, error_text(e)) for c in chosen]
            continue
        for case in chosen:
            try:
                control = control_block(form, policy, number=case.number, copy_no="", uncontrolled=opts.uncontrolled
                                        or opts.mask_personal, revision=revision, today=opts.end)
                ctx = build_context(form, case.subject, data, control)
            except UserError as e:
                failures.append(Failure.of(case, e.message))
                continue
            case.context = scrub(ctx) if masked else ctx
            case.template = template
            h = base.copy()
            h.update(template_sha.encode() + canonical_json(
                case.context if used is None else {k: v for k, v in case.context.items() if k in used}))
            case.key = h.hexdigest()
            cases.append(case)
    return cases, failures


__all__ = ["plan_pack", "record_dates", "stems", "template_names"]
