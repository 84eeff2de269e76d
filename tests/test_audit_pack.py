"""The audit pack: which forms, reproducible bytes, verification, failures, masking, the CLI.

Packs are built over three days of the sample year (18 forms of 13 kinds) so the whole file
stays fast; two builds in different folders, one of them resumed from a smaller pack's cache,
must give the same bytes.
"""
from __future__ import annotations

import calendar
import datetime as dt
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pikepdf
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from typer.testing import CliRunner

from generator.cli import app
from generator.config.form_specs import load_forms
from generator.config.policy import find_policy
from generator.core.errors import UserError
from generator.documents.pdf_repro import (
    eexec_decrypt,
    eexec_encrypt,
    merge_pdfs,
    normalize_pdf,
)
from generator.pack.audit_log import AUDIT_LOG
from generator.pack.build import build_pack
from generator.pack.options import PackOptions
from generator.pack.plan import plan_pack, record_dates
from generator.pack.verify import MANIFEST_JSON, verify_pack, write_zip
from generator.registers.read import read_all
from tests.conftest import fake_soffice, needs_soffice

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "audit_pack.yaml").read_text(encoding="utf-8"))
START, END = dt.date(2025, 7, 7), dt.date(2025, 7, 9)
SUB = dt.date(2025, 7, 8)                       # a one-day pack built first in the second folder
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)|(?<![\d-])0\d{2,3}-?\d{7,8}(?!\d)")
runner = CliRunner()


def iso(d: dt.date) -> str:
    return d.isoformat()


# ---------------------------------------------------------------------------
# shared builds (module scope: LibreOffice is the slow part)

@pytest.fixture(scope="module")
def folders(tmp_path_factory, sample_dir_session):
    root = tmp_path_factory.mktemp("packs")
    a, b = root / "a", root / "b"
    shutil.copytree(sample_dir_session, a)
    shutil.copytree(sample_dir_session, b)
    return root, a, b


@pytest.fixture(scope="module")
def pack_a(folders):
    """Built through the CLI, as an office would."""
    root, a, _ = folders
    out = root / "a.zip"
    res = runner.invoke(app, ["audit-pack", str(a), "--from", iso(START), "--to", iso(END), "--out", str(out), "--all-forms",
                              "--split-pdf", "--silent", "--json"])
    assert res.exit_code == 0, res.output
    return out, json.loads(res.stdout)


@pytest.fixture(scope="module")
def pack_b(folders):
    """Same input in another folder: a one-day pack first (its forms go to the cache, converted in
    other batches), then the whole period resumed from that cache."""
    root, _, b = folders
    sub = build_pack(b, SUB, SUB, root / "b-sub.zip", workers=2, all_forms=True, split_pdf=True)
    full = build_pack(b, START, END, root / "b.zip", workers=2, all_forms=True, split_pdf=True)
    return sub, full


