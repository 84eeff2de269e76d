"""The monthly penalty ledger read from registers (generator.assess.ledger, ``aftersales penalties``).

Business cases: tests/cases/ledger.yaml. ``fill_registers`` (rows keyed by the Excel headers
the user sees) is shared with test_period_scores.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

from generator.assess.ledger import (
    ITEMS_SHEET,
    SUMMARY_SHEET,
    ledger_path,
    penalty_ledger,
    previous_ledger,
    read_ledger,
)
from generator.cli import app
from generator.config.policy import default_policy, find_policy
from generator.config.register_specs import load_specs
from generator.core.errors import UserError
from generator.registers.read import read_all
from generator.rules.penalties import entered_fine
from generator.rules.workcal import calendar_from
from tests.conftest import copy_registers

CASES = Path(__file__).parent / "cases"
runner = CliRunner()

# Required columns the cases leave out, per sheet name.
DEFAULTS = {
    "投诉登记": {"受理渠道": "电话", "客户名称": "测试客户有限公司", "投诉类别": "其他", "投诉内容": "测试投诉", "国内国外": "国内"},
    "售后工单": {"受理部门": "KF", "客户名称": "测试客户有限公司", "故障等级": "三级", "服务类型": "技术支持", "故障描述": "测试故障"},
    "行政处分": {"事由": "测试"},
    "培训场次": {"组织部门": "客户服务部", "培训讲师": "讲师", "培训对象": "内部员工", "培训主题": "测试培训"},
    "签到名单": {"所属单位": "客户服务部"},
}


def _sheet_owner() -> dict[str, str]:
    return {s.name: spec.workbook for spec in load_specs().values() for s in spec.sheets}


def fill_registers(directory: Path, sheets: dict[str, list[dict]]) -> Path:
    """Fill a folder of empty registers (a copy of ``empty_dir_session``) with the given rows
    (header -> value) from Excel row 2."""
    owner = _sheet_owner()
    books: dict[str, openpyxl.Workbook] = {}
    for sheet, rows in sheets.items():
        book = owner[sheet]
        wb = books.setdefault(book, openpyxl.load_workbook(directory / book))
        ws = wb[sheet]
        head = {c.value: c.column for c in ws[1] if c.value}
        for i, row in enumerate(rows, start=2):
            for header, value in {**DEFAULTS.get(sheet, {}), **row}.items():
                assert header in head, f"{sheet} has no column {header}"
                ws.cell(i, head[header]).value = float(value) if isinstance(value, Decimal) else value
    for book, wb in books.items():
        wb.save(directory / book)
    return directory


def load(directory: Path):
    regs = read_all(directory)
    policy = find_policy(directory)
    return regs, policy, calendar_from(policy, regs.get("master"))


def run(*args):
    result = runner.invoke(app, [str(a) for a in args])
    return result


def run_json(*args) -> dict:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _cases():
    data = yaml.safe_load((CASES / "ledger.yaml").read_text(encoding="utf-8"))
    return [pytest.param(c, id=c["title"]) for c in data]


def _check_month(result: dict, expect: dict, where: str) -> None:
    people = {p["person"]: p for p in result["people"]}
    for person, fields in expect.get("people", {}).items():
        assert person in people, f"{where}: {person} missing from {sorted(people)}"
        for k, v in fields.items():
            got = people[person][k]
            want = None if v is None else Decimal(str(v))
            assert (got is None and want is None) or Decimal(str(got)) == want, f"{where} {person}.{k}: {got} != {v}"
    for person, items in expect.get("items", {}).items():
        got = [(i["rule"], i["case"], Decimal(str(i["amount"]))) for i in people[person]["items"]]
        assert got == [(i["rule"], i["case"], Decimal(str(i["amount"]))) for i in items], where
    if "findings" in expect:
        got = {(f["row"], f["column"], f["code"]) for f in result["findings"]}
        assert got == {tuple(f) for f in expect["findings"]}, where


@pytest.mark.parametrize("case", _cases())
def test_ledger_case_replayed_from_registers(case, empty_registers):
    regs, policy, cal = load(fill_registers(empty_registers, case["registers"]))
    for m in case["months"]:
        _check_month(penalty_ledger(regs, policy, m["month"], cal), m, m["month"])


@pytest.mark.parametrize("case", _cases())
def test_chaining_month_by_month_equals_replaying(case, empty_registers):
    regs, policy, cal = load(fill_registers(empty_registers, case["registers"]))
    previous = None
    for m in case["months"]:
        chained = penalty_ledger(regs, policy, m["month"], cal, previous)
        replayed = penalty_ledger(regs, policy, m["month"], cal)
        assert chained["people"] == replayed["people"]
        if previous is not None:
            assert chained["carry_basis"] == {"previous_month": previous["month"], "replayed": []}
        previous = chained


@pytest.fixture(scope="module")
def three_months_module(empty_dir_session, tmp_path_factory) -> Path:
    case = next(c for c in yaml.safe_load((CASES / "ledger.yaml").read_text(encoding="utf-8")) if "三个月" in c["title"])
    return fill_registers(copy_registers(empty_dir_session, tmp_path_factory.mktemp("ledger") / "r"), case["registers"])


@pytest.fixture
def three_months(three_months_module, tmp_path) -> Path:
    """A private copy of 张三's three months (tests change its policy and write ledgers)."""
    return copy_registers(three_months_module, tmp_path / "r")


