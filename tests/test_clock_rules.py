"""Every deadline rule of RULES.md §4 and §9 bound to register columns: one hand-worked case per
rule (tests/cases/clock_rules.yaml, quoting the seed), the clocks a company does not keep, and
the policy's precedence between seeds."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

from generator.assess.checks import RunContext
from generator.assess.clocks import check_deadlines, overdue_cases, unchecked_clocks
from generator.assess.ledger import penalty_ledger
from generator.cli import app
from generator.config.policy import default_policy
from generator.config.register_specs import load_specs
from generator.registers.read import Record, Register, Table, read_register

TABLE = yaml.safe_load((Path(__file__).parent / "cases" / "clock_rules.yaml").read_text(encoding="utf-8"))
SPECS = load_specs()
RULE = re.compile(r"（(D\d+ [\w.]+)：")
RULE_ONLY = re.compile(r"（(D\d+ [\w.]+)）")


def typed(sheet, values: dict) -> dict:
    """YAML values as the reader types them: "YYYY-MM-DD HH:MM" for datetime columns."""
    out = {}
    for key, v in values.items():
        if sheet.column(key).type == "datetime":
            v = dt.datetime.fromisoformat(v)
        out[key] = v
    return out


def context(register: str, sheet_key: str, rows: list[dict], policy=None, columns=None) -> RunContext:
    spec = SPECS[register]
    sheet = spec.sheet(sheet_key)
    records = [Record(row=i, values=typed(sheet, r), raw={}) for i, r in enumerate(rows, start=2)]
    table = Table(spec=sheet, records=records, columns=columns or {})
    return RunContext(registers={register: Register(spec, Path(spec.workbook), {sheet_key: table})},
                      policy=policy or default_policy(), today=TABLE["today"])


def policy_for(case) -> dict:
    policy = default_policy()
    for rule in case.get("drop_rules", ()):
        del policy["deadlines"][rule]
    return policy


@pytest.mark.parametrize("case", TABLE["cases"], ids=lambda c: f"{c['ref']}-{c['sheet']}-{c['why'][:12]}")
def test_each_rule_reported_with_its_id(case):
    ctx = context(case["register"], case["sheet"], case["rows"], policy_for(case))
    found = check_deadlines(ctx)
    got = {(f.row, RULE.search(f.message).group(1), f.column, f.code): f.message for f in found}
    want = {(e["row"], e["rule"], e["column"], e["code"]): e["says"] for e in case["findings"]}
    assert set(got) == set(want), case["seed"]
    for key, says in want.items():
        assert says in got[key], got[key]


def test_every_deadline_rule_of_the_catalogue_has_a_case():
    covered = {ref for c in TABLE["cases"] for ref in c["ref"].split("/")}
    assert covered >= {f"D{n}" for n in range(1, 20)} - {"D17", "D18"}   # 催办/洽办单 and statistics: forms


def test_every_bound_rule_names_its_catalogue_rule_and_exists_in_the_policy():
    rules = default_policy()["deadlines"]
    for spec in SPECS.values():
        for sheet in spec.sheets:
            for b in sheet.deadlines:
                assert re.fullmatch(r"D\d+", b.ref), (sheet.key, b.rule)
                assert b.rule in rules, (sheet.key, b.rule)
                for key in (b.start, b.stop, *b.also_stop, *(k for k, _ in b.when)):
                    assert sheet.has(key), (sheet.key, b.rule, key)
    for rid, entry in rules.items():   # an override names a rule that exists
        assert set(entry.get("overrides", ())) <= set(rules), rid


def test_a_level_four_ticket_answered_in_two_hours_is_on_time_and_d1_still_runs_without_a_level():
    """RULES.md §9: D3 by fault level is more specific than D1's hour for every call."""
    rows = [{"received": "2026-10-12 09:00", "level": "四级", "responded": "2026-10-12 11:00"},
            {"received": "2026-10-12 09:00", "responded": "2026-10-12 11:00"}]
    found = check_deadlines(context("tickets", "tickets", rows))
    assert [(f.row, RULE.search(f.message).group(1)) for f in found] == [(3, "D1 ticket.callback")]
    policy = default_policy()
    del policy["deadlines"]["ticket.level4.response"]["overrides"]   # a company that wants both
    found = check_deadlines(context("tickets", "tickets", rows, policy))
    assert sorted((f.row, RULE.search(f.message).group(1)) for f in found) == [
        (2, "D1 ticket.callback"), (3, "D1 ticket.callback")]


