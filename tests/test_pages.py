"""Page discipline and records as sections, without LibreOffice: every template's tables, copies
and footers as compiled, composed documents, page ranges and their check."""
from __future__ import annotations

import io
import re
import zipfile

import pikepdf
import pytest
from lxml import etree

from generator.config.form_specs import load_forms
from generator.core.errors import UserError
from generator.documents.compose import DROPPED, Package, read_record
from generator.documents.docx_repro import docx_bytes, read_parts
from generator.documents.engine import compiled, template_path
from generator.documents.pages import LOOP_ROW, R_NS, heading_rows, text_of, w
from generator.documents.printfile import (
    bind,
    compose_docx,
    cut,
    even_runs,
    outline_starts,
    pages_digest,
    record_ranges,
)
from generator.pack.verify import check_print_files


@pytest.fixture(scope="module")
def templates():
    return {f.id: compiled(template_path(f)) for f in load_forms().values()}


def body_of(tpl):
    return tpl.tpl.docx.element.body


def test_every_item_table_repeats_its_headings_and_no_row_splits(templates):
    seen = 0
    for form_id, tpl in templates.items():
        for tbl in body_of(tpl).iter(w("tbl")):
            rows = tbl.findall(w("tr"))
            assert all(r.find(f"{w('trPr')}/{w('cantSplit')}") is not None for r in rows), form_id
            loop = next((i for i, r in enumerate(rows) if LOOP_ROW.search(text_of(r))), None)
            if loop:
                seen += 1
                marked = [i for i, r in enumerate(rows) if r.find(f"{w('trPr')}/{w('tblHeader')}") is not None]
                assert marked == list(range(loop)), f"{form_id}: heading rows {marked}, loop at {loop}"
                for r in rows[:loop]:      # headings stay with the first item line
                    assert all(p.find(f"{w('pPr')}/{w('keepNext')}") is not None for p in r.iter(w("p"))), form_id
    assert seen >= 8


def test_a_caption_row_above_the_headings_is_a_heading_too():
    xml = (f'<w:tbl xmlns:w="{w("")[1:-1]}"><w:tr><w:tc><w:p><w:r><w:t>需求物料信息</w:t></w:r></w:p></w:tc></w:tr>'
           '<w:tr><w:trPr><w:tblHeader/></w:trPr><w:tc><w:p><w:r><w:t>名称</w:t></w:r></w:p></w:tc></w:tr>'
           '<w:tr><w:tc><w:p><w:r><w:t>{%tr for i in items %}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>')
    assert heading_rows(etree.fromstring(xml).findall(w("tr"))) == 2


def test_multi_copy_forms_break_into_a_section_per_copy(templates):
    for form in load_forms().values():
        breaks = [p for p in body_of(templates[form.id]).iter(w("p"))
                  if p.find(f"{w('pPr')}/{w('sectPr')}") is not None]
        assert len(breaks) == (1 if form.copies else 0), form.id       # inside the copies loop: once


@pytest.fixture(scope="module")
def repair(templates):
    """A three-copy record rendered from a small context."""
    tpl = templates["repair_record"]
    ctx = {k: "" for k in tpl.tpl.get_undeclared_template_variables()}
    ctx.update(doc_title="售后服务维修记录单", doc_number="KF1", part_rows=[], attitude_marks=[""] * 5,
               doc_copies=["第一联：存根", "第二联：售后服务", "第三联：客户"])
    return tpl, ctx


def _footer_texts(parts):
    return {n: "".join(etree.fromstring(d).itertext()) for n, d in parts.items() if "footer" in n and n.endswith(".xml")}


def test_each_copy_is_a_section_numbered_from_one_and_named_in_its_footer(repair):
    tpl, ctx = repair
    parts = read_parts(tpl.render(ctx))
    assert not set(DROPPED) & set(parts)
    body = etree.fromstring(parts["word/document.xml"]).find(w("body"))
    sects = list(body.iter(w("sectPr")))
    assert len(sects) == 3
    rels = {r.get("Id"): r.get("Target") for r in etree.fromstring(parts["word/_rels/document.xml.rels"])}
    marks = {b.get(w("name")) for b in body.iter(w("bookmarkStart"))}
    for j, s in enumerate(sects):
        assert s.find(w("pgNumType")).get(w("start")) == "1"
        footer = parts["word/" + rels[s.find(w("footerReference")).get(f"{{{R_NS}}}id")]]
        text = "".join(etree.fromstring(footer).itertext())
        assert f"售后服务维修记录单　编号：KF1　{ctx['doc_copies'][j]}" in text
        ref = re.search(rb"PAGEREF (\w+)", footer).group(1).decode()
        assert ref == f"AsEnd0s{j}" and ref in marks        # 共Y页 counts this section only
        assert b"NUMPAGES" not in footer


