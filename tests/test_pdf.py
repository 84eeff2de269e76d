"""PDF through LibreOffice: one batched conversion of every form, embedded CJK fonts, failures."""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from pathlib import Path

import docx
import pytest
from lxml import etree
from pypdf import PdfReader
from typer.testing import CliRunner

from generator.cli import app
from generator.config.form_specs import load_forms
from generator.config.policy import default_policy
from generator.core.errors import UserError
from generator.documents import pdf as pdfmod
from generator.documents.context import build_context
from generator.documents.control import control_block
from generator.documents.docx_repro import read_parts
from generator.documents.engine import render_docx, template_path
from generator.documents.pages import heading_rows, text_of, w
from generator.documents.subjects import FormData, subjects
from generator.registers.read import read_all
from tests.conftest import fake_soffice
from tests.stress import stress

# As in conftest: without LibreOffice the PDF checks are skipped locally, never on CI.
needs_soffice = pytest.mark.skipif(pdfmod.find_soffice() is None and not os.environ.get("CI"),
                                   reason="LibreOffice not installed")
COPIES = {"repair_record": 3, "complaint_handling": 5}


@pytest.fixture(scope="session")
def converted(sample_dir_session, tmp_path_factory):
    """Every form rendered once from the sample, and once with stress data (tests/stress.py),
    converted in ONE batched call (two workers): the stress forms cost no soffice start."""
    out = tmp_path_factory.mktemp("pdf")
    policy = default_policy()
    regs = read_all(sample_dir_session)
    docx, expect, stressed = [], {}, {}
    for form in load_forms().values():
        today = dt.date(2026, 8, 3) if form.kind == "overdue" else dt.date(2026, 6, 30)
        data = FormData(regs, policy, today)
        subject = subjects(form, data)[0]
        ctx = build_context(form, subject, data, control_block(form, policy, number=subject.number, copy_no="01"))
        docx.append(render_docx(template_path(form), ctx, out / f"{form.id}.docx"))
        expect[form.id] = (ctx["doc_title"], subject.number, ctx.get(form.customer or "", ""))
        long_regs, number = stress(regs, form, policy, today)
        long_data = FormData(long_regs, policy, today)
        long_subject = next(s for s in subjects(form, long_data) if s.number == number)
        long_ctx = build_context(form, long_subject, long_data,
                                 control_block(form, policy, number=number, copy_no="01"))
        docx.append(render_docx(template_path(form), long_ctx, out / f"stress_{form.id}.docx"))
        stressed[form.id] = (long_ctx, out / f"stress_{form.id}.pdf")
    docx += glyph_probes(out)   # same soffice call: which regional glyph forms the runs get
    pdfs = pdfmod.convert_to_pdf(docx, out, workers=2)
    return {p.stem: p for p in pdfs if not p.stem.startswith(("probe_", "stress_"))}, expect, stressed


@pytest.fixture(scope="session")
def all_pdfs(converted):
    """Every form rendered once from the sample (the first record of each)."""
    return converted[0], converted[1]


PROBE = "直骨刃次"   # characters whose Simplified-Chinese and Japanese glyphs differ


def glyph_probes(out: Path) -> list[Path]:
    """Three one-line documents: a run styled like the templates' body text (its run properties
    copied from a template), and explicit zh-CN / ja-JP runs."""
    from copy import deepcopy

    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    body = Document(str(template_path(load_forms()["service_receipt"]))).element.body
    ours = body.xpath('.//w:r/w:rPr[w:rFonts[@w:eastAsia="宋体"] and not(w:b) and not(w:color)]')[0]
    paths = []
    for name, lang in (("ours", None), ("zh", "zh-CN"), ("ja", "ja-JP")):
        doc = Document()
        run = doc.add_paragraph().add_run(PROBE)
        if lang is None:
            run._element.insert(0, deepcopy(ours))
            run.font.size = Pt(48)
        else:
            run.font.size = Pt(48)
            rpr = run._element.get_or_add_rPr()
            rpr.get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
            el = OxmlElement("w:lang")
            el.set(qn("w:eastAsia"), lang)
            rpr.append(el)
        doc.save(out / f"probe_{name}.docx")
        paths.append(out / f"probe_{name}.docx")
    return paths


def raster(pdf: Path):
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", "-singlefile", str(pdf),
                    str(pdf.with_suffix(""))], check=True)
    return Image.open(pdf.with_suffix(".png")).convert("L")


@needs_soffice
def test_template_runs_draw_simplified_chinese_glyph_forms(all_pdfs):
    from PIL import ImageChops

    folder = next(iter(all_pdfs[0].values())).parent
    ours, zh, ja = (raster(folder / f"probe_{n}.pdf") for n in ("ours", "zh", "ja"))
    assert ImageChops.difference(zh, ja).getbbox() is not None     # the probe does tell the forms apart
    assert ImageChops.difference(ours, zh).getbbox() is None       # ours are the Simplified ones


