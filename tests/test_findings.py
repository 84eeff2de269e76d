"""The catalogue of finding codes: complete, used, listed in the README, and its messages carry
the policy's numbers (a company that changes a value reads its own value)."""
from __future__ import annotations

import ast
import datetime as dt
import re
import string
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.config.policy import default_policy
from generator.core.finding_codes import CATALOGUE, CODES, ERROR, WARNING
from generator.core.findings import Finding
from generator.rules import penalties, scores

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "generator"
FAMILIES = {c.code.split(".")[0] for c in CATALOGUE}
CODE_RE = re.compile(r"[a-z]+\.[a-z_]+")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


# ---------------------------------------------------------------------------- the catalogue itself

@pytest.mark.parametrize("entry", CATALOGUE, ids=lambda c: c.code)
def test_entry_is_complete(entry):
    assert CODE_RE.fullmatch(entry.code)
    assert entry.severity in (ERROR, WARNING)
    assert entry.rule and entry.template and entry.meaning
    for template in (entry.template, *entry.variants.values()):
        # a field named like a Finding attribute would be swallowed by Finding.of's own arguments
        assert not _fields(template) & {"code", "register", "sheet", "row", "column", "value", "variant"}


def test_templates_hold_no_policy_numbers():
    """Rates, days, amounts and hours come in as fields formatted from the policy."""
    number = re.compile(r"\d+(\.\d+)? ?(%|％|天|元|个工作日|小时|分钟|次|倍)")
    for c in CATALOGUE:
        for template in (c.template, *c.variants.values()):
            found = [m.group(0) for m in number.finditer(template) if m.group(0) != "0 小时"]  # "no session": 0 hours
            assert not found, f"{c.code}: {found}"


def test_of_formats_the_template_and_takes_the_severity():
    f = Finding.of("field.required", "complaints", "投诉登记", 3, "受理日期", header="受理日期")
    assert (f.code, f.severity, f.message, f.value) == ("field.required", ERROR, "必填项「受理日期」为空", None)
    f = Finding.of("number.duplicate", "r", "s", 2, "编号", variant="serial", number="A-1", others="第 3 行（A-1）",
                   seq="001", cycle="2026 年")
    assert f.message == "编号 A-1 与第 3 行（A-1）的序号同为 001：2026 年内序号不能重复"


def test_an_unknown_code_cannot_be_made():
    with pytest.raises(KeyError, match="finding_codes.py"):
        Finding.of("field.nonsense", "r", "s")


# ---------------------------------------------------------------------------- the source uses it

def _modules():
    return sorted(PACKAGE.rglob("*.py"))


def _strings(tree) -> set[str]:
    """String constants of a module, leaving out the pieces of f-strings."""
    inside = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}
    return {n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in inside}


def _used_codes() -> dict[str, set[str]]:
    """code-like strings (of a catalogued family) in every module that makes findings, plus the
    codes the sample year plants."""
    used: dict[str, set[str]] = {}
    for path in _modules():
        text = path.read_text(encoding="utf-8")
        if "Finding" not in text and path.name != "year.py":
            continue
        for s in _strings(ast.parse(text)):
            if CODE_RE.fullmatch(s) and s.split(".")[0] in FAMILIES:
                used.setdefault(s, set()).add(str(path.relative_to(ROOT)))
    return used


def test_every_code_used_is_catalogued_and_every_catalogued_code_is_used():
    used = _used_codes()
    assert not {c: sorted(p) for c, p in used.items() if c not in CODES}, "codes missing from finding_codes.py"
    assert not set(CODES) - set(used), "catalogued codes no module uses"


def test_findings_are_made_only_through_the_catalogue():
    """``Finding(...)`` is called nowhere but in Finding.of: every finding gets its code checked."""
    direct = []
    for path in _modules():
        if path == PACKAGE / "core" / "findings.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Finding":
                direct.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not direct


# ---------------------------------------------------------------------------- README in step

def _readme_rows() -> dict[str, tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Finding codes", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        m = re.match(r"\|\s*`([^`]+)`\s*\|\s*(\w+)\s*\|\s*([^|]+?)\s*\|\s*[^|]+\|\s*$", line)
        if m:
            assert m[1] not in rows, f"{m[1]} listed twice in README"
            rows[m[1]] = (m[2], m[3])
    return rows


def test_readme_lists_every_code_with_its_severity_and_rule():
    rows = _readme_rows()
    assert set(rows) == set(CODES), (sorted(set(CODES) - set(rows)), sorted(set(rows) - set(CODES)))
    for code, (severity, rule) in rows.items():
        assert (severity, rule) == (CODES[code].severity, CODES[code].rule), code


# ---------------------------------------------------------------------------- a changed policy value is shown

def test_outlet_fine_range_comes_from_the_policy():
    p = default_policy()
    p["penalties"]["outlet_fines"]["late_handling"].update(min=600, max=1200)
    [f] = penalties.check_outlet_fine("late_handling", 300, p)
    assert "应在 600–1200 元之间" in f.message
    assert "500" not in f.message and "1000" not in f.message


def test_approval_limits_come_from_the_policy():
    p = default_policy()
    p["penalties"]["approval_limits"]["区域经理"].update(per_month=3, max_amount=250)
    approvals = [{"approver": "王五", "post": "区域经理", "date": dt.date(2026, 3, d), "amount": 280} for d in (2, 3, 4, 5)]
    messages = [f.message for f in penalties.check_special_approvals(approvals, p)]
    assert any("每月不得超过 3 次" in m for m in messages)
    assert any("每次不得超过 250 元" in m for m in messages)
    assert sum("本月第" in m for m in messages) == 1   # only the 4th of the month is over the count


def test_sanction_floor_comes_from_the_policy():
    p = default_policy()
    p["penalties"]["sanctions"]["警告"]["amount"] = 450
    [f] = penalties.check_sanction("警告", 420, p)
    assert "不应低于 450.00 元" in f.message


def test_late_fine_per_day_comes_from_the_policy():
    p = default_policy()
    p["penalties"]["late_complaint"]["per_day"] = 80
    [item] = penalties.late_complaint("张三", "261009003", 2, p)
    assert item.explanation.endswith("× 80 元") and item.amount == Decimal("160.00")


def test_training_hours_come_from_the_policy():
    p = default_policy()
    p["scores"]["training"]["monthly_hours"] = 12
    [f] = scores.check_training_hours({"李四": Decimal(10)}, ["李四"], "2026-03", p)
    assert f.code == "training.hours_short" and "少于每月 12 小时" in f.message


def test_survey_programme_limits_come_from_the_policy():
    p = default_policy()
    cfg = p["scores"]["survey_programme"]
    cfg.update(min_rounds_per_year=2, min_annual_sales=30000, min_coverage=Decimal("0.6"), min_return_rate=Decimal("0.9"))
    sales = {"甲": 40000, "乙": 35000, "丙": 10000}
    r = scores.survey_programme(sales, ["甲"], sent=10, returned=8, rounds=1, policy=p)
    messages = {f.code: f.message for f in r.findings}
    assert "少于每年 2 次" in messages["survey.rounds"]
    assert "不少于 30000 元" in messages["survey.coverage"] and "低于 60%" in messages["survey.coverage"]
    assert "低于 90%" in messages["survey.return_rate"]


def test_penalties_help_names_no_cap_share():
    """The cap share is the company's: the help text does not print the seed's 50%."""
    out = CliRunner().invoke(app, ["penalties", "--help"]).output
    assert "P8" in out and "50%" not in out
