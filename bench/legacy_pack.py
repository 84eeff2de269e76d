"""Today's pack path before composition, kept for the benchmark only: every record converted as
a file of its own (two batched soffice), normalised one by one, merged per form with pypdf,
and every record's PDF in the pack, soffice started on an empty profile (``todays_soffice_start``).
``build_legacy`` runs ``build_pack`` with these steps in place of
``files.make_files``/``print_files`` (same plan, renderer, workbooks and zip).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pikepdf

from generator.core.errors import UserError
from generator.documents import pdf as pdf_mod
from generator.documents.docx_repro import write_bytes
from generator.documents.pdf_repro import merge_pdfs, normalize_pdf, page_count
from generator.documents.pool import pool_map, worker_pool
from generator.pack import build
from generator.pack.files import (
    FormCache,
    _outcome,
    _render_job,
    bookmark,
    canonical_json,
)
from generator.pack.options import Case, Failure, error_text

POLL_SECONDS = 0.5

def _normalise_job(job: tuple) -> str | None:
    src, dest = job
    try:
        data, _ = normalize_pdf(Path(src))
        write_bytes(Path(dest), data)
        return None
    except (pikepdf.PdfError, OSError) as e:     # soffice wrote no PDF, or a broken one
        return f"PDF 无法规范化：{error_text(e)}"


# ---------------------------------------------------------------------------
# Conversion through LibreOffice

def _convert_robust(paths: list[Path], out_dir: Path, workers: int, stop: threading.Event) -> dict[Path, str]:
    """Convert and retry what LibreOffice left out (a file that crashes soffice loses the rest
    of its batch): the missing ones again, then halves, then single files. Returns failures.
    Gives up quietly once ``stop`` is set (the build was interrupted)."""
    if stop.is_set():
        return {}
    detail = ""
    try:
        pdf_mod.convert_to_pdf(paths, out_dir, workers=workers)
    except UserError as e:
        detail = e.message
    missing = [p for p in paths if not (out_dir / f"{p.stem}.pdf").exists()]
    if not missing:
        return {}
    if len(paths) == 1:
        return {paths[0]: f"LibreOffice 未能转换为 PDF（{detail[-200:]}）" if detail else "LibreOffice 未能转换为 PDF"}
    if len(missing) < len(paths):
        return _convert_robust(missing, out_dir, workers, stop)
    half = len(paths) // 2
    return {**_convert_robust(paths[:half], out_dir, 1, stop), **_convert_robust(paths[half:], out_dir, 1, stop)}


def _converting(docx: list[Path], staging: Path, workers: int, failed: dict):
    """Run one conversion chunk in a thread, yielding once per PDF as it appears."""
    box, stop = {}, threading.Event()
    thread = threading.Thread(target=lambda: box.update(failed=_convert_robust(docx, staging, workers, stop)),
                              daemon=True)
    thread.start()
    done = 0
    try:
        while thread.is_alive():
            thread.join(POLL_SECONDS)
            now = min(len(docx), sum(1 for _ in staging.glob("*.pdf")))
            for _ in range(now - done):
                yield None
            done = max(done, now)
    finally:
        stop.set()          # interrupted: no retries, and let the soffice call under way end
        thread.join()       # before its staging folder is removed (soffice would recreate it)
    failed.update(box.get("failed", {}))
    for _ in range(len(docx) - done):
        yield None


def _convert_steps(to_convert: list[Case], cache: FormCache, pool, workers: int, convert_failed: dict):
    """Convert in chunks, one step per PDF; normalising a chunk's PDFs runs on the pool while
    soffice converts the next chunk. Failures go to ``convert_failed`` (cache key -> reason)."""
    size = pdf_mod.MAX_FILES * max(1, workers)          # one soffice start per worker and chunk
    waiting: list[tuple[list[Case], list]] = []
    stagings: list[Path] = []
    try:
        for i in range(0, len(to_convert), size):
            chunk = to_convert[i:i + size]
            staging = cache.staging()
            stagings.append(staging)
            failed: dict[Path, str] = {}
            # every other file, so the two soffice halves get a like mix of one- and five-page forms
            yield from _converting([cache.docx(c.key) for c in chunk[::2] + chunk[1::2]], staging, workers, failed)
            convert_failed.update({p.stem: r for p, r in failed.items()})
            done = [c for c in chunk if c.key not in convert_failed]
            jobs = [(str(staging / f"{c.key}.pdf"), str((cache.forms / f"{c.key}.pdf"))) for c in done]
            waiting.append((done, [pool.submit(_normalise_job, j) for j in jobs] if pool
                            else [_normalise_job(j) for j in jobs]))
    finally:
        for done, results in waiting:
            for c, r in zip(done, results):
                r = _outcome(r)
                if r:
                    convert_failed[c.key] = r
        for staging in stagings:
            shutil.rmtree(staging, ignore_errors=True)


def make_files(cases: list[Case], cache: FormCache, workers: int, track) -> tuple[list[Failure], int, int]:
    """Render and convert what the cache lacks; fills case.docx/pdf/pages. Returns the failures
    and how many .docx and PDFs were made in this run."""
    unique = {c.key: c for c in cases}
    to_render = [c for c in unique.values() if not cache.docx(c.key).exists()]
    convert_failed: dict[str, str] = {}
    with worker_pool(workers) as pool:
        reasons = pool_map(pool, _render_job, [(str(c.template), c.context, str(cache.docx(c.key)))
                                               for c in to_render], "填写表单", track)
        render_failed = {c.key: r for c, r in zip(to_render, reasons) if r}
        to_convert = [c for c in unique.values() if c.key not in render_failed and not (cache.forms / f"{c.key}.pdf").exists()]
        converting = _convert_steps(to_convert, cache, pool, workers, convert_failed)
        try:
            for _ in track(converting, "转换 PDF", len(to_convert)):
                pass
        finally:
            converting.close()     # on interruption too: keep what was converted, drop the staging folders
    failures: list[Failure] = []
    for c in cases:
        if c.key in render_failed:
            failures.append(Failure.of(c, f"无法填写：{render_failed[c.key]}"))
            continue
        c.docx = cache.docx(c.key)
        if c.key in convert_failed:
            failures.append(Failure.of(c, f"Word 文件已收入，PDF 未生成：{convert_failed[c.key]}"))
            continue
        c.pdf = (cache.forms / f"{c.key}.pdf")
        c.pages = page_count(c.pdf)
    return failures, len(to_render) - len(render_failed), len(to_convert) - len(convert_failed)


# ---------------------------------------------------------------------------
# Print files

def print_file(form_id: str, cases: list[Case], cache: FormCache, toolchain: str) -> tuple[Path, int]:
    """The merged, bookmarked PDF of a form's cases (cached by the list of parts)."""
    parts = [(c.pdf, bookmark(c)) for c in cases]
    key = hashlib.sha256(canonical_json([toolchain, form_id, [(c.key, t) for c, (_, t) in zip(cases, parts)]])).hexdigest()
    path = cache.print / f"{key}.pdf"
    if not path.exists():
        data, _ = merge_pdfs(parts)
        write_bytes(path, data)
    return path, sum(c.pages or 0 for c in cases)



