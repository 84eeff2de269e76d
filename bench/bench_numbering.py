"""Benchmark: check_numbers over 1,000,000 valid N1-style numbers against a bare loop.

Run on demand (not part of pytest):  python bench/bench_numbering.py [count]

N1 itself ({YY}{MM}{DD}{SEQ:3}, reset yearly) holds at most 999 numbers a year, so the
bench widens the serial to five digits and spreads the numbers over 20 years. The bare
loop does only what a hand-written check would: fullmatch, the date part, duplicates and
gaps (assuming rows in serial order). Target: check_numbers ≲ 1.5 × the bare loop.
"""
from __future__ import annotations

import datetime as dt
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.rules.number_checks import check_numbers  # noqa: E402
from generator.rules.numbering import NumberEntry, Pattern  # noqa: E402

RULE = {"pattern": "{YY}{MM}{DD}{SEQ:5}", "reset": "year", "per_dept": False, "title": "投诉单号"}
YEARS = 20


def make_entries(count: int) -> list[NumberEntry]:
    p = Pattern.parse(RULE["pattern"])
    per_year = count // YEARS
    out = []
    for y in range(YEARS):
        start = dt.date(2006 + y, 1, 1)
        for k in range(per_year):
            date = start + dt.timedelta(days=k * 365 // per_year)
            out.append(NumberEntry(len(out) + 2, p.format(date, k + 1), date, None))
    return out


def bare_loop(entries: list[NumberEntry]) -> int:
    rx = re.compile(r"(\d{2})(\d{2})(\d{2})(\d{5})", re.ASCII)
    problems = 0
    seen: set[str] = set()
    last: dict[str, int] = {}
    for _row, value, date, _dept in entries:
        m = rx.fullmatch(value)
        if m is None:
            problems += 1
            continue
        yy, mm, dd, seq = m.groups()
        if (int(yy), int(mm), int(dd)) != (date.year % 100, date.month, date.day):
            problems += 1
        if value in seen:
            problems += 1
        seen.add(value)
        n = int(seq)
        if n != last.get(yy, 0) + 1:
            problems += 1
        last[yy] = n
    return problems


def timed(fn, *args) -> tuple[float, object]:
    t0 = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - t0, result


def main(count: int = 1_000_000) -> None:
    entries = make_entries(count)
    best_bare = best_check = float("inf")
    for _ in range(3):
        t_bare, bare = timed(bare_loop, entries)
        t_check, findings = timed(
            lambda e: check_numbers(e, RULE, set(), register="bench", sheet="投诉", column="单号"), entries
        )
        best_bare, best_check = min(best_bare, t_bare), min(best_check, t_check)
    assert bare == 0 and findings == [], (bare, findings[:3])
    print(f"numbers          {len(entries):,}")
    print(f"bare loop        {best_bare:.3f} s")
    print(f"check_numbers    {best_check:.3f} s")
    print(f"ratio            {best_check / best_bare:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
