"""The penalty ledger across the year end: no money lost, nothing after today, saved carry-over checked."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from generator.assess.ledger import chain_ledgers, ledger_path, penalty_ledger
from generator.config.policy import with_extra_covered_years
from generator.core.errors import UserError
from generator.rules.holiday_notice import parse_notice
from tests.test_calendar import NOTICE_2027
from tests.test_ledger import _person, fill_registers, load, run

D = dt.date
TODAY = D(2027, 2, 1)
ROWS = {
    "人员": [{"姓名": "张三", "部门": "客户服务部", "岗位": "客服专员", "月度效率奖金": 1000, "基点": 1}],
    "投诉登记": [
        # due 11-09, replied 12-31: late from 11-10 to 12-31 (15 + 23 working days × 50)
        {"投诉编号": "261102001", "受理日期": D(2026, 11, 2), "回复日期": D(2026, 12, 31), "责任人": "张三"},
        # due 12-25, still open: late days run on into 2027
        {"投诉编号": "261218001", "受理日期": D(2026, 12, 18), "责任人": "张三"},
    ],
}


@pytest.fixture(scope="module")
def year_end(tmp_path_factory, empty_dir_session) -> Path:
    d = tmp_path_factory.mktemp("year_end") / "registers"
    shutil.copytree(empty_dir_session, d)
    return fill_registers(d, ROWS)


@pytest.fixture(scope="module")
def covered(year_end, tmp_path_factory) -> Path:
    """The same registers with the 2027 notice's days entered and the year marked (as `calendar import --write`)."""
    d = tmp_path_factory.mktemp("covered") / "registers"
    shutil.copytree(year_end, d)
    days = parse_notice(NOTICE_2027.read_text(encoding="utf-8")).company_days()
    fill_registers(d, {"节假日": [{"日期": day, "类型": kind, "说明": note} for day, kind, note in days]})
    policy = d / "policy.toml"
    policy.write_text(with_extra_covered_years(policy.read_text(encoding="utf-8"), [2027]), encoding="utf-8")
    return d


def test_a_month_past_the_calendar_is_an_error_not_an_empty_ledger(year_end):
    regs, policy, cal = load(year_end)
    with pytest.raises(UserError, match="2027-01 的罚扣台账无法计算"):
        penalty_ledger(regs, policy, "2027-01", cal, today=TODAY)
    result = run("penalties", year_end, "--month", "2027-01", "--today", TODAY, "--save")
    assert result.exit_code == 2 and "2027 年" in result.output
    assert not ledger_path(year_end, "2027-01").exists()
    december = penalty_ledger(regs, policy, "2026-12", cal, today=TODAY)          # December is still countable
    assert _person(december, "张三")["carried_forward"] > 0


def test_carry_over_across_the_year_end_with_and_without_a_saved_ledger(covered, tmp_path):
    regs, policy, cal = load(covered)
    nov, dec, jan = chain_ledgers(regs, policy, ["2026-11", "2026-12", "2027-01"], cal, today=TODAY)
    assert _person(nov, "张三")["assessed"] == Decimal("750.00")            # 15 working days late in November
    assert _person(dec, "张三")["carried_in"] == Decimal("250.00")
    replayed = penalty_ledger(regs, policy, "2027-01", cal, today=TODAY)    # no saved ledger: from the registers
    assert _person(replayed, "张三")["carried_in"] == _person(jan, "张三")["carried_in"] == _person(dec, "张三")["carried_forward"]
    assert run("penalties", covered, "--month", "2026-12", "--today", TODAY, "--save").exit_code == 0
    saved = json.loads(run("penalties", covered, "--month", "2027-01", "--today", TODAY, "--json").output)
    assert saved["carry_basis"]["file"] == "罚扣台账-2026-12.xlsx" and saved["complete"]
    assert _person(saved, "张三")["carried_in"] == str(_person(jan, "张三")["carried_in"])
    assert not [f for f in saved["findings"] if f["code"] == "penalty.carry_mismatch"]
    # a manager waives 100 yuan in the saved December ledger: used, and reported
    path = ledger_path(covered, "2026-12")
    wb = openpyxl.load_workbook(path)
    ws = wb["罚扣汇总"]
    col = [c.value for c in ws[1]].index("结转下月") + 1
    ws.cell(2, col).value = float(_person(dec, "张三")["carried_forward"] - 100)
    wb.save(path)
    waived = json.loads(run("penalties", covered, "--month", "2027-01", "--today", TODAY, "--json").output)
    assert Decimal(_person(waived, "张三")["carried_in"]) == _person(jan, "张三")["carried_in"] - 100
    (f,) = [f for f in waived["findings"] if f["code"] == "penalty.carry_mismatch"]
    assert "张三" in f["message"] and "按已保存的台账结转" in f["message"]


def test_nothing_after_today_counts_and_an_unfinished_month_says_so(covered):
    regs, policy, cal = load(covered)
    part = penalty_ledger(regs, policy, "2026-11", cal, today=D(2026, 11, 13))
    assert part["until"] == D(2026, 11, 13) and not part["complete"]
    assert _person(part, "张三")["assessed"] == Decimal("200.00")         # 11-10 … 11-13: 4 working days
    result = run("penalties", covered, "--month", "2026-11", "--today", "2026-11-13", "--save")
    assert result.exit_code == 1 and "尚未结束" in result.output
    assert not ledger_path(covered, "2026-11").exists()
    with pytest.raises(UserError, match="尚未开始"):
        penalty_ledger(regs, policy, "2026-12", cal, today=D(2026, 11, 13))
