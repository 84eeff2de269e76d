"""The form files of a pack: rendered and converted once, kept in a cache, bound for print.

Each record's .docx is cached in ``DIR/.aftersales-cache/forms`` under the hash of the context
names its template reads, the template and the toolchain (``toolchain_digest``). A form's
records are converted as composed documents of up to CHUNK sections (``documents.printfile``),
each cached in ``print/chunk-<key>.pdf`` (key: its records' keys) with its records' page
ranges beside it; the print file of a form binds its chunks with a bookmark per record. Only
missing records are rendered and missing chunks converted, ``workers`` soffice at a time, each
written to the cache as it finishes, so an interrupted build resumes where it stopped.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import tempfile
import zipfile
from concurrent.futures import CancelledError
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pypdf
from docx.opc.exceptions import PackageNotFoundError
from jinja2 import TemplateError
from lxml.etree import XMLSyntaxError

from generator.core.errors import UserError
from generator.documents.docx_repro import write_bytes
from generator.documents.engine import render_docx
from generator.documents.pdf import find_soffice
from generator.documents.pdf_repro import normalize_pdf
from generator.documents.pool import pool_map, worker_pool
from generator.documents.printfile import (
    bind,
    compose_docx,
    convert_balanced,
    cuts,
    even_runs,
    pages_digest,
    record_ranges,
)
from generator.pack.options import Case, Failure, error_text
from generator.pack.verify import FORMAT_VERSION

CACHE_DIR = ".aftersales-cache"
# Sections (record copies) per composed document: LibreOffice's cost is per document
# (FIELD-NOTES), so big; not so big that one failure or interruption costs much, and a form of
# a few hundred records still gives each soffice worker documents of its own to balance.
CHUNK = 100
WAVE = 600       # records per round of soffice starts (a soffice start costs seconds on a busy machine)
TOOLCHAIN_DIR = Path(__file__).resolve().parent.parent / "documents"   # the renderer, converter and font config
# A template that cannot be read or filled: our renderer's UserError (bad tags, unknown names),
# what it does not wrap, a missing or broken .docx, a part that renders to invalid XML.
TEMPLATE_ERRORS = (UserError, TemplateError, OSError, zipfile.BadZipFile, PackageNotFoundError, XMLSyntaxError)


def canonical_json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":")).encode("utf-8")


def toolchain_digest() -> str:
    """Hash of what turns a context into files: our renderer and converter code, the font
    configuration, the PDF libraries and the soffice binary. A change invalidates the cache."""
    h = hashlib.sha256(f"{FORMAT_VERSION}|pikepdf {pikepdf.__version__}|pypdf {pypdf.__version__}".encode())
    for p in sorted(TOOLCHAIN_DIR.rglob("*")):
        if p.is_file() and p.suffix in (".py", ".conf"):
            h.update(p.relative_to(TOOLCHAIN_DIR).as_posix().encode() + b"\0" + p.read_bytes())
    soffice = find_soffice()
    if soffice:
        real = Path(shutil.which(soffice) or soffice).resolve()
        st = real.stat() if real.exists() else None
        h.update(f"{real}|{st.st_size if st else 0}|{st.st_mtime_ns if st else 0}".encode())
    return h.hexdigest()


class FormCache:
    """``DIR/.aftersales-cache/forms/<key>.docx|.pdf`` and ``print/<key>.pdf``."""

    def __init__(self, directory: Path):
        self.root = Path(directory) / CACHE_DIR
        self.forms = self.root / "forms"
        self.print = self.root / "print"
        for d in (self.forms, self.print):
            d.mkdir(parents=True, exist_ok=True)

    def docx(self, key: str) -> Path:
        return self.forms / f"{key}.docx"

    def pdf(self, key: str) -> Path:
        return self.forms / f"{key}.pdf"

    def chunk(self, key: str) -> Path:
        """A converted chunk of records (its page ranges in ``<key>.json`` beside it)."""
        return self.print / f"chunk-{key}.pdf"

    def staging(self) -> Path:
        return Path(tempfile.mkdtemp(prefix=f"staging-{os.getpid()}-", dir=self.root))


# ---------------------------------------------------------------------------
# Rendering on the pool

def _render_job(job: tuple) -> str | None:
    """Render one form into the cache; the reason as text when its template cannot be filled."""
    template, context, out = job
    try:
        render_docx(Path(template), context, Path(out))
        return None
    except TEMPLATE_ERRORS as e:
        return error_text(e)


# ---------------------------------------------------------------------------
# Print files: each form's records composed into documents of CHUNK sections, converted once

def ordered(cases: list[Case]) -> list[Case]:
    """Cases in pack order: by form, then record date, number, row and file name."""
    return sorted(cases, key=lambda c: (c.form.id, c.date or dt.date.min, c.number, c.row or 0, c.stem))


@dataclass
class Chunk:
    """Records of one form (up to CHUNK sections), composed and converted as one document."""
    cases: list[Case]
    key: str = ""

    def __post_init__(self):
        self.key = hashlib.sha256(canonical_json(["chunk", [c.key for c in self.cases]])).hexdigest()


def _copies(case: Case) -> int:
    """Sections of a case's form: one per copy (一式三联), else one."""
    return max(1, len(case.form.copies))


