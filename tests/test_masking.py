"""Masking of personal data (RULES.md §8, 001 客户保密管理办法 4–7): tests/cases/masking.yaml."""
from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.rules import masking
from tests.casetables import load_cases

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)|(?<![\d-])0\d{2,3}-?\d{7,8}(?!\d)")


@pytest.mark.parametrize("case", load_cases("masking.yaml"))
def test_masking_case(case):
    assert getattr(masking, case["function"])(**case["input"]) == case["expect"]


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.text(alphabet="投诉客户来电请回复 ，。", max_size=8))
def test_no_mobile_survives_masking(phone, words):
    assert not PHONE.search(masking.mask_text(f"{words}{phone}{words}"))


@given(st.from_regex(r"0[1-9][0-9]{1,2}-?[1-9][0-9]{6,7}", fullmatch=True),
       st.text(alphabet="投诉客户来电请回复 ，。", max_size=8))
def test_no_landline_survives_masking(phone, words):
    assert not PHONE.search(masking.mask_text(f"{words}{phone}{words}"))


@given(st.text(max_size=40))
def test_masking_twice_changes_nothing_more(text):
    once = masking.mask_text(text)
    assert masking.mask_text(once) == once