def _person(result: dict, name: str) -> dict:
    return next(p for p in result["people"] if p["person"] == name)


def test_cli_json_shape_with_money_as_strings(three_months):
    r = run_json("penalties", three_months, "--month", "2026-01")
    assert r["month"] == "2026-01"
    p = _person(r, "张三")
    assert {"person", "bonus", "carried_in", "assessed", "deducted", "carried_forward", "items"} <= set(p)
    assert (p["bonus"], p["assessed"], p["deducted"], p["carried_forward"]) == ("1000.00", "650.00", "500.00", "150.00")
    first = p["items"][0]
    assert set(first) >= {"rule", "case", "amount", "explanation"}
    assert first["amount"] == "250.00"
    assert first["explanation"].startswith("投诉 260105001 回复超期 5 个工作日 × 50 元")
    assert "应于 2026-01-12 前回复，实际 2026-01-19 回复" in first["explanation"]
    assert first["source"] == {"register": "complaints", "sheet": "投诉登记", "row": 2}
    assert r["findings"] == []


def test_open_case_is_fined_month_by_month_and_says_so(three_months):
    feb = _person(run_json("penalties", three_months, "--month", "2026-02"), "张三")["items"][0]
    assert "回复超期 10 个工作日" in feb["explanation"] and "截至 2026-02-28 仍未回复，逐月计罚" in feb["explanation"]
    mar = _person(run_json("penalties", three_months, "--month", "2026-03"), "张三")["items"][0]
    assert "回复超期 3 个工作日" in mar["explanation"]
    assert "共超期 13 个工作日，此前月份已计 10 个工作日" in mar["explanation"]


def test_saved_ledger_is_the_carry_over_and_a_manager_may_edit_it(three_months):
    for m in ("2026-01", "2026-02"):
        assert run("penalties", three_months, "--month", m, "--save").exit_code == 0
    feb = ledger_path(three_months, "2026-02")
    assert feb.name == "罚扣台账-2026-02.xlsx" and feb.exists()
    assert previous_ledger(three_months, "2026-03") == feb
    r = run_json("penalties", three_months, "--month", "2026-03")
    assert r["carry_basis"] == {"previous_month": "2026-02", "replayed": [], "file": feb.name}
    assert _person(r, "张三")["carried_in"] == "150.00"

    wb = openpyxl.load_workbook(feb)   # the manager waives 100 of the carry-over
    ws = wb[SUMMARY_SHEET]
    head = {c.value: c.column for c in ws[1]}
    ws.cell(2, head["结转下月"]).value = 50
    wb.save(feb)
    p = _person(run_json("penalties", three_months, "--month", "2026-03"), "张三")
    assert (p["carried_in"], p["deducted"], p["carried_forward"]) == ("50.00", "200.00", "0.00")


def test_older_ledger_file_is_used_and_later_months_replayed(three_months):
    assert run("penalties", three_months, "--month", "2026-01", "--save").exit_code == 0
    r = run_json("penalties", three_months, "--month", "2026-03")
    assert r["carry_basis"] == {"previous_month": "2026-01", "replayed": ["2026-02"], "file": "罚扣台账-2026-01.xlsx"}
    assert _person(r, "张三")["carried_in"] == "150.00"


