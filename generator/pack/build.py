"""审计包 (audit pack): every form of a period, printable, indexed and verifiable.

``build_pack(directory, start, end, out)`` writes one zip:

- ``forms/<form>/<number>.docx``: every form of every record whose record date lies in
  the period. The record date is the date the register's numbering uses
  (``SheetSpec.number_date``: 受理日期, 申请日期 …); a 催办单 takes its case's date; a monthly
  统计表 is in the pack when its whole month is. Forms are filled as of the period's last day
  (doc_today, overdue clocks), and carry no 分发号: a pack copy is an archive copy, not an
  issued one, so building a pack never touches 分发记录.xlsx.
- ``print/<form>.pdf``: all cases of a form in one PDF, a bookmark per case, by record date;
  the manifest gives each record's pages in it with their hash (``print_pages``,
  ``pages_sha256``). ``forms/<form>/<number>.pdf`` only with ``split_pdf``, cut from it.
- ``registers/``: the workbooks as read and the policy used (masked copies in a masked pack).
- ``check.xlsx``: findings of ``aftersales check`` (as of the last day) on rows dated in the
  period, on rows that cannot be dated, and on whole sheets; and the records whose form could
  not be made, with the reason (the rest of the pack is built all the same).
- ``summary.xlsx``: scores (``period_scores``) and penalties (``penalty_ledger``) of the
  calendar months the period touches: both are assessed per month by the regulations.
- ``manifest.xlsx`` / ``manifest.json``: one row per file (form, number, record date, pages,
  SHA-256, the ISO 9001:2015 / GB/T 27922-2011 clause it evidences); ``说明.txt``.

Personal data (001 客户保密管理办法 4–7, the rules in ``rules.masking``): ``mask_personal``
makes the pack uncontrolled (a masked copy cannot be the registered original) and masks it;
an ``uncontrolled`` pack is masked when the policy's ``records.mask_phone`` says uncontrolled
copies are. A masked pack masks the ``personal`` columns (138****5678, 张*) in forms, register copies and findings, and
every mobile or landline number found in free text.

Reproducible: the same registers, policy, period and options give a byte-identical zip
(``verify.write_zip``, ``docx_repro`` for .docx/.xlsx, ``pdf_repro`` for PDFs). The build
time, user and pack hash go only to ``审计日志.csv`` beside the registers.

Big batches: each form is cached in ``DIR/.aftersales-cache`` under the hash of the context
names its template reads, the template and the toolchain (renderer, converter, fonts,
soffice); the policy reaches a form only through its context (control block, fee lines,
masking). Only missing forms are rendered, and only chunks of records not yet converted are
composed and converted (``files``: one LibreOffice document per chunk of a form's records, not
one per record), so an interrupted build resumes where it stopped.

Where each part lives: ``options`` (PackOptions, Case, Failure, PackResult), ``plan`` (record
dates, which forms), ``files`` (cache, rendering, conversion, print files), ``workbooks``
(register copies, check, summary, manifest), ``clauses``, ``readme``, ``audit_log``; this
module puts them together.
"""
from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter
from pathlib import Path

from generator.assess.checks import RunContext, run_checks
from generator.config.policy import POLICY_FILE, default_policy_text, find_policy
from generator.config.register_specs import load_specs
from generator.core.errors import UserError
from generator.documents.control import form_policy
from generator.documents.distribution import record_pack_copies
from generator.documents.pdf import INSTALL_HINT, find_soffice
from generator.pack.audit_log import AUDIT_LOG, append_audit_log, log_line
from generator.pack.clauses import FILE_CLAUSES
from generator.pack.files import (
    FormCache,
    make_files,
    ordered,
    print_files,
    toolchain_digest,
)
from generator.pack.options import Case, PackOptions, PackResult, is_masked
from generator.pack.plan import plan_pack, record_dates
from generator.pack.readme import README, readme_text
from generator.pack.signing import (
    SIGNATURE_MEMBER,
    fingerprint,
    load_private_key,
    sign_manifest,
)
from generator.pack.verify import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST_JSON,
    sha256_bytes,
    sha256_file,
    write_zip,
)
from generator.pack.workbooks import (
    check_workbook,
    manifest_workbook,
    masked_workbook,
    period_findings,
    summary_workbook,
)
from generator.registers.outpath import cache_home
from generator.registers.read import read_all
from generator.registers.safewrite import atomic_write_bytes, ensure_not_open
from generator.rules.citations import cite, sources_of


