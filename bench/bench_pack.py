"""Benchmark: the audit pack of the sample year, composed route against today's per-file route.

    python bench/bench_pack.py [--from 2025-07-01] [--to 2026-06-30] [--workers 2] [--split-pdf]

Measures in one run, each on its own fresh copy of the sample registers (empty cache):
  composed  ``build_pack``: each form's records composed into documents of up to 100 records,
            one LibreOffice conversion per document, one print PDF per form with a bookmark per
            record; the pack holds the .docx and the print files (record PDFs with --split-pdf);
  warm      the same pack again from the cache (the zip must be byte-identical);
  today     ``legacy_pack.build_legacy``: the same build with every record converted as a file
            of its own (two batched soffice started as today), normalised, merged per form, its
            PDF in the pack.
Prints seconds, size and the ratios.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.legacy_pack import build_legacy  # noqa: E402
from generator.pack.build import build_pack  # noqa: E402
from generator.registers.setup import init_registers  # noqa: E402


def clock(fn):
    t = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t


def print_pages(pack: Path) -> int:
    with zipfile.ZipFile(pack) as z:
        files = json.loads(z.read("manifest.json"))["files"]
    return sum(f["pages"] or 0 for f in files if f["kind"] == "print")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--from", dest="start", default="2025-07-01")
    ap.add_argument("--to", dest="end", default="2026-06-30")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--split-pdf", action="store_true")
    args = ap.parse_args(argv)
    start, end = dt.date.fromisoformat(args.start), dt.date.fromisoformat(args.end)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        init_registers(tmp / "new", sample=True)
        shutil.copytree(tmp / "new", tmp / "old")
        opts = dict(workers=args.workers, all_forms=False)
        cold, t_cold = clock(lambda: build_pack(tmp / "new", start, end, tmp / "cold.zip", split_pdf=args.split_pdf,
                                                **opts))
        warm, t_warm = clock(lambda: build_pack(tmp / "new", start, end, tmp / "warm.zip", split_pdf=args.split_pdf,
                                                **opts))
        old, t_old = clock(lambda: build_legacy(tmp / "old", start, end, tmp / "old.zip", **opts))
        same = cold.path.read_bytes() == warm.path.read_bytes()
        size, old_size = cold.path.stat().st_size, old.path.stat().st_size
        pages = print_pages(cold.path)
    n = cold.forms
    print(f"audit pack {start} … {end}: {n} forms, {pages} printed pages, {args.workers} workers")
    print(f"  composed cold  {t_cold:7.1f} s  {n / t_cold:6.1f} forms/s  {size / 1e6:6.1f} MB  ({cold.files} files,"
          f" {len(cold.failures)} failures{', split PDFs' if args.split_pdf else ''})")
    print(f"  composed warm  {t_warm:7.1f} s  (zip {'byte-identical' if same else 'DIFFERENT'} to the cold one)")
    print(f"  today cold     {t_old:7.1f} s  {n / t_old:6.1f} forms/s  {old_size / 1e6:6.1f} MB  ({old.files} files,"
          f" {len(old.failures)} failures)")
    print(f"  speed-up {t_old / t_cold:.1f}x   size {size / old_size:.2f} of today's ({old_size / size:.1f}x smaller)")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
