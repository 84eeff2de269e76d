"""Scores S1–S9: the case table tests/cases/scores.yaml, plus policy and property checks."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.config.policy import default_policy
from generator.core.errors import UserError
from generator.rules import scores
from tests.casetables import assert_matches, call, load_cases, policy_with


@pytest.mark.parametrize("case", load_cases("scores*.yaml"))
def test_score_case(case):
    assert case["source"]
    assert_matches(call(scores, case, policy_with(case.get("policy"))), case["expect"])


def test_every_score_rule_has_cases():
    rules = {c.values[0]["rule"] for c in load_cases("scores*.yaml")}
    assert rules == {f"S{i}" for i in range(1, 10)}


# ---------------------------------------------------------------------------- policy shape

def test_kpi_weights_of_every_post_add_up_to_100_percent():
    for post, entry in default_policy()["scores"]["kpi"]["posts"].items():
        assert sum(entry["weights"].values()) == Decimal("1.00"), post


def test_every_questionnaire_item_maps_to_a_criterion():
    cfg = default_policy()["scores"]
    assert set(cfg["csi"]["item_indicator"]) == set(cfg["survey"]["items"])
    assert set(cfg["csi"]["item_indicator"].values()) <= set(cfg["csi"]["criteria"])
    assert cfg["csi"]["overall_indicator"] in cfg["csi"]["criteria"]


def test_csi_weights_are_the_corrected_seed_weights_and_flag_inconsistency():
    lam, ahp = scores.csi_weights(default_policy())
    assert [str(w) for w in lam.values()] == ["0.0633", "0.4300", "0.2109", "0.0363", "0.1102", "0.1494"]
    assert not ahp.consistent
    result = scores.csi([{"维修服务": "满意"}], default_policy())
    assert any("CR=0.21" in n for n in result.notes)


def test_changing_a_level_in_the_policy_changes_the_score():
    p = policy_with({"scores.survey.levels.一般": 50})
    assert scores.questionnaire_score({"售前服务": "一般", "安装服务": "非常满意"}, p).score == Decimal("75.00")


def test_filling_the_incentive_gap_in_the_policy_makes_the_score_defined():
    p = default_policy()
    p["scores"]["incentive"]["satisfaction"].insert(1, {"gt": Decimal("0.50"), "lt": Decimal("0.60"), "score": 20})
    r = scores.incentive_score(12, Decimal("0.12"), Decimal("0.55"), p)
    assert r.defined and r.total == Decimal("15.00")  # 30%×30 + 40%×0 + 30%×20


def test_incentive_gap_is_never_guessed_anywhere_between_50_and_60_percent():
    for pct in range(5001, 6000, 37):
        r = scores.incentive_score(5, 0, Decimal(pct) / 10000, default_policy())
        assert r.total is None and not r.defined
        assert "未规定" in r.notes[0]


# ---------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("fn,kwargs,message", [
    (scores.item_points, dict(level="较满意"), "无法识别的满意度等级"),
    (scores.questionnaire_score, dict(ratings={"售后服务": "满意"}), "未知的评价项目"),
    (scores.kpi_score, dict(post="总经理", results={}), "没有岗位“总经理”"),
    (scores.kpi_score, dict(post="售后人员", results={"颜值": {"score": 1}}), "没有考核指标：颜值"),
    (scores.receipt_averages, dict(receipts=[{"engineer": "刘工", "服务人员态度": 6}]), "无法识别的回执评价 6"),
    (scores.attendance, dict(statuses=["迟到"]), "签到状态"),
    (scores.csi, dict(questionnaires=[], extra_scores={"顾客信任": 80}), "未知的二级指标"),
])
def test_bad_input_is_a_user_error(fn, kwargs, message):
    with pytest.raises(UserError, match=message):
        fn(**kwargs, policy=default_policy())


def test_no_rated_item_gives_no_score():
    s = scores.questionnaire_score({"售前服务": None, "安装服务": ""}, default_policy())
    assert (s.score, s.label, s.rated) == (None, None, 0)


# ---------------------------------------------------------------------------- properties

levels = st.sampled_from(["非常满意", "满意", "一般", "不满意", "非常不满意", None])


@given(st.lists(levels, min_size=9, max_size=9))
def test_questionnaire_class_follows_the_exact_mean(ratings):
    p = default_policy()
    items = p["scores"]["survey"]["items"]
    s = scores.questionnaire_score(dict(zip(items, ratings)), p)
    if s.rated == 0:
        return
    assert Decimal(20) <= s.score <= Decimal(100)
    expected = "不满意" if s.exact < 80 else "满意" if s.exact <= 90 else "很满意"
    assert s.label == expected


@given(st.lists(st.lists(levels, min_size=9, max_size=9), min_size=1, max_size=5))
def test_csi_lies_between_the_lowest_and_highest_indicator(questionnaires):
    p = default_policy()
    items = p["scores"]["survey"]["items"]
    r = scores.csi([dict(zip(items, q)) for q in questionnaires], p)
    present = [i.score for i in r.indicators if i.score is not None]
    if r.csi is None:
        assert not present
        return
    assert min(present) - Decimal("0.01") <= r.csi <= max(present) + Decimal("0.01")


@given(ratio=st.decimals(min_value=0, max_value=5, places=3))
def test_kpi_metric_points_never_exceed_the_cap(ratio):
    p = default_policy()
    results = {m: {"score": 100} for m in p["scores"]["kpi"]["posts"]["售后人员"]["weights"]}
    results["工作量占比"] = {"actual": ratio, "target": 1}
    r = scores.kpi_score("售后人员", results, p)
    line = next(l for l in r.lines if l.metric == "工作量占比")
    assert line.points <= Decimal("0.12") * 110
    assert r.total <= Decimal("100") + Decimal("0.12") * 10


def test_a_company_may_add_a_kpi_post_in_policy_toml(tmp_path):
    from generator.config.policy import default_policy_text, load_policy

    extra = ('\n[scores.kpi.posts."客服员"]\nsource = "company"  # own post\ngroup = "生产部人员"  # own\n'
             'weights = { "售后服务满意度" = 0.60, "工作态度" = 0.40 }  # own weights\n')
    path = tmp_path / "policy.toml"
    path.write_text(default_policy_text() + extra, encoding="utf-8")
    p = load_policy(path)
    r = scores.kpi_score("客服员", {"售后服务满意度": {"actual": 0.9, "target": 0.9}, "工作态度": {"score": 80}}, p)
    assert r.total == Decimal("92.00")
