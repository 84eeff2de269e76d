"""Dotted look-up into a nested policy dict (``get(policy, "calendar.business_hours")``), and
values that change over time.

Any number of the policy may be a dated list, the values in force from their ``since`` day:

    per_day = [{since = 2015-01-01, value = 50, source = "001 §14 4.5 1)"},
               {since = 2026-07-01, value = 80, source = "公司通知 2026-06"}]

A plain value means "always". ``Policy`` is the policy as a dict of plain values in force on
one day (what every reader sees), remembering the dated lists (``dated``) so that
``policy_at(policy, day)`` gives the values of another day: a ledger, score, quote or report
for a date uses the rates in force on that date, and ``in_force`` lists the dated ones used.
"""
from __future__ import annotations

import copy
import datetime as dt

from generator.core.errors import UserError

DATED_KEYS = {"since", "value", "source"}


def get(policy: dict, dotted: str):
    """policy value at a dotted path; KeyError names the path."""
    node = policy
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise UserError(f"策略文件缺少 {dotted}")
        node = node[part]
    return node


def is_dated(value) -> bool:
    """A dated list: a non-empty list of tables that each give ``since``."""
    return isinstance(value, list) and bool(value) and all(isinstance(e, dict) and "since" in e for e in value)


def value_at(entries: list[dict], day: dt.date, dotted: str) -> dict:
    """The entry of a (validated, sorted) dated list in force on ``day``."""
    now = [e for e in entries if _day(e["since"]) <= day]
    if not now:
        raise UserError(f"策略 {dotted} 在 {day} 还没有生效的值（最早自 {_day(entries[0]['since'])} 起）；"
                        f"请补一条更早的 since")
    return now[-1]


def _day(v) -> dt.date:
    return v.date() if isinstance(v, dt.datetime) else v


class Policy(dict):
    """Policy values in force on ``day``; ``dated`` keeps every dated list by dotted path."""

    day: dt.date | None = None
    dated: dict = {}

    @classmethod
    def from_raw(cls, raw: dict, day: dt.date) -> "Policy":
        dated: dict[str, list] = {}
        _collect(raw, "", dated)
        out = cls(copy.deepcopy(raw))
        out.dated = dated
        out._settle(day)
        return out

    def _settle(self, day: dt.date) -> None:
        self.day = day
        for dotted, entries in self.dated.items():
            *parents, last = dotted.split(".")
            node = self
            for part in parents:
                node = node[part]
            node[last] = value_at(entries, day, dotted)["value"]


def _collect(node, prefix: str, out: dict) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            if is_dated(v):
                out[f"{prefix}{k}"] = sorted(v, key=lambda e: _day(e["since"]))
            else:
                _collect(v, f"{prefix}{k}.", out)


def policy_at(policy: dict, day: dt.date) -> dict:
    """The policy with every dated value as in force on ``day`` (the same dict when nothing is dated)."""
    if not isinstance(policy, Policy) or not policy.dated or policy.day == day:
        return policy
    out = copy.deepcopy(policy)
    out.dated = policy.dated
    out._settle(day)
    return out


def in_force(policy: dict, day: dt.date) -> list[dict]:
    """The dated values used on ``day``: ``[{key, value, since, source}]`` (empty when none is dated)."""
    if not isinstance(policy, Policy):
        return []
    out = []
    for dotted, entries in policy.dated.items():
        e = value_at(entries, day, dotted)
        out.append({"key": dotted, "value": e["value"], "since": _day(e["since"]), "source": e.get("source", "")})
    return out


def dated_problems(dotted: str, entries: list, same_kind) -> list[str]:
    """Validation of a dated list: keys, date ``since``, values of the template's kind, sorted, no duplicate."""
    problems = []
    days = []
    for i, e in enumerate(entries, 1):
        where = f"{dotted} 第 {i} 条"
        unknown = sorted(set(e) - DATED_KEYS)
        if unknown:
            problems.append(f"{where} 有未知的键 {'、'.join(unknown)}（可用 since、value、source）")
        if "value" not in e:
            problems.append(f"{where} 缺少 value")
        elif not same_kind(e["value"]):
            problems.append(f"{where}的 value 类型与默认值不同：{e['value']!r}")
        if not isinstance(e["since"], dt.date):
            problems.append(f"{where}的 since 应为日期（如 2026-07-01），实际为 {e['since']!r}")
        else:
            days.append(_day(e["since"]))
        if "source" in e and not isinstance(e["source"], str):
            problems.append(f"{where}的 source 应为文本")
    if len(set(days)) != len(days):
        problems.append(f"{dotted} 有重复的 since 日期")
    elif days != sorted(days):
        problems.append(f"{dotted} 的各条应按 since 从早到晚排列")
    return problems


def in_force_text(entry: dict) -> str:
    """``penalties.late_complaint.per_day = 80（自 2026-07-01 起，公司通知 2026-06）``"""
    source = f"，{entry['source']}" if entry.get("source") else ""
    return f"{entry['key']} = {entry['value']}（自 {entry['since']} 起{source}）"
