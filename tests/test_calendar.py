"""The calendar across the year end: the State Council notice, coverage, the 工作日 sheet and its
cached 状态 values, the same in Python and in a LibreOffice recalculation."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import zipfile
from pathlib import Path

import chinese_calendar
import openpyxl
import pytest
import python_calamine as calamine
from typer.testing import CliRunner

from generator.cli import app
from generator.config.policy import load_policy, with_extra_covered_years
from generator.core.errors import UserError
from generator.registers.calendar_sheet import (
    folder_calendar,
    status_cache,
    status_value,
    with_cached_values,
    workday_rows,
    write_cached_values,
)
from generator.registers.read import read_register
from generator.registers.safewrite import edit_workbook
from generator.rules.deadlines import case_status, due_moment, get_rule
from generator.rules.holiday_notice import parse_notice
from generator.rules.workcal import WorkCalendar, coverage, last_covered_day
from tests.conftest import needs_soffice, put_rows, soffice_convert_all
from tests.test_writes import CUSTOM, X14, R

NOTICES = Path(__file__).parent / "cases" / "notices"
NOTICE_2026 = (NOTICES / "notice-2026.txt").read_text(encoding="utf-8")        # the published text
NOTICE_2027 = NOTICES / "notice-2027-madeup.txt"                              # made up, same pattern
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


# ---------------------------------------------------------------------------- the notice

def test_the_2026_notice_gives_exactly_the_package_days():
    notice = parse_notice(NOTICE_2026)
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    package_rest = [d for d in days if d.weekday() < 5 and not chinese_calendar.is_workday(d)]
    package_work = [d for d in days if d.weekday() >= 5 and chinese_calendar.is_workday(d)]
    assert notice.year == 2026 and len(notice.holidays) == 7
    assert notice.rest_days == package_rest and len(package_rest) == 19
    assert notice.work_days == package_work and len(package_work) == 6


def test_half_width_punctuation_and_a_one_day_holiday_and_an_explicit_year():
    text = ("关于2023年部分节假日安排的通知\n一、元旦:2022年12月31日(周六)至2023年1月2日(周一)放假调休,共3天。\n"
            "五、端午节：6月22日（周四）放假，共1天。")
    notice = parse_notice(text)
    assert notice.holidays[0].off == (dt.date(2022, 12, 31), dt.date(2023, 1, 1), dt.date(2023, 1, 2))
    assert notice.rest_days == [dt.date(2023, 1, 2), dt.date(2023, 6, 22)]


@pytest.mark.parametrize("line, why", [
    ("二、春节：2月15日（周日）至23日（周一）放假调休，共8天。", "共 8 天"),
    ("二、春节：2月15日（周日）至23日（周一）放假调休，共9天。2月16日（周一）上班。", "不是周末"),
    ("二、春节：2月15日至23日放个长假，共9天。", "放假日期写法不认识"),
    ("二、春节：2月15日（周日）至23日（周一）放假调休，共9天。2月14日（周六）补班。", "上班日写法不认识"),
    ("二、春节：2月30日放假，共1天。", "日期不存在"),
])
def test_a_line_it_cannot_read_fully_is_an_error_naming_the_line(line, why):
    with pytest.raises(UserError) as e:
        parse_notice(f"关于2026年部分节假日安排的通知\n一、元旦：1月1日（周四）放假，共1天。\n{line}")
    assert "第 3 行" in e.value.message and why in e.value.message


def test_a_text_without_year_or_holidays_is_refused():
    with pytest.raises(UserError):
        parse_notice("一、元旦：1月1日放假，共1天。")
    with pytest.raises(UserError):
        parse_notice("关于2027年部分节假日安排的通知\n各省、自治区：")


# ---------------------------------------------------------------------------- coverage

def test_coverage_and_the_last_covered_day():
    cal = WorkCalendar()
    info = coverage(cal, set(), dt.date(2026, 12, 1))
    assert info["last_day"] == dt.date(2026, 12, 31) and info["days_left"] == 30 and info["expiring"]
    notice = parse_notice(NOTICE_2027.read_text(encoding="utf-8"))
    cal27 = WorkCalendar({d: k == "班" for d, k, _ in notice.company_days()}, [2027])
    info = coverage(cal27, {2027}, dt.date(2026, 12, 1))
    assert info["years"][-1] == {"from": 2027, "to": 2027, "source": "导入的国务院通知（基础数据「节假日」）"}
    assert not info["expiring"] and last_covered_day(WorkCalendar(extra_years=[2028])) == dt.date(2026, 12, 31)
    days, last = workday_rows(WorkCalendar(extra_years=[2028]))     # never across a missing year
    assert last == dt.date(2026, 12, 31) and days[-1] == dt.date(2026, 12, 31)


def test_policy_text_keeps_its_comments_when_years_are_marked():
    text = "[calendar]\nextra_covered_years = []     # years you declare\nsoon_days = 1\n"
    assert with_extra_covered_years(text, {2028, 2027}) == (
        "[calendar]\nextra_covered_years = [2027, 2028]     # years you declare\nsoon_days = 1\n")


# ---------------------------------------------------------------------------- 状态 as the formula computes it

DAYS = [dt.date(2026, 12, 28), dt.date(2026, 12, 29), dt.date(2026, 12, 30), dt.date(2026, 12, 31)]


@pytest.mark.parametrize("start, stop, today, expected", [
    (None, None, dt.date(2026, 12, 28), ""),
    (dt.date(2026, 12, 28), dt.date(2026, 12, 29), dt.date(2026, 12, 30), "已完成"),
    (dt.datetime(2026, 12, 28, 9), None, dt.date(2026, 12, 28), "正常"),        # due 12-31: 3 days left
    (dt.date(2026, 12, 28), None, dt.date(2026, 12, 30), "即将到期"),
    (dt.date(2026, 12, 27), None, dt.date(2026, 12, 28), "日历未覆盖"),          # before the first listed day
    (dt.date(2026, 12, 29), None, dt.date(2026, 12, 28), "日历未覆盖"),          # due past the last listed day
    ("x", None, dt.date(2026, 12, 28), "日历未覆盖"),
])
def test_status_value_follows_the_formula(start, stop, today, expected):
    assert status_value(start, stop, DAYS, DAYS[-1], today, True, 3, 1) == expected


def test_cached_values_go_into_the_formula_cells():
    xml = '<row r="2"><c r="M2" s="3"><f>IF(A2="","",1)</f><v></v></c><c r="N2"><f>1+1</f><v>2</v></c></row>'
    out = with_cached_values(xml, {"M2": "超期", "N2": dt.date(2026, 12, 1)})
    assert '<c r="M2" s="3" t="str"><f>IF(A2="","",1)</f><v>超期</v></c>' in out
    assert '<c r="N2"><f>1+1</f><v>46357</v></c>' in out


# ---------------------------------------------------------------------------- across the year end

STRADDLING = {2: {"投诉编号": "261228001", "受理日期": dt.datetime(2026, 12, 28, 10), "受理渠道": "电话"},
              3: {"投诉编号": "261230001", "受理日期": dt.datetime(2026, 12, 30, 10), "受理渠道": "电话",
                  "回复日期": dt.date(2026, 12, 31)},
              4: {"投诉编号": "261231001", "受理日期": dt.datetime(2026, 12, 31, 10), "受理渠道": "电话"}}
PINNED = dt.date(2027, 1, 4)


@pytest.fixture(scope="module")
def straddling(tmp_path_factory, empty_dir_session) -> Path:
    """Empty registers, complaints received in the last days of 2026, the 2027 notice imported."""
    d = tmp_path_factory.mktemp("straddle") / "registers"
    shutil.copytree(empty_dir_session, d)
    put_rows(d / "complaints.xlsx", "投诉登记", STRADDLING)
    before = calamine.CalamineWorkbook.from_path(str(d / "complaints.xlsx"))
    assert run("calendar", "import", d, NOTICE_2027).exit_code == 0          # shows, writes nothing
    assert calamine.CalamineWorkbook.from_path(str(d / "complaints.xlsx")).sheet_names == before.sheet_names
    result = run("calendar", "import", d, NOTICE_2027, "--write", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["written"] is True

    def pin(wb):    # a fixed today for the formulas, so Python and LibreOffice judge the same day
        wb["工作日"]["C2"] = PINNED
    edit_workbook(d / "complaints.xlsx", pin)
    write_cached_values(d / "complaints.xlsx", status_cache(openpyxl.load_workbook(d / "complaints.xlsx")))
    return d


def _statuses(path: Path) -> list:
    rows = calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("投诉登记").to_python()
    assert rows[0][-1] == "状态"
    return [r[-1] for r in rows[1:len(STRADDLING) + 1]]


def test_import_writes_the_days_and_marks_the_year(straddling):
    policy = load_policy(straddling)
    assert policy["calendar"]["extra_covered_years"] == [2027]
    master = read_register(straddling, "master")
    assert len(master.tables["holidays"].records) == 24
    status = json.loads(run("calendar", "status", straddling, "--json", "--today", "2026-12-01").output)
    assert status["last_day"] == "2027-12-31" and not status["expiring"]


def test_python_status_across_the_year_end(straddling):
    policy = load_policy(straddling)
    cal = folder_calendar(straddling)
    rule = get_rule(policy, "complaint.reply")
    expected = [case_status(due_moment(rule, r["受理日期"], cal), r.get("回复日期"), PINNED, cal, 1)
                for r in STRADDLING.values()]
    assert _statuses(straddling / "complaints.xlsx") == expected == ["即将到期", "已完成", "正常"]


@needs_soffice
def test_libreoffice_recalculates_to_the_same_status(straddling, tmp_path):
    copy = tmp_path / "complaints.xlsx"
    copy.write_bytes((straddling / "complaints.xlsx").read_bytes())
    wb = openpyxl.load_workbook(copy)
    status_col = openpyxl.utils.get_column_letter(wb["投诉登记"].max_column)
    write_cached_values(copy, {"投诉登记": {f"{status_col}{r}": "旧值" for r in STRADDLING}})   # stale on purpose
    assert _statuses(copy) == ["旧值"] * 3
    (out,) = soffice_convert_all([copy], "xlsx", tmp_path / "lo")
    assert _statuses(out) == _statuses(straddling / "complaints.xlsx")


def test_refresh_rewrites_every_register(straddling, tmp_path):
    result = run("calendar", "refresh", straddling)
    assert result.exit_code == 0 and result.output.count("已刷新") == 6
    rows = calamine.CalamineWorkbook.from_path(str(straddling / "tickets.xlsx")).get_sheet_by_name("工作日").to_python()
    assert rows[0][2] == dt.date(2027, 12, 31) and rows[-1][0] == dt.date(2027, 12, 31)


# ---------------------------------------------------------------------------- check across the year end

def test_a_case_closed_inside_the_covered_range_is_judged_normally():
    from generator.assess.clocks import check_deadlines
    from tests.test_deadlines import context

    rows = [{"row": 2, "complaint_no": "261230001", "received": dt.date(2026, 12, 30), "region": "国内",
             "replied": dt.date(2026, 12, 31), "closed": dt.date(2026, 12, 31)},
            {"row": 3, "complaint_no": "261230002", "received": dt.date(2026, 12, 30), "region": "国内"},
            {"row": 4, "complaint_no": "261230003", "received": dt.date(2026, 12, 31), "region": "国内"}]
    findings = check_deadlines(context(rows, today=dt.date(2026, 12, 31)))
    (f,) = findings                                   # the closed row 2 is on time: no finding
    assert f.code == "deadline.calendar" and f.row is None and "第 3、4 行" in f.message
    assert "complaint.reply" in f.message


@pytest.mark.parametrize("today, variant", [(dt.date(2026, 10, 31), None), (dt.date(2026, 11, 1), "warn"),
                                            (dt.date(2027, 1, 2), "ended")])
def test_check_warns_sixty_days_before_the_calendar_ends(today, variant):
    from generator.assess.checks import check_calendar
    from tests.test_deadlines import context

    findings = check_calendar(context([], today=today))
    if variant is None:
        assert findings == []
        return
    (f,) = findings
    assert f.code == "calendar.expiring" and f.severity == "warning" and "calendar import" in f.message
    assert ("已过去 2 天" if variant == "ended" else "还剩 60 天") in f.message


def test_macro_workbooks_keep_the_status_values(straddling, tmp_path):
    from generator.excel.xlsm import make_xlsm

    out = make_xlsm(straddling / "complaints.xlsx", tmp_path / "complaints.xlsm")
    assert _statuses(out) == _statuses(straddling / "complaints.xlsx")


def test_scores_of_an_unfinished_period_say_so(straddling):
    result = run("scores", straddling, "--period", "2026", "--today", "2026-12-01", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["until"] == "2026-12-01" and data["complete"] is False
    assert data["notes"][0].startswith("本期尚未结束：只计到 2026-12-01")
    assert not [h for h in data["training"]["hours"] if h["month"] == "2026-12"]     # December is not short yet
    assert run("scores", straddling, "--period", "2027-Q2", "--today", "2026-12-01").exit_code == 2


def test_a_report_of_an_unfinished_month_says_so_and_counts_nothing_after_today(straddling):
    from generator.assess.checks import RunContext
    from generator.assess.report import build_report
    from generator.core.periods import period_from_options

    report = build_report(RunContext.load(straddling, dt.date(2026, 12, 29)), period_from_options(month="2026-12"))
    summary = next(s for s in report.sections if s.key == "summary")
    assert any(n.startswith("本期尚未结束：统计截至 2026-12-29") for n in summary.notes)


def test_a_tool_write_keeps_the_status_values(straddling):
    from generator.registers.writeback import write_back

    before = _statuses(straddling / "complaints.xlsx")
    write_back(straddling, [], dt.datetime(2027, 1, 4), registers={"complaints": read_register(straddling, "complaints")})
    assert "校验结果" in calamine.CalamineWorkbook.from_path(str(straddling / "complaints.xlsx")).sheet_names
    assert _statuses(straddling / "complaints.xlsx") == before


def test_write_back_keeps_the_company_days_in_every_workday_sheet(sample_dir):
    # 2026-02-13 is a company rest day (master › 节假日): it must stay out of each 工作日 list
    def listed(path):
        rows = calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("工作日").to_python()
        return [r[0] for r in rows[1:] if r and r[0] != ""]

    before = {p.name: listed(p) for p in sorted(sample_dir.glob("*.xlsx"))}
    assert all(dt.date(2026, 2, 13) not in days for days in before.values())
    res = runner.invoke(app, ["check", str(sample_dir), "--write-back", "--today", "2026-06-30"])
    assert res.exit_code in (0, 1), res.output
    assert {p.name: listed(p) for p in sorted(sample_dir.glob("*.xlsx"))} == before


def test_import_write_keeps_the_rest_of_master_byte_for_byte(empty_dir_session, tmp_path):
    """calendar import --write adds rows to 节假日 part by part: what openpyxl would drop (an x14
    dropdown on another sheet, custom properties) stays byte for byte; the rows take the date
    format of the row above and the sheet's table grows over them."""
    d = tmp_path / "registers"
    shutil.copytree(empty_dir_session, d)
    master = d / "master.xlsx"
    with zipfile.ZipFile(master) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/worksheets/sheet2.xml"] = parts["xl/worksheets/sheet2.xml"].replace(b"</worksheet>", X14 + b"</worksheet>")
    parts["docProps/custom.xml"] = CUSTOM
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(b"</Relationships>", (
        f'<Relationship Id="rId90" Type="{R}/custom-properties" Target="docProps/custom.xml"/></Relationships>').encode())
    parts["xl/tables/table4.xml"] = re.sub(rb'ref="A1:C\d+"', b'ref="A1:C2"', parts["xl/tables/table4.xml"])   # a table
    # as a user makes it, over the rows there are
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", (
        '<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'custom-properties+xml"/></Types>').encode())
    with zipfile.ZipFile(master, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)
    before = master.read_bytes()
    existing = read_register(d, "master").tables["holidays"].records
    assert run("calendar", "import", d, NOTICE_2027, "--write").exit_code == 0
    with zipfile.ZipFile(master) as z:
        assert z.read("xl/worksheets/sheet2.xml") == parts["xl/worksheets/sheet2.xml"]
        assert z.read("docProps/custom.xml") == CUSTOM
        table = z.read("xl/tables/table4.xml")
    rows = calamine.CalamineWorkbook.from_path(str(master)).get_sheet_by_name("节假日").to_python()
    days = parse_notice(NOTICE_2027.read_text(encoding="utf-8")).company_days()
    assert len(rows) == 1 + len(existing) + len(days)
    assert [tuple(r[:3]) for r in rows[-len(days):]] == days        # dates (not text), 休/班, the notice named
    assert f'ref="A1:C{len(rows)}"'.encode() in table and b'ref="A1:C2"' not in table
    assert (tmp_path / "registers" / "备份").exists() and before != master.read_bytes()
