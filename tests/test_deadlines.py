"""Deadline rules, due moments, case status, overdue/late findings, 催办 data and the CLI."""
from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from generator.assess.checks import RunContext
from generator.assess.clocks import check_deadlines, overdue_cases
from generator.cli import app
from generator.config.policy import FRAGMENTS, default_policy
from generator.config.register_specs import load_specs
from generator.core.errors import UserError
from generator.registers.read import Record, Register, Table
from generator.rules.deadlines import (
    DONE,
    WORKING_DAY_CLOCKS,
    case_status,
    due_moment,
    get_rule,
    is_late,
    parse_rule,
    rules_from,
)
from generator.rules.workcal import WorkCalendar, calendar_from
from tests.conftest import write_rows

CASES = Path(__file__).parent / "cases"
POLICY = default_policy()
CAL = WorkCalendar()
runner = CliRunner()


def load(name):
    return yaml.safe_load((CASES / name).read_text(encoding="utf-8"))


def moment(v) -> dt.datetime | dt.date:
    """YAML value -> date, or datetime; "24:00" is the end of that day."""
    if isinstance(v, dt.date):
        return v
    day, _, clock = str(v).partition(" ")
    if clock == "24:00":
        return dt.datetime.fromisoformat(day).replace(hour=23, minute=59, second=59)
    return dt.datetime.fromisoformat(str(v)) if clock else dt.date.fromisoformat(day)


DUE_CASES = [(block["start"], rid, due, block["why"]) for block in load("deadlines.yaml")
             for rid, due in block["due"].items()]


@pytest.mark.parametrize("start,rule,due,why", DUE_CASES, ids=[f"{c[0]}-{c[1]}" for c in DUE_CASES])
def test_due_moment_of_every_default_rule(start, rule, due, why):
    assert due_moment(get_rule(POLICY, rule), moment(start), CAL) == moment(due)


def test_case_table_covers_every_default_rule_from_every_start():
    for block in load("deadlines.yaml"):
        assert set(block["due"]) == set(POLICY["deadlines"]), block["start"]


def test_issue_example_complaint_reply():
    rule = get_rule(POLICY, "complaint.reply")
    assert due_moment(rule, dt.datetime(2026, 9, 30, 16, 0), CAL) == dt.datetime(2026, 10, 13, 18, 0)


def test_rules_d1_to_d12_are_defined_with_sources():
    text = (FRAGMENTS / "20-calendar-deadlines.toml").read_text(encoding="utf-8")
    for n in range(1, 13):
        assert re.search(rf"^# D{n}\b", text, re.M), f"D{n} missing"
    required = {"complaint.reply", "complaint.dept_answer", "complaint.quality_memo", "complaint.close.domestic",
                "complaint.close.foreign", "ticket.callback", "ticket.dispatch.urban"}
    required |= {f"ticket.level{i}.response" for i in range(1, 5)} | {f"ticket.level{i}.onsite" for i in range(1, 4)}
    rules = rules_from(POLICY)
    assert required <= set(rules)
    for r in rules.values():
        assert re.fullmatch(r"00[0-4] .+", r.source), r.id
        assert re.search(r"[\u4e00-\u9fff]", r.title), r.id
    for line in text.splitlines():   # every amount cites the seed text it comes from
        if line.startswith("amount"):
            assert re.search(r"# 00[0-4] ", line), line


def test_a_day_clock_ends_at_close_of_business_from_the_policy():
    policy = default_policy()
    policy["calendar"]["business_hours"] = [["09:00", "12:00"], ["13:00", "17:30"]]
    due = due_moment(get_rule(policy, "complaint.reply"), dt.date(2026, 9, 30), calendar_from(policy))
    assert due == dt.datetime(2026, 10, 13, 17, 30)


@pytest.mark.parametrize("entry,message", [
    ({"clock": "weeks", "amount": 1}, "clock 未知"),
    ({"clock": "working_days", "amount": -1}, "不小于 0"),
    ({"clock": "working_days", "amount": "5"}, "不小于 0"),
    ({"clock": "calendar_days", "amount": Decimal("1.5")}, "必须是整数"),
    ({"clock": "nth_working_day", "amount": 0}, "至少为 1"),
])
def test_bad_rules_are_user_errors_naming_the_key(entry, message):
    with pytest.raises(UserError) as e:
        parse_rule("x.y", {**entry, "title": "测试", "source": "000"})
    assert message in e.value.message and 'deadlines."x.y"' in e.value.message


def test_fractional_hours_are_allowed():
    rule = parse_rule("half", {"clock": "working_hours", "amount": Decimal("1.5"), "title": "半", "source": "000"})
    assert due_moment(rule, dt.datetime(2026, 10, 9, 11, 0), CAL) == dt.datetime(2026, 10, 9, 14, 0)
    assert rule.describe() == "1.5 个工作小时"