def test_optional_columns_left_empty_are_one_line_per_sheet_not_a_flood():
    rows = [{"received": "2026-10-12 09:00", "level": "四级", "responded": "2026-10-12 09:10",
             "completed": "2026-10-12 10:00", "revisited": dt.date(2026, 10, 12)}] * 3
    ctx = context("tickets", "tickets", rows)
    assert check_deadlines(ctx) == []
    (line,) = unchecked_clocks(ctx)
    assert (line.register, line.sheet, line.row, line.code, line.severity) == (
        "tickets", "售后工单", None, "deadline.unchecked", "warning")
    assert "D4 ticket.form（「处理单填写时间」未填写）" in line.message
    assert "D4 ticket.verify（「结果核实时间」未填写）" in line.message
    assert "D1" not in line.message
    assert "D2" not in line.message   # no ticket on site: D2 would not have run anyway
    fresh = [{**rows[0], "received": "2026-10-20 09:00", "responded": "2026-10-20 09:10",
              "completed": "2026-10-20 10:00", "revisited": dt.date(2026, 10, 20)}]
    assert unchecked_clocks(context("tickets", "tickets", fresh)) == []   # nothing due yet: nothing to say


def test_a_column_missing_from_the_workbook_leaves_its_clock_unchecked():
    rows = [{"received": dt.date(2026, 10, 9), "category": "建议", "transferred": dt.date(2026, 10, 9)}]
    sheet = SPECS["complaints"].sheet("complaints")
    present = {c.key: i for i, c in enumerate(sheet.columns, start=1) if c.key != "dept_answered"}
    ctx = context("complaints", "complaints", rows, columns=present)
    found = check_deadlines(ctx)
    assert {RULE.search(f.message).group(1) for f in found if f.code == "deadline.overdue"} == {"D7 complaint.reply"}
    lost = [f for f in found if f.code == "deadline.no_column"]   # said once per clock, with its rule id
    assert {RULE_ONLY.search(f.message).group(1) for f in lost} == {
        "D7 complaint.dept_answer", "D6 complaint.internal", "D6 complaint.service_opinion"}
    assert {f.column for f in lost} == {"部门答复日期"}
    assert unchecked_clocks(ctx) == []


def test_remind_lists_the_new_clocks_with_their_rule_id():
    rows = [{"contract_no": "BY26001", "customer": "甲公司", "ends": dt.date(2026, 11, 15), "owner": "王五"}]
    (group,) = overdue_cases(context("tickets", "contracts", rows))
    (case,) = group["cases"]
    assert (group["person"], case["ref"], case["rule"], case["calendar_days_overdue"]) == (
        "王五", "D14", "contract.expiry_notice", 5)


def test_p1_fines_a_late_department_answer_like_a_late_reply():
    """001 §14 4.5 1) "客服及投诉处理人应严格按照时间要求积极处理…每拖延1天，给以相关责任人50元处罚":
    transferred Friday 10-09, answer due Tuesday 10-13 (10-10, 10-12, 10-13), answered Thursday 10-15."""
    rows = [{"complaint_no": "261009001", "received": dt.date(2026, 10, 9), "category": "建议", "owner": "张三",
             "transferred": dt.date(2026, 10, 9), "dept_answered": dt.date(2026, 10, 15),
             "replied": dt.date(2026, 10, 15)}]
    ctx = context("complaints", "complaints", rows)
    ledger = penalty_ledger(ctx.registers, ctx.policy, "2026-10", ctx.calendar)
    (person,) = ledger["people"]
    (item,) = person["items"]
    assert (person["person"], item["rule"], str(item["amount"])) == ("张三", "P1", "100.00")
    assert "部门答复超期 2 个工作日 × 50 元" in item["explanation"]


def test_check_and_remind_on_the_sample_year_name_the_rule(sample_dir_session):
    """The planted D14 case of the sample year through the commands (read only: no --out)."""
    runner = CliRunner()
    result = runner.invoke(app, ["check", str(sample_dir_session), "--today", "2026-06-30", "--json"])
    messages = [f["message"] for f in json.loads(result.stdout)["findings"] if f["code"].startswith("deadline.")]
    assert any("（D14 contract.expiry_notice：" in m and "已超期 10 天" in m for m in messages)
    assert any("（D9 call.missed：" in m and "晚了 2 小时" in m for m in messages)
    result = runner.invoke(app, ["remind", str(sample_dir_session), "--today", "2026-06-30", "--json"])
    cases = [c for g in json.loads(result.stdout)["groups"] for c in g["cases"]]
    assert [(c["ref"], c["rule"], c["sheet"]) for c in cases] == [("D14", "contract.expiry_notice", "保养合同")]


def test_a_workbook_made_before_the_clock_sheets_still_reads(empty_registers):
    path = empty_registers / "complaints.xlsx"
    wb = openpyxl.load_workbook(path)
    del wb["召回登记"]
    wb.save(path)
    reg = read_register(empty_registers, "complaints")
    assert reg.tables["recalls"].records == [] and reg.tables["complaints"].records == []
