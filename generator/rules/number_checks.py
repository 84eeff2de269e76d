"""Number checks over one register column: format, date, department, duplicates, gaps, resets
and order (the codes are listed in ``generator.rules.numbering``'s docstring).

The hot path works on regex groups and caches per date, because a register may hold a million
numbers; see bench/bench_numbering.py.
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from operator import le, lt
from typing import Any

from generator.core.findings import Finding
from generator.rules.numbering import (
    _LIST_MAX,
    NumberEntry,
    Pattern,
    Rule,
    as_tuple,
    cell_text,
    compile_rule,
    field_values,
    year_of,
)


def _show(n: list[str]) -> str:
    return "、".join(n) if len(n) <= _LIST_MAX else f"{n[0]} 至 {n[-1]}（共 {len(n)} 个）"


def _some(items: list[str], total: int) -> str:
    """The first few of ``total`` items, then how many there are: a number used by thousands of
    rows must not make each of their messages thousands of rows long."""
    if total <= _LIST_MAX:
        return "、".join(items[:total])
    return "、".join(items[:_LIST_MAX]) + f" 等 {total} 处"


def _iso(d) -> str:
    return d.isoformat()[:10]


def check_numbers(
    entries: list[NumberEntry],
    rule: dict | Rule,
    known_depts: set[str],
    *,
    register: str,
    sheet: str,
    column: str,
    rule_id: str | None = None,
) -> list[Finding]:
    """Every numbering problem in one register column, sorted by row then code.

    entries: the column's rows (raw cells, the record's date and department code);
    rule: a policy entry [numbering.<id>] or a compiled Rule, rule_id names it in messages;
    known_depts: department codes a {DEPT} field may hold. Empty cells are skipped.
    """
    check = _Check(entries, compile_rule(rule, rule_id), known_depts)
    check.scan()
    check.check_cycles()
    out = [
        Finding.of(code, register, sheet, entries[i][0], column, value=_json_value(entries[i][1]), **fields)
        for i, code, fields in check.found
    ]
    out.sort(key=lambda f: (f.row, f.code))
    return out


class _Check:
    """One run of check_numbers. ``scan`` is the per-row hot loop (regex groups, caches
    per date); everything rare is a method. Rows are referred to by entry index."""

    def __init__(self, entries: list[NumberEntry], rule: Rule, known_depts: set[str]):
        self.entries, self.r, self.p, self.known = entries, rule, rule.pattern, known_depts
        self.found: list[tuple[int, str, dict]] = []  # (entry index, code, message fields)
        self.cycles: dict[Any, list[int]] = {}  # cycle key (regex groups) -> entry indexes
        self.seqs = [0] * len(entries)
        self.expected: dict = {}  # record date -> its date fields as the number shows them
        self.real: dict = {}  # number date fields -> date (full-date patterns), True, False if invalid
        self.doubtful: set[int] = set()  # record dates not to trust for the order check
        self.number_dates: dict[int, dt.date] = {}  # order date of a record without one
        self.dget = self.p.getter(self.p.date_fields)

    def add(self, i: int, code: str, **fields) -> None:
        self.found.append((i, code, fields))

    def text(self, i: int) -> str:
        return cell_text(self.entries[i][1], self.p)[0]

    def scan(self) -> None:
        p, found, known = self.p, self.found, self.known
        fullmatch, seqs, cycles, expected = p.regex.fullmatch, self.seqs, self.cycles, self.expected
        index = p.index
        seq_i, dept_i, max_seq = index["SEQ"], index.get("DEPT"), p.max_seq
        dget = self.dget
        cget = p.getter(self.r.cycle_fields) or (lambda g: ())
        last_key, c = object(), None
        for i, (row, value, date, dept) in enumerate(self.entries):
            # clean text matches at once; anything else is normalised first
            m = fullmatch(value) if type(value) is str else None
            if m is None:
                hit = self.read_cell(i, value)
                if hit is None:
                    continue
                s, m = hit
            else:
                s = value
            g = m.groups()
            seq = int(g[seq_i])
            if not 0 < seq <= max_seq and self.bad_serial(i, s, seq):
                continue
            if dget is not None and (date is None or dget(g) != (expected.get(date) or self.expect(date))):
                if self.date_problem(i, s, g, date):
                    continue
            if dept_i is not None:
                code = g[dept_i]
                if code not in known:
                    found.append((i, "number.unknown_dept", {"number": s, "dept": code}))
                if dept is not None and dept != code:
                    found.append((i, "number.dept_mismatch", {"number": s, "dept": code, "row_dept": dept}))
            seqs[i] = seq
            key = cget(g)
            if key != last_key:  # rows mostly come cycle by cycle
                c = cycles.get(key)
                if c is None:
                    c = cycles[key] = []
                last_key = key
            c.append(i)

    def format_problem(self, i: int, s: str) -> None:
        p = self.p
        example = p.example(min(self.known) if self.known else None)
        self.add(i, "number.format", number=s, rule_title=self.r.title, pattern=p.text, example=example)

    def read_cell(self, i: int, value):
        """(text, match) of a cell that is not clean text, or None (empty or reported)."""
        p = self.p
        s, padded = cell_text(value, p)
        if s is None:
            return None
        m = p.regex.fullmatch(s)
        if m is not None:
            if padded:
                self.add(i, "number.numeric", cell=repr(value), number=s)
            return s, m
        m = p.relaxed.fullmatch(s)
        if m is not None and int(m.group(p.index["SEQ"] + 1)) > p.max_seq:
            return s, m  # an overflow, reported with the serial
        self.format_problem(i, s)
        return None

    def bad_serial(self, i: int, s: str, seq: int) -> bool:
        """Report serial 0 (True: skip the row) or one wider than the pattern allows."""
        p = self.p
        if seq == 0:
            self.format_problem(i, s)
            return True
        self.add(i, "number.overflow", number=s, seq=seq, width=p.width, max_seq=p.max_seq, where=self.r.where(),
                 wider=p.width + 1)
        return False

    def expect(self, date: dt.date):
        values = field_values(date)
        e = self.expected[date] = self.dget(tuple(values.get(f) for f in self.p.fields))
        return e

    def date_problem(self, i: int, s: str, g: tuple, date) -> bool:
        """The number's date part when the record has no date or another one.
        True when the row cannot be used further (the number names no real date)."""
        p, dk = self.p, self.dget(g)
        ok = self.real.get(dk)
        if ok is None:
            v = dict(zip(p.date_fields, as_tuple(dk)))
            ok = p.date_ok(v) and (dt.date(year_of(v), int(v["MM"]), int(v["DD"])) if p.full_date else True)
            self.real[dk] = ok
        if ok is False:
            self.format_problem(i, s)
            return True
        if date is not None:
            self.doubtful.add(i)
            right = p.assemble(_sample(p, date, g))
            self.add(i, "number.date_mismatch", number=s, date=_iso(date), right=right)
        elif ok is not True:
            self.number_dates[i] = ok
        return False

    def check_cycles(self) -> None:
        """Cycles of each track (a department, or the whole register) in date order."""
        tracks: dict[Any, list] = {}
        for key in self.cycles:
            parts = as_tuple(key)
            track, when = (parts[0], parts[1:]) if self.r.per_dept else (None, parts)
            tracks.setdefault(track, []).append((when, key))
        for chain in tracks.values():
            prev_max = None
            for _, key in sorted(chain):
                prev_max = self.check_cycle(as_tuple(key), self.cycles[key], prev_max)

    def check_cycle(self, key: tuple, idxs: list[int], prev_max: int | None) -> int:
        """Duplicate, reset, gap and order findings of one cycle; returns its top serial."""
        s = [self.seqs[i] for i in idxs]
        label = self.r.cycle_label(key)
        if not all(map(lt, s, s[1:])):
            order = sorted(range(len(s)), key=s.__getitem__)  # stable: the first row leads ties
            idxs, s = [idxs[j] for j in order], [s[j] for j in order]
            if not all(map(lt, s, s[1:])):
                idxs, s = self.drop_duplicates(label, idxs, s)
        lo, hi = s[0], s[-1]
        if lo > 1:
            if prev_max is not None and lo == prev_max + 1:  # carried on from the previous cycle
                self.add(idxs[0], "number.reset", cycle=label, number=self.text(idxs[0]), prev_max=prev_max)
            else:
                self.gap(key, label, 1, lo - 1, idxs[0])
        if hi - lo + 1 != len(s):
            for a, b, at in zip(s, s[1:], idxs[1:]):
                if b - a > 1:
                    self.gap(key, label, a + 1, b - 1, at)
        self.check_order(idxs)
        return hi

    def gap(self, key: tuple, label: str, a: int, b: int, at: int) -> None:
        """Serials a..b are missing; reported on the row after the gap. The numbers are
        shown in full when the cycle fixes every other field, else as serials."""
        p = self.p
        values = dict(zip(self.r.cycle_fields, key))
        if all(f in values for f in p.fields if f != "SEQ"):
            noun, missing = "编号", [p.assemble({**values, "SEQ": n}) for n in range(a, b + 1)]
        else:
            noun, missing = "序号", [f"{n:0{p.width}d}" for n in range(a, b + 1)]
        self.add(at, "number.gap", cycle=label, noun=noun, missing=_show(missing))

    def drop_duplicates(self, label: str, idxs: list[int], s: list[int]):
        """Report every serial used twice in a cycle (the same number, or under N1 the same
        serial on another day); keep the first row of each for the gap and order checks."""
        entries, keep_i, keep_s, k = self.entries, [], [], 0
        while k < len(s):
            j = k + 1
            while j < len(s) and s[j] == s[k]:
                j += 1
            group = idxs[k:j]
            texts = {i: self.text(i) for i in group}
            same = len(set(texts.values())) == 1       # one number written twice, not one serial on two days
            for i in group if len(group) > 1 else ():
                # the first few other rows and how many there are (a group may hold thousands)
                others = [o for o in group[:_LIST_MAX + 2] if o != i][:_LIST_MAX + 1]
                more = len(group) - 1
                if same:
                    self.add(i, "number.duplicate", number=texts[i],
                             rows=_some([str(entries[o][0]) for o in others], more))
                else:
                    who = _some([f"第 {entries[o][0]} 行（{texts[o]}）" for o in others], more)
                    self.add(i, "number.duplicate", variant="serial", number=texts[i], others=who,
                             seq=f"{s[k]:0{self.p.width}d}", cycle=label)
            keep_i.append(idxs[k])
            keep_s.append(s[k])
            k = j
        return keep_i, keep_s

    def check_order(self, idxs: list[int]) -> None:
        """Warn on the fewest records whose date breaks serial order: those outside a
        longest non-decreasing run of dates (idxs are in serial order)."""
        ds = [self.entries[i][2] for i in idxs]
        if self.doubtful or self.number_dates:  # rare: a per-row look-up only then
            ds = [None if i in self.doubtful else self.number_dates.get(i) if d is None else d
                  for i, d in zip(idxs, ds)]
        if None in ds:
            idxs = [i for i, d in zip(idxs, ds) if d is not None]
            ds = [d for d in ds if d is not None]
        if all(map(le, ds, ds[1:])):
            return
        keep = _longest_non_decreasing(ds)
        kept = sorted(keep)
        for k in range(len(ds)):
            if k in keep:
                continue
            j = bisect_right(kept, k)
            before = kept[j - 1] if j else None
            # a kept neighbour must disagree, or the run could have included this record
            if before is not None and ds[before] > ds[k]:
                other, how = before, "之后，日期却更早"
            else:
                other, how = kept[j], "之前，日期却更晚"
            self.add(idxs[k], "number.order", number=self.text(idxs[k]), date=_iso(ds[k]),
                     other=self.text(idxs[other]), other_date=_iso(ds[other]), how=how)


def _sample(p: Pattern, date, g) -> dict:
    """Field values of a corrected number: the record's date, the number's other parts."""
    values = dict(zip(p.fields, g))
    values.update((k, v) for k, v in field_values(date).items() if k in values and k != "DEPT")
    values["SEQ"] = int(values["SEQ"])
    return values


def _json_value(v):
    return v if v is None or isinstance(v, (str, int, float, bool)) else str(v)


def _longest_non_decreasing(ds: list) -> set[int]:
    """Positions of one longest non-decreasing subsequence (patience sorting)."""
    tails: list = []
    tail_pos: list[int] = []
    prev = [-1] * len(ds)
    for k, d in enumerate(ds):
        j = bisect_right(tails, d)
        prev[k] = tail_pos[j - 1] if j else -1
        if j == len(tails):
            tails.append(d)
            tail_pos.append(k)
        else:
            tails[j], tail_pos[j] = d, k
    keep, k = set(), tail_pos[-1]
    while k >= 0:
        keep.add(k)
        k = prev[k]
    return keep