def test_unknown_rule_lists_known_ids():
    with pytest.raises(UserError) as e:
        get_rule(POLICY, "complaint.nope")
    assert "complaint.nope" in e.value.message and "complaint.reply" in e.value.message


@pytest.mark.parametrize("rule,due,stop,late", [
    ("complaint.reply", "2026-10-13 18:00", dt.date(2026, 10, 13), False),      # date alone: due day allowed
    ("complaint.reply", "2026-10-13 18:00", dt.date(2026, 10, 14), True),
    ("complaint.reply", "2026-10-13 18:00", "2026-10-13 18:30", True),            # a time says more
    ("ticket.callback", "2026-10-13 10:00", dt.date(2026, 10, 13), True),        # date = end of that day
    ("ticket.callback", "2026-10-13 10:00", "2026-10-13 10:00", False),
    ("complaint.close.domestic", "2026-10-13 24:00", dt.date(2026, 10, 13), False),
])
def test_is_late(rule, due, stop, late):
    assert is_late(get_rule(POLICY, rule), moment(due), moment(stop)) is late


@pytest.mark.parametrize("case", load("deadlines_status.yaml"), ids=lambda c: c["why"])
def test_case_status(case):
    got = case_status(moment(case["due"]), case["stop"], moment(case["today"]), CAL, case["soon_days"])
    assert got == case["status"]
    assert (got == DONE) is (case["stop"] is not None)


# ---------------------------------------------------------------------------
# Findings and reminders over a complaints register.

CHECK = load("deadlines_check.yaml")
COMPLAINTS = load_specs()["complaints"]


def complaints_register(rows) -> Register:
    sheet = COMPLAINTS.sheet("complaints")
    records = [Record(row=r["row"], values={k: v for k, v in r.items() if k != "row"}, raw={}) for r in rows]
    return Register(spec=COMPLAINTS, path=Path("complaints.xlsx"),
                    tables={"complaints": Table(spec=sheet, records=records)})


def context(rows, today=CHECK["today"], policy=None) -> RunContext:
    return RunContext(registers={"complaints": complaints_register(rows)}, policy=policy or default_policy(),
                        today=today)


def test_overdue_and_late_findings():
    findings = check_deadlines(context(CHECK["rows"]))
    got = sorted((f.row, f.column, f.code) for f in findings)
    assert got == sorted((e["row"], e["column"], e["code"]) for e in CHECK["findings"])
    by_key = {(f.row, f.column): f for f in findings}
    for e in CHECK["findings"]:
        f = by_key[(e["row"], e["column"])]
        assert e["says"] in f.message, f.message
        assert f.severity == ("error" if e["code"] == "deadline.overdue" else "warning")
        assert f.register == "complaints" and f.sheet == "投诉登记"


def test_overdue_message_names_rule_due_and_column():
    f = next(f for f in check_deadlines(context(CHECK["rows"])) if f.row == 4)
    assert f.message == (
        "261009001 「5 个工作日内答复客户」（D7 complaint.reply：5 个工作日，《客户投诉及售后服务管理制度》Ⅲ）已超期 3 个工作日："
        "自受理日期 2026-10-09 起算，应于 2026-10-15 18:00 前完成，截至 2026-10-20「回复日期」仍为空")


def test_overdue_less_than_a_working_day():
    rows = [{"row": 2, "complaint_no": "1", "received": dt.date(2026, 10, 9), "region": "国内"}]
    (f,) = check_deadlines(context(rows, today=dt.date(2026, 10, 16)))   # reply due Thursday 10-15
    assert "已超期 1 个工作日" in f.message
    rows[0]["received"] = dt.date(2026, 10, 10)                          # reply due Friday 10-16
    (f,) = check_deadlines(context(rows, today=dt.date(2026, 10, 17)))   # Saturday: overdue, no working day yet
    assert "已超期（不足 1 个工作日）" in f.message


def test_late_by_hours_on_an_hour_clock():
    tickets = load_specs()["tickets"]
    sheet = tickets.sheet("tickets")
    rec = Record(row=2, values={"ticket_no": "YX261001", "received": dt.datetime(2026, 10, 9, 9, 0), "level": "三级",
                                "responded": dt.datetime(2026, 10, 9, 11, 20), "engineer": "王五"}, raw={})
    reg = Register(spec=tickets, path=Path("tickets.xlsx"), tables={"tickets": Table(spec=sheet, records=[rec])})
    ctx = RunContext(registers={"tickets": reg}, policy=default_policy(), today=dt.date(2026, 10, 20))
    got = {(f.column, f.code): f.message for f in check_deadlines(ctx)}
    assert set(got) == {("响应时间", "deadline.late")}  # callback and level-3 response share the column
    msgs = {f.message.split("（")[1].split("：")[0]: f.message for f in check_deadlines(ctx)}
    # D3's level clock replaces D1's 1-hour callback on a ticket with a fault level (policy `overrides`)
    assert set(msgs) == {"D3 ticket.level3.response"}
    assert "晚了 20 分钟" in msgs["D3 ticket.level3.response"]