def members(pack: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(pack) as z:
        return {n: z.read(n) for n in z.namelist()}


def manifest(pack: Path) -> dict:
    return json.loads(members(pack)[MANIFEST_JSON])


def rewrite(pack: Path, out: Path, change) -> Path:
    """A copy of a pack with members changed by change(dict) -> dict, written the same way."""
    m = change(members(pack))
    write_zip(list(m.items()), out)
    return out


def member_text(name: str, data: bytes) -> str:
    if name.endswith((".docx", ".xlsx", ".xlsm")):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "\n".join(re.sub(r"<[^>]+>", "", z.read(n).decode("utf-8", "ignore"))
                             for n in z.namelist() if n.endswith(".xml"))
    if name.endswith(".pdf"):
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    return data.decode("utf-8", "ignore")


# ---------------------------------------------------------------------------
# What goes in: record dates, period forms (no LibreOffice needed)

def plan(directory, start, end, **kw):
    regs = read_all(directory)
    return plan_pack(directory, regs, find_policy(directory), PackOptions(start, end, **kw)), regs


def test_every_record_dated_in_the_period_gets_each_of_its_forms(sample_dir):
    (cases, failures), regs = plan(sample_dir, START, END, all_forms=True)
    assert not failures
    tickets = {r.values["ticket_no"] for r in regs["tickets"].tables["tickets"].records
               if r.values["received"] and START <= r.values["received"].date() <= END}
    complaints = {r.values["complaint_no"]: r.values["category"] for r in regs["complaints"].tables["complaints"].records
                  if r.values["received"] and START <= r.values["received"] <= END}
    got = {}
    for c in cases:
        got.setdefault(c.form.id, set()).add(c.number)
        assert START <= c.date <= END
    assert tickets and complaints
    for form in ("service_info", "service_receipt", "repair_record", "info_collection", "terminal_feedback"):
        assert got[form] == tickets
    assert got["complaint_record"] == set(complaints)
    assert got.get("quality_memo", set()) == {n for n, cat in complaints.items() if cat == "产品质量"}
    # a record dated the day before is left out
    (before, _), _ = plan(sample_dir, START - dt.timedelta(days=1), START - dt.timedelta(days=1))
    assert not {c.number for c in before} & tickets


def test_by_default_a_pack_holds_the_evidence_forms_the_policy_lists(sample_dir):
    (cases, _), regs = plan(sample_dir, START, END)
    listed = set(find_policy(sample_dir)["audit_pack"]["forms"])
    got = {c.form.id for c in cases}
    assert got <= listed and "service_info" in got and "service_receipt" not in got
    tickets = [r for r in regs["tickets"].tables["tickets"].records
               if r.values["received"] and START <= r.values["received"].date() <= END]
    assert sum(c.form.id == "service_info" for c in cases) == len(tickets)


@pytest.mark.parametrize("case", CASES["statistics_months"], ids=lambda c: f"{c['from']}..{c['to']}")
def test_monthly_statistics_only_for_whole_months(sample_dir, case):
    (cases, _), _ = plan(sample_dir, case["from"], case["to"])
    stats = [c for c in cases if c.form.id == "complaint_stats"]
    assert sorted(c.number for c in stats) == case["months"]
    for c in stats:                                  # dated on the month's last day
        y, m = map(int, c.number.split("-"))
        assert c.date == dt.date(y, m, calendar.monthrange(y, m)[1])


def test_item_lines_take_their_parent_record_date(sample_dir):
    regs = read_all(sample_dir)
    dates = record_dates(regs)
    apps = {r.values["app_no"]: r.values["applied"] for r in regs["materials"].tables["applications"].records}
    items = regs["materials"].tables["items"]
    for r in items.records[:20]:
        assert dates[("materials", items.spec.name)][r.row] == apps.get(r.values["app_no"])
    assert ("master", "人员") not in dates       # master data has no record date


def test_every_form_has_a_clause():
    for form_id, form in load_forms().items():
        assert re.search(r"ISO 9001:2015 §\d", form.clause), form_id
        assert "GB/T 27922" in form.clause, form_id


def test_bad_options_are_refused(sample_dir, tmp_path):
    with pytest.raises(UserError, match="晚于"):
        build_pack(sample_dir, END, START, tmp_path / "x.zip")
    with pytest.raises(UserError, match="未知的台账"):
        build_pack(sample_dir, START, END, tmp_path / "x.zip", registers=["nope"])
    res = runner.invoke(app, ["audit-pack", str(sample_dir), "--from", "2025-13-01", "--to", iso(END),
                              "--out", str(tmp_path / "x.zip")])
    assert res.exit_code == 2 and "--from" in res.output and "2025-13-01" in res.output


# ---------------------------------------------------------------------------
# PDF normalisation (no LibreOffice needed)

@settings(max_examples=50)
@given(st.binary(max_size=2000), st.integers(0, 0xFFFF))
def test_eexec_round_trip(data, key):
    assert eexec_decrypt(eexec_encrypt(data, key), key) == data


def type1_pdf(uid: int, created: str) -> bytes:
    """A PDF with a binary Type 1 font stream carrying a UniqueID in both parts, and XMP dates."""
    clear = b"%%!FontType1-1.0: Test 001\n/UniqueID %d def\ncurrentfile eexec\n" % uid
    plain = b"HDU \n/Private 8 dict dup begin\n/UniqueID %d def\n/lenIV 4 def\nend\n" % uid
    enc, tail = eexec_encrypt(plain), b"0" * 512 + b"\ncleartomark\n"
    pdf = pikepdf.new()
    pdf.add_blank_page()
    font = pikepdf.Stream(pdf, clear + enc + tail)
    font.Length1, font.Length2, font.Length3 = len(clear), len(enc), len(tail)
    pdf.Root.Font = pdf.make_indirect(font)
    pdf.docinfo["/CreationDate"] = created
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["xmp:CreateDate"] = created[2:6] + "-01-02T03:04:05Z"
        meta["xmpMM:DocumentID"] = f"uuid:{uid}"
    buf = io.BytesIO()
    pdf.save(buf, static_id=False)
    return buf.getvalue()


def test_pdfs_differing_only_in_stamps_normalise_to_the_same_bytes():
    a, b = type1_pdf(4100001, "D:20260101120000Z"), type1_pdf(4100093, "D:20261125125012Z")
    assert a != b
    (na, pages), (nb, _) = normalize_pdf(a), normalize_pdf(b)
    assert na == nb and pages == 1
    with pikepdf.open(io.BytesIO(na)) as pdf:
        font = pdf.Root.Font
        data = font.read_bytes()
        l1, l2 = int(font.Length1), int(font.Length2)
        uid = re.search(rb"/UniqueID (\d+)", data[:l1]).group(1)
        assert re.search(rb"/UniqueID (\d+)", eexec_decrypt(data[l1:l1 + l2])).group(1) == uid
        assert 4_000_000 <= int(uid) < 5_000_000 and uid not in (b"4100001", b"4100093")
        assert str(pdf.docinfo["/CreationDate"]) == "D:19800101000000Z"
        meta = pdf.open_metadata()
        assert meta["xmp:CreateDate"].startswith("1980-01-01")
    assert normalize_pdf(na)[0] == na          # idempotent


def test_merged_pdf_has_a_bookmark_per_part(tmp_path):
    parts = []
    for i in range(3):
        p = tmp_path / f"{i}.pdf"
        p.write_bytes(type1_pdf(4100000 + i, "D:20260101120000Z"))
        parts.append((p, f"案件 {i}"))
    data, pages = merge_pdfs(parts)
    reader = PdfReader(io.BytesIO(data))
    assert pages == len(reader.pages) == 3
    assert [o.title for o in reader.outline] == ["案件 0", "案件 1", "案件 2"]
    assert merge_pdfs(parts)[0] == data


# ---------------------------------------------------------------------------
# Verification on hand-made packs (no LibreOffice needed)

def small_pack(path: Path, files: dict[str, bytes]) -> Path:
    import hashlib

    listed = [{"path": n, "sha256": hashlib.sha256(d).hexdigest()} for n, d in files.items()]
    man = json.dumps({"format": "aftersales-audit-pack", "version": 1, "files": listed}).encode()
    write_zip([*files.items(), (MANIFEST_JSON, man)], path)
    return path


def test_verify_names_every_difference(tmp_path):
    good = small_pack(tmp_path / "p.zip", {"a.txt": b"alpha", "forms/b.docx": b"beta"})
    assert verify_pack(good).ok
    bad = rewrite(good, tmp_path / "q.zip", lambda m: {**{k: v for k, v in m.items() if k != "a.txt"},
                                                         "forms/b.docx": b"betA", "extra.txt": b"x"})
    v = verify_pack(bad)
    assert (v.changed, v.added, v.removed) == (["forms/b.docx"], ["extra.txt"], ["a.txt"])


@pytest.mark.parametrize("content, why", [(b"not a zip at all", "不是有效的 zip"), (None, "缺少 manifest.json"),
                                          (b"{}", "不是 aftersales-audit-pack 格式")])
def test_verify_refuses_what_is_not_a_pack(tmp_path, content, why):
    p = tmp_path / "x.zip"
    if content == b"not a zip at all":
        p.write_bytes(content)
    else:
        write_zip([("a.txt", b"a")] + ([(MANIFEST_JSON, content)] if content else []), p)
    with pytest.raises(UserError, match=why):
        verify_pack(p)
    res = runner.invoke(app, ["verify", str(p)])
    assert res.exit_code == 2 and why in res.output


# ---------------------------------------------------------------------------
# Real packs

@needs_soffice
def test_fresh_pack_verifies_and_lists_every_file(pack_a):
    path, summary = pack_a
    res = runner.invoke(app, ["verify", str(path)])
    assert res.exit_code == 0, res.output
    assert "审计包完好" in res.output
    m = members(path)
    man = json.loads(m[MANIFEST_JSON])
    assert {f["path"] for f in man["files"]} == set(m) - {MANIFEST_JSON}
    assert verify_pack(path).index == []                  # manifest.xlsx agrees with manifest.json
    assert man["period"] == {"from": iso(START), "to": iso(END)} and man["counts"]["forms"] == summary["forms"] == 18
    for f in man["files"]:
        if f["path"].startswith("forms/"):
            assert START.isoformat() <= f["record_date"] <= END.isoformat()
            assert f["clause"] == load_forms()[f["form"]].clause
        if f["path"].endswith(".pdf"):
            assert f["pages"] == len(PdfReader(io.BytesIO(m[f["path"]])).pages) >= 1
    # every zip entry carries the fixed date; no wall-clock time anywhere in the pack
    with zipfile.ZipFile(path) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    book = openpyxl.load_workbook(io.BytesIO(m["summary.xlsx"]))
    assert book.sheetnames[0] == "汇总说明" and {"罚扣汇总", "问卷得分"} <= set(book.sheetnames)
    notes = [r[0] for r in book["汇总说明"].iter_rows(values_only=True)]
    assert not [n for n in notes if "未能计算" in n], notes
    year = str(dt.date.today().year)
    for name in ("check.xlsx", "summary.xlsx", "manifest.xlsx"):
        core = zipfile.ZipFile(io.BytesIO(m[name])).read("docProps/core.xml").decode()
        assert "1980-01-01" in core and year + "-" not in core


@needs_soffice
def test_print_file_has_a_bookmark_per_case_in_date_order(pack_a):
    path, _ = pack_a
    man = manifest(path)
    pdfs = sorted((f for f in man["files"] if f["form"] == "service_info" and f["kind"] == "pdf"),
                  key=lambda f: (f["record_date"], f["number"]))
    reader = PdfReader(io.BytesIO(members(path)["print/service_info.pdf"]))
    assert [o.title.split(" · ")[0] for o in reader.outline] == [f["number"] for f in pdfs]
    assert len(reader.pages) == sum(f["pages"] for f in pdfs)


@needs_soffice
def test_two_builds_of_the_same_input_are_byte_identical(pack_a, pack_b):
    sub, full = pack_b
    assert not sub.failures and not full.failures
    assert full.rendered == full.forms - sub.forms          # the one-day pack's forms came from the cache
    a, b = members(pack_a[0]), members(full.path)
    assert sorted(a) == sorted(b)
    assert [n for n in a if a[n] != b[n]] == []
    assert pack_a[0].read_bytes() == full.path.read_bytes()
    # the audit log beside the registers records each build with the pack's hash
    log = (full.path.parent / "b" / AUDIT_LOG).read_text(encoding="utf-8-sig").splitlines()
    assert len(log) == 3 and log[-1].split(",")[8] == full.sha256


class Interrupted(Exception):
    pass


def test_an_interrupted_build_resumes_from_the_forms_already_made(sample_dir, tmp_path, monkeypatch):
    import generator.pack.files

    monkeypatch.setattr(generator.pack.files, "CHUNK", 2)    # documents of 2 records,
    monkeypatch.setattr(generator.pack.files, "WAVE", 4)     # 2 of them (4 forms) per round on 2 workers
    monkeypatch.setenv("AFTERSALES_SOFFICE", fake_soffice(tmp_path, makes_pdfs=True))   # resuming is ours, not LibreOffice's
    day = dt.date(2025, 7, 10)

    def stop_in_second_chunk(items, description, total):
        for i, item in enumerate(items):
            if description == "转换 PDF" and i == 5:
                raise Interrupted
            yield item

    with pytest.raises(Interrupted):
        build_pack(sample_dir, day, day, tmp_path / "p.zip", progress=stop_in_second_chunk, all_forms=True)
    assert not (tmp_path / "p.zip").exists()
    cache = sample_dir / ".aftersales-cache" / "print"
    assert not [p for p in cache.parent.iterdir() if p.name.startswith(("staging", "compose"))]
    # the rounds converted before the interruption were kept (each written as it finished), the rest not
    kept = sum(len(json.loads(p.with_suffix(".json").read_text())) for p in cache.glob("chunk-*.pdf"))
    assert 5 <= kept <= 8
    result = build_pack(sample_dir, day, day, tmp_path / "p.zip", all_forms=True)
    assert kept < result.forms
    assert result.rendered == 0 and result.converted == result.forms - kept and not result.failures


@needs_soffice
def test_a_changed_byte_is_named(pack_a, tmp_path):
    path, _ = pack_a
    name = next(n for n in members(path) if n.startswith("forms/") and n.endswith(".pdf"))
    changed = rewrite(path, tmp_path / "c.zip",
                      lambda m: {**m, name: m[name][:100] + bytes([m[name][100] ^ 1]) + m[name][101:]})
    res = runner.invoke(app, ["verify", str(changed)])
    assert res.exit_code == 1
    assert f"已修改：{name}" in res.output and res.output.count("已修改") == 1
    # the same change made in place inside the zip (its CRC no longer matches)
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(name)
    at = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 200
    raw[at] ^= 0xFF
    (tmp_path / "d.zip").write_bytes(bytes(raw))
    v = verify_pack(tmp_path / "d.zip")
    assert v.changed == [name] and not v.added and not v.removed


@needs_soffice
def test_added_and_removed_members_are_named(pack_a, tmp_path):
    path, _ = pack_a
    gone = "check.xlsx"
    res = runner.invoke(app, ["verify", str(rewrite(path, tmp_path / "r.zip",
                                                        lambda m: {k: v for k, v in m.items() if k != gone})), "--json"])
    assert res.exit_code == 1 and json.loads(res.stdout)["removed"] == [gone]
    res = runner.invoke(app, ["verify", str(rewrite(path, tmp_path / "a.zip", lambda m: {**m, "forms/x.pdf": b"%PDF"}))])
    assert res.exit_code == 1 and "多出：forms/x.pdf" in res.output


def break_template(folder: Path, form_id: str, number: str) -> None:
    """A company template (DIR/templates) that cannot be filled for one record."""
    from generator.documents.engine import template_path

    src = template_path(load_forms()[form_id])
    parts = {}
    with zipfile.ZipFile(src) as z:
        for n in z.namelist():
            parts[n] = z.read(n)
    xml = parts["word/document.xml"].decode("utf-8")
    hook = "{{ doc_number }}"
    assert hook in xml
    xml = xml.replace(hook, "{%% if doc_number == '%s' %%}{{ no_such_field }}{%% endif %%}%s" % (number, hook), 1)
    parts["word/document.xml"] = xml.encode("utf-8")
    (folder / "templates").mkdir(exist_ok=True)
    write_zip(list(parts.items()), folder / "templates" / src.name)


@needs_soffice
def test_a_record_that_cannot_be_rendered_is_listed_and_the_pack_still_built(pack_a, folders, tmp_path, monkeypatch):
    _, a, _ = folders
    monkeypatch.setenv("AFTERSALES_SOFFICE", fake_soffice(tmp_path, makes_pdfs=True))   # the PDFs are not the point
    folder = tmp_path / "broken"
    shutil.copytree(a, folder)                         # the cache comes along: only service_info re-renders
    man = manifest(pack_a[0])
    numbers = sorted(f["number"] for f in man["files"] if f["form"] == "service_info" and f["kind"] == "docx")
    assert len(numbers) >= 2
    break_template(folder, "service_info", numbers[0])
    result = build_pack(folder, START, END, tmp_path / "broken.zip", all_forms=True, split_pdf=True)
    assert [(f.form, f.number) for f in result.failures] == [("service_info", numbers[0])]
    assert "no_such_field" in result.failures[0].reason
    m = members(result.path)
    assert f"forms/service_info/{numbers[0]}.docx" not in m
    assert f"forms/service_info/{numbers[1]}.pdf" in m and result.forms == 17
    ws = openpyxl.load_workbook(io.BytesIO(m["check.xlsx"]))["未能生成的表单"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[5]) for r in rows] == [("service_info", numbers[0])] and "no_such_field" in rows[0][7]
    assert verify_pack(result.path).ok


