"""Scores of a period read from registers (generator.assess.period_scores, ``aftersales scores``).

The business case is tests/cases/period_scores.yaml: a small quarter whose every number was
worked out by hand from the regulation's rules.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml

from generator.assess import period_scores as period_scores_module
from generator.assess.period_scores import parse_period, period_scores, quarter_label
from generator.config.policy import default_policy
from generator.core.errors import UserError
from tests.conftest import copy_registers
from tests.test_ledger import fill_registers, load, run, run_json

CASE = yaml.safe_load((Path(__file__).parent / "cases" / "period_scores.yaml").read_text(encoding="utf-8"))
ALL_ITEMS = "全部项目"


def _expand_surveys(sheets: dict) -> dict:
    items = default_policy()["scores"]["survey"]["items"]
    out = dict(sheets)
    out["满意度调查"] = [{**{i: r[ALL_ITEMS] for i in items}, **{k: v for k, v in r.items() if k != ALL_ITEMS}}
                    for r in sheets["满意度调查"]]
    return out


@pytest.fixture(scope="module")
def quarter_dir(empty_dir_session, tmp_path_factory) -> Path:
    folder = copy_registers(empty_dir_session, tmp_path_factory.mktemp("scores") / "r")
    return fill_registers(folder, _expand_surveys(CASE["registers"]))


@pytest.fixture(scope="module")
def result(quarter_dir) -> dict:
    regs, policy, cal = load(quarter_dir)
    return period_scores(regs, policy, CASE["period"], cal)


def dec(v):
    return None if v is None else Decimal(str(v))


EXPECT = CASE["expect"]


# ---------------------------------------------------------------------------- periods

@pytest.mark.parametrize("text, label, start, end", [
    ("2026-03", "2026-03", dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
    ("2026年2月", "2026-02", dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
    ("2026-Q1", "2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
    ("2026q4", "2026-Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
    ("2026-H2", "2026-H2", dt.date(2026, 7, 1), dt.date(2026, 12, 31)),
    ("2026", "2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
])
def test_period_forms(text, label, start, end):
    p = parse_period(text)
    assert (p.code, p.start, p.end) == (label, start, end)


@pytest.mark.parametrize("text", ["2026-Q5", "2026-H3", "26-03", "2026-13", "上季度"])
def test_bad_period_is_a_user_error(text):
    with pytest.raises(UserError, match="期间|月份"):
        parse_period(text)


@pytest.mark.parametrize("period, quarters", [("2026-03", ["2026-Q1"]), ("2026-02", []), ("2026-H1", ["2026-Q1", "2026-Q2"]),
                                              ("2026", ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"])])
def test_kpi_quarters_are_those_ending_in_the_period(period, quarters):
    assert parse_period(period).quarters == quarters


@pytest.mark.parametrize("text, label", [("2026-Q1", "2026-Q1"), ("2026Q2", "2026-Q2"), ("2026年第三季度", "2026-Q3"),
                                         ("2026 q4", "2026-Q4"), ("2026-05", None), ("", None)])
def test_quarter_labels(text, label):
    assert quarter_label(text) == label


# ---------------------------------------------------------------------------- the quarter, part by part

def test_s1_s2_questionnaires_of_the_period(result):
    qs = result["surveys"]["questionnaires"]
    assert [q["score"] for q in qs] == [dec(s) for s in EXPECT["surveys"]["scores"]]
    assert [q["class"] for q in qs] == EXPECT["surveys"]["classes"]
    s = result["surveys"]["summary"]
    assert s["mean"] == dec(EXPECT["surveys"]["mean"])
    assert s["satisfied_share"] == dec(EXPECT["surveys"]["satisfied_share"])


def test_s3_csi_and_no_invented_star_rating(result):
    assert result["csi"]["csi"] == dec(EXPECT["csi"])
    assert result["csi"]["missing"] == ["顾客忠诚"] and not result["csi"]["consistent"]
    assert any("CR=" in n for n in result["csi"]["notes"])
    assert set(result["targets"]) == {"items"}   # the GB/T 27922 star rating had no sourced scale


def test_s4_receipt_ratings_per_engineer(result):
    got = {r["engineer"]: r for r in result["receipts"]}
    assert set(got) == set(EXPECT["receipts"])
    for name, want in EXPECT["receipts"].items():
        r = got[name]
        assert r["receipts"] == want["receipts"]
        assert list(r["means"].values()) == [dec(v) for v in want["means"]]
        assert r["overall"] == dec(want["overall"])


def test_s6_incentive_overall_and_per_engineer(result):
    got = {x["who"]: x for x in [result["incentive"]["overall"]] + result["incentive"]["engineers"]}
    for who, want in EXPECT["incentive"].items():
        x = got[who]
        assert (x["N"], x["X"], x["P"], x["total"]) == (want["N"], dec(want["X"]), dec(want["P"]), dec(want["total"])), who


def test_s6_p_has_one_source_and_says_it(result):
    assert result["incentive"]["p_source"] == "服务工作回执单"
    assert any("服务工作回执单" in n and "客户满意度 P" in n for n in result["incentive"]["notes"])


def test_s6_undefined_band_is_said_plainly(result):
    # 4 of 7 receipts satisfied: 57.14% lies in the seed's gap between 50% and 60%
    overall = period_scores_module._incentive_of("全部", 1, 4, 10, 4, 7, default_policy(), "服务工作回执单")
    assert overall["total"] is None and not overall["defined"]
    p = next(q for q in overall["parts"] if q["key"] == "P")
    assert p["score"] is None and "57.14%" in p["note"] and "未规定" in p["note"]
    assert any("年度" in n for n in result["incentive"]["notes"])   # N is annual; the period is a quarter


def test_s7_service_targets(result):
    got = {t["name"]: t for t in result["targets"]["items"]}
    for name, want in EXPECT["targets"].items():
        assert (got[name]["actual"], got[name]["met"]) == (dec(want["actual"]), want["met"]), name
        assert got[name]["basis"]


def test_s9_attendance_per_session(result):
    got = {s["session_no"]: [s["expected"], s["present"], s["leave"], s["absent"]] for s in result["training"]["sessions"]}
    assert got == EXPECT["sessions"]


def test_d12_training_hours_per_technician_and_month(result):
    got = {}
    for h in result["training"]["hours"]:
        got.setdefault(h["person"], {})[h["month"]] = h["hours"]
        assert h["met"] == (h["hours"] >= 8)
    assert got == {p: {m: Decimal(v) for m, v in ms.items()} for p, ms in EXPECT["hours"].items()}
    codes = {(f["code"], f["message"].split(" ")[0]) for f in result["findings"] if f["code"].startswith("training")}
    assert codes == {("training.hours_short", "李工"), ("training.no_sessions", "2026-03")}


def test_s5_kpi_per_person(result):
    got = {(k["person"], k["quarter"]): k for k in result["kpi"]}
    assert len(got) == len(EXPECT["kpi"])     # the Q2 line is not in Q1
    for person, want in EXPECT["kpi"].items():
        k = got[(person, want["quarter"])]
        assert (k["total"], k["passed"]) == (dec(want["total"]), want["passed"]), person
        assert k["pass_mark"] == 59
    assert any("没有数据" in n for n in got[("张工", "2026-Q1")]["notes"])


def test_full_width_metric_names_match_the_policy(result):
    lines = {l["metric"]: l for k in result["kpi"] if k["person"] == "李工" for l in k["lines"]}
    assert lines["客户（业务）投诉率"]["points"] == Decimal("13.00")
    assert not [f for f in result["findings"] if f["code"].startswith("kpi")]


# ---------------------------------------------------------------------------- CLI

def test_cli_json_keys_english_values_chinese_decimals_as_strings(quarter_dir):
    r = run_json("scores", quarter_dir, "--period", "2026-Q1")
    assert set(r) >= {"period", "surveys", "csi", "receipts", "incentive", "targets", "training", "kpi", "findings"}
    assert r["csi"]["csi"] == "74.01" and "gbt27922_level" not in r["targets"]
    assert r["surveys"]["questionnaires"][0]["class"] == "很满意"


def test_cli_out_writes_one_sheet_per_part(quarter_dir, tmp_path):
    out = tmp_path / "scores.xlsx"
    result = run("scores", quarter_dir, "--period", "2026-Q1", "--out", out)
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["问卷得分", "满意度指数", "回执评价", "激励得分", "服务目标", "培训出勤", "培训学时",
                             "KPI得分", "KPI明细", "说明与提示"]
    assert all(ws.freeze_panes == "A2" for ws in wb)
    ws = wb["问卷得分"]
    assert [c.value for c in ws[2]][:2] == ["DC2601001", dt.datetime(2026, 1, 10)]
    assert ws.cell(2, 4).value == pytest.approx(95.56)
    kpi = wb["KPI得分"]
    assert [[c.value for c in row][:5] for row in kpi.iter_rows(min_row=2)] == [
        ["2026-Q1", "张工", "技术工程师", None, None], ["2026-Q1", "李工", "售后人员", 96.2, "是"]]


def test_cli_text_output(quarter_dir):
    result = run("scores", quarter_dir, "--period", "2026-Q1")
    assert result.exit_code == 0, result.output
    assert "S3 CSI = 74.01" in result.output and "达标" in result.output
    assert "客户满意度 P（全部与每位服务人员）均取自服务工作回执单" in result.output


def test_month_period_shows_the_quarter_ending_in_it_and_notes_when_none(quarter_dir):
    march = run_json("scores", quarter_dir, "--period", "2026-03")
    assert {k["quarter"] for k in march["kpi"]} == {"2026-Q1"}
    feb = run_json("scores", quarter_dir, "--period", "2026-02")
    assert feb["kpi"] == [] and any("KPI" in n for n in feb["notes"])


def test_bad_period_exits_2(quarter_dir):
    result = run("scores", quarter_dir, "--period", "2026-Q9")
    assert result.exit_code == 2 and "期间格式" in result.output


def test_a_weight_changed_in_the_folders_policy_changes_the_score(quarter_dir, tmp_path):
    import shutil

    d = tmp_path / "r"
    shutil.copytree(quarter_dir, d)
    policy = d / "policy.toml"
    text = policy.read_text(encoding="utf-8")
    assert "weight_x = 0.40" in text
    text = text.replace("weight_x = 0.40", "weight_x = 0.30", 1).replace("weight_n = 0.30", "weight_n = 0.40", 1)
    policy.write_text(text, encoding="utf-8")
    r = run_json("scores", d, "--period", "2026-Q1")
    zhang = next(x for x in r["incentive"]["engineers"] if x["who"] == "张工")
    assert zhang["total"] == "70.00"     # 100 × 0.40 + 0 × 0.30 + 100 × 0.30


def test_sample_year_scores(sample_dir):
    r = run_json("scores", sample_dir, "--period", "2026-H1")
    assert r["surveys"]["summary"]["count"] > 0 and r["csi"]["csi"] is not None
    assert {k["quarter"] for k in r["kpi"]} == {"2026-Q1", "2026-Q2"}
    assert all(k["total"] is not None for k in r["kpi"])
    assert not [f for f in r["findings"] if f["severity"] == "error"]


def test_a_bad_rating_leaves_out_its_receipt_only(quarter_dir, tmp_path):
    import shutil

    d = tmp_path / "r"
    shutil.copytree(quarter_dir, d)
    wb = openpyxl.load_workbook(d / "tickets.xlsx")
    ws = wb["售后工单"]
    head = {c.value: c.column for c in ws[1]}
    ws.cell(2, head["服务态度"]).value = 7     # not one of the five levels
    wb.save(d / "tickets.xlsx")
    regs, policy, cal = load(d)
    r = period_scores(regs, policy, "2026-Q1", cal)
    assert {x["engineer"]: x["receipts"] for x in r["receipts"]} == {"张工": 1, "李工": 2}
    assert ("tickets", 2, "score.receipt") in {(f["register"], f["row"], f["code"]) for f in r["findings"]}