def test_out_elsewhere_writes_the_workbook_and_still_reads_the_folders_ledger(three_months, tmp_path):
    assert run("penalties", three_months, "--month", "2026-02", "--save").exit_code == 0
    out = tmp_path / "elsewhere" / "march.xlsx"
    out.parent.mkdir()
    result = run("penalties", three_months, "--month", "2026-03", "--out", out)
    assert result.exit_code == 0, result.output
    assert "罚扣台账-2026-02.xlsx" in result.output
    assert not ledger_path(three_months, "2026-03").exists()
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:2] == [SUMMARY_SHEET, ITEMS_SHEET]
    summary, items = wb[SUMMARY_SHEET], wb[ITEMS_SHEET]
    assert summary.freeze_panes == "A2" and items.freeze_panes == "A2"
    head = {c.value: c.column for c in summary[1]}
    carried = summary.cell(2, head["结转下月"])
    assert carried.value == 0 and carried.number_format == "#,##0.00"
    assert summary.cell(2, head["上月结转"]).value == 150
    rows = [[c.value for c in r] for r in items.iter_rows(min_row=2)]
    assert [(r[1], r[2], r[3], r[4]) for r in rows] == [("张三", "P1", "260202002", 150)]
    assert read_ledger(out)["people"] == [{"person": "张三", "carried_forward": Decimal("0.00")}]


def test_a_rate_changed_in_the_folders_policy_changes_the_ledger(three_months):
    policy = three_months / "policy.toml"
    text = policy.read_text(encoding="utf-8")
    assert "per_day = 50" in text
    policy.write_text(text.replace("per_day = 50", "per_day = 80", 1), encoding="utf-8")
    item = _person(run_json("penalties", three_months, "--month", "2026-01"), "张三")["items"][0]
    assert item["amount"] == "400.00" and "× 80 元" in item["explanation"]


def test_calendar_days_in_the_folders_policy_count_every_day_late(three_months):
    policy = three_months / "policy.toml"
    text = policy.read_text(encoding="utf-8")
    policy.write_text(text.replace('day_kind = "working"', 'day_kind = "calendar"', 1), encoding="utf-8")
    item = _person(run_json("penalties", three_months, "--month", "2026-01"), "张三")["items"][0]
    assert item["amount"] == "350.00" and "回复超期 7 天" in item["explanation"]   # 01-13 … 01-19


def test_a_cap_share_changed_in_the_folders_policy_changes_the_deduction(three_months):
    policy = three_months / "policy.toml"
    text = policy.read_text(encoding="utf-8")
    policy.write_text(text.replace("\nshare = 0.50", "\nshare = 0.60", 1), encoding="utf-8")
    p = _person(run_json("penalties", three_months, "--month", "2026-01"), "张三")
    assert (p["limit"], p["deducted"], p["carried_forward"]) == ("600.00", "600.00", "50.00")


def test_days_of_one_delay_add_up_over_the_months(empty_registers):
    """However a late reply falls across months, the fines add up to the whole delay once."""
    cases = [("260105101", dt.date(2026, 1, 5), dt.date(2026, 3, 20)),
             ("260126102", dt.date(2026, 1, 26), dt.date(2026, 2, 27)),
             ("260210103", dt.date(2026, 2, 10), dt.date(2026, 2, 12)),   # on time
             ("251224104", dt.date(2025, 12, 24), dt.date(2026, 1, 9)),
             ("260320105", dt.date(2026, 3, 20), None)]                   # still open
    rows = [{"投诉编号": n, "受理日期": r, "责任人": "张三", "回复日期": a} for n, r, a in cases]
    d = fill_registers(empty_registers, {"人员": [{"姓名": "张三", "部门": "客户服务部", "岗位": "客服专员",
                                                 "月度效率奖金": 100000}], "投诉登记": rows})
    regs, policy, cal = load(d)
    per_day = policy["penalties"]["late_complaint"]["per_day"]
    months = [(2025, 12), (2026, 1), (2026, 2), (2026, 3), (2026, 4)]
    fined: dict[str, Decimal] = {}
    for m in months:
        for p in penalty_ledger(regs, policy, m, cal)["people"]:
            for i in p["items"]:
                fined[i["case"]] = fined.get(i["case"], Decimal(0)) + i["amount"]
    for number, received, answered in cases:
        due = cal.add_working_days(received, 5)
        last = answered or dt.date(2026, 4, 30)
        expected = per_day * max(0, cal.working_days_between(due, last))
        assert fined.get(number, Decimal(0)) == expected, number