def _chunks(form_cases: list[Case], size: int) -> list[Chunk]:
    """A form's cases in documents of nearly equal length, each of at most ``size`` sections."""
    copies = _copies(form_cases[0]) if form_cases else 1
    return [Chunk(form_cases[i:j]) for i, j in even_runs(len(form_cases), copies, size)]


def _sections(chunk: Chunk) -> int:
    """The sections a chunk's composed document holds."""
    return sum(_copies(c) for c in chunk.cases)


def _compose_job(job: tuple) -> str | None:
    """Compose a chunk's record files into one .docx; the reason when it cannot be done."""
    sources, out = job
    try:
        write_bytes(Path(out), compose_docx([Path(s) for s in sources]))
        return None
    except (OSError, XMLSyntaxError, KeyError, ValueError, zipfile.BadZipFile) as e:
        return error_text(e)


def _finish_job(job: tuple) -> str | None:
    """Normalise a converted chunk into the cache with its records' page ranges beside it."""
    src, dest, records = job
    try:
        data, _ = normalize_pdf(Path(src))
        with pikepdf.open(io.BytesIO(data)) as pdf:
            ranges = record_ranges(pdf, records)
        write_bytes(Path(dest).with_suffix(".json"), canonical_json(ranges))
        write_bytes(Path(dest), data)
        return None
    except (pikepdf.PdfError, OSError, UserError) as e:     # no PDF, a broken one, or pages not found
        return f"PDF 无法规范化：{error_text(e)}"


def _outcome(result) -> str | None:
    """A job's failure reason, whether it ran inline (a value) or on the pool (a future)."""
    if not hasattr(result, "result"):
        return result
    try:
        return result.result()
    except (CancelledError, BrokenProcessPool) as e:     # an interrupted build, or the worker died
        return error_text(e)


def _run(pool, fn, job):
    return pool.submit(fn, job) if pool is not None else fn(job)


def _waves(chunks: list[Chunk], records: int) -> list[list[Chunk]]:
    """Runs of chunks of about ``records`` records: one soffice start per worker and wave."""
    waves: list[list[Chunk]] = [[]]
    for ch in chunks:
        if waves[-1] and sum(len(c.cases) for c in waves[-1]) + len(ch.cases) > records:
            waves.append([])
        waves[-1].append(ch)
    return [w for w in waves if w]


def _convert_wave(wave: list[Chunk], cache: FormCache, pool, workers: int, composed: dict) -> dict[str, str]:
    """Convert a wave of chunks into the cache, ``workers`` soffice side by side; failures by
    chunk key."""
    failed: dict[str, str] = {}
    staging = cache.staging()
    try:
        ready = []
        for ch in wave:
            reason = _outcome(composed.pop(ch.key))
            if reason:
                failed[ch.key] = reason
            else:
                ready.append(ch)
        detail = convert_balanced([(cache.root / "compose" / f"{c.key}.docx", _sections(c)) for c in ready],
                                  staging, workers)
        jobs = [(str(staging / f"{c.key}.pdf"), str(cache.chunk(c.key)), len(c.cases)) for c in ready]
        results = [_run(pool, _finish_job, j) for j in jobs]
        for c, r in zip(ready, results):
            r = _outcome(r)
            if r:
                failed[c.key] = (f"LibreOffice 未能转换为 PDF（{detail[-200:]}）" if detail
                                 and not (staging / f"{c.key}.pdf").exists() else r)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return failed


def _compose_all(chunks: list[Chunk], cache: FormCache, pool) -> dict:
    (cache.root / "compose").mkdir(exist_ok=True)
    return {ch.key: _run(pool, _compose_job, ([str(cache.docx(c.key)) for c in ch.cases],
                                               str(cache.root / "compose" / f"{ch.key}.docx"))) for ch in chunks}


def _convert_steps(chunks: list[Chunk], cache: FormCache, pool, workers: int, failed: dict[str, str]):
    """Convert chunks wave by wave (composing runs ahead on the pool), one step per record.
    A chunk that fails is split in halves and tried again; a single record that fails is a
    failure (``failed``: case key -> reason)."""
    todo = list(chunks)
    try:
        while todo:
            composed = _compose_all(todo, cache, pool)
            retry = []
            for wave in _waves(todo, WAVE):
                wave_failed = _convert_wave(wave, cache, pool, workers, composed)
                for ch in wave:
                    if ch.key in wave_failed and len(ch.cases) > 1:
                        half = len(ch.cases) // 2
                        retry += [Chunk(ch.cases[:half]), Chunk(ch.cases[half:])]
                        continue
                    if ch.key in wave_failed:
                        failed[ch.cases[0].key] = wave_failed[ch.key]
                    yield from (None for _ in ch.cases)
            todo = retry
    finally:
        shutil.rmtree(cache.root / "compose", ignore_errors=True)


