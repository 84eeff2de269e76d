"""Document numbers: a small pattern grammar, compiled rules and allocation (next, assign).

Grammar
-------
A numbering pattern is literal text with fields in braces::

    {YYYY}   four-digit year of the record's date        2026
    {YY}     two-digit year                              26
    {MM}     month 01-12                                 10
    {DD}     day 01-31                                   05
    {DEPT}   department code, upper-case pinyin letters  SC
    {SEQ:n}  serial, n digits, zero-padded, from 1       {SEQ:3} -> 001

Any other text is literal (``WL``, ``KS-``); braces cannot be literal. SEQ appears exactly
once, every other field at most once. A rule in the policy (``[numbering.<id>]``) adds:

- ``reset``: when the serial restarts at 1: ``"year"`` (needs {YY}/{YYYY}), ``"month"``
  (needs a year and {MM}) or ``"never"``;
- ``per_dept``: each department (the {DEPT} field) keeps its own count.

The cycle of a number is what its serial counts within: (department if per_dept) + year
(unless reset is never) + month (if reset is month).

Worked examples (the shipped rules in ``policy.d/10-numbering.toml``)::

    complaint      {YY}{MM}{DD}{SEQ:3}     reset=year            (001 §14 4.2.2.2 3)①)
        received 2018-01-12, 99th complaint of 2018    -> 18 01 12 099 = 180112099
        received 2019-01-03, first complaint of 2019   -> 190103001 (serial restarts)
    complaint_form {YY}{MM}{SEQ:2}         reset=month           (004 Ⅰ 第八条)
        third form of March 2026                        -> 26 03 03 = 260303
    ticket         {DEPT}{YY}{MM}{SEQ:2}   reset=month per_dept  (002 §4.5.2.1)
        生产部 SC's first ticket of October 2026        -> SC 26 10 01 = SC261001
        营销中心 YX's first ticket that month            -> YX261001 (its own count)
    (literal text, never reset)  KS-{YYYY}-{SEQ:4}
        42nd number ever, issued in 2026                -> KS-2026-0042
        next one, issued in 2027                        -> KS-2027-0043

Checks (``generator.rules.number_checks.check_numbers``) report each problem on the Excel row the user sees, with the
codes number.format, .overflow, .numeric (warning), .date_mismatch, .unknown_dept,
.dept_mismatch, .duplicate, .gap, .reset and .order (warning). A cell is normalised first:
full-width characters, spaces and a leading apostrophe are removed; a numeric cell is read
as its digits and zero-padded back to the pattern's length (with a number.numeric warning).
Empty cells are not findings here (field.required covers them).

The hot path of ``check_numbers`` works on regex groups and caches per date, because a
register may hold a million numbers; see bench/bench_numbering.py.
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Callable, NamedTuple

from generator.core.errors import UserError

RESETS = ("year", "month", "never")
_FIELD_REGEX = {"YYYY": r"\d{4}", "YY": r"\d{2}", "MM": r"\d{2}", "DD": r"\d{2}", "DEPT": r"[A-Z]+"}
_PART = re.compile(r"\{([A-Z]+)(?::(\d+))?\}|([^{}]+)")
_DEPT = re.compile(r"[A-Z]+", re.ASCII)
_APOSTROPHES = "'‘’`"
_LIST_MAX = 5  # gaps longer than this are shown as a range


class Parsed(NamedTuple):
    """A number split into its fields; year is always four digits (YY -> 20YY)."""

    text: str
    year: int | None
    month: int | None
    day: int | None
    dept: str | None
    seq: int


class NumberEntry(NamedTuple):
    """One register row: Excel row, the raw number cell, the record's date and dept code."""

    row: int
    value: Any
    date: dt.date | None = None
    dept: str | None = None


def field_values(date: dt.date, dept: str | None = None) -> dict[str, str | None]:
    return {
        "YYYY": f"{date.year:04d}",
        "YY": f"{date.year % 100:02d}",
        "MM": f"{date.month:02d}",
        "DD": f"{date.day:02d}",
        "DEPT": dept,
    }


