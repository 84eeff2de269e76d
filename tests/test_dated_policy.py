"""Rates in force at the time: dated policy values, their validation, and ledgers on both sides of a change."""
from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from generator.assess.ledger import penalty_ledger
from generator.config.policy import default_policy_text, load_policy
from generator.core.dotted import in_force, policy_at
from generator.core.errors import UserError
from tests.test_ledger import _person, fill_registers, load

PER_DAY = "per_day = 50 "
DATED = ('per_day = [{since = 2015-01-01, value = 50, source = "001 §14 4.5 1)"}, '
         '{since = 2026-07-01, value = 80, source = "公司通知 2026-06"}] ')


def policy_file(tmp_path: Path, old: str, new: str) -> Path:
    text = default_policy_text()
    assert old in text
    path = tmp_path / "policy.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_dated_value_is_the_one_in_force_on_the_day(tmp_path):
    policy = load_policy(policy_file(tmp_path, PER_DAY, DATED))
    per_day = lambda day: policy_at(policy, day)["penalties"]["late_complaint"]["per_day"]  # noqa: E731
    assert (per_day(dt.date(2026, 6, 30)), per_day(dt.date(2026, 7, 1))) == (50, 80)
    (rate,) = in_force(policy, dt.date(2026, 7, 1))
    assert rate == {"key": "penalties.late_complaint.per_day", "value": 80, "since": dt.date(2026, 7, 1),
                    "source": "公司通知 2026-06"}
    with pytest.raises(UserError, match="还没有生效的值"):
        policy_at(policy, dt.date(2014, 12, 31))


@pytest.mark.parametrize("old, new, says", [
    (PER_DAY, 'per_day = [{since = 2026-07-01, value = 80}, {since = 2015-01-01, value = 50}] ', "按 since 从早到晚"),
    (PER_DAY, 'per_day = [{since = 2015-01-01, value = 50}, {since = 2015-01-01, value = 80}] ', "重复的 since"),
    (PER_DAY, 'per_day = [{since = 2015-01-01, value = 50}, {since = 2026-07-01, value = "80"}] ', "第 2 条的 value 类型"),
    (PER_DAY, 'per_day = [{since = 2015-01-01, value = 50, by = "x"}] ', "未知的键 by"),
    (PER_DAY, 'per_day = [{since = 2015-01-01, value = -5}] ', "penalties.late_complaint.per_day 第 1 条 不能为负数"),
    (PER_DAY, "per_day = -50 ", "penalties.late_complaint.per_day 不能为负数"),
    ("share = 0.50                       # 罚扣", "share = -0.5 # 罚扣", "penalties.monthly_cap.share 应在 0 到 1 之间"),
    ("share = 0.50                       # 罚扣", "share = 1.5 # 罚扣", "penalties.monthly_cap.share 应在 0 到 1 之间"),
    ("tax_rate = 0.15 ", "tax_rate = -0.15 ", "fees.tax_rate 应在 0 到 1 之间"),
])
def test_bad_dated_lists_and_ranges_are_rejected_with_the_dotted_key(tmp_path, old, new, says):
    with pytest.raises(UserError) as e:
        load_policy(policy_file(tmp_path, old, new))
    assert says in e.value.message


def test_a_rate_change_on_1_july_is_seen_in_june_and_july(tmp_path, empty_dir_session):
    d = tmp_path / "registers"
    shutil.copytree(empty_dir_session, d)
    policy_file(d, PER_DAY, DATED)
    fill_registers(d, {
        "人员": [{"姓名": "张三", "部门": "客户服务部", "岗位": "客服专员", "月度效率奖金": 10000, "基点": 1}],
        # due 06-08; replied 07-03: late 06-09 … 06-30 (15 working days, 06-19 端午) and 07-01 … 07-03 (3)
        "投诉登记": [{"投诉编号": "260601001", "受理日期": dt.date(2026, 6, 1), "回复日期": dt.date(2026, 7, 3),
                      "责任人": "张三"}],
    })
    regs, policy, cal = load(d)
    june = penalty_ledger(regs, policy, "2026-06", cal, today=dt.date(2026, 8, 1))
    july = penalty_ledger(regs, policy, "2026-07", cal, today=dt.date(2026, 8, 1))
    assert _person(june, "张三")["assessed"] == Decimal("750.00")        # 15 × 50
    assert _person(july, "张三")["assessed"] == Decimal("240.00")        # 3 × 80
    assert [r["value"] for r in june["rates"]] == [50] and [r["value"] for r in july["rates"]] == [80]
    assert "× 80 元" in _person(july, "张三")["items"][0]["explanation"]
