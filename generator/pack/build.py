"""审计包 (audit pack): every form of a period, printable, indexed and verifiable.

``build_pack(directory, start, end, out)`` writes one zip:

- ``forms/<form>/<number>.docx|.pdf``: every form of every record whose record date lies in
  the period. The record date is the date the register's numbering uses
  (``SheetSpec.number_date``: 受理日期, 申请日期 …); a 催办单 takes its case's date; a monthly
  统计表 is in the pack when its whole month is. Forms are filled as of the period's last day
  (doc_today, overdue clocks), and carry no 分发号: a pack copy is an archive copy, not an
  issued one, so building a pack never touches 分发记录.xlsx.
- ``print/<form>.pdf``: all cases of a form in one PDF, a bookmark per case, by record date.
- ``registers/``: the workbooks as read and the policy used (masked copies in a masked pack).
- ``check.xlsx``: findings of ``aftersales check`` (as of the last day) on rows dated in the
  period, on rows that cannot be dated, and on whole sheets; and the records whose form could
  not be made, with the reason (the rest of the pack is built all the same).
- ``summary.xlsx``: scores (``period_scores``) and penalties (``penalty_ledger``) of the
  calendar months the period touches: both are assessed per month by the regulations.
- ``manifest.xlsx`` / ``manifest.json``: one row per file (form, number, record date, pages,
  SHA-256, the ISO 9001:2015 / GB/T 27922-2011 clause it evidences); ``说明.txt``.

Personal data (001 客户保密管理办法 4–7): ``mask_personal`` makes the pack uncontrolled
(a masked copy cannot be the registered original) and masks it; an ``uncontrolled`` pack is
masked when the policy's ``records.mask_phone`` says uncontrolled copies are. A masked pack
masks the ``personal`` columns (138****5678, 张*) in forms, register copies and findings, and
every mobile or landline number found in free text.

Reproducible: the same registers, policy, period and options give a byte-identical zip
(``pack_verify.write_zip``, ``docx_repro`` for .docx/.xlsx, ``pdf_repro`` for PDFs). The build
time, user and pack hash go only to ``审计日志.csv`` beside the registers.

Big batches: each form is cached in ``DIR/.aftersales-cache`` under the hash of the context
names its template reads, the template and the toolchain (renderer, converter, fonts,
soffice); the policy reaches a form only through its context (control block, fee lines,
masking). Only missing forms are rendered (on ``workers`` processes) and
converted (``workers`` soffice processes, in chunks written to the cache as they finish), so
an interrupted build resumes where it stopped.
"""
from __future__ import annotations

import copy
import csv
import datetime as dt
import getpass
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from generator.core.errors import UserError
from generator.core.periods import (
    as_date,
    month_bounds,
    month_key,
    month_text,
    months_between,
    period_between,
)
from generator.documents.docx_repro import docx_bytes, read_parts, write_atomic
from generator.pack.verify import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST_JSON,
    sha256_bytes,
    sha256_file,
    write_zip,
)
from generator.registers.safewrite import atomic_write_bytes, ensure_not_open

CACHE_DIR = ".aftersales-cache"
AUDIT_LOG = "审计日志.csv"
README = "说明.txt"
POLL_SECONDS = 0.5
TOOLCHAIN_DIR = Path(__file__).resolve().parent.parent / "documents"   # the renderer, converter and font config
LOG_HEADERS = ("时间", "用户", "台账目录", "起始日期", "截止日期", "台账", "选项", "审计包", "SHA-256",
               "表单份数", "未能生成")