@dataclass(frozen=True)
class Pattern:
    text: str
    parts: tuple[tuple[str | None, str | int | None], ...]  # (None, literal) or (field, width)
    fields: tuple[str, ...]  # fields in regex group order, "SEQ" included
    width: int  # serial digits
    regex: re.Pattern
    relaxed: re.Pattern  # the serial may be longer: recognises an overflow
    digits: int | None  # length of an all-digit number (None when letters can occur)

    @classmethod
    def parse(cls, text: str) -> "Pattern":
        return _parse_pattern(text)

    @property
    def max_seq(self) -> int:
        return 10**self.width - 1

    @property
    def index(self) -> dict[str, int]:
        return {f: i for i, f in enumerate(self.fields)}

    @property
    def year_field(self) -> str | None:
        return "YYYY" if "YYYY" in self.fields else "YY" if "YY" in self.fields else None

    @property
    def date_fields(self) -> tuple[str, ...]:
        return tuple(f for f in self.fields if f in ("YYYY", "YY", "MM", "DD"))

    @property
    def full_date(self) -> bool:
        return self.year_field is not None and "MM" in self.fields and "DD" in self.fields

    def getter(self, fields) -> Callable | None:
        """itemgetter over regex groups for these fields (a scalar for one field)."""
        idx = [self.index[f] for f in fields]
        return itemgetter(*idx) if idx else None

    def assemble(self, values: dict) -> str:
        """Join literal parts and field values; values["SEQ"] is the serial as an int."""
        out = []
        for field, v in self.parts:
            if field is None:
                out.append(v)
            elif field == "SEQ":
                out.append(f"{values['SEQ']:0{self.width}d}")
            else:
                out.append(values[field])
        return "".join(out)

    def format(self, date: dt.date, seq: int, dept: str | None = None) -> str:
        """The number of the seq-th record of its cycle dated ``date``."""
        if seq < 1:
            raise ValueError(f"serial must be >= 1, got {seq}")
        if seq > self.max_seq:
            raise UserError(f"序号 {seq} 超出编号规则 {self.text} 的 {self.width} 位序号（最多 {self.max_seq}）")
        if "DEPT" in self.fields and not (dept and _DEPT.fullmatch(dept)):
            raise UserError(f"编号规则 {self.text} 需要部门代码（大写拼音字母，如 SC），实际为 {dept!r}")
        values = field_values(date, dept)
        values["SEQ"] = seq
        return self.assemble(values)

    def example(self, dept: str | None = None) -> str:
        return self.format(dt.date(2026, 10, 12), 1, dept or "SC")

    def match(self, text: str) -> Parsed | None:
        """Parse a normalised number; None unless it fits the pattern with a real date."""
        m = self.regex.fullmatch(text)
        if m is None:
            return None
        v = dict(zip(self.fields, m.groups()))
        seq = int(v["SEQ"])
        if seq == 0 or not self.date_ok(v):
            return None
        return Parsed(text, year_of(v), _int(v.get("MM")), _int(v.get("DD")), v.get("DEPT"), seq)

    def date_ok(self, v: dict) -> bool:
        """Month and day fields (as strings) name a real date."""
        month, day = _int(v.get("MM")), _int(v.get("DD"))
        if month is not None and not 1 <= month <= 12:
            return False
        if day is not None:
            year = year_of(v) or 2000  # a leap year when the pattern has none
            return 1 <= day <= calendar.monthrange(year, month or 1)[1]
        return True


def _int(s: str | None) -> int | None:
    return None if s is None else int(s)


def year_of(v: dict) -> int | None:
    if "YYYY" in v:
        return int(v["YYYY"])
    return 2000 + int(v["YY"]) if "YY" in v else None


@functools.lru_cache(maxsize=64)
def _parse_pattern(text: str) -> Pattern:
    def bad(why: str):
        return UserError(f"编号格式 {text!r} 有误：{why}")

    parts: list = []
    pos = 0
    while pos < len(text):
        m = _PART.match(text, pos)
        if m is None:
            raise bad(f"第 {pos + 1} 个字符处的花括号不成对")
        name, width, literal = m.groups()
        if literal is not None:
            literal = "".join(unicodedata.normalize("NFKC", literal).split())  # as cells are normalised
            if literal:
                parts.append((None, literal))
        elif name == "SEQ":
            if not width or not 1 <= int(width) <= 9:
                raise bad("序号应写成 {SEQ:n}，n 为 1–9 位")
            parts.append(("SEQ", int(width)))
        elif name in _FIELD_REGEX and width is None:
            parts.append((name, None))
        else:
            raise bad(f"不认识的字段 {m.group(0)}（可用 {{YYYY}} {{YY}} {{MM}} {{DD}} {{DEPT}} {{SEQ:n}}）")
        pos = m.end()
    fields = tuple(f for f, _ in parts if f is not None)
    for f in set(fields):
        if fields.count(f) > 1:
            raise bad(f"字段 {{{f}}} 出现了多次")
    if "SEQ" not in fields:
        raise bad("缺少序号字段 {SEQ:n}")
    if "YYYY" in fields and "YY" in fields:
        raise bad("{YYYY} 与 {YY} 只能用一个")
    if "DD" in fields and "MM" not in fields or "MM" in fields and not ({"YY", "YYYY"} & set(fields)):
        raise bad("{DD} 需要 {MM}，{MM} 需要年份")
    width = next(w for f, w in parts if f == "SEQ")

    def regex(seq: str) -> re.Pattern:
        body = "".join(
            re.escape(v) if f is None else f"({seq})" if f == "SEQ" else f"({_FIELD_REGEX[f]})"
            for f, v in parts
        )
        return re.compile(body, re.ASCII)

    # numeric cells can only hold all-digit numbers; a date field is as wide as its name (YYYY, MM)
    digits = None
    if "DEPT" not in fields and all(v.isdigit() and v.isascii() for f, v in parts if f is None):
        digits = sum(len(v) if f is None else width if f == "SEQ" else len(f) for f, v in parts)
    return Pattern(text, tuple(parts), fields, width, regex(rf"\d{{{width}}}"), regex(rf"\d{{{width + 1},}}"), digits)