def test_composed_records_keep_their_sections_apart(repair):
    tpl, ctx = repair
    docs = [tpl.render({**ctx, "doc_number": f"KF{i}"}) for i in range(3)]
    parts = read_parts(compose_docx(docs))
    body = etree.fromstring(parts["word/document.xml"]).find(w("body"))
    names = [b.get(w("name")) for b in body.iter(w("bookmarkStart"))]
    assert names == [f"AsEnd{i}s{j}" for i in range(3) for j in range(3)]
    footers = _footer_texts(parts)
    assert len(footers) == 9 and sum("编号：KF2　第三联：客户" in t for t in footers.values()) == 1
    rels = {r.get("Id") for r in etree.fromstring(parts["word/_rels/document.xml.rels"])}
    refs = {e.get(f"{{{R_NS}}}id") for e in body.iter(w("footerReference"), w("headerReference"))}
    assert refs <= rels and len(list(body.iter(w("sectPr")))) == 9
    # a record taken back out of its file is the same record
    again = Package(read_parts(docs[0]), "word/document.xml").assemble([read_record(read_parts(docs[0]))])
    assert docx_bytes(again) == docs[0]


def test_a_section_whose_header_is_the_one_before_inherits_it(repair):
    """Word and LibreOffice give a section without a header reference the header of the
    section before; LibreOffice then copies it instead of importing it again."""
    tpl, ctx = repair
    same = [tpl.render({**ctx, "doc_number": f"KF{i}"}) for i in range(2)]    # the header names no record
    body = etree.fromstring(read_parts(compose_docx(same))["word/document.xml"]).find(w("body"))
    sects = list(body.iter(w("sectPr")))
    assert [s.find(w("headerReference")) is not None for s in sects] == [True] + [False] * 5
    assert all(s.find(w("footerReference")) is not None for s in sects)    # footers name the record
    other = tpl.render({**ctx, "doc_copy_no": "07"})       # 分发号 is in the header
    assert read_record(read_parts(other)).header != read_record(read_parts(same[0])).header
    parts = read_parts(compose_docx([same[0], other]))
    sects = list(etree.fromstring(parts["word/document.xml"]).find(w("body")).iter(w("sectPr")))
    assert [s.find(w("headerReference")) is not None for s in sects] == [True, False, False, True, False, False]


def test_records_are_cut_into_documents_of_nearly_equal_sections():
    # render --all of repair_record: 492 records of 3 copies, at most 200 sections a document:
    # 66 records fit, so 8 documents (492 / 66 = 7.45), of 62 records (492 / 8 = 61.5) but the last
    runs = even_runs(492, 3, 200)
    assert [b - a for a, b in runs] == [62] * 7 + [58]
    assert runs[0][0] == 0 and runs[-1][1] == 492 and all(a == b for (_, a), (b, _) in zip(runs, runs[1:]))
    assert [b - a for a, b in even_runs(30, 5, 100)] == [15, 15]    # 150 sections: two of 75
    assert [b - a for a, b in even_runs(3, 300, 100)] == [1, 1, 1]  # a record bigger than a document
    assert even_runs(0, 1, 100) == []


def fake_pdf(sections: list[tuple[int, int]]) -> bytes:
    """Pages with the destinations LibreOffice exports: (record, pages) per section."""
    pdf = pikepdf.new()
    dests = {}
    for s, (record, pages) in enumerate(sections):
        for _ in range(pages):
            pdf.add_blank_page()
            page = pdf.pages[-1]
            page.obj.Contents = pdf.make_stream(f"% page {len(pdf.pages)}".encode())
        dests[f"/AsEnd{record}s{s}"] = pikepdf.Array([pdf.pages[-1].obj, pikepdf.Name.Fit])
    pdf.Root.Dests = pikepdf.Dictionary(dests)
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def test_page_ranges_come_from_the_section_ends(tmp_path):
    with pikepdf.open(io.BytesIO(fake_pdf([(0, 1), (0, 2), (1, 1), (2, 3)]))) as pdf:
        assert record_ranges(pdf, 3) == [(0, 2), (3, 3), (4, 6)]
        with pytest.raises(UserError):
            record_ranges(pdf, 4)


def test_bound_file_has_a_bookmark_per_record_and_ranges_that_verify(tmp_path):
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    a.write_bytes(fake_pdf([(0, 2), (1, 1)]))
    b.write_bytes(fake_pdf([(0, 1)]))
    data, ranges = bind([(a, [(0, 1), (2, 2)]), (b, [(0, 0)])], ["A1", "A2", "B1"])
    assert ranges == [(1, 2), (3, 3), (4, 4)]
    assert bind([(a, [(0, 1), (2, 2)]), (b, [(0, 0)])], ["A1", "A2", "B1"])[0] == data    # reproducible
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert outline_starts(pdf) == [("A1", 1), ("A2", 3), ("B1", 4)]
        rows = [{"number": t, "path": f"forms/x/{t}.docx", "print": "print/x.pdf", "print_pages": list(r),
                 "pages_sha256": pages_digest(pdf, *r)} for t, r in zip(["A1", "A2", "B1"], ranges)]
    with pikepdf.open(io.BytesIO(cut(data, 1, 2))) as one:
        assert len(one.pages) == 2
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as z:
        z.writestr("print/x.pdf", data)
    with zipfile.ZipFile(zbuf) as z:
        assert check_print_files(z, rows, skip=set()) == []
        rows[1]["pages_sha256"] = "0" * 64                  # a manifest that lies about a record's pages
        rows[2]["print_pages"] = [4, 5]
        problems = check_print_files(z, rows, skip=set())
    assert len(problems) == 3 and "A2" in problems[0] and "B1" in problems[1]