def test_a_rule_the_company_removed_switches_its_clock_off():
    policy = default_policy()
    del policy["deadlines"]["complaint.reply"]
    codes = {(f.row, f.column) for f in check_deadlines(context(CHECK["rows"], policy=policy))}
    assert (4, "回复日期") not in codes and (5, "结案日期") in codes


def test_uncovered_year_is_one_finding_per_sheet_not_a_crash():
    rows = [{"row": r, "complaint_no": str(r), "received": dt.date(2026, 12, 29), "region": "国内"} for r in (2, 3)]
    findings = check_deadlines(context(rows, today=dt.date(2027, 1, 20)))
    assert [(f.row, f.column, f.code) for f in findings] == [(None, None, "deadline.calendar")]
    assert "2027 年" in findings[0].message and "第 2、3 行" in findings[0].message
    assert overdue_cases(context(rows, today=dt.date(2027, 1, 20))) == []
    many = [{**rows[0], "row": r} for r in range(2, 14)]
    (f,) = check_deadlines(context(many, today=dt.date(2027, 1, 20)))
    assert "第 2、3、4、5、6、7、8、9、10、11 等 12 行" in f.message


def test_overdue_cases_grouped_by_department_and_person():
    groups = overdue_cases(context(CHECK["rows"]))
    got = [{"dept": g["dept"], "person": g["person"],
            "cases": [{k: c[k] for k in ("case_no", "rule", "due", "days_overdue", "calendar_days_overdue")}
                      for c in g["cases"]]} for g in groups]
    want = [{**g, "cases": [{**c, "due": moment(c["due"])} for c in g["cases"]]} for g in CHECK["reminders"]]
    assert got == want
    case = groups[0]["cases"][0]
    assert (case["register"], case["sheet"], case["row"], case["rule_title"]) == (
        "complaints", "投诉登记", 5, "责任部门 3 个工作日内答复")


def test_unassigned_cases_come_last():
    rows = [dict(r) for r in CHECK["rows"]]
    rows[2].pop("dept")
    rows[2].pop("owner")
    groups = overdue_cases(context(rows))
    assert (groups[-1]["dept"], groups[-1]["person"]) == (None, None)


# ---------------------------------------------------------------------------
# Properties: adding then counting, and working clocks never end on a rest day.

WORKING_RULES = sorted(r for r, e in POLICY["deadlines"].items()
                       if e["clock"] in WORKING_DAY_CLOCKS | {"working_hours"})


@settings(max_examples=300, deadline=None)
@given(st.datetimes(dt.datetime(2024, 1, 1), dt.datetime(2026, 10, 31)), st.sampled_from(WORKING_RULES))
def test_working_deadlines_never_land_on_a_rest_day(start, rule_id):
    due = due_moment(get_rule(POLICY, rule_id), start, CAL)
    assert CAL.is_working(due.date())
    assert due > start
    assert any(a < due.time() <= b for a, b in CAL.hours)


@settings(max_examples=200, deadline=None)
@given(st.dates(dt.date(2024, 1, 1), dt.date(2026, 6, 30)), st.integers(1, 60))
def test_working_day_rule_counts_back_to_its_amount(start, n):
    rule = parse_rule("p", {"clock": "working_days", "amount": n, "title": "性质", "source": "000"})
    due = due_moment(rule, start, CAL)
    assert CAL.working_days_between(start, due.date()) == n


# ---------------------------------------------------------------------------
# CLI


