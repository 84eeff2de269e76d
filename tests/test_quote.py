"""Quotes F1 and 三包 F2: tests/cases/quote*.yaml, the ``aftersales quote`` CLI, properties."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from generator.cli import app
from generator.config.policy import default_policy, default_policy_text
from generator.core.errors import UserError
from generator.rules import quote as quote_mod
from tests.casetables import assert_matches, call, load_cases, policy_with

runner = CliRunner()


@pytest.mark.parametrize("case", load_cases("quote*.yaml"))
def test_quote_case(case):
    assert case["source"]
    assert_matches(call(quote_mod, case, policy_with(case.get("policy"))), case["expect"])


def test_every_fee_rule_has_cases():
    assert {c.values[0]["rule"] for c in load_cases("quote*.yaml")} == {"F1", "F2"}


def test_negative_amount_is_a_user_error():
    with pytest.raises(UserError, match="出差天数不能为负数"):
        quote_mod.quote(default_policy(), days=-1)


# ---------------------------------------------------------------------------- CLI

def test_cli_quote_json():
    r = runner.invoke(app, ["quote", "--travel", "300", "--days", "2", "--labour-days", "2",
                            "--materials", "1000", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert (data["cost"], data["tax"], data["management"], data["total"]) == ("2100.00", "315.00", "966.00", "3381.00")
    assert [l["name"] for l in data["lines"]] == ["交通费", "住宿费", "餐饮费", "人工费", "材料费", "成本合计", "税费", "管理费", "报价"]


def test_cli_quote_prints_the_lines():
    r = runner.invoke(app, ["quote", "--travel", "300", "--days", "2", "--labour-days", "2", "--materials", "1000"])
    assert r.exit_code == 0, r.output
    for text in ("住宿费", "150 元/天 × 2 天", "300.00", "315.00", "3381.00"):
        assert text in r.stdout


def test_cli_quote_uses_the_folders_policy(tmp_path):
    (tmp_path / "policy.toml").write_text(
        default_policy_text().replace("labour_per_day = 200", "labour_per_day = 300", 1), encoding="utf-8")
    r = runner.invoke(app, ["quote", "--labour-days", "1", "--dir", str(tmp_path), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["total"] == "483.00"  # 300 × 1.15 × 1.4


def test_cli_quote_bad_number_exits_2():
    r = runner.invoke(app, ["quote", "--travel", "三百"])
    assert r.exit_code == 2
    assert "交通费不是有效数字" in r.output


def test_cli_commands_have_help():
    for cmd in ("quote", "ahp"):
        r = runner.invoke(app, [cmd, "--help"])
        assert r.exit_code == 0 and "--json" in r.stdout


# ---------------------------------------------------------------------------- properties

amounts = st.decimals(min_value=0, max_value=10**6, places=2)
days = st.decimals(min_value=0, max_value=60, places=1)


@given(travel=amounts, materials=amounts, d=days, ld=days)
def test_quote_is_cost_plus_tax_plus_management_to_the_cent(travel, materials, d, ld):
    q = quote_mod.quote(default_policy(), travel=travel, days=d, labour_days=ld, materials=materials)
    assert q.cost == sum(l.amount for l in q.lines[:5])
    assert q.total == q.cost + q.tax + q.management
    assert all(l.amount == l.amount.quantize(Decimal("0.01")) for l in q.lines)
    assert abs(q.total - q.cost * Decimal("1.15") * Decimal("1.4")) <= Decimal("0.02")


@given(st.integers(min_value=0, max_value=1000), st.booleans(), st.booleans())
def test_every_day_count_gets_a_remedy_or_an_explicit_undefined(n, resaleable, quality):
    r = quote_mod.sanbao_remedy(n, resaleable, quality, default_policy())
    assert (r.remedy is None) == (not r.defined)
    if not r.defined:
        assert quality and n in (30, 90) and "未规定" in r.note