@dataclass(frozen=True)
class Rule:
    """A policy numbering rule, compiled."""

    id: str | None
    pattern: Pattern
    reset: str
    per_dept: bool
    title: str

    @property
    def cycle_fields(self) -> tuple[str, ...]:
        p = self.pattern
        fields = ("DEPT",) if self.per_dept else ()
        if self.reset != "never":
            fields += (p.year_field,)
        if self.reset == "month":
            fields += ("MM",)
        return fields

    def cycle_key(self, date: dt.date, dept: str | None = None) -> tuple[str, ...]:
        values = field_values(date, dept)
        return tuple(values[f] for f in self.cycle_fields)

    def cycle_label(self, key: tuple[str, ...]) -> str:
        v = dict(zip(self.cycle_fields, key))
        who = f"部门 {v['DEPT']} " if "DEPT" in v else ""
        if self.reset == "never":
            return f"{who}编号序列".strip()
        year = year_of(v)
        return f"{who}{year} 年 {int(v['MM'])} 月" if self.reset == "month" else f"{who}{year} 年度"

    def where(self) -> str:
        return f"策略 numbering.{self.id}" if self.id else f"编号规则“{self.title}”"


def compile_rule(rule: dict | Rule, rule_id: str | None = None) -> Rule:
    """Compile a policy entry {pattern, reset, per_dept, title, source}; UserError if inconsistent."""
    if isinstance(rule, Rule):
        return rule
    try:
        args = (str(rule["pattern"]), str(rule.get("reset", "never")), bool(rule.get("per_dept", False)))
    except (KeyError, TypeError, AttributeError):
        raise UserError(f"策略 numbering.{rule_id or '?'} 缺少 pattern") from None
    return _compile(*args, str(rule.get("title") or args[0]), rule_id)


@functools.lru_cache(maxsize=64)
def _compile(pattern: str, reset: str, per_dept: bool, title: str, rule_id: str | None) -> Rule:
    where = f"策略 numbering.{rule_id}" if rule_id else f"编号规则 {pattern}"
    p = Pattern.parse(pattern)
    if reset not in RESETS:
        raise UserError(f"{where}.reset 应为 year、month 或 never，实际为 {reset!r}")
    if reset != "never" and p.year_field is None:
        raise UserError(f"{where}：按年/月重新编号时编号中必须有年份 {{YY}} 或 {{YYYY}}")
    if reset == "month" and "MM" not in p.fields:
        raise UserError(f"{where}：按月重新编号时编号中必须有月份 {{MM}}")
    if per_dept and "DEPT" not in p.fields:
        raise UserError(f"{where}：per_dept = true 时编号中必须有部门代码 {{DEPT}}")
    return Rule(rule_id, p, reset, per_dept, title)


def normalise_number(value: Any) -> tuple[str | None, bool]:
    """(number text, was it a numeric cell). Removes spaces, full-width forms, a leading
    apostrophe; a whole float becomes its digits. Empty -> (None, False)."""
    if value is None:
        return None, False
    if type(value) is int or (type(value) is float and value.is_integer()):
        return str(int(value)), True
    s = value if isinstance(value, str) else str(value)
    if not s.isascii():
        s = unicodedata.normalize("NFKC", s)
    s = "".join(s.split()).lstrip(_APOSTROPHES)
    return (s or None), False


def cell_text(value: Any, p: Pattern) -> tuple[str | None, bool]:
    """Normalised text, zero-padded when a numeric cell lost its leading zeros.
    The flag says padding happened."""
    s, numeric = normalise_number(value)
    if numeric and p.digits and len(s) < p.digits:
        return s.zfill(p.digits), True
    return s, False


def match_groups(value: Any, p: Pattern) -> tuple | None:
    """Regex groups of a cell that fits the pattern, its serial possibly too wide."""
    s, _ = cell_text(value, p)
    m = s and (p.regex.fullmatch(s) or p.relaxed.fullmatch(s))
    return m.groups() if m else None


