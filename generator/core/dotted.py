"""Dotted look-up into a nested policy dict: ``get(policy, "calendar.business_hours")``."""
from __future__ import annotations

from generator.core.errors import UserError


def get(policy: dict, dotted: str):
    """policy value at a dotted path; KeyError names the path."""
    node = policy
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise UserError(f"策略文件缺少 {dotted}")
        node = node[part]
    return node