# What each record evidences. ISO 9001:2015 clauses are exact; GB/T 27922-2011 is cited by
# its chapter 5 indicator group (售后服务体系 / 商品服务 / 顾客服务) and the activity, since
# the seeds quote no sub-clause numbers of it.
ISO, GBT = "ISO 9001:2015", "GB/T 27922-2011"
GB_SYSTEM, GB_GOODS, GB_CUSTOMER = (f"{GBT} 第5章 售后服务体系", f"{GBT} 第5章 商品服务", f"{GBT} 第5章 顾客服务")
CLAUSES = {
    "service_receipt": f"{ISO} §8.5.5 交付后活动、§9.1.2 顾客满意；{GB_GOODS}（维修、技术支持）",
    "material_request": f"{ISO} §8.5.5 交付后活动（备件）；{GB_GOODS}（配件供应）",
    "material_return": f"{ISO} §8.7 不合格输出的控制（返回故障件）、§8.5.5；{GB_GOODS}（配件供应）",
    "satisfaction_survey": f"{ISO} §9.1.2 顾客满意；{GB_CUSTOMER}（顾客满意度调查）",
    "complaint_record": f"{ISO} §8.2.1 c) 顾客反馈（投诉）、§9.1.2；{GB_CUSTOMER}（投诉处理）",
    "terminal_feedback": f"{ISO} §8.5.5 交付后活动、§10.2 不合格和纠正措施；{GB_GOODS}（维修）",
    "quality_report": f"{ISO} §10.2 不合格和纠正措施、§8.7；{GB_CUSTOMER}（投诉处理）",
    "user_training": f"{ISO} §8.5.5 交付后活动（用户培训）；{GB_GOODS}（技术咨询与培训）",
    "training_signin": f"{ISO} §7.2 能力（培训证据）；{GB_SYSTEM}（人员培训）",
    "complaint_tracking": f"{ISO} §8.2.1 c)、§10.2 不合格和纠正措施；{GB_CUSTOMER}（投诉处理）",
    "quality_memo": f"{ISO} §10.2 不合格和纠正措施、§8.7；{GB_CUSTOMER}（投诉处理）",
    "complaint_handling": f"{ISO} §10.2 不合格和纠正措施；{GB_CUSTOMER}（投诉处理）",
    "complaint_stats": f"{ISO} §9.1.3 分析和评价；{GB_CUSTOMER}（投诉处理）",
    "reminder": f"{ISO} §9.1.1 监视和测量、§10.2.1；{GB_SYSTEM}（服务时限与监督）",
    "service_info": f"{ISO} §8.2.1 顾客沟通、§8.5.5 交付后活动；{GB_GOODS}（技术支持）",
    "field_service": f"{ISO} §8.5.1 生产和服务提供的控制、§8.5.5；{GB_GOODS}（安装、维修）",
    "repair_record": f"{ISO} §8.5.5 交付后活动；{GB_GOODS}（维修、配件供应）",
    "info_collection": f"{ISO} §8.5.5 交付后活动、§9.1.3 分析和评价；{GB_GOODS}（维修）",
    "paid_quote": f"{ISO} §8.2.3 产品和服务要求的评审（报价）；{GB_GOODS}（有偿服务收费）",
}
FILE_CLAUSES = {
    "register": f"{ISO} §7.5.3 成文信息的控制（记录保存，001 §8 七 9）；{GB_SYSTEM}（服务制度、档案）",
    "policy": f"{ISO} §7.5.1 成文信息；{GB_SYSTEM}（服务制度）",
    "check": f"{ISO} §9.1.3 分析和评价、§10.2 不合格和纠正措施",
    "summary": f"{ISO} §9.1.2 顾客满意、§9.1.3 分析和评价；{GBT} 第6章 评价方法",
    "index": f"{ISO} §7.5.3.2 成文信息的保护（完整性）",
}
KIND_TEXT = {"docx": "表单 Word", "pdf": "表单 PDF", "print": "打印合订本", "register": "台账",
             "policy": "策略文件", "check": "校验结果", "summary": "罚扣与评分汇总", "index": "清单与说明"}

_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_LANDLINE = re.compile(r"(?<![\d-])0\d{2,3}-?\d{7,8}(?!\d)")


# ---------------------------------------------------------------------------
# Options, cases, failures

@dataclass(frozen=True)
class PackOptions:
    start: dt.date
    end: dt.date
    registers: tuple[str, ...] | None = None   # None: every register in the folder
    uncontrolled: bool = False
    mask_personal: bool = False
    all_forms: bool = False                    # every form, not only policy audit_pack.forms

    def contains(self, day) -> bool:
        d = as_date(day)
        return d is not None and self.start <= d <= self.end


@dataclass
class Case:
    """One form of one record (or month, or overdue case) that goes into the pack."""
    form: object                 # forms.FormSpec
    number: str
    date: dt.date | None
    register: str
    sheet: str
    row: int | None
    subject: object = None       # render.Subject
    stem: str = ""               # file name inside forms/<form>/
    customer: str = ""
    template: Path | None = None
    context: dict | None = None
    key: str = ""                # cache key (context read by the template + template + toolchain)
    docx: Path | None = None
    pdf: Path | None = None
    pages: int | None = None


@dataclass
class Failure:
    form: str
    title: str
    register: str
    sheet: str
    row: int | None
    number: str
    date: dt.date | None
    reason: str

    def cells(self) -> list:
        return [self.form, self.title, self.register, self.sheet, self.row, self.number, self.date, self.reason]

    def to_dict(self) -> dict:
        return {**asdict(self), "date": self.date.isoformat() if self.date else None}


@dataclass
class PackResult:
    path: Path
    sha256: str
    forms: int                    # form files (.docx) in the pack
    files: int                    # members listed in manifest.json
    failures: list[Failure] = field(default_factory=list)
    rendered: int = 0             # .docx rendered in this run (the rest came from the cache)
    converted: int = 0            # PDFs converted in this run
    masked: bool = False
    controlled: bool = True
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {"pack": str(self.path), "sha256": self.sha256, "forms": self.forms, "files": self.files,
                "rendered": self.rendered, "converted": self.converted, "controlled": self.controlled,
                "masked": self.masked, "seconds": round(self.seconds, 1),
                "failures": [f.to_dict() for f in self.failures]}


def _no_track(items, description="", total=None):
    return items


# ---------------------------------------------------------------------------
# Personal data

def mask_text(text: str) -> str:
    """Every mobile (13812345678 → 138****5678) and landline number in free text, masked."""
    from generator.documents.render import mask

    text = _MOBILE.sub(lambda m: mask(m.group(), "phone"), text)
    return _LANDLINE.sub(lambda m: mask(m.group(), "phone"), text)


