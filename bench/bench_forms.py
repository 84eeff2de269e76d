"""Benchmark: 500 controlled forms from the sample year, Word then PDF; and ``render --all --pdf``.

    python bench/bench_forms.py [--forms 500] [--single 20] [--workers 2] [--form repair_record]

Measures in one run:
  ours      contexts built once, templates compiled once per process, DOCX on ``workers``
            processes;
  composed  the PDF stage: each form's records composed into one document (chunks of 100),
            converted on ``workers`` soffice, one bookmarked PDF per form (``print_pdfs``);
  per file  today's PDF stage: every form converted as a file of its own, ``workers`` batched
            soffice calls (own profile each, started as today: ``todays_soffice_start``);
  naive (a) the same contexts through ``DocxTemplate(path).render(...).save(...)``, template
            reloaded for every form, one process;
  naive (b) one soffice start per file, measured on ``--single`` files and extrapolated;
  render    ``render --all --pdf`` of one form over the sample year (``render_forms``), composed,
            against today's route (render, then every file converted).
Prints forms per second for each stage and the ratios.
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

from bench.legacy_pack import soffice_start_seconds, todays_soffice_start  # noqa: E402
from generator.config.form_specs import load_forms  # noqa: E402
from generator.config.policy import find_policy  # noqa: E402
from generator.documents.batch import render_all, render_forms  # noqa: E402
from generator.documents.context import build_context  # noqa: E402
from generator.documents.control import control_block  # noqa: E402
from generator.documents.engine import render_docxtpl, template_path  # noqa: E402
from generator.documents.names import unique_names  # noqa: E402
from generator.documents.pdf import convert_one_by_one, convert_to_pdf  # noqa: E402
from generator.documents.printfile import print_pdfs  # noqa: E402
from generator.documents.subjects import FormData, subjects  # noqa: E402
from generator.registers.read import read_all  # noqa: E402
from generator.registers.setup import init_registers  # noqa: E402
from generator.sample.base import SAMPLE_TODAY  # noqa: E402


def jobs_for(n: int, registers: Path, out: Path) -> tuple[list[tuple], list[str]]:
    """n (template, context, out) jobs, taking the forms in turn so every layout is in the mix."""
    policy = find_policy(registers)
    regs = read_all(registers)
    streams = []
    for form in load_forms().values():
        day = SAMPLE_TODAY + dt.timedelta(days=34) if form.kind == "overdue" else SAMPLE_TODAY
        data = FormData(regs, policy, day)
        subs = subjects(form, data)
        names = unique_names(form.id, [s.number for s in subs])
        streams.append([(form, data, s, name) for s, name in zip(subs, names)])
    jobs, forms = [], []
    for form, data, s, name in itertools.islice(
            (x for group in itertools.zip_longest(*streams) for x in group if x), n):
        control = control_block(form, policy, number=s.number, copy_no="01", today=data.today)
        jobs.append((str(template_path(form)), build_context(form, s, data, control), str(out / f"{name}.docx")))
        forms.append(form.id)
    return jobs, forms


def composed(docx: list[Path], forms: list[str], out: Path, workers: int) -> int:
    """The composed PDF stage: one bookmarked PDF per form; returns the pages printed."""
    by_form: dict[str, list[Path]] = {}
    for d, f in zip(docx, forms):
        by_form.setdefault(f, []).append(d)
    batches = [(paths, [p.stem for p in paths], out / f"{f}.pdf") for f, paths in sorted(by_form.items())]
    ranges = print_pdfs(batches, workers=workers)
    return sum(r[-1][1] for r in ranges)


def render_route(registers: Path, form: str, out: Path, workers: int, today_route: bool) -> int:
    """``render --all --pdf`` of one form: composed, or today's route (every file converted)."""
    result = render_forms(registers, form, out, pdf=not today_route, uncontrolled=True, workers=workers)
    if today_route:
        with todays_soffice_start():
            convert_to_pdf(result.docx, out, workers=workers)
    return len(result.docx)


def clock(fn):
    t = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--forms", type=int, default=500)
    ap.add_argument("--single", type=int, default=20, help="files converted one soffice start each")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--form", default="repair_record", help="the form of the render --all --pdf comparison")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        registers = tmp / "registers"
        init_registers(registers, sample=True)
        for d in ("ours", "naive", "pdf", "single", "composed"):
            (tmp / d).mkdir()
        (jobs, forms), t_ctx = clock(lambda: jobs_for(args.forms, registers, tmp / "ours"))
        n = len(jobs)
        docx, t_docx = clock(lambda: render_all(jobs, workers=args.workers))
        _, t_naive = clock(lambda: [render_docxtpl(Path(t), c, tmp / "naive" / Path(o).name) for t, c, o in jobs])
        with todays_soffice_start():
            pdfs, t_pdf = clock(lambda: convert_to_pdf(docx, tmp / "pdf", workers=args.workers))
        assert len(pdfs) == n
        pages, t_comp = clock(lambda: composed(docx, forms, tmp / "composed", args.workers))
        records, t_render_new = clock(lambda: render_route(registers, args.form, tmp / "r-new", args.workers, False))
        _, t_render_old = clock(lambda: render_route(registers, args.form, tmp / "r-old", args.workers, True))
        k = min(args.single, n)
        with todays_soffice_start():
            _, t_single = clock(lambda: convert_one_by_one(docx[:k], tmp / "single"))
        start_old, start_new = soffice_start_seconds(docx[0], tmp / "start")
    t_single_all = t_single / k * n
    ours = t_ctx + t_docx + t_comp
    naive = t_ctx + t_naive + t_single_all

    def rate(t):
        return f"{n / t:8.1f} forms/s"

    print(f"{n} forms ({len(load_forms())} layouts), {args.workers} workers")
    print(f"  contexts from the registers     {t_ctx:7.2f} s  {rate(t_ctx)}")
    print(f"  DOCX ours (compiled, {args.workers} procs)   {t_docx:7.2f} s  {rate(t_docx)}")
    print(f"  DOCX naive (a) reload per form  {t_naive:7.2f} s  {rate(t_naive)}   ours is {t_naive / t_docx:5.1f}x faster")
    print(f"  PDF per file ({args.workers} batched soffice) {t_pdf:5.2f} s  {rate(t_pdf)}   (today's PDF stage)")
    print(f"  PDF composed (one doc/form)     {t_comp:7.2f} s  {rate(t_comp)}   {t_pdf / t_comp:5.1f}x faster"
          f" than per file; {pages} pages, {t_comp / pages * 1000:.0f} ms/page")
    print(f"  PDF naive (b) soffice per file  {t_single_all:7.2f} s  {rate(t_single_all)}   "
          f"ours is {t_single_all / t_pdf:5.1f}x faster  (measured on {k} files, extrapolated)")
    print(f"  end to end ours                 {ours:7.2f} s  {rate(ours)}")
    print(f"  end to end naive (a)+(b)        {naive:7.2f} s  {rate(naive)}   ours is {naive / ours:5.1f}x faster")
    print(f"  one soffice start (one small file): today's {start_old:.2f} s, now {start_new:.2f} s"
          f" (the profile records that the graphics self-tests ran)")
    print(f"  render --all --pdf {args.form} ({records} records): composed {t_render_new:.1f} s,"
          f" today's route {t_render_old:.1f} s: {t_render_old / t_render_new:.1f}x faster")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
