"""Periods and month helpers (generator.core.periods); the spellings are in tests/cases/periods.yaml."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from generator.core.errors import UserError
from generator.core.periods import (
    KIND_MONTHS,
    Period,
    as_date,
    parse_period,
    period_between,
    period_from_options,
)

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "periods.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES["cases"], ids=lambda c: c["text"])
def test_every_spelling(case):
    p = parse_period(case["text"])
    assert (p.code, p.label, p.start, p.end) == (case["code"], case["label"], case["start"], case["end"])
    assert p.previous().code == case["previous"]


@pytest.mark.parametrize("text", CASES["rejected"])
def test_rejected(text):
    with pytest.raises(UserError, match="期间格式"):
        parse_period(text)


@pytest.mark.parametrize("case", CASES["between"], ids=lambda c: c["code"])
def test_period_between_dates(case):
    p = period_between(case["start"], case["end"])
    assert (p.kind, p.code) == (case["kind"], case["code"])


@pytest.mark.parametrize("options, message", [
    ({"month": "2026-Q1"}, "2026-10"), ({"half": "2026"}, "2026-H2"), ({"year": "2026-03"}, "应写成 2026"),
    ({}, "只指定一个"), ({"month": "2026-10", "half": "2026-H2"}, "只指定一个"),
])
def test_report_options_take_only_their_kind(options, message):
    with pytest.raises(UserError, match=message):
        period_from_options(**options)


def test_contains_takes_dates_and_datetimes_only():
    p = parse_period("2026-03")
    assert p.contains(dt.date(2026, 3, 31)) and p.contains(dt.datetime(2026, 3, 1, 0, 0))
    assert not p.contains(dt.date(2026, 4, 1)) and not p.contains("2026-03-10") and not p.contains(None)
    assert as_date(dt.datetime(2026, 3, 1, 23, 59)) == dt.date(2026, 3, 1) and as_date("2026-03-01") is None


@given(st.sampled_from(sorted(KIND_MONTHS)), st.integers(1990, 2990), st.integers(1, 12))
def test_code_and_label_parse_back_and_previous_ends_the_day_before(kind, year, n):
    p = Period.of(kind, year, (n - 1) % (12 // KIND_MONTHS[kind]) + 1)
    assert parse_period(p.code) == p and parse_period(p.label) == p
    assert p.previous().end + dt.timedelta(days=1) == p.start and len(p.previous().months) == len(p.months)
