"""The document-control block (ISO 9001 §7.5.3) printed on every form: the ``doc_*`` names.

A form's control values are its spec's defaults (forms/<id>.toml: title and [control]) with
the policy's ``[forms.<id>]`` overrides on top.
"""
from __future__ import annotations

import datetime as dt

from generator.config.form_specs import FormSpec
from generator.core.text import value_text

CONTROLLED, UNCONTROLLED, SUPERSEDED = "受控", "非受控", "作废"
NUMERALS = "一二三四五六七八九十"


def form_policy(form: FormSpec, policy: dict) -> dict:
    """The form's control entry: spec defaults, then the policy's [forms.<id>] overrides."""
    return {**form.defaults(), **policy.get("forms", {}).get(form.id, {})}


def is_superseded(revision: int | None, entry: dict) -> bool:
    """A template stamped older than the required revision prints 作废 (a company's own
    unstamped template, revision None, never does)."""
    return revision is not None and revision < int(entry["revision"])


def control_block(form: FormSpec, policy: dict, *, number: str = "", copy_no: str = "",
                  uncontrolled: bool = False, revision: int | None = None,
                  today: dt.date | None = None) -> dict:
    """The doc_* names: company, 文件编号, 版本, 受控状态/mark, 分发号, signatures, dates, copies."""
    entry = form_policy(form, policy)
    company = policy.get("company", {})
    status = UNCONTROLLED if uncontrolled or entry["status"] == UNCONTROLLED else CONTROLLED
    superseded = is_superseded(revision, entry)
    copies = [f"第{NUMERALS[i]}联：{label}" for i, label in enumerate(form.copies)] or [""]
    return {
        "doc_company": company.get("name", ""), "doc_hotline": company.get("hotline", ""),
        "doc_address": company.get("address", ""), "doc_title": entry["title"],
        "doc_no": entry["doc_no"], "doc_version": entry["version"], "doc_status": status,
        "doc_mark": SUPERSEDED if superseded else status,
        "doc_copy_no": copy_no if status == CONTROLLED and not superseded else "",
        "doc_drafted_by": entry["drafted_by"], "doc_reviewed_by": entry["reviewed_by"],
        "doc_approved_by": entry["approved_by"], "doc_issued": value_text(entry["issued"]),
        "doc_effective": value_text(entry["effective"]), "doc_number": number, "doc_copies": copies,
        "doc_seq": "", "doc_today": value_text(today or dt.date.today()),
    }