def test_cli_deadline_json_matches_issue_example():
    result = runner.invoke(app, ["deadline", "complaint.reply", "2026-09-30T16:00", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "rule": "complaint.reply", "start": "2026-09-30T16:00:00", "due": "2026-10-13T18:00:00",
        "title": "5 个工作日内答复客户", "clock": "working_days", "amount": 5, "source": "004 Ⅲ"}


def test_cli_deadline_text_and_date_only_start():
    result = runner.invoke(app, ["deadline", "complaint.close.domestic", "2026-09-30"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "complaint.close.domestic  国内投诉 13 天内结案（13 天，《客户投诉及售后服务管理制度》Ⅷ (十)1）",
        "起算 2026-09-30 00:00（星期三）",
        "到期 2026-10-13 24:00（星期二）",
    ]


@pytest.mark.parametrize("args,message", [
    (["deadline", "complaint.nope", "2026-09-30"], "complaint.reply"),
    (["deadline", "complaint.reply", "2027-03-01"], "extra_covered_years"),
    (["deadline", "complaint.reply", "下周一"], "无法识别"),
])
def test_cli_deadline_errors_exit_2(args, message):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output.replace("\n", "")


COMPLAINT_HEAD = ["投诉编号", "受理日期", "受理渠道", "客户名称", "投诉类别", "投诉内容", "国内国外",
                  "责任部门", "责任人", "转交日期", "部门答复日期", "回复日期", "结案日期"]
KEYS = ["complaint_no", "received", "channel", "customer", "category", "description", "region",
        "dept", "owner", "transferred", "dept_answered", "replied", "closed"]


def _write_complaints(folder: Path):
    rows = [COMPLAINT_HEAD]
    for r in CHECK["rows"]:
        # a suggestion: no class-specific clock (D6 quality memo, D19 revisits) joins the table's
        values = {"channel": "电话", "customer": "甲公司", "category": "建议", "description": "x", **r}
        rows.append([values.get(k) for k in KEYS])
    write_rows(folder / "complaints.xlsx", "投诉登记", rows)


def test_cli_remind_reads_the_folder_and_its_holiday_sheet(empty_registers):
    _write_complaints(empty_registers)
    args = ["remind", str(empty_registers), "--today", "2026-10-20", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["today"] == "2026-10-20"
    assert [(g["dept"], g["person"], len(g["cases"])) for g in data["groups"]] == [
        ("客户服务部", "李四", 3), ("质量管理部", "张三", 1)]
    assert data["groups"][1]["cases"][0]["due"] == "2026-10-15T18:00:00"
    assert data["groups"][1]["cases"][0]["days_overdue"] == 3
    # the company makes Monday 10-19 a rest day: one working day less overdue
    write_rows(empty_registers / "master.xlsx", "节假日", [["日期", "类型", "说明"], [dt.date(2026, 10, 19), "休", "厂休"]])
    data = json.loads(runner.invoke(app, args).stdout)
    assert data["groups"][1]["cases"][0]["days_overdue"] == 2


def test_cli_remind_table_and_nothing_overdue(empty_registers):
    _write_complaints(empty_registers)
    result = runner.invoke(app, ["remind", str(empty_registers), "--today", "2026-10-20"])
    assert result.exit_code == 0, result.output
    assert "超期未办案件" in result.stdout and "260920001" in result.stdout and "共 4 件" in result.stdout
    result = runner.invoke(app, ["remind", str(empty_registers), "--today", "2026-09-21"])
    # the test's sheet has no 回访日期 column: the D19 revisit clocks are said not to be judged
    assert result.stdout.strip() == "截至 2026-09-21 没有超期未办的案件（上列各项未能判断，不在其内）"
    assert "未能判断：客户投诉登记 › 投诉登记：找不到列「回访日期」" in result.output


def test_cli_remind_missing_folder(tmp_path):
    result = runner.invoke(app, ["remind", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "找不到台账目录" in result.output


def test_cli_deadline_with_a_company_folder(empty_registers):
    write_rows(empty_registers / "master.xlsx", "节假日", [["日期", "类型"], [dt.date(2026, 10, 12), "休"]])
    result = runner.invoke(app, ["deadline", "complaint.reply", "2026-09-30T16:00", "--dir", str(empty_registers),
                                 "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["due"] == "2026-10-14T18:00:00"
    (empty_registers / "master.xlsx").unlink()            # a folder without master data: state calendar
    result = runner.invoke(app, ["deadline", "complaint.reply", "2026-09-30", "--dir", str(empty_registers)])
    assert result.exit_code == 0 and "到期 2026-10-13 18:00" in result.stdout


@pytest.mark.parametrize("command", ["deadline", "remind"])
def test_commands_have_chinese_help(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and re.search(r"[\u4e00-\u9fff]", result.stdout)


def test_cli_remind_renders_a_reminder_form_per_overdue_case(empty_registers, tmp_path):
    from docx import Document

    _write_complaints(empty_registers)
    out = tmp_path / "催办"
    result = runner.invoke(app, ["remind", str(empty_registers), "--today", "2026-10-20", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("*.docx"))
    data = json.loads(result.stdout)
    cases = {c["case_no"] for g in data["groups"] for c in g["cases"]}   # one form per case, all its clocks
    assert [f.stem for f in files] == sorted(f"reminder_{n}" for n in cases) and len(data["files"]) == len(cases)
    text = "\n".join(c.text for t in Document(files[0]).tables for row in t.rows for c in row.cells)
    assert "催办" in "\n".join(p.text for p in Document(files[0]).paragraphs) + text
