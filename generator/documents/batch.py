"""Render a batch: select the records, number the controlled copies, fill the templates on
every core, log the issued copies and convert to PDF: the batch's records composed into one
document per form and converted once (``printfile.print_pdfs``), one printable PDF with a
bookmark per record; each record's own PDF cut from it on request (``split_pdf``).
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from generator.config.form_specs import FormSpec, find_form
from generator.config.policy import find_policy
from generator.core.errors import UserError
from generator.documents import distribution
from generator.documents import pdf as converter
from generator.documents.context import build_context
from generator.documents.control import (
    NUMERALS,
    UNCONTROLLED,
    control_block,
    form_policy,
    is_superseded,
    unsigned_warning,
)
from generator.documents.docx_repro import write_bytes
from generator.documents.engine import render_docx, template_path, template_revision
from generator.documents.names import unique_names
from generator.documents.pool import pool_map, worker_pool
from generator.documents.printfile import cuts, print_pdfs
from generator.documents.subjects import FormData, Subject, subjects
from generator.registers.outpath import require_writable
from generator.registers.read import read_all


@dataclass
class RenderResult:
    docx: list[Path] = field(default_factory=list)
    pdf: list[Path] = field(default_factory=list)
    issued: list = field(default_factory=list)        # distribution.Issue rows written
    warnings: list[str] = field(default_factory=list)


def select(form: FormSpec, available: list[Subject], numbers: list[str] | None) -> list[Subject]:
    """The subjects named by ``numbers`` (all when None); an unknown number is a UserError."""
    if numbers is None:
        return available
    by_number = {}
    for s in available:
        by_number.setdefault(unicodedata.normalize("NFKC", s.number).strip(), s)
    chosen, unknown = [], []
    for n in numbers:
        s = by_number.get(unicodedata.normalize("NFKC", str(n)).strip())
        (chosen.append(s) if s else unknown.append(n))
    if unknown:
        sample = "、".join(s.number for s in available[:5])
        hint = f"（可填的编号如：{sample}{' 等' if len(available) > 5 else ''}，共 {len(available)} 个）" if available else "（该表单目前没有可填的记录）"
        raise UserError(f"{form.title}（{form.id}）中找不到编号 {'、'.join(map(str, unknown))}{hint}")
    return chosen


def _render_job(job: tuple) -> str:
    template, context, out = job
    return str(render_docx(Path(template), context, Path(out)))


def render_all(jobs: list[tuple], workers: int = 2, progress=None) -> list[Path]:
    """Render (template, context, out) jobs; on ``workers`` processes when the batch is big enough."""
    track = progress or (lambda items, total: items)
    with worker_pool(workers) as pool:
        done = pool_map(pool, _render_job, jobs, "", lambda items, _description, total: track(items, total))
    return [Path(p) for p in done]


def render_forms(directory, form_name: str, out, *, numbers: list[str] | None = None,
                 pdf: bool = False, uncontrolled: bool = False, holder: str = "",
                 today: dt.date | None = None, workers: int = 2, progress=None,
                 split_pdf: bool = False) -> RenderResult:
    """Render a form for the given numbers (or every record) of the registers in ``directory``.

    Controlled copies get the next 分发号 and a row per copy in 分发记录.xlsx (written first, under
    the log's lock); blank 编制/审核/批准 give one warning; a template older than the
    policy's revision renders 作废 and issues nothing. With ``pdf``, the records go into one
    PDF, ``<name>.pdf`` for one record, ``<form>.pdf`` with a bookmark per record for more (and
    ``<name>.pdf`` per record with ``split_pdf``); a missing LibreOffice is reported as a
    warning, the .docx stay.
    """
    form = find_form(form_name, directory)
    directory, out = Path(directory), Path(out)
    policy = find_policy(directory)
    entry = form_policy(form, policy)
    data = FormData(read_all(directory), policy, today)
    chosen = select(form, subjects(form, data), numbers)
    result = RenderResult()
    if not chosen:
        result.warnings.append(f"{form.title}：没有可填写的记录")
        return result
    template = template_path(form, directory)
    revision = template_revision(template)
    superseded = is_superseded(revision, entry)
    if superseded:
        result.warnings.append(f"模板 {template.name} 为第 {revision} 版，策略要求第 {entry['revision']} 版："
                               f"本次输出标记为“作废”，不作为受控文件发放")
    controlled = not uncontrolled and entry["status"] != UNCONTROLLED and not superseded
    warning = unsigned_warning([form], policy)
    if warning:
        result.warnings.append(warning)
    if controlled:
        require_writable(directory, "登记受控副本的分发记录（或加 --uncontrolled 生成非受控副本）")
    out.mkdir(parents=True, exist_ok=True)
    names = unique_names(form.id, [s.number for s in chosen])
    jobs = []
    for subject, name in zip(chosen, names):     # every context first: a record that cannot be filled issues nothing
        control = control_block(form, policy, number=subject.number, uncontrolled=uncontrolled,
                                revision=revision, today=data.today)
        jobs.append((str(template), build_context(form, subject, data, control), str(out / f"{name}.docx")))
    if controlled:     # numbered and logged before any copy is written (a failed run never reuses one)
        kind = distribution.HANDED if holder else distribution.RECORD
        parts = [f"第{NUMERALS[i]}联：{label}" for i, label in enumerate(form.copies)] or [""]

        def make(numbers_for):
            return [distribution.Issue(c, form.id, entry["title"], s.number, holder or part.split("：")[-1] or "存档",
                                       data.today, None, f"{name}.docx", entry["doc_no"], entry["version"], part, kind)
                    for c, s, name in zip(numbers_for(len(chosen)), chosen, names) for part in parts]

        result.issued = distribution.issue_copies(directory, form.id, make)
        for (_template, ctx, _out), copy_no in zip(jobs, dict.fromkeys(i.copy_no for i in result.issued)):
            ctx["doc_copy_no"] = copy_no
    result.docx = render_all(jobs, workers, progress)
    if pdf:
        if not converter.pdf_available():
            result.warnings.append(converter.INSTALL_HINT)
        else:
            result.pdf = _pdfs(form, chosen, result.docx, out, workers, split_pdf)
    return result


def _pdfs(form: FormSpec, chosen: list[Subject], docx: list[Path], out: Path, workers: int,
          split_pdf: bool) -> list[Path]:
    """The batch's printable PDF (one per form; per record with ``split_pdf``)."""
    single = len(docx) == 1
    bound = out / (f"{docx[0].stem}.pdf" if single else f"{form.id}.pdf")
    ranges = print_pdfs([(docx, [s.number for s in chosen], bound)], workers=workers)[0]
    if single or not split_pdf:
        return [bound]
    return [bound] + [write_bytes(out / f"{d.stem}.pdf", data) for d, data in zip(docx, cuts(bound, ranges))]