def as_tuple(key) -> tuple:
    return key if type(key) is tuple else (key,)


def _cycle_maxima(entries: list[NumberEntry], r: Rule) -> dict[tuple, int]:
    """Highest serial already used in each cycle (numbers that fit the pattern)."""
    p = r.pattern
    cget = p.getter(r.cycle_fields)
    seq_i = p.index["SEQ"]
    top: dict[tuple, int] = {}
    for e in entries:
        g = match_groups(e.value, p)
        if g is None:
            continue
        key = as_tuple(cget(g)) if cget else ()
        top[key] = max(top.get(key, 0), int(g[seq_i]))
    return top


def _issue(r: Rule, key: tuple, date: dt.date, dept: str | None, seq: int, row: int | None = None) -> str:
    p = r.pattern
    if seq > p.max_seq:
        at = f"第 {row} 行：" if row is not None else ""
        raise UserError(
            f"{at}{r.cycle_label(key)}的序号只有 {p.width} 位（最多 {p.max_seq}），放不下第 {seq} 个编号；"
            f"请在{r.where()} 中加宽序号（如 {{SEQ:{p.width + 1}}}）"
        )
    return p.format(date, seq, dept)


def _need_dept(r: Rule, dept: str | None, what: str) -> None:
    if "DEPT" in r.pattern.fields and not dept:
        raise UserError(f"{what}缺少部门：编号规则 {r.pattern.text} 需要部门代码")


def next_number(entries: list[NumberEntry], rule: dict | Rule, date: dt.date, dept: str | None = None,
                *, rule_id: str | None = None) -> str:
    """The next free number for a record dated ``date``: its cycle's highest serial + 1."""
    r = compile_rule(rule, rule_id)
    _need_dept(r, dept, "")
    key = r.cycle_key(date, dept)
    return _issue(r, key, date, dept, _cycle_maxima(entries, r).get(key, 0) + 1)


def assign_numbers(entries: list[NumberEntry], rule: dict | Rule, *, rule_id: str | None = None) -> dict[int, str]:
    """Numbers for the rows whose number is empty, in date order (ties by row), each after
    its cycle's highest existing serial. All or nothing: UserError names every row that
    lacks a date or department, or a cycle that runs out of serials."""
    r = compile_rule(rule, rule_id)
    empty = [e for e in entries if normalise_number(e.value)[0] is None]
    undated = [e.row for e in empty if e.date is None]
    if undated:
        raise UserError(f"第 {'、'.join(map(str, undated))} 行没有日期，无法编号")
    if "DEPT" in r.pattern.fields:
        nodept = [e.row for e in empty if not e.dept]
        if nodept:
            raise UserError(f"第 {'、'.join(map(str, nodept))} 行没有部门，无法按 {r.pattern.text} 编号")
    top = _cycle_maxima(entries, r)
    out: dict[int, str] = {}
    for e in sorted(empty, key=lambda e: (e.date, e.row)):
        key = r.cycle_key(e.date, e.dept)
        top[key] = top.get(key, 0) + 1
        out[e.row] = _issue(r, key, e.date, e.dept, top[key], e.row)
    return out


def numbering_rule(policy: dict, rule_id: str) -> dict:
    rules = policy.get("numbering") or {}
    if rule_id not in rules:
        raise UserError(f"策略中没有编号规则 numbering.{rule_id}（台账定义引用了它）")
    return rules[rule_id]


def department_codes(policy: dict, registers: dict | None = None) -> tuple[set[str], dict[str, str]]:
    """Known department codes, and a lookup from code or name to code. Codes come from
    policy [departments] and the master register's 部门 sheet when present."""
    names = {str(code): str(code) for code in policy.get("departments", {})}
    names.update((str(name), str(code)) for code, name in policy.get("departments", {}).items())
    master = (registers or {}).get("master")
    table = master.tables.get("departments") if master is not None else None
    for rec in getattr(table, "records", ()):
        code = rec.values.get("code")
        if code:
            names[str(code)] = str(code)
            if rec.values.get("name"):
                names[str(rec.values["name"])] = str(code)
    return set(names.values()), names


def register_entries(records, sheet, dept_lookup: dict[str, str]) -> list[NumberEntry]:
    """NumberEntry per record of a sheet spec with ``number`` set."""
    out = []
    for rec in records:
        date = rec.values.get(sheet.number_date) if sheet.number_date else None
        if not isinstance(date, dt.date):
            date = None
        elif isinstance(date, dt.datetime):
            date = date.date()
        dept = rec.values.get(sheet.number_dept) if getattr(sheet, "number_dept", None) else None
        out.append(NumberEntry(rec.row, rec.raw.get(sheet.number, rec.values.get(sheet.number)), date, dept_lookup.get(str(dept)) if dept else None))
    return out