def _no_track(items, description="", total=None):
    return items


def _check_options(directory: Path, opts: PackOptions, out: Path) -> None:
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
    p = directory / POLICY_FILE
    return p.read_bytes() if p.exists() else default_policy_text().encode("utf-8")


class PackContents:
    """The members of a pack in the making, each with its manifest row."""

    def __init__(self, sources: dict | None = None):
        self.members: list[tuple[str, object]] = []
        self.rows: list[dict] = []
        self.sources = sources or {}      # policy document_control.sources: the company's documents

    def add(self, path: str, source, kind: str, *, case: Case | None = None, form=None, pages=None,
            **extra) -> None:
        data = source if isinstance(source, (bytes, bytearray)) else None
        form = case.form if case else form
        self.members.append((path, source))
        self.rows.append({
            "kind": kind, "form": form.id if form else "", "title": form.title if form else "",
            "number": case.number if case else "", "record_date": case.date.isoformat() if case and case.date else "",
            "path": path, "pages": pages, "size": len(data) if data is not None else Path(source).stat().st_size,
            "sha256": sha256_bytes(data) if data is not None else sha256_file(source),
            "clause": form.clause if form else FILE_CLAUSES.get(kind, ""),
            "source": cite(form.source, self.sources) if form else "", **extra,
        })

    @property
    def forms(self) -> int:
        return sum(1 for r in self.rows if r["kind"] == "docx")

    def add_forms(self, cases: list[Case], cache: FormCache, split_pdf: bool) -> None:
        """forms/<form>/<stem>.docx (with its pages in the print file and their hash), their own
        PDFs with ``split_pdf``, then print/<form>.pdf."""
        prints = print_files(cases, cache, split_pdf=split_pdf)
        for c in ordered(cases):
            if c.docx is None:
                continue
            where = {"print": f"print/{c.form.id}.pdf", "print_pages": list(c.print_range),
                     "pages_sha256": c.pages_sha256} if c.print_range else {}
            self.add(f"forms/{c.form.id}/{c.stem}.docx", c.docx, "docx", case=c, pages=c.pages, **where)
            if split_pdf and c.pdf is not None:
                self.add(f"forms/{c.form.id}/{c.stem}.pdf", c.pdf, "pdf", case=c, pages=c.pages)
        forms = {c.form.id: c.form for c in cases}
        for form_id, (path, pages) in sorted(prints.items()):
            self.add(f"print/{form_id}.pdf", path, "print", form=forms[form_id], pages=pages)

    def write(self, out: Path, manifest: dict, key=None) -> None:
        """manifest.json (listing every member added), its signature when a company ``key`` is
        given, and the zip, in a fixed order, atomically."""
        body = json.dumps({**manifest, "files": self.rows}, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
        members = self.members + [(MANIFEST_JSON, body)]
        if key is not None:                     # Ed25519 signatures are deterministic: still reproducible
            members.append((SIGNATURE_MEMBER, sign_manifest(body, key)))
        head = (README, MANIFEST_JSON, SIGNATURE_MEMBER, "manifest.xlsx")
        members.sort(key=lambda m: (m[0] not in head, head.index(m[0]) if m[0] in head else 0, m[0]))
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(out, lambda tmp: write_zip(members, tmp))


def build_pack(directory, start: dt.date, end: dt.date, out, *, registers: list[str] | None = None,
               uncontrolled: bool = False, mask_personal: bool = False, all_forms: bool = False,
               split_pdf: bool = False, workers: int = 2, progress=None, sign=None,
               today: dt.date | None = None) -> PackResult:
    """Build the audit pack of ``start``…``end`` from the registers in ``directory`` into ``out``.

    ``progress(iterable, description, total)`` wraps each long step (a progress bar); records
    that cannot be filled or converted are listed in check.xlsx and PackResult.failures.
    Checks, scores and penalties are judged on ``end``, or on ``today`` (default: the real date)
    when the period has not ended: nothing after today counts.
    ``split_pdf`` adds each record's own PDF (cut from its form's print file).
    ``sign``: the company's private key file; manifest.json is signed with it.
    """
    t0 = time.perf_counter()
    directory, out = Path(directory), Path(out)
    opts = PackOptions(start, end, tuple(registers) if registers else None, uncontrolled, mask_personal, all_forms)
    _check_options(directory, opts, out)
    key = load_private_key(sign) if sign is not None else None       # a bad key fails before the long work
    policy = find_policy(directory)
    regs = read_all(directory, only=list(opts.registers) if opts.registers else None)
    masked, controlled = is_masked(policy, opts), not (uncontrolled or mask_personal)
    toolchain = toolchain_digest()
    cases, failures = plan_pack(directory, regs, policy, opts, toolchain)
    cache = FormCache(cache_home(directory, out))   # beside the output when the registers are read-only
    made_failures, rendered, converted = make_files(cases, cache, workers, progress or _no_track)
    failures = sorted(failures + made_failures, key=lambda f: (f.form, f.date or dt.date.min, f.number, f.row or 0))

    pack = PackContents(sources_of(policy))
    pack.add_forms(cases, cache, split_pdf)
    for rid in sorted(regs):
        pack.add(f"registers/{regs[rid].path.name}", masked_workbook(regs[rid]) if masked else regs[rid].path,
                 "register")
    pack.add("registers/policy.toml", _policy_bytes(directory), "policy")
    ctx = RunContext(registers=regs, policy=policy, today=min(end, today or dt.date.today()))
    findings = period_findings(run_checks(ctx), opts, record_dates(regs))
    pack.add("check.xlsx", check_workbook(findings, failures, masked), "check")
    pack.add("summary.xlsx", summary_workbook(regs, policy, opts, ctx.calendar, masked, ctx.today), "summary")
    counts = {"forms": pack.forms, "failures": len(failures)}
    readme = readme_text(opts, counts, masked, controlled, sorted(regs))
    pack.add(README, readme.replace("\n", "\r\n").encode("utf-8-sig"), "index")   # Notepad-friendly
    pack.add("manifest.xlsx", manifest_workbook(pack.rows), "index")
    pack.write(out, {"format": FORMAT, "version": FORMAT_VERSION, "counts": counts,
                     "period": {"from": start.isoformat(), "to": end.isoformat()}, "registers": sorted(regs),
                     "options": {"controlled": controlled, "masked": masked}}, key)
    sha = sha256_file(out)
    append_audit_log(cache_home(directory, out), log_line(directory, start, end, sorted(regs), opts.registers, controlled, masked,
                                         out, sha, counts["forms"], counts["failures"]))
    if controlled:     # the pack's forms are record copies: logged as such in 分发记录.xlsx
        filed, specs = Counter(c.form.id for c in cases), {c.form.id: c.form for c in cases}
        record_pack_copies(cache_home(directory, out), [(specs[fid], n) for fid, n in sorted(filed.items())], out.name,
                           f"{start.isoformat()}至{end.isoformat()}", dt.date.today(), lambda f: form_policy(f, policy))
    return PackResult(out, sha, counts["forms"], len(pack.rows), failures, rendered, converted, masked, controlled,
                      time.perf_counter() - t0, fingerprint(key.public_key()) if key else "")


__all__ = ["PackContents", "build_pack"]
