"""The State Council's yearly holiday notice (国务院办公厅关于YYYY年部分节假日安排的通知) as data.

The notice is published each November, before any ``chinesecalendar`` release carries the
year, in one fixed pattern per holiday (full- or half-width punctuation):

    一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
    三、清明节：4月4日（周六）至6日（周一）放假，共3天。

``parse_notice(text)`` reads every numbered holiday line; a line it cannot read completely, a
count 共N天 that disagrees with the dates, or a 上班 day that is not a weekend is an error
naming the line. Other lines (addressees, closing words) are ignored. Pure: text in, dates out.

What the company calendar needs from it (``Notice.rest_days`` / ``Notice.work_days``): the
weekday rest days (休) and the weekend make-up working days (班); in a year the package does
not cover, every other day is Monday–Friday working.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from generator.core.errors import UserError

TITLE_RE = re.compile(r"关于\s*(\d{4})\s*年部分节假日安排")
YEAR_RE = re.compile(r"现将\s*(\d{4})\s*年")
HOLIDAY_LINE_RE = re.compile(r"^\s*([一二三四五六七八九十]+)、\s*([^:：]{1,8}?)\s*:(.*)$")
# 2022年12月31日（周六） / 10月1日（周四） / 3日（周六）: year and month optional, the note in brackets ignored
DATE = r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:\([^)]*\))?"
REST_RE = re.compile(rf"^{DATE}(?:至{DATE})?放假(调休)?,共(\d+)天$")
WORK_RE = re.compile(rf"^{DATE}(?:、{DATE})*上班$")
ONE_DATE_RE = re.compile(DATE)


@dataclass(frozen=True)
class Holiday:
    name: str              # 元旦, 春节 ...
    line: int              # line number in the notice text (1-based)
    off: tuple[date, ...]  # every day of the 放假 range, weekends included
    work: tuple[date, ...]  # the 上班 make-up days


@dataclass(frozen=True)
class Notice:
    year: int
    holidays: tuple[Holiday, ...]

    @property
    def title(self) -> str:
        return f"国务院办公厅关于{self.year}年部分节假日安排的通知"

    @property
    def rest_days(self) -> list[date]:
        """Weekdays off (休): the days that differ from a Monday–Friday week."""
        return sorted({d for h in self.holidays for d in h.off if d.weekday() < 5})

    @property
    def work_days(self) -> list[date]:
        """Weekend make-up working days (班)."""
        return sorted({d for h in self.holidays for d in h.work})

    def company_days(self) -> list[tuple[date, str, str]]:
        """(date, 休/班, note) rows for the master register's 节假日 sheet, in date order."""
        rows = []
        for h in self.holidays:
            note = f"{self.title}·{h.name}"
            rows += [(d, "休", note) for d in h.off if d.weekday() < 5]
            rows += [(d, "班", note) for d in h.work]
        return sorted(set(rows))


def _normal(text: str) -> str:
    # NFKC turns full-width digits, brackets, colons and commas into ASCII; 、 and 。 stay
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def notice_year(text: str) -> int | None:
    norm = unicodedata.normalize("NFKC", text)
    m = TITLE_RE.search(norm) or YEAR_RE.search(norm)
    return int(m[1]) if m else None


def parse_notice(text: str, year: int | None = None) -> Notice:
    """Every holiday of the notice; ``year`` when the text does not name it (title or 现将YYYY年)."""
    year = year or notice_year(text)
    if year is None:
        raise UserError("无法从通知中识别年份：应含“关于YYYY年部分节假日安排”或“现将YYYY年”")
    holidays = []
    for no, raw in enumerate(text.splitlines(), start=1):
        m = HOLIDAY_LINE_RE.match(_normal(raw))
        if m is None:
            continue
        holidays.append(_holiday(m[2], m[3], year, no, raw.strip()))
    if not holidays:
        raise UserError(f"通知中没有找到形如“一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。”的节假日行（{year} 年）")
    return Notice(year, tuple(holidays))


def _holiday(name: str, body: str, year: int, no: int, raw: str) -> Holiday:
    def fail(why: str) -> UserError:
        return UserError(f"通知第 {no} 行无法完整识别（{why}）：{raw}")

    sentences = [s for s in body.split("。") if s]
    if not sentences or len(sentences) > 2:
        raise fail("应为“……放假（调休），共N天。”，可再跟一句“……上班。”")
    rest = REST_RE.match(sentences[0])
    if rest is None:
        raise fail(f"放假日期写法不认识：{sentences[0]}")
    g = rest.groups()
    first = _date(g[0:3], year, None, fail)
    last = _date(g[3:6], year, first, fail) if g[5] else first
    if last < first:
        raise fail(f"结束日 {last} 早于开始日 {first}")
    off = tuple(first + timedelta(days=i) for i in range((last - first).days + 1))
    if len(off) != int(g[7]):
        raise fail(f"写明共 {g[7]} 天，但 {first} 至 {last} 是 {len(off)} 天")
    work: tuple[date, ...] = ()
    if len(sentences) == 2:
        if WORK_RE.match(sentences[1]) is None:
            raise fail(f"上班日写法不认识：{sentences[1]}")
        work, prev = [], None
        for m in ONE_DATE_RE.finditer(sentences[1]):
            prev = _date(m.groups(), year, prev, fail)
            work.append(prev)
        work = tuple(work)
        weekdays = [d for d in work if d.weekday() < 5]
        if weekdays:
            raise fail(f"调休上班日 {weekdays[0]} 不是周末")
        if set(work) & set(off):
            raise fail("同一天既放假又上班")
    return Holiday(name, no, off, work)


def _date(groups, year: int, previous: date | None, fail) -> date:
    """A date of the notice; a missing month is the previous date's month (``至3日``)."""
    y, m, d = groups
    if m is None and previous is None:
        raise fail(f"{d}日 缺少月份")
    try:
        return date(int(y) if y else year, int(m) if m else previous.month, int(d))
    except ValueError:
        raise fail(f"日期不存在：{y or year}年{m or previous.month}月{d}日") from None
