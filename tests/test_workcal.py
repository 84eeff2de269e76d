"""Working-day calendar: statutory days with 调休, company overrides, coverage, business hours."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import holidays
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.config.policy import default_policy
from generator.core.errors import UserError
from generator.rules.workcal import (
    WorkCalendar,
    calendar_from,
    holiday_overrides,
    parse_hours,
)

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "workcal.yaml").read_text(encoding="utf-8"))
CAL = WorkCalendar()
T = dt.time


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.mark.parametrize("case", CASES["days"], ids=lambda c: f"{c['date']} {c['why']}")
def test_known_days(case):
    assert CAL.is_working(case["date"]) is case["working"]


@pytest.mark.parametrize("case", CASES["add_working_days"], ids=lambda c: f"{c['start']}+{c['n']}")
def test_add_working_days(case):
    assert CAL.add_working_days(case["start"], case["n"]) == case["result"]


@pytest.mark.parametrize("case", CASES["working_days_between"], ids=lambda c: f"{c['from']}..{c['to']}")
def test_working_days_between(case):
    assert CAL.working_days_between(case["from"], case["to"]) == case["days"]


@pytest.mark.parametrize("year", [2025, 2026])
def test_agrees_with_holidays_package_on_every_day(year):
    cn = holidays.CN(years=[year])
    days = [dt.date(year, 1, 1) + dt.timedelta(days=i) for i in range(366)]
    days = [d for d in days if d.year == year]
    assert CAL.working_days(year) == [d for d in days if cn.is_working_day(d)]


@pytest.mark.parametrize("ask", [
    lambda c: c.is_working(dt.date(2027, 1, 4)),
    lambda c: c.add_working_days(dt.date(2026, 12, 30), 5),      # runs into 2027
    lambda c: c.working_days(2027),
    lambda c: c.working_days_between(dt.date(2026, 12, 1), dt.date(2027, 1, 5)),
    lambda c: c.add_working_hours(dt.datetime(2026, 12, 31, 17, 0), 2),
])
def test_uncovered_year_is_an_error_that_says_how_to_fix_it(ask):
    with pytest.raises(UserError) as e:
        ask(WorkCalendar())
    msg = e.value.message
    assert "2027 年" in msg and "2004–2026" in msg
    assert "「节假日」" in msg and "“休”" in msg and "“班”" in msg
    assert "extra_covered_years = [2027]" in msg


def test_years_before_the_calendar_are_not_guessed_either():
    with pytest.raises(UserError, match="2003 年"):
        CAL.is_working(dt.date(2003, 6, 2))


def test_company_declares_a_year_covered_with_its_own_days():
    days = {dt.date(2027, 10, d): False for d in range(1, 8)}
    days[dt.date(2027, 10, 9)] = True                      # a make-up Saturday the state announced
    cal = WorkCalendar(overrides=days, extra_years=[2027])
    assert 2027 in cal.covered_years and 2026 in cal.covered_years
    assert cal.is_working(dt.date(2027, 10, 9))            # holidays.CN would guess non-working
    assert not cal.is_working(dt.date(2027, 10, 4))        # a Monday, entered as 休
    assert cal.is_working(dt.date(2027, 10, 11))           # not entered: Monday works
    assert not cal.is_working(dt.date(2027, 10, 10))       # not entered: Sunday rests
    assert cal.add_working_days(dt.date(2026, 12, 31), 1) == dt.date(2027, 1, 1)   # nothing entered for 元旦
    with pytest.raises(UserError, match="2027 年"):
        WorkCalendar(extra_years=[2028]).is_working(dt.date(2027, 1, 1))


def test_company_days_override_the_state_calendar():
    cal = WorkCalendar(overrides={dt.date(2026, 10, 9): False, dt.date(2026, 10, 11): True})
    assert not cal.is_working(dt.date(2026, 10, 9))
    assert cal.is_working(dt.date(2026, 10, 11))
    assert cal.add_working_days(dt.date(2026, 9, 30), 5) == dt.date(2026, 10, 13)  # 08, 10, 11, 12, 13
    assert cal.add_working_days(dt.date(2026, 9, 30), 2) == dt.date(2026, 10, 10)


def test_working_days_is_the_full_ordered_list():
    days = CAL.working_days(2026)
    assert days == sorted(days) and len(set(days)) == len(days)
    assert dt.date(2026, 10, 10) in days and dt.date(2026, 10, 1) not in days
    days.clear()                                              # a copy: the cache is safe
    assert CAL.working_days(2026)


def test_nth_working_day_after_needs_a_positive_n():
    assert CAL.nth_working_day_after(dt.date(2026, 9, 30), 2) == dt.date(2026, 10, 9)
    with pytest.raises(UserError):
        CAL.nth_working_day_after(dt.date(2026, 9, 30), 0)


def test_add_working_days_goes_back_for_negative_n():
    assert CAL.add_working_days(dt.date(2026, 10, 8), -1) == dt.date(2026, 9, 30)
    assert CAL.add_working_days(dt.date(2026, 1, 4), -1) == dt.date(2025, 12, 31)
    with pytest.raises(UserError, match="整数"):
        CAL.add_working_days(dt.date(2026, 1, 4), 1.5)


@pytest.mark.parametrize("start,hours,due", [
    ("2026-10-09T12:30", 1, "2026-10-09T14:30"),      # lunch break does not count
    ("2026-10-09T11:00", 1, "2026-10-09T12:00"),      # ends exactly at the end of a period
    ("2026-10-09T11:00", Decimal("1.25"), "2026-10-09T13:45"),
    ("2026-10-09T07:00", "0.5", "2026-10-09T09:00"),  # before opening
    ("2026-10-09T16:00", 0, "2026-10-09T16:00"),
    ("2026-10-09T16:00", dt.timedelta(hours=3), "2026-10-10T09:30"),  # Saturday 10-10 works
    ("2026-09-30T16:00", 40, "2026-10-13T16:00"),     # five 8-hour days across the holiday
])
def test_add_working_hours(start, hours, due):
    assert CAL.add_working_hours(at(start), hours) == at(due)


def test_business_hours_come_from_the_calendar():
    cal = WorkCalendar(hours=[(T(9), T(17))])
    assert cal.add_working_hours(at("2026-10-09T16:00"), 2) == at("2026-10-10T10:00")
    assert cal.close_of_business(dt.date(2026, 10, 9)) == at("2026-10-09T17:00")


@pytest.mark.parametrize("hours", [[], [(T(12), T(9))], [(T(8), T(12)), (T(11), T(18))], [(T(13), T(18)), (T(8), T(12))]])
def test_bad_business_hours_are_user_errors(hours):
    with pytest.raises(UserError):
        WorkCalendar(hours=hours)


def test_negative_hours_are_refused():
    with pytest.raises(UserError):
        CAL.add_working_hours(at("2026-10-09T09:00"), -1)


def test_parse_hours_from_policy_text():
    assert parse_hours([["08:30", "12:00"], ["13:30", "18:00"]]) == ((T(8, 30), T(12)), (T(13, 30), T(18)))
    for bad in ("08:30-18:00", [["8点半", "12:00"]], [["08:30"]]):
        with pytest.raises(UserError, match="business_hours"):
            parse_hours(bad)


def _master(rows):
    recs = [SimpleNamespace(row=i + 2, values=v) for i, v in enumerate(rows)]
    return SimpleNamespace(tables={"holidays": SimpleNamespace(records=recs)})


def test_calendar_from_policy_and_master_holiday_sheet():
    master = _master([
        {"date": dt.date(2026, 10, 9), "kind": "休", "note": "厂庆"},
        {"date": dt.date(2026, 10, 11), "kind": "班"},
        {"date": None, "kind": "休"},                        # left to the field checks
        {"date": dt.date(2026, 10, 12), "kind": "半天"},
    ])
    assert holiday_overrides(master) == {dt.date(2026, 10, 9): False, dt.date(2026, 10, 11): True}
    policy = default_policy()
    cal = calendar_from(policy, master)
    assert not cal.is_working(dt.date(2026, 10, 9)) and cal.is_working(dt.date(2026, 10, 11))
    assert cal.hours == ((T(8, 30), T(12)), (T(13, 30), T(18)))
    assert calendar_from(policy, None).is_working(dt.date(2026, 10, 9))
    assert holiday_overrides(SimpleNamespace(tables={})) == {}


def test_calendar_from_reads_extra_years_and_hours_from_the_policy():
    policy = default_policy()
    policy["calendar"]["extra_covered_years"] = [2027]
    policy["calendar"]["business_hours"] = [["09:00", "17:00"]]
    cal = calendar_from(policy)
    assert cal.covers(2027) and cal.hours == ((T(9), T(17)),)
    policy["calendar"]["extra_covered_years"] = ["2027"]
    with pytest.raises(UserError, match="extra_covered_years"):
        calendar_from(policy)


# ---------------------------------------------------------------------------
# Properties over the covered range (2004–2026).

days_2004_2025 = st.dates(dt.date(2004, 1, 1), dt.date(2025, 12, 31))


@settings(max_examples=300, deadline=None)
@given(days_2004_2025, st.integers(0, 240))
def test_adding_then_counting_gives_n(d, n):
    end = CAL.add_working_days(d, n)
    assert CAL.working_days_between(d, end) == n
    if n:
        assert CAL.is_working(end) and end > d


@settings(max_examples=200, deadline=None)
@given(st.dates(dt.date(2005, 1, 1), dt.date(2026, 12, 31)), st.integers(1, 240))
def test_going_back_then_counting_gives_n(d, n):
    d = CAL.next_working_day(d)
    back = CAL.add_working_days(d, -n)
    assert CAL.is_working(back) and CAL.working_days_between(back, d) == n


@settings(max_examples=200, deadline=None)
@given(st.datetimes(dt.datetime(2004, 1, 1), dt.datetime(2025, 12, 31)),
       st.decimals(0, 200, places=2))
def test_working_hours_end_inside_business_hours_of_a_working_day(start, hours):
    due = CAL.add_working_hours(start, hours)
    assert due >= start
    if hours:
        assert CAL.is_working(due.date())
        assert any(a < due.time() <= b for a, b in CAL.hours)


def test_docstring_examples():
    import doctest

    import generator.rules.workcal

    assert doctest.testmod(generator.rules.workcal).failed == 0