def add_forms(self, cases: list[Case], cache: FormCache, split_pdf: bool) -> None:
    """forms/<form>/<stem>.docx|.pdf by record date, then print/<form>.pdf (today's layout)."""
    by_form: dict[str, list[Case]] = {}
    for c in sorted(cases, key=lambda c: (c.date or dt.date.min, c.number, c.row or 0, c.stem)):
        if c.docx is not None:
            by_form.setdefault(c.form.id, []).append(c)
    for form_id in sorted(by_form):
        for c in by_form[form_id]:
            self.add(f"forms/{form_id}/{c.stem}.docx", c.docx, "docx", case=c)
            if c.pdf is not None:
                self.add(f"forms/{form_id}/{c.stem}.pdf", c.pdf, "pdf", case=c, pages=c.pages)
    for form_id in sorted(by_form):
        printable = [c for c in by_form[form_id] if c.pdf is not None]
        if printable:
            path, pages = print_file(form_id, printable, cache, "legacy")
            self.add(f"print/{form_id}.pdf", path, "print", form=printable[0].form, pages=pages)


@contextmanager
def todays_soffice_start():
    """soffice started as today's path starts it: on an empty profile, so that LibreOffice runs
    its graphics self-tests at every start (``pdf.new_profile`` now records that they ran)."""
    saved = pdf_mod.new_profile
    pdf_mod.new_profile = lambda profile: profile
    try:
        yield
    finally:
        pdf_mod.new_profile = saved


def soffice_start_seconds(docx: Path, out_dir: Path) -> tuple[float, float]:
    """Wall seconds of converting one small file: (today's start, the new start)."""
    def once() -> float:
        t = time.perf_counter()
        pdf_mod.convert_to_pdf([docx], out_dir, workers=1)
        return time.perf_counter() - t
    with todays_soffice_start():
        old = once()
    return old, once()


@contextmanager
def legacy_route():
    saved = build.make_files, build.PackContents.add_forms
    build.make_files, build.PackContents.add_forms = make_files, add_forms
    try:
        with todays_soffice_start():
            yield
    finally:
        build.make_files, build.PackContents.add_forms = saved


def build_legacy(*args, **kwargs):
    with legacy_route():
        return build.build_pack(*args, **kwargs)
