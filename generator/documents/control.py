"""The document-control block (ISO 9001 §7.5.3) printed on every form: the ``doc_*`` names.

A form's control values are its spec's defaults (forms/<id>.toml: title and [control]) with
the policy's ``[forms.<id>]`` overrides on top; 编制/审核/批准 and their dates come from the
policy's ``[document_control]`` unless the form names its own. Unfilled, they print as blank
signature lines (never a placeholder such as "（编制人）", which reads as "never approved").
"""
from __future__ import annotations

import datetime as dt
import re

from generator.config.form_specs import FormSpec
from generator.core.text import value_text
from generator.rules.citations import cite, sources_of

CONTROLLED, UNCONTROLLED, SUPERSEDED = "受控", "非受控", "作废"
NUMERALS = "一二三四五六七八九十"
BLANK_LINE = "＿＿＿＿＿＿"
ROLES = (("drafted", "编制"), ("reviewed", "审核"), ("approved", "批准"))
# "（编制人）", "(批准人)", "待定": left in a policy from before, they are not names
_PLACEHOLDER = re.compile(r"^\s*[（(].*[)）]\s*$|^\s*(待定|待填|无|/|-+|—+)\s*$")


def form_policy(form: FormSpec, policy: dict) -> dict:
    """The form's control entry: spec defaults, then the policy's [forms.<id>] overrides."""
    return {**form.defaults(), **policy.get("forms", {}).get(form.id, {})}


def is_superseded(revision: int | None, entry: dict) -> bool:
    """A template stamped older than the required revision prints 作废 (a company's own
    unstamped template, revision None, never does)."""
    return revision is not None and revision < int(entry["revision"])


def _name(value) -> str:
    text = value_text(value).strip()
    return "" if _PLACEHOLDER.match(text) else text


def signatures(form: FormSpec, policy: dict) -> dict[str, tuple[str, str]]:
    """role → (name, date) for 编制/审核/批准: the form's own names, else the policy's block."""
    entry, block = form_policy(form, policy), policy.get("document_control", {})
    out = {}
    for role, _label in ROLES:
        own = _name(entry.get(f"{role}_by"))
        name = own or _name(block.get(f"{role}_by"))
        date = _name(block.get(f"{role}_on")) if name and not own else ""
        out[role] = (name, date)
    return out


def unsigned_roles(forms, policy: dict) -> list[str]:
    """The roles (编制/审核/批准) some of ``forms`` print blank because nobody is named."""
    missing = set()
    for form in forms:
        for (role, label) in ROLES:
            if not signatures(form, policy)[role][0]:
                missing.add(label)
    return [label for _role, label in ROLES if label in missing]


def unsigned_warning(forms, policy: dict) -> str | None:
    """The one warning a run gives when forms print blank 编制/审核/批准 lines."""
    missing = unsigned_roles(forms, policy)
    if not missing:
        return None
    return (f"策略文件 [document_control] 未填写{'、'.join(missing)}人：表单上的{'、'.join(missing)}栏留空，"
            f"请手签或在 policy.toml 中填写姓名和日期")


def is_customer_form(form: FormSpec, policy: dict) -> bool:
    return form.id in policy.get("document_control", {}).get("customer_forms", ())


def basis(form: FormSpec, policy: dict, source: str | None = None) -> str:
    """The regulation a form (or one of its items) rests on, as the company's document;
    "" on a customer-facing form unless the policy asks for citations there."""
    block = policy.get("document_control", {})
    if is_customer_form(form, policy) and not block.get("cite_on_customer_forms", False):
        return ""
    return cite(form.source if source is None else source, sources_of(policy))


def status_text(status: str, superseded: bool) -> str:
    """受控状态 as printed: 作废 for a superseded controlled copy, 非受控（作废） for an uncontrolled one."""
    if not superseded:
        return status
    return SUPERSEDED if status == CONTROLLED else f"{status}（{SUPERSEDED}）"


def is_uncontrolled(control: dict) -> bool:
    return control["doc_status"].startswith(UNCONTROLLED)


def _signature(name: str, date: str) -> str:
    if not name:
        return BLANK_LINE
    return f"{name}（{date}）" if date else name


def control_block(form: FormSpec, policy: dict, *, number: str = "", copy_no: str = "",
                  uncontrolled: bool = False, revision: int | None = None,
                  today: dt.date | None = None) -> dict:
    """The doc_* names: company, 文件编号, 版本, 受控状态/mark, 分发号, signatures, dates, copies."""
    entry = form_policy(form, policy)
    company = policy.get("company", {})
    status = UNCONTROLLED if uncontrolled or entry["status"] == UNCONTROLLED else CONTROLLED
    superseded = is_superseded(revision, entry)
    copies = [f"第{NUMERALS[i]}联：{label}" for i, label in enumerate(form.copies)] or [""]
    signed = signatures(form, policy)
    return {
        "doc_company": company.get("name", ""), "doc_hotline": company.get("hotline", ""),
        "doc_address": company.get("address", ""), "doc_title": entry["title"],
        "doc_no": entry["doc_no"], "doc_version": entry["version"],
        "doc_status": status_text(status, superseded),
        "doc_mark": SUPERSEDED if superseded else status,
        "doc_copy_no": copy_no if status == CONTROLLED and not superseded else "",
        "doc_drafted_by": _signature(*signed["drafted"]), "doc_reviewed_by": _signature(*signed["reviewed"]),
        "doc_approved_by": _signature(*signed["approved"]), "doc_issued": value_text(entry["issued"]),
        "doc_effective": value_text(entry["effective"]), "doc_number": number, "doc_copies": copies,
        "doc_seq": "", "doc_today": value_text(today or dt.date.today()), "doc_basis": basis(form, policy),
    }
