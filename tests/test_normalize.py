import datetime as dt
from decimal import Decimal

import pytest

from generator.core.normalize import convert

D = dt.date
T = dt.datetime


@pytest.mark.parametrize("raw,type_,expected", [
    ("2026-10-08", "date", D(2026, 10, 8)),
    ("2026/10/8", "date", D(2026, 10, 8)),
    ("2026年10月8日", "date", D(2026, 10, 8)),
    ("２０２６－１０－０８", "date", D(2026, 10, 8)),
    ("  2026.10.8 ", "date", D(2026, 10, 8)),
    (46303.0, "date", D(2026, 10, 8)),                 # Excel serial
    ("46303", "date", D(2026, 10, 8)),
    (T(2026, 10, 8, 9, 30), "date", D(2026, 10, 8)),
    ("2026-10-08 09:30", "datetime", T(2026, 10, 8, 9, 30)),
    ("2026/10/8 9:05", "datetime", T(2026, 10, 8, 9, 5)),
    ("2026年10月8日 14时30分", "datetime", T(2026, 10, 8, 14, 30)),
    (46303.5, "datetime", T(2026, 10, 8, 12, 0)),
    (D(2026, 10, 8), "datetime", T(2026, 10, 8)),
    ("１２", "integer", 12),
    (3.0, "integer", 3),
    (" 7 ", "integer", 7),
    ("1,234.5", "money", Decimal("1234.50")),
    ("￥300元", "money", Decimal("300.00")),
    (0.1 + 0.2, "money", Decimal("0.30")),
    (2.675, "money", Decimal("2.68")),                 # half up on the decimal text, not binary float
    ("１３８ 0013 8000", "phone", "13800138000"),
    ("025-84561234", "phone", "025-84561234"),
    ("'090101001", "text", "090101001"),
    (90101001.0, "text", "90101001"),
    ("  全角　空格  ", "text", "全角　空格"),
    ("已修复，设备（2号枪）正常：是", "text", "已修复，设备（2号枪）正常：是"),
    ("是", "bool", True),
])
def test_convert(raw, type_, expected):
    assert convert(raw, type_) == expected


@pytest.mark.parametrize("raw,type_", [
    ("2026-02-30", "date"),
    ("昨天", "date"),
    ("1.5", "integer"),
    ("abc", "money"),
    ("12345", "phone"),
    ("也许", "bool"),
])
def test_convert_rejects(raw, type_):
    with pytest.raises(ValueError):
        convert(raw, type_)
