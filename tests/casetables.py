"""Case tables: business cases as YAML rows that an office manager can read, run as tests."""
from __future__ import annotations

import dataclasses
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from generator.config.policy import default_policy

CASES = Path(__file__).parent / "cases"


def load_cases(pattern: str) -> list:
    """Every case of the YAML tables matching ``pattern``, as pytest params named by rule and title."""
    params = []
    for path in sorted(CASES.glob(pattern)):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            label = f"{path.stem}:{case.get('rule', '')}:{case['title']}"
            params.append(pytest.param(case, id=label))
    assert params, f"no cases match {pattern}"
    return params


def _as_policy_value(v):
    return Decimal(str(v)) if isinstance(v, float) else v  # the policy parses floats as Decimal


def policy_with(changes: dict | None) -> dict:
    """A copy of the default policy with dotted keys changed, as a company's policy.toml would."""
    p = default_policy()
    for dotted, value in (changes or {}).items():
        *parents, last = dotted.split(".")
        node = p
        for k in parents:
            node = node[k]
        assert last in node, f"no policy key {dotted}"
        node[last] = _as_policy_value(value)
    return p


def plain(x):
    """Dataclasses, dicts and lists turned into plain dicts and lists (values kept as they are)."""
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return {f.name: plain(getattr(x, f.name)) for f in dataclasses.fields(x)} | {
            name: plain(getattr(x, name)) for name in dir(type(x)) if isinstance(getattr(type(x), name), property)
        }
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    return x


def _numeric(v) -> bool:
    return isinstance(v, (int, float, Decimal, Fraction)) and not isinstance(v, bool)


def assert_matches(actual, expected, where: str = "result") -> None:
    """``expected`` (from YAML) is a subset of ``actual``: dict keys listed must match, lists
    must match element by element, numbers compare exactly as decimals (150 == 150.00)."""
    actual = plain(actual)
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected a record, got {actual!r}"
        for k, v in expected.items():
            assert k in actual, f"{where}: no field {k!r} in {sorted(actual)}"
            assert_matches(actual[k], v, f"{where}.{k}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{where}: expected a list, got {actual!r}"
        assert len(actual) == len(expected), f"{where}: {len(actual)} entries, expected {len(expected)}: {actual!r}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_matches(a, e, f"{where}[{i}]")
    elif _numeric(actual) and _numeric(expected):
        assert Fraction(Decimal(str(actual))) == Fraction(Decimal(str(expected))), f"{where}: {actual} != {expected}"
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def call(module, case: dict, policy: dict):
    return getattr(module, case["function"])(**case["input"], policy=policy)
