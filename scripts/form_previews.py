"""Render page 1 of every form from the sample year into docs/forms/<form id>.png.

    python scripts/form_previews.py [--out docs/forms] [--dpi 60]

For each form the fullest record of the sample is chosen (most filled-in fields and lines),
rendered as a controlled copy, converted with LibreOffice in one batch, rasterised with
pdftoppm and saved as a small palette PNG (< 150 KB). 催办单 is rendered as of REMINDER_DAY,
a month after the sample year ends, when its open cases have run overdue.
"""
from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from generator.config.form_specs import load_forms  # noqa: E402
from generator.config.policy import find_policy  # noqa: E402
from generator.documents.context import build_context  # noqa: E402
from generator.documents.control import control_block  # noqa: E402
from generator.documents.engine import render_docx, template_path, template_revision  # noqa: E402
from generator.documents.pdf import convert_to_pdf  # noqa: E402
from generator.documents.subjects import FormData, subjects  # noqa: E402
from generator.registers.read import read_all  # noqa: E402
from generator.registers.setup import init_registers  # noqa: E402
from generator.sample.base import SAMPLE_TODAY  # noqa: E402

REMINDER_DAY = SAMPLE_TODAY + dt.timedelta(days=34)
MAX_BYTES = 150_000


def fullness(ctx: dict) -> int:
    """How much of a form a context fills: non-empty values, counting list lines too."""
    n = 0
    for v in ctx.values():
        if isinstance(v, str):
            n += bool(v)
        elif isinstance(v, list):
            n += sum(fullness(x) if isinstance(x, dict) else bool(x) for x in v)
        elif isinstance(v, dict):
            n += fullness(v)
    return n


def best_context(form, data: FormData, policy: dict, limit: int = 300) -> dict | None:
    best, score = None, -1
    template = template_path(form)
    for subject in subjects(form, data)[:limit]:
        control = control_block(form, policy, number=subject.number, copy_no="01",
                                revision=template_revision(template), today=data.today)
        ctx = build_context(form, subject, data, control)
        s = fullness(ctx)
        if s > score:
            best, score = ctx, s
    return best


def save_png(pdf: Path, target: Path, dpi: int) -> Path:
    stem = target.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-png", "-singlefile", str(pdf), str(stem)],
                   check=True)
    img = Image.open(target).convert("RGB")
    for colors in (64, 32, 16):   # palette PNGs of a black-and-red form stay small
        img.quantize(colors=colors).save(target, optimize=True)
        if target.stat().st_size < MAX_BYTES:
            break
    return target


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "forms")
    ap.add_argument("--dpi", type=int, default=60)
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        registers = tmp / "registers"
        init_registers(registers, sample=True)
        policy = find_policy(registers)
        regs = read_all(registers)
        docx = []
        for form in load_forms().values():
            day = REMINDER_DAY if form.kind == "overdue" else SAMPLE_TODAY
            ctx = best_context(form, FormData(regs, policy, day), policy)
            if ctx is None:
                print(f"{form.id}: no record in the sample", file=sys.stderr)
                continue
            docx.append(render_docx(template_path(form), ctx, tmp / f"{form.id}.docx"))
        for pdf in convert_to_pdf(docx, tmp / "pdf"):
            png = save_png(pdf, args.out / f"{pdf.stem}.png", args.dpi)
            print(f"{png.relative_to(ROOT) if png.is_relative_to(ROOT) else png}  {png.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
