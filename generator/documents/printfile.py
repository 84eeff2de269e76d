"""One printable PDF per form: records composed into one document, converted once, bookmarked.

- ``compose_docx``: the records' own .docx files (same template) as one document
  (``compose.Package``), one section per record copy;
- LibreOffice converts it with the bookmarks exported as named destinations
  (``pdf.convert_to_pdf(destinations=True)``);
- ``record_ranges``: each record's pages, from the destination ``pg_end_<record>_<section>``
  on the last page of each of its sections (a record starts on the page after the previous one
  ends: every section starts a new page);
- ``bind``: documents converted in chunks joined, destinations dropped, an outline item per
  record, made reproducible (``pdf_repro.normalize_pdf``);
- ``cut``: one record's pages as a PDF of its own (``--split-pdf``); it carries the fonts of its
  chunk, the one thing a standalone PDF cannot share;
- ``print_pdfs``: all of it for ``render --pdf`` and the bench (no cache: the audit pack has its own, per chunk);
- ``pages_digest``: the SHA-256 of a page range's content streams, recorded in the manifest and
  recomputed by ``verify``.
"""
from __future__ import annotations

import hashlib
import io
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pikepdf

from generator.core.errors import UserError
from generator.documents.compose import Package, read_record
from generator.documents.docx_repro import docx_bytes, read_parts, write_bytes
from generator.documents.pdf import convert_to_pdf
from generator.documents.pdf_repro import normalize_pdf
from generator.documents.pool import worker_pool

DEST = re.compile(r"/?AsEnd(\d+)s(\d+)$")
SECTION = re.compile(rb"<w:sectPr[\s>/]")      # not <w:sectPrChange>


