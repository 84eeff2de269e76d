"""Chinese working-day calendar: statutory holidays, make-up workdays (调休), company days.

The authority for statutory days is ``chinese_calendar`` (PyPI ``chinesecalendar``), which
raises for years the State Council has not published yet. A year it does not cover is never
guessed: asking about it raises UserError, unless the company has declared the year covered
(policy ``calendar.extra_covered_years``) after entering that year's days in its holiday
sheet. In such a year a day the company did not enter is a working day Monday to Friday.

Company days (master data sheet 节假日: 日期, 类型 休/班) override the statutory calendar.

Counting convention, used everywhere: ``working_days_between(a, b)`` counts the working days
d with a < d <= b, and ``add_working_days(a, n)`` is the working day b with exactly n working
days in (a, b]. So the start day itself is never counted (the day of receipt is not counted):

>>> cal = WorkCalendar()
>>> cal.add_working_days(date(2026, 9, 30), 5)     # 10-01…07 off, Sat 10-10 a make-up day
datetime.date(2026, 10, 13)
>>> cal.working_days_between(date(2026, 9, 30), date(2026, 10, 13))
5
"""
from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import chinese_calendar

from generator.core.dotted import get
from generator.core.errors import UserError

# 003 §1.2.1: head office 8:30–18:00 with lunch 12:00–13:30. The policy's
# calendar.business_hours is the authority; this is the fallback for a bare WorkCalendar().
DEFAULT_HOURS = ((time(8, 30), time(12, 0)), (time(13, 30), time(18, 0)))

REST, WORK = "休", "班"   # 类型 values in the master-data holiday sheet

_STATUTORY_YEARS = sorted({d.year for d in chinese_calendar.constants.holidays})


def statutory_years() -> tuple[int, int]:
    """First and last year the bundled statutory calendar covers."""
    return _STATUTORY_YEARS[0], _STATUTORY_YEARS[-1]


def uncovered_message(year: int, covered: Sequence[int]) -> str:
    lo, hi = statutory_years()
    extra = sorted(set(covered) - set(range(lo, hi + 1)))
    known = f"{lo}–{hi} 年" + (f"，以及公司补充的 {'、'.join(map(str, extra))} 年" if extra else "")
    return (
        f"{year} 年的法定节假日和调休安排不在日历中（已收录 {known}），无法按工作日计算期限。"
        f"国务院公布该年安排后，请把通知全文存为文本文件，运行 aftersales calendar import 台账目录 通知.txt --write；"
        f"或在基础数据工作簿（master.xlsx）的「节假日」表中逐日录入该年的放假日"
        f"（类型填“休”）和调休上班日（类型填“班”），再在 policy.toml 的 calendar 一节中"
        f"把该年加入 extra_covered_years，例如 extra_covered_years = [{year}]。"
        f"该年未录入的日子按周一至周五上班、周六周日休息计算。"
    )