def scrub(value):
    """A context with phone numbers masked in every string, however deeply nested."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    return value


def mask_value(value, kind: str | None):
    """A cell value as a masked pack shows it: a personal column (kind = its type) masked,
    other text with its phone numbers masked, a mobile number stored as a number masked."""
    from generator.documents.render import fmt, mask

    if value is None:
        return None
    if kind is not None:
        return mask(fmt(value), kind)
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, int) and not isinstance(value, bool) and _MOBILE.fullmatch(str(value)):
        return mask_text(str(value))
    return value


def masked_workbook(register) -> bytes:
    """A copy of a register workbook with personal columns masked and phone numbers hidden."""
    import openpyxl

    path = register.path
    wb = openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm")
    personal = {}   # (sheet name, column index) -> column type
    for table in register.tables.values():
        for col in table.spec.columns:
            if col.personal and col.key in table.columns:
                personal[(table.spec.name, table.columns[col.key])] = (col.type, table.header_row)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                kind, header = personal.get((ws.title, cell.column), (None, 0))
                if kind is not None and cell.row <= header:
                    kind = None      # the header and title rows stay as they are
                new = mask_value(cell.value, kind)
                if new != cell.value:
                    cell.value = new
    return xlsx_bytes(wb)


def _mask_finding(f: dict, personal: dict) -> dict:
    f = dict(f)
    kind = personal.get((f["register"], f["sheet"], f["column"]))
    if kind and f.get("value") not in (None, ""):
        from generator.documents.render import mask

        raw = str(f["value"])
        f["value"] = mask(raw, kind)
        f["message"] = f["message"].replace(raw, f["value"])
    f["message"] = mask_text(f["message"])
    if isinstance(f.get("value"), str):
        f["value"] = mask_text(f["value"])
    return f


# ---------------------------------------------------------------------------
# Record dates

def record_dates(registers: dict) -> dict[tuple[str, str], dict[int, dt.date | None]]:
    """(register, sheet name) -> {Excel row: record date} for every sheet that has one.

    A sheet's record date is its numbering date column; item lines (``parent``) take their
    parent record's date. Sheets with neither (master data) are not listed.
    """
    out = {}
    for rid, reg in registers.items():
        for table in reg.tables.values():
            spec = table.spec
            if spec.number_date:
                out[(rid, spec.name)] = {r.row: as_date(r.values.get(spec.number_date)) for r in table.records}
        for table in reg.tables.values():
            spec = table.spec
            if spec.parent and not spec.number_date:
                parent_key, col = spec.parent.split(".")
                parent = reg.tables.get(parent_key)
                if parent is None or not parent.spec.number_date:
                    continue
                by_number = {}
                for r in parent.records:
                    by_number.setdefault(r.values.get(col), as_date(r.values.get(parent.spec.number_date)))
                out[(rid, spec.name)] = {r.row: by_number.get(r.values.get(col)) for r in table.records}
    return out


# ---------------------------------------------------------------------------
# Planning: which forms, with which contexts

_DEVICE = re.compile(r"(?i)(CON|PRN|AUX|NUL|COM\d|LPT\d)")


def _stems(form_id: str, numbers: list[str]) -> list[str]:
    """File names inside forms/<form>/: render's safe, unique names without the form prefix."""
    from generator.documents.render import unique_names

    prefix = form_id + "_"
    stems = [n[len(prefix):] if n.startswith(prefix) else n for n in unique_names(form_id, numbers)]
    # a bare number may be a Windows device name (CON, AUX …) once the prefix is gone
    return [f"_{s}" if _DEVICE.fullmatch(s.split(".")[0]) else s for s in stems]


def _subject_case(form, subject, data, dates) -> Case:
    from generator.documents.render import fmt

    if form.kind == "period":
        last = month_bounds(month_key(subject.number))[1]
        return Case(form, subject.number, last, form.register, form.sheet_spec().name, None, subject)
    if form.kind == "overdue":
        item = subject.data["items"][0]
        row = item["row"]
        date = dates.get((item["register"], item["sheet"]), {}).get(row)
        return Case(form, subject.number, date, item["register"], item["sheet"], row, subject)
    sheet = form.sheet_spec()
    rec = subject.record
    case = Case(form, subject.number, dates.get((form.register, sheet.name), {}).get(rec.row),
                form.register, sheet.name, rec.row, subject)
    if form.customer and form.customer in rec.values:
        case.customer = fmt(rec.values.get(form.customer))
    return case


def _in_period(case: Case, opts: PackOptions) -> bool:
    if case.form.kind == "period":
        first, last = month_bounds(month_key(case.number))
        return opts.start <= first and last <= opts.end
    return opts.contains(case.date)


def _failure(case: Case, reason: str) -> Failure:
    return Failure(case.form.id, case.form.title, case.register, case.sheet, case.row, case.number, case.date, reason)


def _error_text(e: Exception) -> str:
    return e.message if isinstance(e, UserError) else f"{type(e).__name__}: {e}"


def canonical_json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":")).encode("utf-8")


def toolchain_digest() -> str:
    """Hash of what turns a context into files: our renderer and converter code, the font
    configuration, the PDF libraries and the soffice binary. A change invalidates the cache."""
    import pikepdf
    import pypdf

    from generator.documents.pdf import find_soffice

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


