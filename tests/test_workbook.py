"""The generated workbooks: layout, and formulas that LibreOffice evaluates like Python."""
import datetime as dt

import openpyxl
import pytest
import python_calamine as calamine

from generator.config.policy import default_policy
from generator.config.register_specs import load_specs
from generator.registers.layout import STATUS_HEADER, WORKDAY_SHEET, build_register
from generator.rules.deadlines import case_status, due_moment, get_rule
from generator.rules.workcal import calendar_from
from tests.conftest import needs_soffice, soffice_convert_all


def test_layout_tables_dropdowns_frozen_header(empty_registers):
    wb = openpyxl.load_workbook(empty_registers / "complaints.xlsx")
    ws = wb["投诉登记"]
    assert ws.freeze_panes == "B2"
    assert list(ws.tables) == ["表_complaints"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["投诉编号", "受理日期", "受理渠道"] and headers[-1] == STATUS_HEADER
    refs = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
    assert refs["C2"].type == "list"                       # 受理渠道 dropdown
    assert wb[WORKDAY_SHEET].sheet_state == "hidden"
    assert ws["B2"].number_format == "yyyy-mm-dd"
    assert ws.conditional_formatting


def test_status_formula_has_no_workday_function(empty_registers):
    wb = openpyxl.load_workbook(empty_registers / "complaints.xlsx")
    formula = wb["投诉登记"].cell(row=2, column=wb["投诉登记"].max_column).value
    assert formula.startswith("=IF(") and "WORKDAY" not in formula and "NETWORKDAYS" not in formula


@needs_soffice
def test_sample_workbooks_open_in_libreoffice_and_formulas_evaluate(sample_dir, tmp_path):
    specs = list(load_specs().values())
    outs = soffice_convert_all([sample_dir / spec.workbook for spec in specs], "xlsx", tmp_path / "lo")
    for spec, out in zip(specs, outs):
        book = calamine.CalamineWorkbook.from_path(str(out))
        for sheet in spec.sheets:
            rows = book.get_sheet_by_name(sheet.name).to_python()
            if rows and rows[0][-1] == STATUS_HEADER:
                statuses = {r[-1] for r in rows[1:] if r[0] != ""}
                assert statuses <= {"已完成", "超期", "即将到期", "正常"}, (spec.id, statuses)
                assert statuses, spec.id


def _days(a, b):
    d = a
    while d <= b:
        yield d
        d += dt.timedelta(days=1)


HOLIDAY_STARTS = list(_days(dt.date(2026, 2, 5), dt.date(2026, 2, 24))) + list(_days(dt.date(2026, 9, 22), dt.date(2026, 10, 12)))


def holiday_register(today: dt.date) -> openpyxl.Workbook:
    """Complaints received around Spring Festival and National Day 2026, 调休 Saturdays included."""
    policy = default_policy()
    cal = calendar_from(policy)
    rows = [{"complaint_no": f"X{i:03}", "received": d, "channel": "电话", "customer": "甲", "category": "建议",
             "description": "x", "region": "国内"} for i, d in enumerate(HOLIDAY_STARTS)]
    workdays = [d for y in (2025, 2026) for d in cal.working_days(y)]
    return build_register(load_specs()["complaints"], {"complaints": rows}, policy=policy, workdays=workdays,
                          choice_sources={}, today_override=today)


def uncovered_year_register() -> openpyxl.Workbook:
    policy = default_policy()
    cal = calendar_from(policy)
    rows = [{"complaint_no": "X1", "received": dt.date(cal.covered_years[-1] + 1, 3, 2), "channel": "电话",
             "customer": "甲", "category": "建议", "description": "x", "region": "国内"}]
    return build_register(load_specs()["complaints"], {"complaints": rows}, policy=policy,
                          workdays=cal.working_days(cal.covered_years[-1]), choice_sources={})


HOLIDAY_TODAYS = [dt.date(2026, 2, 24), dt.date(2026, 10, 13)]


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory) -> dict:
    """The 投诉登记 rows of the workbooks below as LibreOffice computes them (one soffice start for all)."""
    tmp = tmp_path_factory.mktemp("recalc")
    books = {today: holiday_register(today) for today in HOLIDAY_TODAYS} | {"uncovered": uncovered_year_register()}
    srcs = []
    for key, wb in books.items():
        srcs.append(tmp / f"complaints-{key}.xlsx")
        wb.save(srcs[-1])
    outs = soffice_convert_all(srcs, "xlsx", tmp / "lo")
    return {key: calamine.CalamineWorkbook.from_path(str(out)).get_sheet_by_name("投诉登记").to_python()
            for key, out in zip(books, outs)}


@needs_soffice
@pytest.mark.parametrize("today", HOLIDAY_TODAYS)
def test_libreoffice_status_equals_python_around_holidays(recalculated, today):
    """Spring Festival and National Day 2026, 调休 Saturdays included."""
    policy = default_policy()
    cal = calendar_from(policy)
    spec = load_specs()["complaints"]
    got = [r[-1] for r in recalculated[today][1:len(HOLIDAY_STARTS) + 1]]
    rule = get_rule(policy, spec.sheets[0].status.rule)
    soon = int(policy["calendar"]["soon_days"])
    expected = [case_status(due_moment(rule, d, cal), None, today, cal, soon) for d in HOLIDAY_STARTS]
    assert got == expected
    assert "超期" in got and "正常" in got


@needs_soffice
def test_uncovered_year_says_so(recalculated):
    rows = recalculated["uncovered"]
    assert rows[1][-1] == "日历未覆盖"