class WorkCalendar:
    """Working days and business hours. Pure: all company data is passed in.

    overrides: date -> True (working, 班) / False (rest, 休); wins over the statutory calendar.
    extra_years: years the company declares covered by its own overrides.
    hours: business periods of a working day, e.g. ((08:30, 12:00), (13:30, 18:00)).
    """

    def __init__(
        self,
        overrides: Mapping[date, bool] | None = None,
        extra_years: Iterable[int] = (),
        hours: Sequence[tuple[time, time]] = DEFAULT_HOURS,
    ):
        self._overrides = {_day(d): bool(v) for d, v in (overrides or {}).items()}
        self._extra = frozenset(int(y) for y in extra_years)
        self.hours = _check_hours(hours)
        self._years: dict[int, tuple[list[date], frozenset[date]]] = {}

    @property
    def covered_years(self) -> tuple[int, ...]:
        lo, hi = statutory_years()
        return tuple(sorted(set(range(lo, hi + 1)) | self._extra))

    def covers(self, year: int) -> bool:
        lo, hi = statutory_years()
        return lo <= year <= hi or year in self._extra

    def _require(self, year: int) -> None:
        if not self.covers(year):
            raise UserError(uncovered_message(year, self.covered_years))

    def is_working(self, d: date) -> bool:
        d = _day(d)
        return d in self._year(d.year)[1]

    def _decide(self, d: date) -> bool:
        if d in self._overrides:
            return self._overrides[d]
        if not self._statutory(d.year):
            return d.weekday() < 5      # a company-covered year: its 节假日 rows are the overrides
        return chinese_calendar.is_workday(d)

    @staticmethod
    def _statutory(year: int) -> bool:
        lo, hi = statutory_years()
        return lo <= year <= hi

    def _year(self, year: int) -> tuple[list[date], frozenset[date]]:
        """The year's working days, as an ordered list and as a set (computed once)."""
        if year not in self._years:
            self._require(year)
            first = date(year, 1, 1)
            days = [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]
            listed = [d for d in days if self._decide(d)]
            self._years[year] = (listed, frozenset(listed))
        return self._years[year]

    def working_days(self, year: int) -> list[date]:
        """Every working day of the year, in order (for the register's hidden calendar sheet)."""
        return list(self._year(year)[0])

    def working_days_between(self, a: date, b: date) -> int:
        """Working days d with a < d <= b; negative when b < a."""
        a, b = _day(a), _day(b)
        if b < a:
            return -self.working_days_between(b, a)
        total = sum(len(self._year(y)[0]) for y in range(a.year, b.year))
        return total + bisect.bisect_right(self._year(b.year)[0], b) - bisect.bisect_right(self._year(a.year)[0], a)

    def add_working_days(self, d: date, n: int) -> date:
        """The working day with exactly n working days in (d, result]; n < 0 goes back
        to the |n|-th working day before d; n == 0 returns d unchanged."""
        d = _day(d)
        n = _whole(n)
        if n == 0:
            self._require(d.year)
            return d
        year = d.year
        days = self._year(year)[0]
        if n > 0:
            i = bisect.bisect_right(days, d) + n - 1   # index of the target in this year's list
            while i >= len(days):
                i -= len(days)
                year += 1
                days = self._year(year)[0]
        else:
            i = bisect.bisect_left(days, d) + n
            while i < 0:
                year -= 1
                days = self._year(year)[0]
                i += len(days)
        return days[i]

    def nth_working_day_after(self, d: date, n: int) -> date:
        """The n-th working day after the day d (n >= 1), e.g. 第2个工作日 after receipt."""
        if _whole(n) < 1:
            raise UserError(f"“第 N 个工作日”的 N 至少为 1，实际为 {n}")
        return self.add_working_days(d, n)

    def next_working_day(self, d: date) -> date:
        """d itself when it is a working day, else the first working day after it."""
        d = _day(d)
        return d if self.is_working(d) else self.add_working_days(d, 1)

    def close_of_business(self, d: date) -> datetime:
        return datetime.combine(_day(d), self.hours[-1][1])

    def add_working_hours(self, moment: datetime, hours) -> datetime:
        """The moment after ``hours`` business hours counted from ``moment``.

        Only time inside business periods of working days counts; a start outside them
        begins at the next opening. ``hours`` may be int, Decimal, str or timedelta.
        A clock that runs out exactly at the end of a period ends there (e.g. 12:00).
        """
        remaining = as_duration(hours)
        if remaining < timedelta(0):
            raise UserError(f"工作小时数不能为负：{hours}")
        cur = moment if isinstance(moment, datetime) else datetime.combine(moment, time.min)
        if not remaining:
            return cur
        day = cur.date()
        while True:
            if self.is_working(day):
                for opening, closing in self.hours:
                    start = max(cur, datetime.combine(day, opening))
                    end = datetime.combine(day, closing)
                    if start >= end:
                        continue
                    if remaining <= end - start:
                        return start + remaining
                    remaining -= end - start
                    cur = end
            day = self.add_working_days(day, 1)
            cur = datetime.combine(day, time.min)


def _day(d) -> date:
    if isinstance(d, datetime):
        return d.date()
    if isinstance(d, date):
        return d
    raise UserError(f"不是日期：{d!r}")


def _whole(n) -> int:
    if isinstance(n, bool) or int(n) != n:
        raise UserError(f"工作日数必须是整数，实际为 {n}")
    return int(n)


def as_duration(hours) -> timedelta:
    if isinstance(hours, timedelta):
        return hours
    try:
        micro = (Decimal(str(hours)) * 3_600_000_000).to_integral_value()
    except ArithmeticError:
        raise UserError(f"无法识别的小时数：{hours!r}") from None
    return timedelta(microseconds=int(micro))


def _check_hours(hours: Sequence[tuple[time, time]]) -> tuple[tuple[time, time], ...]:
    periods = tuple((a, b) for a, b in hours)
    if not periods:
        raise UserError("营业时间（calendar.business_hours）不能为空")
    previous_end = time.min
    for i, (a, b) in enumerate(periods, 1):
        if not a < b or (i > 1 and a < previous_end):
            raise UserError(
                f"营业时间第 {i} 段 {a:%H:%M}–{b:%H:%M} 有误：每段须开始早于结束，且各段按时间先后排列、互不重叠"
            )
        previous_end = b
    return periods


