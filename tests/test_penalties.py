"""Penalties P1–P12: the case tables in tests/cases/penalties*.yaml, plus properties.

``load_cases``, ``policy_with`` and ``assert_matches`` are shared with the other money and
score tests (they import them from here).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.config.policy import default_policy, default_policy_text, parse
from generator.core.errors import UserError
from generator.rules import penalties
from tests.casetables import assert_matches, call, load_cases, policy_with

# ---------------------------------------------------------------------------- case tables

@pytest.mark.parametrize("case", load_cases("penalties.yaml"))
def test_penalty_case(case):
    assert case["source"]
    assert_matches(call(penalties, case, policy_with(case.get("policy"))), case["expect"])


@pytest.mark.parametrize("case", load_cases("penalties_cap.yaml"))
def test_monthly_cap_over_consecutive_months(case):
    """P8: three consecutive months; each month's carried_forward is the next month's carried_in."""
    policy, person, carried = default_policy(), case["person"], {}
    assert len(case["months"]) >= 3
    for month in case["months"]:
        items = [i for spec in month["items"] for i in call(penalties, spec, policy)]
        result = penalties.apply_monthly_cap({person: items}, {person: month["bonus"]}, carried, policy)[person]
        assert_matches(result, month["expect"], f"{case['title']} {month['month']}")
        assert result.deducted <= result.limit
        carried = {person: result.carried_forward}


def test_every_rule_has_cases():
    rules = {c.values[0]["rule"] for c in load_cases("penalties.yaml")}
    assert rules == {f"P{i}" for i in range(1, 13)} - {"P8"}  # P8 has its own table


# ---------------------------------------------------------------------------- policy changes

def test_a_rate_changed_in_policy_toml_changes_the_fine():
    text = default_policy_text()
    assert "per_day = 50 " in text
    changed = parse(text.replace("per_day = 50 ", "per_day = 70 ", 1), "test")
    before = penalties.late_complaint("张三", "261009003", 2, default_policy())[0].amount
    after = penalties.late_complaint("张三", "261009003", 2, changed)[0].amount
    assert (before, after) == (Decimal("100.00"), Decimal("140.00"))


def test_cap_share_comes_from_policy():
    items = penalties.late_complaint("张三", "1", 10, default_policy())  # 500 yuan
    p = policy_with({"penalties.monthly_cap.share": 0.30})
    r = penalties.apply_monthly_cap({"张三": items}, {"张三": 1000}, {}, p)["张三"]
    assert (r.limit, r.deducted, r.carried_forward) == (Decimal("300.00"), Decimal("300.00"), Decimal("200.00"))


def test_company_may_count_sanctions_against_the_cap():
    p = policy_with({"penalties.monthly_cap.rules": ["P1"]})
    assert penalties.late_complaint("张三", "1", 1, p)[0].capped
    assert not penalties.undelivered_order("张三", "X1", p)[0].capped


# ---------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("fn,kwargs,message", [
    (penalties.late_complaint, dict(person="张三", case="1", days_late=-1), "超期天数应为非负整数"),
    (penalties.late_complaint, dict(person="张三", case="1", days_late=1.5), "超期天数应为非负整数"),
    (penalties.sanction, dict(level="记功", person="张三", case="1"), "未知的行政处分等级"),
    (penalties.sanction, dict(level="大过", person="张三", case="1"), "需提供当月效益奖金"),
    (penalties.sanction, dict(level="小过", person="张三", case="1"), "需提供基数"),
    (penalties.outlet_fine, dict(kind="x", outlet="o", case="1", amount=1), "未知的网点罚款类型"),
    (penalties.apportion_by_ratio, dict(case="1", loss=100, ratios={}), "没有责任人"),
    (penalties.facility_damage, dict(person="a", case="1", damage="一千"), "损坏金额不是有效数字"),
])
def test_bad_input_is_a_user_error(fn, kwargs, message):
    with pytest.raises(UserError, match=message):
        fn(**kwargs, policy=default_policy())


def test_bad_day_kind_in_policy_is_reported():
    with pytest.raises(UserError, match="day_kind"):
        penalties.late_complaint("张三", "1", 1, policy_with({"penalties.late_complaint.day_kind": "weekday"}))


def test_cap_needs_the_bonus_of_everyone_who_owes():
    items = penalties.late_complaint("张三", "1", 1, default_policy())
    with pytest.raises(UserError, match="缺少 张三 的当月效益奖金"):
        penalties.apply_monthly_cap({"张三": items}, {}, {}, default_policy())


def test_items_serialise_for_json():
    item = penalties.late_complaint("张三", "261009003", 3, default_policy())[0]
    assert item.to_dict()["amount"] == "150.00"
    r = penalties.apply_monthly_cap({"张三": [item]}, {"张三": 100}, {}, default_policy())["张三"]
    assert r.to_dict()["carried_forward"] == "100.00"


# ---------------------------------------------------------------------------- properties

money = st.decimals(min_value=0, max_value=10**7, places=2)


@given(loss=money, ratios=st.lists(st.integers(min_value=1, max_value=100), min_size=1, max_size=8))
def test_apportioned_parts_add_up_to_the_loss(loss, ratios):
    people = {f"人{i}": r for i, r in enumerate(ratios)}
    items = penalties.apportion_by_ratio("1", loss, people, default_policy())
    assert sum(i.amount for i in items) == loss
    for i in items:  # no part is more than a cent away from its exact share
        exact = loss * people[i.person] / sum(ratios)
        assert abs(i.amount - exact) < Decimal("0.01")


@given(assessed=st.lists(money, min_size=3, max_size=6), bonus=money)
def test_cap_never_loses_or_invents_money(assessed, bonus):
    """Over any run of months, deducted + still carried == everything assessed."""
    policy, carried, deducted = default_policy(), {}, Decimal(0)
    for amount in assessed:
        item = penalties.LedgerItem("P9", "甲", "1", amount, "", capped=True)
        r = penalties.apply_monthly_cap({"甲": [item]}, {"甲": bonus}, carried, policy)["甲"]
        assert r.deducted <= r.limit
        deducted += r.deducted
        carried = {"甲": r.carried_forward}
    assert deducted + carried["甲"] == sum(assessed)


@given(days=st.integers(min_value=0, max_value=400), sent_offset=st.integers(min_value=0, max_value=120))
def test_writeoff_rate_never_rises_with_lateness(days, sent_offset):
    p = default_policy()
    first = dt.date(2026, 4, 1) + dt.timedelta(days=days % 60)
    later = first + dt.timedelta(days=sent_offset)
    a = penalties.parts_writeoff("o", "1", 1000, "2026-03", first, p)
    b = penalties.parts_writeoff("o", "1", 1000, "2026-03", later, p)
    assert b.rate <= a.rate
    assert a.accepted + a.withheld == Decimal("1000.00")


def test_a_company_may_add_a_sanction_level_in_policy_toml(tmp_path):
    from generator.config.policy import load_policy

    extra = '\n[penalties.sanctions."记过"]\nbasis = "fixed"  # own level\namount = 600  # own floor\n'
    path = tmp_path / "policy.toml"
    path.write_text(default_policy_text() + extra, encoding="utf-8")
    item = penalties.sanction("记过", "张三", "1", load_policy(path))[0]
    assert item.amount == Decimal("600.00")


@given(capped=st.lists(money, min_size=1, max_size=5), sanctions=st.lists(money, max_size=3), bonus=money)
def test_a_month_never_takes_more_than_the_bonus_and_loses_nothing(capped, sanctions, bonus):
    """P8 with P7: deducted this month <= bonus; deducted + carried == assessed + carried in."""
    policy, carried = default_policy(), {}
    items = [penalties.LedgerItem("P9", "甲", "1", a, "", capped=True) for a in capped]
    items += [penalties.LedgerItem("P7", "甲", "1", a, "", kind=penalties.SANCTION) for a in sanctions]
    r = penalties.apply_monthly_cap({"甲": items}, {"甲": bonus}, carried, policy)["甲"]
    assert r.total_deducted <= bonus and r.deducted <= r.limit
    assert r.total_deducted + r.carried_forward == sum(capped) + sum(sanctions)