def test_register_problems_are_findings_on_their_rows(empty_registers):
    d = fill_registers(empty_registers, {
        "人员": [{"姓名": "张三", "部门": "客户服务部", "岗位": "客服专员", "月度效率奖金": 1000, "基点": 1.2}],
        "投诉登记": [{"投诉编号": "260302001", "受理日期": dt.date(2026, 3, 2), "回复日期": dt.date(2026, 3, 16)}],
        "行政处分": [
            {"日期": dt.date(2026, 3, 3), "姓名": "张三", "处分类型": "罚款", "金额": 200},                 # no rule
            {"日期": dt.date(2026, 3, 4), "姓名": "张三", "处分类型": "罚款", "条款": "P2"},               # no amount
            {"日期": dt.date(2026, 3, 5), "姓名": "张三", "处分类型": "警告", "金额": 300},                 # below 400
            {"日期": dt.date(2026, 3, 6), "姓名": "赵六", "处分类型": "小过", "金额": 900},                 # no base points
            {"日期": dt.date(2026, 3, 7), "姓名": "赵六", "处分类型": "大过"},                              # no bonus
        ],
        "特批记录": [
            {"日期": dt.date(2026, 3, 9), "审批人": "钱七", "审批人岗位": "售后主管", "金额": 450},
            {"日期": dt.date(2026, 4, 9), "审批人": "钱七", "审批人岗位": "售后主管", "金额": 450},  # April: not this ledger
        ],
    })
    regs, policy, cal = load(d)
    r = penalty_ledger(regs, policy, "2026-03", cal)
    assert {(f["row"], f["column"], f["code"]) for f in r["findings"]} == {
        (2, "责任人", "penalty.no_person"),
        (2, "条款", "penalty.fine_rule"),
        (3, "金额", "penalty.fine_amount"),
        (4, "金额", "penalty.below_minimum"),
        (5, "金额", "penalty.sanction"),
        (6, "金额", "penalty.sanction"),
        (2, None, "approval.over_amount"),
    }
    p = _person(r, "张三")
    assert [(i["rule"], i["amount"]) for i in p["items"]] == [("P7", Decimal("300.00"))]  # entered amount kept, and reported


def test_sample_year(sample_dir):
    nov = run_json("penalties", sample_dir, "--month", "2025-11")
    item = _person(nov, "范浩")["items"][0]   # the planted late reply, row 37
    assert (item["rule"], item["case"], item["amount"], item["source"]["row"]) == ("P1", "251110035", "100.00", 37)
    march = run_json("penalties", sample_dir, "--month", "2026-03")
    assert (8, None, "approval.over_count") in {(f["row"], f["column"], f["code"]) for f in march["findings"]}
    april = _person(run_json("penalties", sample_dir, "--month", "2026-04"), "曾晓东")
    assert (april["uncapped"], april["items"][0]["rule"]) == ("1040.00", "P7")
    may = _person(run_json("penalties", sample_dir, "--month", "2026-05"), "卢璐")
    assert may["uncapped"] == may["bonus"] == "2300.00"   # 大过: the month's whole bonus


def test_text_output_and_errors(three_months):
    result = run("penalties", three_months, "--month", "2026-02")
    assert result.exit_code == 0
    assert "上月结转 150.00 + 本月应罚扣 500.00 → 本月扣款 500.00，结转下月 150.00" in result.output
    bad = run("penalties", three_months, "--month", "2026-13")
    assert bad.exit_code == 2 and "月份" in bad.output
    missing = run("penalties", three_months / "nope", "--month", "2026-01")
    assert missing.exit_code == 2 and "找不到台账目录" in missing.output


def test_out_refused_while_open_in_excel(three_months, tmp_path):
    out = tmp_path / "ledger.xlsx"
    (tmp_path / "~$ledger.xlsx").write_text("lock")
    result = run("penalties", three_months, "--month", "2026-01", "--out", out)
    assert result.exit_code == 2 and "正在 Excel 中打开" in result.output and not out.exists()


def test_previous_ledger_must_be_earlier(three_months):
    regs, policy, cal = load(three_months)
    with pytest.raises(UserError, match="应早于"):
        penalty_ledger(regs, policy, "2026-01", cal, {"month": "2026-01", "people": []})


def test_entered_fine_counts_against_the_cap_by_policy():
    p = default_policy()
    fine = entered_fine("P12", "王五", "XS1", 50, "开单未送", p)[0]
    assert fine.capped and fine.amount == Decimal("50.00") and fine.explanation == "XS1 开单未送，罚款 50.00 元"
    p["penalties"]["monthly_cap"]["rules"] = ["P1"]
    assert not entered_fine("P12", "王五", "XS1", 50, "开单未送", p)[0].capped


def test_a_level_dropped_from_the_policy_is_reported_not_ignored(sample_dir):
    policy = sample_dir / "policy.toml"
    text = policy.read_text(encoding="utf-8")
    start = text.index('[penalties.sanctions."小过"]')
    end = text.index("[penalties.sanctions.", start + 1)
    policy.write_text(text[:start] + text[end:], encoding="utf-8")
    r = run_json("penalties", sample_dir, "--month", "2026-04")
    assert r["people"] == []
    assert [(f["row"], f["column"], f["code"]) for f in r["findings"]] == [(6, "处分类型", "penalty.sanction_kind")]