def pdffonts(path: Path) -> list[list[str]]:
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    return [line.split() for line in lines[2:]]


def pdftext_pages(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def pdftext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@needs_soffice
def test_every_form_pdf_embeds_a_cjk_font_and_carries_its_chinese_text(all_pdfs):
    pdfs, expect = all_pdfs
    assert set(pdfs) == set(load_forms())
    for form_id, path in pdfs.items():
        fonts = pdffonts(path)
        cjk = [f for f in fonts if "CJK" in f[0]]
        assert cjk, f"{form_id}: no CJK font in {fonts}"
        # name, type…, emb, sub, uni, object id: every font is embedded
        assert all(f[-5] == "yes" for f in fonts), f"{form_id}: font not embedded {fonts}"
        assert any("Serif" in f[0] for f in cjk), f"{form_id}: 宋体 did not map to a serif CJK face"
        text = "".join(pdftext(path).split())
        title, number, customer = expect[form_id]
        for want in (title, number, customer, "受控", "文件编号"):
            assert "".join(want.split()) in text, f"{form_id}: {want!r} not in the PDF text"


@needs_soffice
def test_multi_copy_forms_print_one_page_per_copy(all_pdfs):
    pdfs, _ = all_pdfs
    for form_id, copies in COPIES.items():
        reader = PdfReader(pdfs[form_id])
        assert len(reader.pages) == copies
        labels = [page.extract_text() for page in reader.pages]
        for i, label in enumerate(load_forms()[form_id].copies):
            assert label in labels[i]
    one_page = [f for f in pdfs if f not in COPIES and f != "training_signin"]
    assert all(len(PdfReader(pdfs[f]).pages) == 1 for f in one_page)


def test_fontconfig_file_includes_the_cjk_aliases(tmp_path):
    conf = pdfmod.fontconfig_file(tmp_path).read_text(encoding="utf-8")
    assert str(pdfmod.FONT_CONF) in conf
    aliases = pdfmod.FONT_CONF.read_text(encoding="utf-8")
    for family in ("宋体", "SimSun", "黑体", "SimHei", "Noto Serif CJK SC", "Noto Sans CJK SC"):
        assert f"<family>{family}</family>" in aliases


@needs_soffice
def test_soffice_starts_without_its_graphics_self_tests(tmp_path):
    """LibreOffice runs its graphics self-tests (0.6 s, writing GraphicsRenderTests.log) at every
    start on a profile that does not record a version at least its own; ours records one."""
    doc = tmp_path / "a.docx"
    document = docx.Document()
    document.add_paragraph("维修记录")
    document.save(doc)
    profile = pdfmod.new_profile(tmp_path / "profile")
    env = pdfmod.soffice_env(tmp_path)
    pdfmod._run(pdfmod.find_soffice(), [doc.name], tmp_path, tmp_path / "out", profile, env, timeout=120)
    assert (tmp_path / "out" / "a.pdf").exists()
    assert (profile / "user" / "registrymodifications.xcu").exists()
    assert not (profile / "user" / "GraphicsRenderTests.log").exists()
    bare = tmp_path / "bare"          # what a profile soffice makes for itself does: the tests run
    pdfmod._run(pdfmod.find_soffice(), [doc.name], tmp_path, tmp_path / "out2", bare, env, timeout=120)
    assert (bare / "user" / "GraphicsRenderTests.log").exists()


def test_work_is_split_across_workers():
    assert pdfmod.chunks(list(range(5)), 2) == [[0, 1, 2], [3, 4]]
    assert pdfmod.chunks([1], 2) == [[1]]


def test_a_file_soffice_silently_skipped_is_reported(tmp_path, monkeypatch):
    docs = [tmp_path / f"f{i}.docx" for i in range(3)]
    for d in docs:
        d.write_bytes(b"x")
    monkeypatch.setenv("AFTERSALES_SOFFICE", fake_soffice(tmp_path, makes_pdfs=False))
    with pytest.raises(UserError, match="未能转换 3 个文件"):
        pdfmod.convert_to_pdf(docs, tmp_path / "out")
    monkeypatch.setenv("AFTERSALES_SOFFICE", fake_soffice(tmp_path, makes_pdfs=True))
    assert [p.name for p in pdfmod.convert_to_pdf(docs, tmp_path / "out")] == ["f0.pdf", "f1.pdf", "f2.pdf"]


def test_files_soffice_dropped_from_a_call_are_retried(tmp_path, monkeypatch):
    docs = [tmp_path / f"f{i}.docx" for i in range(5)]
    for d in docs:
        d.write_bytes(b"x")
    monkeypatch.setenv("AFTERSALES_SOFFICE", fake_soffice(tmp_path, makes_pdfs=True, per_call=2))
    assert len(pdfmod.convert_to_pdf(docs, tmp_path / "out", workers=2)) == 5


def test_calls_stay_below_the_file_count_soffice_drops_beyond():
    sizes = [len(b) for b in pdfmod.batches([f"form_{i:04d}.docx" for i in range(500)])]
    assert sum(sizes) == 500 and max(sizes) <= 100


def test_missing_libreoffice_says_how_to_install_and_keeps_the_docx(sample_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(pdfmod, "find_soffice", lambda: None)
    with pytest.raises(UserError, match="apt-get install libreoffice-writer-nogui fonts-noto-cjk"):
        pdfmod.convert_to_pdf([tmp_path / "a.docx"], tmp_path)
    r = CliRunner().invoke(app, ["render", str(sample_dir), "--form", "complaint_record", "-n", "250707001",
                                 "--out", str(tmp_path), "--pdf", "--silent", "--uncontrolled"])
    assert r.exit_code == 0, r.output
    assert "libreoffice-writer-nogui" in r.output
    assert (tmp_path / "complaint_record_250707001.docx").exists() and not list(tmp_path.glob("*.pdf"))


def test_split_pdf_gives_each_record_its_pages_of_the_print_file(sample_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("AFTERSALES_SOFFICE", fake_soffice(tmp_path, makes_pdfs=True))   # a page per section
    numbers = ["KF250701", "KF250702", "KF250703"]
    args = ["render", str(sample_dir), "-f", "repair_record", "--out", str(tmp_path / "o"), "--pdf", "--split-pdf",
            "--silent", "--uncontrolled"]
    r = CliRunner().invoke(app, args + [a for n in numbers for a in ("-n", n)])
    assert r.exit_code == 0, r.output
    bound = PdfReader(tmp_path / "o" / "repair_record.pdf")
    assert len(bound.pages) == 9                      # three records of three copies
    for i, n in enumerate(numbers):
        own = PdfReader(tmp_path / "o" / f"repair_record_{n}.pdf")
        assert [p.get_contents().get_data() for p in own.pages] == \
               [p.get_contents().get_data() for p in bound.pages[3 * i:3 * i + 3]]


def _heading_text(form_id: str) -> list[str]:
    """First cell text of the last heading row above each item loop of a form's template."""
    body = etree.fromstring(read_parts(template_path(load_forms()[form_id]))["word/document.xml"]).find(w("body"))
    out = []
    for tbl in body.iter(w("tbl")):
        rows = tbl.findall(w("tr"))
        heads = heading_rows(rows)
        if heads and any("{%tr for" in text_of(r) for r in rows):
            cells = [text_of(c).strip() for c in rows[heads - 1].findall(w("tc"))]
            out += [c for c in cells if c and "{" not in c][:1]
    return out


@needs_soffice
def test_stressed_forms_say_on_every_page_what_they_belong_to(converted):
    """1,200-character texts, 40 item lines, 77 attendees, 10 parts: page by page, the footer
    names the form, the record and the copy and counts pages within the copy; a page with item
    lines shows the column headings; no item line is split over two pages."""
    _, _, stressed = converted
    assert set(stressed) == set(load_forms())
    long_forms = 0
    for form_id, (ctx, path) in stressed.items():
        pages = ["".join(p.split()) for p in pdftext_pages(path)]
        title, number = ctx["doc_title"], ctx["doc_number"]
        copies = [c for c in ctx["doc_copies"] if c]
        runs, at = [], 0
        for k, page in enumerate(pages):
            where = f"{form_id} page {k + 1}"
            assert title in page and f"编号：{number}" in page, where
            m = re.search(r"第(\d+)页共(\d+)页", page)
            assert m, f"{where}: no page line"
            i, n = int(m.group(1)), int(m.group(2))
            if i == 1:
                runs.append(n)
                at = 0
            at += 1
            assert i == at <= n, f"{where}: 第{i}页 共{n}页 out of sequence"
            if copies:
                assert copies[len(runs) - 1] in page, f"{where}: copy label {copies[len(runs) - 1]} missing"
            for heading in _heading_text(form_id):
                if "※" in page:
                    assert heading in page, f"{where}: item lines without the heading {heading!r}"
        assert sum(runs) == len(pages) and len(runs) == max(1, len(copies)), form_id
        long_forms += max(runs) > 1
        for marker in {m for p in pages for m in re.findall(r"※\d\d", p)}:
            assert sum(marker in p for p in pages) == max(1, len(copies)), f"{form_id}: {marker} not once per copy"
    assert long_forms >= 5          # the stress data did make long records
