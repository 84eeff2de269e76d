"""The company policy: every rate, deadline, pattern, weight and header text.

The default policy ships as fragments in ``policy.d/`` (one per domain), concatenated in
name order into the ``policy.toml`` that ``aftersales init`` writes next to the registers.
Each value carries its source (seed file and section) as a comment.

A company's policy is validated against the default's shape: an unknown key, a value of the
wrong type or a missing key is reported with its dotted path. Tables listed in OPEN_TABLES
hold entries a company may add (departments, deadline rules ...); their entries are
checked against the keys and types of the default entries.

``[forms.<id>]`` is optional: each entry overrides some of the document-control defaults of a
form spec (``FormSpec.defaults()``, forms/<id>.toml [control]), so it is checked against the
forms known in the policy's folder (shipped specs plus the folder's own ``forms/``).
"""
from __future__ import annotations

import copy
import datetime as dt
import functools
from decimal import Decimal
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from generator.config.form_specs import load_forms
from generator.core.errors import UserError
from generator.core.userfile import read_user_text

FRAGMENTS = Path(__file__).with_name("policy.d")
POLICY_FILE = "policy.toml"

# Dotted paths of tables whose entries are open-ended (a company may add or remove entries).
OPEN_TABLES = {
    "departments",
    "numbering",
    "deadlines",
    "penalties.sanctions",
    "penalties.approval_limits",
    "scores.kpi.posts",
    "scores.csi.item_indicator",
    "scores.survey.levels",
    "scores.receipt.levels",
    "document_control.sources",
}


def default_policy_text() -> str:
    parts = [p.read_text(encoding="utf-8") for p in sorted(FRAGMENTS.glob("*.toml"))]
    return "\n".join(parts)


def parse(text: str, where: str) -> dict:
    try:
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as e:
        raise UserError(f"策略文件 {where} 格式错误：{e}") from None


@functools.lru_cache(maxsize=1)
def _default() -> dict:
    return parse(default_policy_text(), "(内置默认策略)")


def default_policy() -> dict:
    """A fresh deep copy of the shipped default policy."""
    return copy.deepcopy(_default())


def load_policy(path: str | Path | None = None) -> dict:
    """Load and validate a policy file; None gives the default. Raises UserError (exit 2)."""
    if path is None:
        return default_policy()
    path = Path(path)
    if path.is_dir():
        path = path / POLICY_FILE
    if not path.exists():
        raise UserError(f"找不到策略文件 {path}（可用 aftersales init 生成）")
    data = parse(read_user_text(path, "策略文件"), str(path))   # Notepad's UTF-8 BOM, GBK or UTF-16
    # written before [document_control] existed: the shipped (unfilled) block
    data.setdefault("document_control", copy.deepcopy(_default()["document_control"]))
    problems = validate({k: v for k, v in data.items() if k != "forms"}, _default())
    problems += validate_forms(data.get("forms", {}), path.parent)
    if problems:
        raise UserError(f"策略文件 {path} 有误：\n" + "\n".join(f"  - {p}" for p in problems))
    return data


def find_policy(directory: str | Path) -> dict:
    """The policy next to the registers, or the default when the folder has none."""
    p = Path(directory) / POLICY_FILE
    return load_policy(p) if p.exists() else default_policy()


def _type_name(v) -> str:
    if isinstance(v, bool):
        return "布尔值 (true/false)"
    if isinstance(v, (int, Decimal)):
        return "数字"
    if isinstance(v, str):
        return "文本"
    if isinstance(v, list):
        return "列表"
    if isinstance(v, dict):
        return "表"
    if isinstance(v, (dt.date, dt.datetime, dt.time)):
        return "日期/时间"
    return type(v).__name__


def _same_kind(value, template) -> bool:
    return _type_name(value) == _type_name(template)


def validate(data: dict, default: dict, prefix: str = "") -> list[str]:
    """Compare ``data`` with the default's shape; return readable problems with dotted keys."""
    problems: list[str] = []
    for key in data:
        if key not in default and prefix.rstrip(".") not in OPEN_TABLES:
            problems.append(f"未知的键 {prefix}{key}")
    for key, template in default.items():
        path = f"{prefix}{key}"
        if key not in data:
            if prefix.rstrip(".") in OPEN_TABLES:
                continue  # a company may drop an entry of an open table
            problems.append(f"缺少 {path}")
            continue
        value = data[key]
        if path in OPEN_TABLES:
            problems += _validate_open(value, template, path)
        elif isinstance(template, dict):
            if not isinstance(value, dict):
                problems.append(f"{path} 应为表，实际为{_type_name(value)}")
            else:
                problems += validate(value, template, path + ".")
        elif not _same_kind(value, template):
            problems.append(f"{path} 应为{_type_name(template)}，实际为{_type_name(value)}：{value!r}")
    return problems


def validate_forms(value, directory: Path | None = None) -> list[str]:
    """``[forms.<id>]`` overrides: a known form id, and keys and types of its spec's defaults."""
    if not isinstance(value, dict):
        return [f"forms 应为表，实际为{_type_name(value)}"]
    forms = load_forms(directory)
    problems = []
    for fid, entry in value.items():
        where = f"forms.{fid}"
        if fid not in forms:
            problems.append(f"未知的表单 {where}（可用：{'、'.join(forms)}）")
        elif not isinstance(entry, dict):
            problems.append(f"{where} 应为表，实际为{_type_name(entry)}")
        else:
            defaults = forms[fid].defaults()
            for k, v in entry.items():
                if k not in defaults:
                    problems.append(f"未知的键 {where}.{k}")
                elif not _same_kind(v, defaults[k]):
                    problems.append(f"{where}.{k} 应为{_type_name(defaults[k])}，实际为{_type_name(v)}：{v!r}")
    return problems


def _validate_open(value, template: dict, path: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path} 应为表，实际为{_type_name(value)}"]
    entries = [e for e in template.values() if isinstance(e, dict)]
    if not entries:  # simple key -> scalar map, e.g. departments
        kinds = {_type_name(v) for v in template.values()}
        return [
            f"{path}.{k} 应为{'/'.join(sorted(kinds))}，实际为{_type_name(v)}"
            for k, v in value.items()
            if _type_name(v) not in kinds
        ]
    allowed: dict[str, object] = {}
    for e in entries:
        for k, v in e.items():
            allowed.setdefault(k, v)
    required = set.intersection(*(set(e) for e in entries))
    problems = []
    for name, entry in value.items():
        where = f"{path}.{name}"
        if not isinstance(entry, dict):
            problems.append(f"{where} 应为表，实际为{_type_name(entry)}")
            continue
        for k in entry:
            if k not in allowed:
                problems.append(f"未知的键 {where}.{k}")
            elif not _same_kind(entry[k], allowed[k]) and not isinstance(allowed[k], dict):
                problems.append(
                    f"{where}.{k} 应为{_type_name(allowed[k])}，实际为{_type_name(entry[k])}：{entry[k]!r}"
                )
        for k in sorted(required - set(entry)):
            problems.append(f"缺少 {where}.{k}")
    return problems