def even_runs(count: int, sections_each: int, most: int) -> list[tuple[int, int]]:
    """(start, end) of ``count`` records cut into runs of nearly equal length, each of at most
    ``most`` sections (but at least one record): documents of about the same cost, so that the
    soffice workers finish together, and the same runs whatever the number of workers."""
    if count <= 0:
        return []
    runs = -(-count // max(1, most // max(1, sections_each)))
    size = -(-count // runs)
    return [(i, min(i + size, count)) for i in range(0, count, size)]


def record_sections(docx) -> int:
    """Sections (copies) of one record's own .docx."""
    return sections(read_parts(docx))


def compose_parts(sources: list) -> dict[str, bytes]:
    """The parts of one .docx of the records in ``sources`` (paths or bytes of record .docx of
    one template)."""
    if not sources:
        raise ValueError("nothing to compose")
    parts = [read_parts(s) for s in sources]
    package = Package(parts[0], "word/document.xml")
    return package.assemble([read_record(p) for p in parts])


def compose_docx(sources: list) -> bytes:
    return docx_bytes(compose_parts(sources))


def sections(parts: dict[str, bytes]) -> int:
    """Sections (record copies) of a composed document: at least one page each, and what its
    conversion costs grows with (a five-copy form costs five times its records)."""
    return len(SECTION.findall(parts["word/document.xml"]))


def _destinations(pdf: pikepdf.Pdf) -> dict[str, int]:
    """Named destination -> page index (0-based), from /Dests or the /Names tree."""
    index = {p.objgen: i for i, p in enumerate(pdf.pages)}
    found: dict[str, int] = {}

    def add(name, dest):
        if isinstance(dest, pikepdf.Dictionary):
            dest = dest.get("/D")
        if isinstance(dest, pikepdf.Array) and len(dest) and dest[0].objgen in index:
            found[str(name).lstrip("/")] = index[dest[0].objgen]

    dests = pdf.Root.get("/Dests")
    if dests is not None:
        for k in dests.keys():
            add(k, dests[k])
    names = pdf.Root.get("/Names")
    if names is not None and "/Dests" in names:
        for k, v in pikepdf.NameTree(names.Dests).items():
            add(k, v)
    return found


def record_ranges(pdf: pikepdf.Pdf, records: int) -> list[tuple[int, int]]:
    """(first, last) page index, 0-based, of each of ``records`` records in a composed PDF."""
    last: dict[int, int] = {}
    for name, page in _destinations(pdf).items():
        m = DEST.match(name)
        if m:
            i = int(m.group(1))
            last[i] = max(last.get(i, -1), page)
    ranges, first = [], 0
    for i in range(records):
        end = last.get(i)
        if end is None or end < first:
            raise UserError(f"PDF 中找不到第 {i + 1} 份记录的页码范围（共 {records} 份，{len(pdf.pages)} 页）")
        ranges.append((first, end))
        first = end + 1
    if records and first != len(pdf.pages):
        raise UserError(f"PDF 的页数（{len(pdf.pages)}）与记录的页码范围（至第 {first} 页）不符")
    return ranges


def chunk_ranges(path, records: int) -> list[tuple[int, int]]:
    with pikepdf.open(path) as pdf:
        return record_ranges(pdf, records)


def bind(chunks: list[tuple[Path, list[tuple[int, int]]]], titles: list[str]) -> tuple[bytes, list[tuple[int, int]]]:
    """One PDF from converted chunks (path, their record ranges): an outline item per record.

    Returns the reproducible bytes and each record's (first, last) page, 1-based."""
    out = pikepdf.new()
    ranges: list[tuple[int, int]] = []
    opened = []
    try:
        for path, chunk in chunks:
            src = pikepdf.open(path)
            opened.append(src)
            base = len(out.pages)
            out.pages.extend(src.pages)
            ranges += [(base + a + 1, base + b + 1) for a, b in chunk]
        if len(ranges) != len(titles):
            raise ValueError("one title per record")
        for key in ("/Dests", "/Names", "/OpenAction"):
            if key in out.Root:
                del out.Root[key]
        with out.open_outline() as outline:
            for title, (first, _) in zip(titles, ranges):
                outline.root.append(pikepdf.OutlineItem(title, first - 1))
        out.Root.PageMode = pikepdf.Name.UseOutlines      # open with the bookmarks shown
        buf = io.BytesIO()
        out.save(buf)
    finally:
        for src in opened:
            src.close()
        out.close()
    data, _ = normalize_pdf(buf.getvalue(), fonts=False)
    return data, ranges


def cuts(source, ranges):
    """Each (first, last) page range (1-based) of a PDF as a PDF of its own, reproducibly; the
    source is opened once (opening a print file of 1,500 pages for every record was nine
    tenths of the cost)."""
    data = source if isinstance(source, (bytes, bytearray)) else Path(source).read_bytes()
    with pikepdf.open(io.BytesIO(data)) as src:
        for first, last in ranges:
            with pikepdf.new() as out:
                out.pages.extend(src.pages[first - 1:last])
                buf = io.BytesIO()
                out.save(buf)
            yield normalize_pdf(buf.getvalue(), fonts=False)[0]


def cut(source, first: int, last: int) -> bytes:
    """Pages ``first``…``last`` (1-based) of a PDF as a PDF of their own, reproducibly."""
    return next(cuts(source, [(first, last)]))


def pages_digest(pdf: pikepdf.Pdf, first: int, last: int) -> str:
    """SHA-256 of the decoded content streams of pages ``first``…``last`` (1-based)."""
    h = hashlib.sha256()
    for page in pdf.pages[first - 1:last]:
        contents = page.obj.get("/Contents")
        streams = contents if isinstance(contents, pikepdf.Array) else [contents] if contents is not None else []
        for s in streams:
            h.update(s.read_bytes())
        h.update(b"\f")
    return h.hexdigest()


def convert_balanced(docs: list[tuple[Path, int]], out_dir: Path, workers: int) -> str:
    """Convert (document, its sections) pairs, shared between ``workers`` soffice so that each
    gets about as many sections (biggest first to the least loaded). Returns soffice's
    complaints ("" when every PDF was written); a missing PDF is for the caller to notice."""
    bins: list[list[tuple[Path, int]]] = [[] for _ in range(max(1, workers))]
    for doc in sorted(docs, key=lambda d: -d[1]):
        min(bins, key=lambda b: sum(n for _, n in b)).append(doc)

    def run(group):
        try:
            convert_to_pdf([d for d, _ in group], out_dir, workers=1, destinations=True)
            return ""
        except UserError as e:
            return e.message

    groups = [b for b in bins if b]
    with ThreadPoolExecutor(max(1, len(groups))) as threads:
        return " ".join(m for m in threads.map(run, groups) if m)


def _compose_to(job: tuple) -> int:
    """Compose a chunk into ``out``; its sections."""
    _, sources, out = job
    parts = compose_parts([Path(s) for s in sources])
    write_bytes(Path(out), docx_bytes(parts))
    return sections(parts)


def _normalise_to(job: tuple) -> list[tuple[int, int]]:
    """Make a converted document reproducible in place; its records' page ranges."""
    path, records = job
    data, _ = normalize_pdf(Path(path))
    write_bytes(Path(path), data)
    return chunk_ranges(Path(path), records)


def _each(pool, fn, jobs: list) -> list:
    """``fn`` over ``jobs`` in order; on the pool when there is one and more than one job (each
    is a whole composed document: worth a process even when there are few)."""
    return list(pool.map(fn, jobs)) if pool is not None and len(jobs) > 1 else [fn(j) for j in jobs]


# Sections per composed document of ``print_pdfs``: big enough that few documents pay LibreOffice's
# per-document cost, small enough that the workers get several each to balance (render --all
# --pdf of repair_record, 1,476 sections: 8 documents, 17-20 s; 5 of 300: 20.5 s, 15 of 100: 23 s)
PRINT_CHUNK = 200


def print_pdfs(batches: list[tuple[list[Path], list[str], Path]], *, workers: int = 2, chunk: int = PRINT_CHUNK
               ) -> list[list[tuple[int, int]]]:
    """Each (record .docx of one template, titles, out) as ONE bookmarked PDF ``out``: records
    composed into documents of at most ``chunk`` sections, all converted together on ``workers``
    soffice. Returns each batch's record pages (1-based)."""
    with tempfile.TemporaryDirectory(prefix="aftersales-print-") as tmp, worker_pool(workers) as pool:
        tmp = Path(tmp)
        jobs = []              # (batch index, record files, composed document)
        for b, (docx_paths, _, _) in enumerate(batches):
            each = record_sections(docx_paths[0]) if docx_paths else 1
            for i, j in even_runs(len(docx_paths), each, chunk):
                jobs.append((b, [str(p) for p in docx_paths[i:j]], str(tmp / f"b{b:03d}-{i:05d}.docx")))
        weights = _each(pool, _compose_to, jobs)          # composing runs on every core
        docs = [(b, Path(doc), len(group)) for b, group, doc in jobs]
        detail = convert_balanced([(d, w) for (_, d, _), w in zip(docs, weights)], tmp / "pdf", workers)
        for b, doc, _ in docs:
            if not (tmp / "pdf" / f"{doc.stem}.pdf").exists():
                raise UserError(f"未能把 {batches[b][2].name} 转换为 PDF" + (f"（{detail[-300:]}）" if detail else ""))
        found = _each(pool, _normalise_to, [(str(tmp / "pdf" / f"{d.stem}.pdf"), n) for _, d, n in docs])
        parts: dict[int, list] = {}
        for (b, doc, _), ranges in zip(docs, found):
            parts.setdefault(b, []).append((tmp / "pdf" / f"{doc.stem}.pdf", ranges))
        out = []
        for b, (_, titles, target) in enumerate(batches):
            data, ranges = bind(parts[b], titles)
            write_bytes(target, data)
            out.append(ranges)
    return out


def outline_starts(pdf: pikepdf.Pdf) -> list[tuple[str, int]]:
    """(title, first page 1-based) of each top-level outline item."""
    index = {p.objgen: i for i, p in enumerate(pdf.pages)}
    out = []
    with pdf.open_outline() as outline:
        for item in outline.root:
            dest = item.destination
            page = index.get(dest[0].objgen) if isinstance(dest, pikepdf.Array) and len(dest) else None
            out.append((item.title, page + 1 if page is not None else None))
    return out


__all__ = ["bind", "chunk_ranges", "compose_docx", "compose_parts", "cuts", "even_runs", "record_sections", "sections", "cut", "outline_starts", "pages_digest", "convert_balanced", "print_pdfs",
           "record_ranges"]