def parse_hours(pairs) -> tuple[tuple[time, time], ...]:
    """Policy ``[["08:30", "12:00"], ...]`` (strings or TOML times) -> ((time, time), ...)."""
    if not isinstance(pairs, list):
        raise UserError("calendar.business_hours 应为列表，如 [[\"08:30\", \"12:00\"], [\"13:30\", \"18:00\"]]")
    out = []
    for i, pair in enumerate(pairs, 1):
        if not (isinstance(pair, list) and len(pair) == 2):
            raise UserError(f"calendar.business_hours 第 {i} 段应写成 [\"开始\", \"结束\"]，实际为 {pair!r}")
        out.append(tuple(_parse_time(v, i) for v in pair))
    return _check_hours(out)


def _parse_time(v, i: int) -> time:
    if isinstance(v, time):
        return v
    try:
        return time.fromisoformat(str(v).strip())
    except ValueError:
        raise UserError(f"calendar.business_hours 第 {i} 段的时间 {v!r} 无法识别，应写成 \"08:30\"") from None


def holiday_overrides(master) -> dict[date, bool]:
    """Company days from the master register's ``holidays`` table (日期, 类型 休/班).

    Rows with a missing date or another 类型 are left to the field checks; a later row
    for the same date wins, as it would when someone corrects an entry further down.
    """
    table = getattr(master, "tables", {}).get("holidays") if master is not None else None
    return rows_overrides([rec.values for rec in table.records] if table is not None else [])


def rows_overrides(rows: Iterable[Mapping]) -> dict[date, bool]:
    """Company days from 节假日 rows as dicts (``date``, ``kind``); see ``holiday_overrides``."""
    out: dict[date, bool] = {}
    for row in rows:
        d, kind = row.get("date"), row.get("kind")
        if isinstance(d, date) and kind in (REST, WORK):
            out[_day(d)] = kind == WORK
    return out


def calendar_from(policy: dict, master=None, rows: Iterable[Mapping] | None = None) -> WorkCalendar:
    """The calendar a check run uses: policy [calendar] plus the master register's days
    (or, before the master register is written, its 节假日 ``rows`` as dicts)."""
    years = get(policy, "calendar.extra_covered_years")
    if not isinstance(years, list) or not all(isinstance(y, int) and not isinstance(y, bool) for y in years):
        raise UserError(f"calendar.extra_covered_years 应为年份列表，如 [2027]，实际为 {years!r}")
    return _calendar(
        tuple(sorted((holiday_overrides(master) if rows is None else rows_overrides(rows)).items())),
        tuple(years),
        parse_hours(get(policy, "calendar.business_hours")),
    )


@functools.lru_cache(maxsize=8)
def _calendar(overrides: tuple, years: tuple, hours: tuple) -> WorkCalendar:
    # Cached so that repeated check runs over the same data share the per-year day lists.
    return WorkCalendar(dict(overrides), years, hours)


# ---------------------------------------------------------------------------- coverage

EXPIRY_WARNING_DAYS = 60     # `check` warns this many days before the last covered day
NOTICE_NOTE = re.compile(r"关于(\d{4})年部分节假日安排的通知")   # 说明 of rows written by `calendar import`


def notice_years(master) -> set[int]:
    """Years whose State Council notice was imported into the master register's 节假日 sheet."""
    table = getattr(master, "tables", {}).get("holidays") if master is not None else None
    years = set()
    for rec in table.records if table is not None else ():
        m = NOTICE_NOTE.search(str(rec.values.get("note") or ""))
        if m:
            years.add(int(m[1]))
    return years


def last_covered_day(calendar: WorkCalendar) -> date:
    """The last day of unbroken coverage from the first year the package knows."""
    year = statutory_years()[0]
    while calendar.covers(year + 1):
        year += 1
    return date(year, 12, 31)


def coverage(calendar: WorkCalendar, imported: set[int], today: date) -> dict:
    """What covers the years (runs ``{from, to, source}``), the last covered day and the days left."""
    lo, hi = statutory_years()
    last = last_covered_day(calendar)
    years = []
    for y in calendar.covered_years:
        if lo <= y <= hi:
            source = f"软件包 chinesecalendar {chinese_calendar.__version__}"
        elif y in imported:
            source = "导入的国务院通知（基础数据「节假日」）"
        else:
            source = "公司自定义节假日（基础数据「节假日」）"
        if years and years[-1]["source"] == source and years[-1]["to"] == y - 1:
            years[-1]["to"] = y
        else:
            years.append({"from": y, "to": y, "source": source})
    left = (last - today).days
    return {"years": years, "last_day": last, "days_left": left, "expiring": left <= EXPIRY_WARNING_DAYS,
            "next_year": last.year + 1}


def expiring_advice(last: date) -> str:
    """One sentence: what to do before the calendar runs out."""
    y = last.year + 1
    return (f"国务院公布《关于{y}年部分节假日安排的通知》后，请把通知全文存为文本文件，运行 "
            f"aftersales calendar import 台账目录 通知.txt --write（或升级 chinesecalendar 到含 {y} 年的版本）。")