def plan_pack(directory, registers: dict, policy: dict, opts: PackOptions,
              toolchain: str | None = None) -> tuple[list[Case], list[Failure]]:
    """Every form of the period with its context and cache key; records that cannot be filled
    become failures with the reason (nothing is written)."""
    from generator.config.form_specs import load_forms
    from generator.documents.render import (
        FormData,
        build_context,
        control_block,
        form_policy,
        subjects,
        template_path,
        template_revision,
    )

    if opts.mask_personal:
        policy = copy.deepcopy(policy)
        policy.setdefault("records", {})["mask_phone"] = True
    masked = is_masked(policy, opts)
    data = FormData(registers, policy, opts.end)
    dates = record_dates(registers)
    base = hashlib.sha256((toolchain or toolchain_digest()).encode())
    cases: list[Case] = []
    failures: list[Failure] = []
    wanted = set(policy["audit_pack"]["forms"])
    for form in load_forms().values():
        if form.register not in registers or not (opts.all_forms or form.id in wanted):
            continue
        try:
            chosen = [c for c in (_subject_case(form, s, data, dates) for s in subjects(form, data))
                      if _in_period(c, opts)]
        except Exception as e:     # a form whose records cannot even be listed
            failures.append(Failure(form.id, form.title, form.register, "", None, "", None, _error_text(e)))
            continue
        if not chosen:
            continue
        for case, stem in zip(chosen, _stems(form.id, [c.number for c in chosen])):
            case.stem = stem
        try:
            form_policy(form, policy)
            template = template_path(form, directory)
            revision = template_revision(template)
            template_sha = sha256_file(template)
            used = template_names(template)
        except Exception as e:
            failures += [_failure(c, _error_text(e)) for c in chosen]
            continue
        for case in chosen:
            try:
                control = control_block(form, policy, number=case.number, copy_no="", uncontrolled=opts.uncontrolled
                                        or opts.mask_personal, revision=revision, today=opts.end)
                ctx = build_context(form, case.subject, data, control)
            except Exception as e:
                failures.append(_failure(case, _error_text(e)))
                continue
            case.context = scrub(ctx) if masked else ctx
            case.template = template
            h = base.copy()
            h.update(template_sha.encode() + canonical_json(
                case.context if used is None else {k: v for k, v in case.context.items() if k in used}))
            case.key = h.hexdigest()
            cases.append(case)
    return cases, failures


def template_names(template: Path) -> set[str] | None:
    """Top-level names a template reads (body, headers, footers); None when it cannot be parsed.

    The cache key hashes only these, so a value the template never prints (e.g. doc_today on
    every form but the 催办单) does not make packs of different periods re-render a form.
    """
    from docxtpl import DocxTemplate

    from generator.documents.render import make_env

    try:
        return set(DocxTemplate(str(template)).get_undeclared_template_variables(make_env()))
    except Exception:
        return None


def is_masked(policy: dict, opts: PackOptions) -> bool:
    """Masked: asked for, or an uncontrolled pack under a policy that masks uncontrolled copies."""
    return opts.mask_personal or (opts.uncontrolled and bool(policy.get("records", {}).get("mask_phone")))


# ---------------------------------------------------------------------------
# Cache: rendering and conversion

def _render_job(job: tuple) -> str | None:
    """Render one form into the cache; the reason as text when it cannot be rendered."""
    from generator.documents.render import render_docx

    template, context, out = job
    try:
        render_docx(Path(template), context, Path(out))
        return None
    except Exception as e:
        return _error_text(e)


def _normalise_job(job: tuple) -> str | None:
    from generator.documents.pdf_repro import normalize_pdf

    src, dest = job
    try:
        data, _ = normalize_pdf(Path(src))
        write_atomic(Path(dest), data)
        return None
    except Exception as e:
        return f"PDF 无法规范化：{_error_text(e)}"


def _outcome(result) -> str | None:
    """A job's failure reason, whether it ran inline (a value) or on the pool (a future)."""
    if not hasattr(result, "result"):
        return result
    try:
        return result.result()
    except Exception as e:       # cancelled by an interrupted build, or the worker died
        return _error_text(e)