@needs_soffice
def test_masked_pack_carries_no_full_phone_number(pack_a, folders, tmp_path):
    _, a, _ = folders
    regs = read_all(a, only=["complaints"])
    phones = set()
    for reg in regs.values():
        wb = openpyxl.load_workbook(reg.path, read_only=True)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                phones |= {m for v in row if v is not None for m in PHONE.findall(str(v))}
    assert len(phones) > 20
    result = build_pack(a, START, END, tmp_path / "masked.zip", registers=["complaints"], mask_personal=True, all_forms=True)
    assert result.masked and not result.controlled
    m = members(result.path)
    assert sorted(n for n in m if n.startswith("registers/")) == [
        "registers/complaints.xlsx", "registers/master.xlsx", "registers/policy.toml"]
    assert any(n.startswith("forms/complaint_record/") for n in m)
    for name, data in m.items():
        text = member_text(name, data)
        flat = re.sub(r"\s", "", text)
        leaked = {p for p in phones if p in text or p in flat}
        assert not leaked, f"{name} shows {sorted(leaked)[:3]}"
    assert "****" in member_text("registers/master.xlsx", m["registers/master.xlsx"])
    assert manifest(result.path)["options"] == {"controlled": False, "masked": True}
    # the unmasked pack of the same records does show them (the check above can fail)
    full = members(pack_a[0])
    assert any(p in member_text(n, d) for n, d in full.items() if n.startswith("forms/complaint_record/")
               and n.endswith(".docx") for p in phones)


@needs_soffice
def test_a_pack_signed_at_issue_verifies_with_the_public_key(pack_a, folders):
    root, a, _ = folders                               # forms come from pack_a's cache: no conversion
    key = root / "签名.key"
    assert runner.invoke(app, ["keys", "new", str(key)]).exit_code == 0
    out = root / "signed.zip"
    res = runner.invoke(app, ["audit-pack", str(a), "--from", iso(SUB), "--to", iso(SUB), "--out", str(out),
                              "--all-forms", "--silent", "--sign", str(key), "--json"])
    assert res.exit_code == 0, res.output
    signed_by = json.loads(res.stdout)["signed_by"]
    res = runner.invoke(app, ["verify", str(out), "--pubkey", f"{key}.pub"])
    assert res.exit_code == 0 and "签名有效" in res.output and signed_by in res.output
