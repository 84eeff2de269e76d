"""Benchmark: the audit pack of the sample year, cold and warm cache, against a serial loop.

    python bench/bench_pack.py [--from 2025-07-01] [--to 2026-06-30] [--serial 30] [--workers 2]

Measures in one run:
  cold      ``build_pack`` on a fresh copy of the sample year (empty cache): every form
            rendered on ``workers`` processes and converted by ``workers`` batched soffice;
  warm      the same pack again, every form taken from the cache (the zip must be identical);
  serial    the plain loop: render one form, start soffice for it, next form; measured on
            ``--serial`` forms taken in turn from every form type, extrapolated to the pack.
"""
from __future__ import annotations

import argparse
import datetime as dt
import itertools
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.config.policy import find_policy  # noqa: E402
from generator.documents.engine import render_docx  # noqa: E402
from generator.documents.pdf import convert_to_pdf  # noqa: E402
from generator.pack.build import build_pack  # noqa: E402
from generator.pack.options import PackOptions  # noqa: E402
from generator.pack.plan import plan_pack  # noqa: E402
from generator.registers.read import read_all  # noqa: E402
from generator.registers.setup import init_registers  # noqa: E402


def clock(fn):
    t = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t


def serial_sample(registers: Path, start: dt.date, end: dt.date, n: int) -> list:
    """n planned forms, one of each form type in turn (so every layout is in the mix)."""
    cases, _ = plan_pack(registers, read_all(registers), find_policy(registers), PackOptions(start, end))
    by_form: dict[str, list] = {}
    for c in cases:
        by_form.setdefault(c.form.id, []).append(c)
    mixed = (c for group in itertools.zip_longest(*by_form.values()) for c in group if c)
    return list(itertools.islice(mixed, n))


def serial_loop(cases: list, out: Path) -> None:
    for i, c in enumerate(cases):
        docx = render_docx(c.template, c.context, out / f"{i}.docx")
        convert_to_pdf([docx], out, workers=1)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--from", dest="start", default="2025-07-01")
    ap.add_argument("--to", dest="end", default="2026-06-30")
    ap.add_argument("--serial", type=int, default=30, help="forms in the serial loop (then extrapolated)")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    start, end = dt.date.fromisoformat(args.start), dt.date.fromisoformat(args.end)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        registers = tmp / "registers"
        init_registers(registers, sample=True)
        cold, t_cold = clock(lambda: build_pack(registers, start, end, tmp / "cold.zip", workers=args.workers))
        warm, t_warm = clock(lambda: build_pack(registers, start, end, tmp / "warm.zip", workers=args.workers))
        same = cold.path.read_bytes() == warm.path.read_bytes()
        size = cold.path.stat().st_size
        sample = serial_sample(registers, start, end, args.serial)
        (tmp / "serial").mkdir()
        _, t_serial = clock(lambda: serial_loop(sample, tmp / "serial"))
    n = cold.forms
    t_serial_all = t_serial / len(sample) * n

    def rate(t):
        return f"{n / t:6.1f} forms/s"

    print(f"audit pack {start} … {end}: {n} forms, {cold.files} files, {size / 1e6:.0f} MB, {args.workers} workers")
    print(f"  cold cache   {t_cold:8.1f} s  {rate(t_cold)}   ({cold.rendered} rendered, {cold.converted} converted,"
          f" {len(cold.failures)} failures)")
    print(f"  warm cache   {t_warm:8.1f} s  {rate(t_warm)}   ({warm.rendered} rendered, {warm.converted} converted;"
          f" zip {'byte-identical' if same else 'DIFFERENT'} to the cold one)")
    print(f"  serial loop  {t_serial_all:8.1f} s  {rate(t_serial_all)}   EXTRAPOLATED from {len(sample)} forms"
          f" measured in {t_serial:.1f} s (render, then one soffice start per file)")
    print(f"  cold / serial = {t_cold / t_serial_all:.2f}   warm / serial = {t_warm / t_serial_all:.3f}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