def _map(pool, fn, jobs: list, description: str, track) -> list:
    if pool is None or len(jobs) < 8:
        return [fn(j) for j in track(jobs, description, len(jobs))]
    chunksize = max(1, min(16, len(jobs) // 16))
    return list(track(pool.map(fn, jobs, chunksize=chunksize), description, len(jobs)))


def _convert_robust(paths: list[Path], out_dir: Path, workers: int, stop: threading.Event) -> dict[Path, str]:
    """Convert and retry what LibreOffice left out (a file that crashes soffice loses the rest
    of its batch): the missing ones again, then halves, then single files. Returns failures.
    Gives up quietly once ``stop`` is set (the build was interrupted)."""
    from generator.documents.pdf import convert_to_pdf

    if stop.is_set():
        return {}
    detail = ""
    try:
        convert_to_pdf(paths, out_dir, workers=workers)
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

    def staging(self) -> Path:
        return Path(tempfile.mkdtemp(prefix=f"staging-{os.getpid()}-", dir=self.root))


def make_files(cases: list[Case], cache: FormCache, pool, workers: int, track) -> tuple[list[Failure], int, int]:
    """Render and convert what the cache lacks; fills case.docx/pdf/pages. Returns the failures
    and how many .docx and PDFs were made in this run."""
    from generator.documents.pdf import MAX_FILES
    from generator.documents.pdf_repro import page_count

    failures: list[Failure] = []
    unique = {c.key: c for c in cases}
    to_render = [c for c in unique.values() if not cache.docx(c.key).exists()]
    reasons = _map(pool, _render_job, [(str(c.template), c.context, str(cache.docx(c.key))) for c in to_render],
                   "填写表单", track)
    render_failed = {c.key: r for c, r in zip(to_render, reasons) if r}
    to_convert = [c for c in unique.values() if c.key not in render_failed and not cache.pdf(c.key).exists()]
    convert_failed: dict[str, str] = {}
    size = MAX_FILES * max(1, workers)          # one soffice start per worker and chunk

    def steps():
        # Normalising a chunk's PDFs runs on the pool while soffice converts the next chunk.
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
                jobs = [(str(staging / f"{c.key}.pdf"), str(cache.pdf(c.key))) for c in done]
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

    converting = steps()
    try:
        for _ in track(converting, "转换 PDF", len(to_convert)):
            pass
    finally:
        converting.close()     # on interruption too: keep what was converted, drop the staging folders
    for c in cases:
        if c.key in render_failed:
            failures.append(_failure(c, f"无法填写：{render_failed[c.key]}"))
            continue
        c.docx = cache.docx(c.key)
        if c.key in convert_failed:
            failures.append(_failure(c, f"Word 文件已收入，PDF 未生成：{convert_failed[c.key]}"))
            continue
        c.pdf = cache.pdf(c.key)
        c.pages = page_count(c.pdf)
    return failures, len(to_render) - len(render_failed), len(to_convert) - len(convert_failed)


def print_file(form_id: str, cases: list[Case], cache: FormCache, toolchain: str) -> tuple[Path, int]:
    """The merged, bookmarked PDF of a form's cases (cached by the list of parts)."""
    from generator.documents.pdf_repro import merge_pdfs

    parts = [(c.pdf, bookmark(c)) for c in cases]
    key = hashlib.sha256(canonical_json([toolchain, form_id, [(c.key, t) for c, (_, t) in zip(cases, parts)]])).hexdigest()
    path = cache.print / f"{key}.pdf"
    if not path.exists():
        data, _ = merge_pdfs(parts)
        write_atomic(path, data)
    return path, sum(c.pages or 0 for c in cases)


def bookmark(case: Case) -> str:
    bits = [case.number or case.stem, case.date.isoformat() if case.date else "", case.customer]
    return " · ".join(b for b in bits if b)


# ---------------------------------------------------------------------------
# Workbooks

def xlsx_bytes(wb) -> bytes:
    """An openpyxl workbook as reproducible bytes (core.xml dates pinned, fixed zip entries)."""
    wb.properties.created = wb.properties.modified = dt.datetime(1980, 1, 1)
    buf = io.BytesIO()
    wb.save(buf)
    return docx_bytes(read_parts(buf.getvalue()))


def _new_workbook():
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    return wb


FINDING_HEADERS = [("台账", 10, None), ("工作表", 12, None), ("行", 6, None), ("列", 14, None), ("代码", 22, None),
                   ("级别", 6, None), ("说明", 70, None), ("值", 18, None), ("记录日期", 11, "yyyy-mm-dd")]
FAILURE_HEADERS = [("表单", 18, None), ("表单名称", 24, None), ("台账", 10, None), ("工作表", 12, None),
                   ("行", 6, None), ("编号", 16, None), ("记录日期", 11, "yyyy-mm-dd"), ("原因", 80, None)]


def period_findings(findings: list, registers: dict, opts: PackOptions, dates: dict) -> list[tuple[dict, dt.date | None]]:
    """Findings on rows dated in the period, on rows that cannot be dated, and on whole sheets."""
    out = []
    for f in findings:
        rows = dates.get((f.register, f.sheet))
        day = rows.get(f.row) if rows is not None and f.row is not None else None
        if rows is None or f.row is None or day is None or opts.contains(day):
            out.append((f.to_dict(), day))
    return out


def check_workbook(findings: list[tuple[dict, dt.date | None]], failures: list[Failure], masked: bool) -> bytes:
    from generator.assess.ledger import table_sheet

    personal = {}
    if masked:
        from generator.config.register_specs import load_specs

        for spec in load_specs().values():
            for sheet in spec.sheets:
                for col in sheet.columns:
                    if col.personal:
                        personal[(spec.id, sheet.name, col.header)] = col.type
    wb = _new_workbook()
    rows = []
    for f, day in findings:
        f = _mask_finding(f, personal) if masked else f
        rows.append([f["register"], f["sheet"], f["row"], f["column"], f["code"],
                     "错误" if f["severity"] == "error" else "警告", f["message"], f.get("value"), day])
    table_sheet(wb, "校验结果", FINDING_HEADERS, rows)
    table_sheet(wb, "未能生成的表单", FAILURE_HEADERS, [f.cells() for f in failures])
    return xlsx_bytes(wb)


def summary_workbook(registers: dict, policy: dict, opts: PackOptions, calendar, masked: bool) -> bytes:
    """Scores and penalties of the months the period touches; what cannot be computed is noted."""
    notes: list[str] = []
    wb = None
    try:
        import openpyxl

        from generator.assess.period_scores import period_scores, write_scores_xlsx

        period = period_between(opts.start, opts.end)
        notes.append(f"评分期间：{period.code}（{period.start} 至 {period.end}，按自然月统计）")
        result = period_scores(registers, policy, period, calendar)
        with tempfile.TemporaryDirectory(prefix="aftersales-pack-") as tmp:
            path = Path(tmp) / "scores.xlsx"
            write_scores_xlsx(result, path)
            wb = openpyxl.load_workbook(path)
    except Exception as e:
        notes.append(f"评分未能计算：{_error_text(e)}")
    if wb is None:
        wb = _new_workbook()
    try:
        _ledger_sheets(wb, registers, policy, opts, calendar, notes)
    except Exception as e:
        notes.append(f"罚扣未能计算：{_error_text(e)}")
    ws = wb.create_sheet("汇总说明", 0)
    ws.column_dimensions["A"].width = 100
    for n in [f"审计期间 {opts.start} 至 {opts.end}；罚扣与评分按规定以自然月为周期，统计期间所涉及的各月。"] + notes:
        ws.append([mask_text(n) if masked else n])
    if masked:
        _scrub_workbook(wb)
    return xlsx_bytes(wb)


def _ledger_sheets(wb, registers, policy, opts: PackOptions, calendar, notes: list[str]) -> None:
    from generator.assess.ledger import (
        FINDING_COLUMNS,
        MONEY_FORMAT,
        SUMMARY_COLUMNS,
        finding_rows,
        penalty_ledger,
        table_sheet,
    )

    months = months_between((opts.start.year, opts.start.month), (opts.end.year, opts.end.month))
    ledgers, previous = [], None
    for m in months:
        previous = penalty_ledger(registers, policy, month_text(m), calendar, previous=previous)
        ledgers.append(previous)
    notes.append(f"罚扣月份：{'、'.join(month_text(m) for m in months)}")
    table_sheet(wb, "罚扣汇总", [(h, 14 if money else 10, MONEY_FORMAT if money else None)
                                for h, _, money in SUMMARY_COLUMNS],
                [[lg["month"] if k == "month" else p[k] for _, k, _ in SUMMARY_COLUMNS]
                 for lg in ledgers for p in lg["people"]])
    table_sheet(wb, "罚扣明细", [("月份", 9, None), ("姓名", 10, None), ("条款", 6, None), ("编号", 12, None),
                                ("金额", 12, MONEY_FORMAT), ("计入上限", 8, None), ("说明", 70, None)],
                [[lg["month"], p["person"], i["rule"], i["case"], i["amount"], i["capped"], i["explanation"]]
                 for lg in ledgers for p in lg["people"] for i in p["items"]])
    table_sheet(wb, "罚扣提示", FINDING_COLUMNS, [r for lg in ledgers for r in finding_rows(lg["findings"])])


def _scrub_workbook(wb) -> None:
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                new = mask_value(cell.value, None)
                if new != cell.value:
                    cell.value = new


MANIFEST_HEADERS = [("类别", 12, None), ("表单", 18, None), ("表单名称", 24, None), ("编号", 16, None),
                    ("记录日期", 11, "yyyy-mm-dd"), ("文件", 48, None), ("页数", 6, None), ("字节", 10, None),
                    ("SHA-256", 66, None), ("依据条款", 70, None), ("制度出处", 18, None)]
MANIFEST_KEYS = ("kind", "form", "title", "number", "record_date", "path", "pages", "size", "sha256", "clause",
                 "source")


def manifest_workbook(rows: list[dict]) -> bytes:
    from generator.assess.ledger import table_sheet

    wb = _new_workbook()
    table_sheet(wb, "文件清单", MANIFEST_HEADERS,
                [[KIND_TEXT.get(r["kind"], r["kind"]) if k == "kind" else
                  (dt.date.fromisoformat(r[k]) if k == "record_date" and r[k] else r[k]) for k in MANIFEST_KEYS]
                 for r in rows])
    return xlsx_bytes(wb)


def readme_text(opts: PackOptions, result_counts: dict, masked: bool, controlled: bool, registers: list[str]) -> str:
    status = "受控（表单按策略标注受控状态，不编分发号，不登记分发记录）" if controlled else "非受控副本"
    privacy = ("已隐去：手机号显示为 138****5678，联系人姓名只留姓（张*），"
               "台账副本与校验结果中的电话号码同样隐去（001 客户保密管理办法）。") if masked else \
        "含完整个人信息（联系人、电话）：请按 001 客户保密管理办法 限定查阅范围，勿外传。"
    return "\n".join([
        "售后服务审计包 说明",
        "",
        f"审计期间：{opts.start} 至 {opts.end}",
        f"台账：{'、'.join(registers)}",
        f"文件状态：{status}",
        f"个人信息：{privacy}",
        "",
        "一、包内文件",
        f"  forms/<表单>/<编号>.docx 和 .pdf：期间内每条记录的表单，共 {result_counts['forms']} 份。",
        "      记录日期取台账编号所依据的日期列（如投诉受理日期、工单受理时间、物料申请日期）；",
        "      催办单取所催案件的日期；投诉案件统计表仅收录整月都在期间内的月份。",
        "      表单按期间最后一天填写（开单日期、超期天数均以该日为准）。",
        "  print/<表单>.pdf：同一表单的全部案件合订为一个 PDF，每个案件一个书签，按记录日期排序，可直接打印。",
        "  registers/：生成本包时读取的台账工作簿和策略文件 policy.toml。",
        "  check.xlsx：期间内记录的校验结果（及无法判断日期的记录、整表问题），",
        f"      以及未能生成表单的记录和原因（本包共 {result_counts['failures']} 条）。",
        "  summary.xlsx：期间所涉及各自然月的罚扣台账与满意度、激励、服务目标、培训、KPI 评分。",
        "  manifest.xlsx、manifest.json：每个文件的类别、表单、编号、记录日期、页数、SHA-256 校验值，",
        "      以及该记录所证明的 ISO 9001:2015 / GB/T 27922-2011 条款。",
        "",
        "二、如何验证",
        "  1. 运行 aftersales verify 审计包.zip ：逐一重新计算每个文件的 SHA-256 并与 manifest.json 比对，",
        "     指出被修改、多出或缺少的文件；完好时退出码为 0，有差异为 1。",
        "  2. 不用本工具时：解压后用 sha256sum（Windows：certutil -hashfile 文件 SHA256）计算各文件，",
        "     与 manifest.xlsx 的 SHA-256 列逐一核对。",
        "  3. 整个审计包的 SHA-256 记录在台账目录的 审计日志.csv 中（生成人、时间、期间、选项）：",
        "     用 sha256sum 审计包.zip 与日志核对，可发现连同清单一起被改动的审计包。",
        "  4. 同样的台账、策略和期间重新生成，得到逐字节相同的审计包。",
        "",
        "三、说明",
        "  manifest.json 列出除它本身以外的全部文件；manifest.xlsx 列出除两个清单以外的全部文件。",
        "  包内不含生成时间：生成时间只记在 审计日志.csv 中。",
        "",
    ])


# ---------------------------------------------------------------------------
# The audit log

def append_audit_log(directory: Path, cells: list) -> Path:
    """Append one line to 审计日志.csv beside the registers (new file: UTF-8 with BOM, header).

    The whole file is rewritten through a temporary file and renamed over the old one, so a
    crash never leaves half a line; Excel holding it open is refused.
    """
    path = Path(directory) / AUDIT_LOG
    ensure_not_open(path)
    old = path.read_bytes() if path.exists() else b""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    if not old:
        writer.writerow(LOG_HEADERS)
    writer.writerow(cells)
    new = buf.getvalue().encode("utf-8")
    if not old:
        new = "\ufeff".encode("utf-8") + new
    elif not old.endswith(b"\n"):
        old += b"\r\n"
    atomic_write_bytes(path, lambda tmp: tmp.write_bytes(old + new))
    return path


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:       # no login name in the environment (some services, containers)
        return "未知"


# ---------------------------------------------------------------------------
# Build

def _check_options(directory: Path, opts: PackOptions, out: Path) -> None:
    from generator.config.register_specs import load_specs
    from generator.documents.pdf import INSTALL_HINT, find_soffice

    if opts.start > opts.end:
        raise UserError(f"起始日期 {opts.start} 晚于截止日期 {opts.end}")
    if opts.registers:
        unknown = [r for r in opts.registers if r not in load_specs()]
        if unknown:
            raise UserError(f"未知的台账 {'、'.join(unknown)}；可用：{'、'.join(load_specs())}")
    if out.is_dir():
        raise UserError(f"{out} 是目录：--out 应为 .zip 文件路径")
    if find_soffice() is None:
        raise UserError(INSTALL_HINT)
    ensure_not_open(Path(directory) / AUDIT_LOG)


def _policy_bytes(directory: Path) -> bytes:
    from generator.config.policy import POLICY_FILE, default_policy_text

    p = directory / POLICY_FILE
    return p.read_bytes() if p.exists() else default_policy_text().encode("utf-8")


class PackContents:
    """The members of a pack in the making, each with its manifest row."""

    def __init__(self):
        self.members: list[tuple[str, object]] = []
        self.rows: list[dict] = []

    def add(self, path: str, source, kind: str, *, case: Case | None = None, form=None, pages=None) -> None:
        data = source if isinstance(source, (bytes, bytearray)) else None
        form = case.form if case else form
        self.members.append((path, source))
        self.rows.append({
            "kind": kind, "form": form.id if form else "", "title": form.title if form else "",
            "number": case.number if case else "", "record_date": case.date.isoformat() if case and case.date else "",
            "path": path, "pages": pages, "size": len(data) if data is not None else Path(source).stat().st_size,
            "sha256": sha256_bytes(data) if data is not None else sha256_file(source),
            "clause": CLAUSES.get(form.id, "") if form else FILE_CLAUSES.get(kind, ""),
            "source": form.source if form else "",
        })

    @property
    def forms(self) -> int:
        return sum(1 for r in self.rows if r["kind"] == "docx")

    def add_forms(self, cases: list[Case], cache: FormCache, toolchain: str) -> None:
        """forms/<form>/<stem>.docx|.pdf by record date, then print/<form>.pdf."""
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
                path, pages = print_file(form_id, printable, cache, toolchain)
                self.add(f"print/{form_id}.pdf", path, "print", form=printable[0].form, pages=pages)

    def write(self, out: Path, manifest: dict) -> None:
        """manifest.json (listing every member added) and the zip, in a fixed order, atomically."""
        body = json.dumps({**manifest, "files": self.rows}, ensure_ascii=False, indent=1, sort_keys=True)
        members = self.members + [(MANIFEST_JSON, body.encode("utf-8"))]
        head = (README, MANIFEST_JSON, "manifest.xlsx")
        members.sort(key=lambda m: (m[0] not in head, head.index(m[0]) if m[0] in head else 0, m[0]))
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(out, lambda tmp: write_zip(members, tmp))


def build_pack(directory, start: dt.date, end: dt.date, out, *, registers: list[str] | None = None,
               uncontrolled: bool = False, mask_personal: bool = False, all_forms: bool = False,
               workers: int = 2, progress=None) -> PackResult:
    """Build the audit pack of ``start``…``end`` from the registers in ``directory`` into ``out``.

    ``progress(iterable, description, total)`` wraps each long step (a progress bar); records
    that cannot be filled or converted are listed in check.xlsx and PackResult.failures.
    """
    from generator.assess.checks import RunContext, run_checks
    from generator.config.policy import find_policy
    from generator.registers.read import read_all

    t0 = time.perf_counter()
    directory, out = Path(directory), Path(out)
    opts = PackOptions(start, end, tuple(registers) if registers else None, uncontrolled, mask_personal, all_forms)
    _check_options(directory, opts, out)
    policy = find_policy(directory)
    regs = read_all(directory, only=list(opts.registers) if opts.registers else None)
    masked, controlled = is_masked(policy, opts), not (uncontrolled or mask_personal)
    toolchain = toolchain_digest()
    cases, failures = plan_pack(directory, regs, policy, opts, toolchain)
    cache = FormCache(directory)
    pool = ProcessPoolExecutor(workers) if workers > 1 else None
    try:
        made_failures, rendered, converted = make_files(cases, cache, pool, workers, progress or _no_track)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    failures = sorted(failures + made_failures, key=lambda f: (f.form, f.date or dt.date.min, f.number, f.row or 0))

    pack = PackContents()
    pack.add_forms(cases, cache, toolchain)
    for rid in sorted(regs):
        pack.add(f"registers/{regs[rid].path.name}", masked_workbook(regs[rid]) if masked else regs[rid].path,
                 "register")
    pack.add("registers/policy.toml", _policy_bytes(directory), "policy")
    ctx = RunContext(registers=regs, policy=policy, today=end)
    findings = period_findings(run_checks(ctx), regs, opts, record_dates(regs))
    pack.add("check.xlsx", check_workbook(findings, failures, masked), "check")
    pack.add("summary.xlsx", summary_workbook(regs, policy, opts, ctx.calendar, masked), "summary")
    counts = {"forms": pack.forms, "failures": len(failures)}
    readme = readme_text(opts, counts, masked, controlled, sorted(regs))
    pack.add(README, readme.replace("\n", "\r\n").encode("utf-8-sig"), "index")   # Notepad-friendly
    pack.add("manifest.xlsx", manifest_workbook(pack.rows), "index")
    pack.write(out, {"format": FORMAT, "version": FORMAT_VERSION, "counts": counts,
                     "period": {"from": start.isoformat(), "to": end.isoformat()}, "registers": sorted(regs),
                     "options": {"controlled": controlled, "masked": masked}})
    sha = sha256_file(out)
    options = "；".join(x for x in ("受控" if controlled else "非受控", "隐去个人信息" if masked else "",
                                    f"台账={','.join(opts.registers)}" if opts.registers else "") if x)
    append_audit_log(directory, [dt.datetime.now().isoformat(timespec="seconds"), _user(), str(directory.resolve()),
                                 start.isoformat(), end.isoformat(), "、".join(sorted(regs)), options, str(out.resolve()), sha,
                                 counts["forms"], counts["failures"]])
    return PackResult(out, sha, counts["forms"], len(pack.rows), failures, rendered, converted, masked, controlled,
                      time.perf_counter() - t0)


__all__ = ["AUDIT_LOG", "CACHE_DIR", "CLAUSES", "Case", "Failure", "FormCache", "PackOptions", "PackResult",
           "PackContents", "append_audit_log", "build_pack", "canonical_json", "is_masked", "mask_text", "mask_value", "masked_workbook",
           "plan_pack", "record_dates", "scrub", "toolchain_digest", "xlsx_bytes"]