def make_files(cases: list[Case], cache: FormCache, workers: int, track, *, chunk: int = CHUNK
               ) -> tuple[list[Failure], int, int]:
    """Render what the cache lacks, then convert the chunks (of ``chunk`` records of a form) the
    cache lacks; fills case.docx (``print_files`` then binds the chunks per form).
    Returns the failures and how many .docx were rendered and records converted in this run."""
    unique = {c.key: c for c in cases}
    to_render = [c for c in unique.values() if not cache.docx(c.key).exists()]
    convert_failed: dict[str, str] = {}
    with worker_pool(workers) as pool:
        reasons = pool_map(pool, _render_job, [(str(c.template), c.context, str(cache.docx(c.key)))
                                               for c in to_render], "填写表单", track)
        render_failed = {c.key: r for c, r in zip(to_render, reasons) if r}
        by_form = _by_form([c for c in ordered(cases) if c.key not in render_failed])
        chunks = [ch for form_cases in by_form.values() for ch in _chunks(form_cases, chunk)]
        missing = [ch for ch in chunks if not cache.chunk(ch.key).exists()]
        converting = _convert_steps(missing, cache, pool, workers, convert_failed)
        try:
            for _ in track(converting, "转换 PDF", sum(len(ch.cases) for ch in missing)):
                pass
        finally:
            converting.close()     # on interruption too: keep the chunks converted, drop the staging folders
    failures: list[Failure] = []
    for c in cases:
        if c.key in render_failed:
            failures.append(Failure.of(c, f"无法填写：{render_failed[c.key]}"))
            continue
        c.docx = cache.docx(c.key)
        if c.key in convert_failed:
            failures.append(Failure.of(c, f"Word 文件已收入，PDF 未生成：{convert_failed[c.key]}"))
    converted = sum(len(ch.cases) for ch in missing) - len(convert_failed)
    return failures, len(to_render) - len(render_failed), converted


def _by_form(cases: list[Case]) -> dict[str, list[Case]]:
    out: dict[str, list[Case]] = {}
    for c in cases:
        out.setdefault(c.form.id, []).append(c)
    return out


def print_files(cases: list[Case], cache: FormCache, *, chunk: int = CHUNK, split_pdf: bool = False
                ) -> dict[str, tuple[Path, int]]:
    """Each form's print file from the cached chunks (form id -> path, pages); sets each case's
    print_range, pages and pages_sha256 (and pdf, cut from the print file, with ``split_pdf``).
    Cases whose PDF could not be made are left out."""
    out = {}
    for form_id, form_cases in _by_form([c for c in ordered(cases) if c.docx is not None]).items():
        parts, done = [], []
        for ch in _chunks(form_cases, chunk):
            if cache.chunk(ch.key).exists():
                parts.append(ch)
                done += ch.cases
            else:             # a chunk that failed as a whole: its records split further in the cache
                for c in ch.cases:
                    one = Chunk([c])
                    if cache.chunk(one.key).exists():
                        parts.append(one)
                        done.append(c)
        if not done:
            continue
        titles = [bookmark(c) for c in done]
        key = hashlib.sha256(canonical_json(["print", form_id, [p.key for p in parts], titles])).hexdigest()
        path = cache.print / f"{key}.pdf"
        if not path.exists() or not path.with_suffix(".json").exists():
            chunks = [(cache.chunk(p.key), [tuple(r) for r in json.loads(cache.chunk(p.key).with_suffix(".json")
                                                                        .read_text())]) for p in parts]
            data, ranges = bind(chunks, titles)
            write_bytes(path.with_suffix(".json"), canonical_json(ranges))
            write_bytes(path, data)
        ranges = [tuple(r) for r in json.loads(path.with_suffix(".json").read_text())]
        with pikepdf.open(path) as pdf:
            for c, (first, last) in zip(done, ranges):
                c.print_range, c.pages = (first, last), last - first + 1
                c.pages_sha256 = pages_digest(pdf, first, last)
            pages = len(pdf.pages)
        if split_pdf:
            for c in done:
                c.pdf = cache.forms / f"{c.key}-{key[:16]}.pdf"
            missing = [c for c in done if not c.pdf.exists()]
            for c, data in zip(missing, cuts(path, [c.print_range for c in missing])):
                write_bytes(c.pdf, data)
        out[form_id] = (path, pages)
    return out


def bookmark(case: Case) -> str:
    bits = [case.number or case.stem, case.date.isoformat() if case.date else "", case.customer]
    return " · ".join(b for b in bits if b)


__all__ = ["CACHE_DIR", "CHUNK", "TEMPLATE_ERRORS", "FormCache", "bookmark", "canonical_json", "make_files",
           "ordered", "print_files", "toolchain_digest"]
