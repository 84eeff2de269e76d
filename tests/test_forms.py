"""Form specs, the Word templates and their lint, the forms policy, ``aftersales forms``."""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Mm
from docxtpl import DocxTemplate
from typer.testing import CliRunner

from generator.cli import app
from generator.config.form_specs import CONTROL_NAMES, find_form, load_forms, parse_form
from generator.config.policy import default_policy
from generator.config.register_specs import load_specs
from generator.core.errors import UserError
from generator.documents.context import blank_context
from generator.documents.docx_repro import docx_bytes, read_parts
from generator.documents.engine import (
    make_env,
    stamp_template,
    template_path,
    template_revision,
)

ROOT = Path(__file__).resolve().parent.parent
FORMS = sorted(load_forms())
# RULES.md §2: every form the regulations ask for.
RULES_FORMS = {
    "服务工作回执单", "物料申请表", "物料归还申请表", "顾客满意度调查表", "顾客投诉记录表", "终端现场问题反馈",
    "用户质量问题报告", "用户培训记录表", "培训签到记录", "客户投诉登记及跟踪处理记录表", "客户产品质量投诉处理备忘单",
    "客户抱怨处理表", "客户投诉案件统计表", "催办单", "售后信息处理单", "外出安装/售后/维修服务记录表", "售后服务维修记录单",
    "售后服务信息收集表", "有偿服务报价单",
    "洽办单",   # 004 Ⅷ (十四), RULES.md D17
}


def test_every_form_of_the_rules_has_a_spec():
    assert {f.title for f in load_forms().values()} == RULES_FORMS


@pytest.mark.parametrize("form_id", FORMS)
def test_template_lints_clean_against_its_spec(form_id):
    """Every name a template uses is one the form spec's context provides."""
    form = load_forms()[form_id]
    tpl = DocxTemplate(str(template_path(form)))
    ctx = blank_context(form, default_policy())
    assert tpl.get_undeclared_template_variables(jinja_env=make_env(), context=ctx) == set()
    assert set(ctx) <= form.names() | {"doc_copies"}


@pytest.mark.parametrize("form_id", FORMS)
def test_template_renders_strictly_with_one_line_per_list(form_id, tmp_path):
    """Loop bodies use only columns the child sheets have (StrictUndefined raises otherwise)."""
    from generator.documents.engine import render_docx

    form = load_forms()[form_id]
    out = render_docx(template_path(form), blank_context(form, default_policy()), tmp_path / "x.docx")
    assert Document(str(out)).tables


def _docx_with(tmp_path, text: str) -> Path:
    doc = Document()
    doc.add_paragraph(text)
    p = tmp_path / "bad_tpl.docx"
    doc.save(p)
    return p


def test_lint_catches_a_field_the_register_lacks(tmp_path):
    form = load_forms()["complaint_record"]
    bad = _docx_with(tmp_path, "{{ customer }} {{ customer_nmae }}")
    undeclared = DocxTemplate(str(bad)).get_undeclared_template_variables(
        jinja_env=make_env(), context=blank_context(form, default_policy()))
    assert undeclared == {"customer_nmae"}


def test_rendering_a_template_with_an_unknown_field_is_a_user_error(tmp_path):
    from generator.documents.engine import render_docx

    form = load_forms()["complaint_record"]
    bad = _docx_with(tmp_path, "{% for r in [1] %}{{ r.nothing }}{% endfor %}{{ customer_nmae }}")
    with pytest.raises(UserError, match="customer_nmae|nothing"):
        render_docx(bad, blank_context(form, default_policy()), tmp_path / "out.docx")


@pytest.mark.parametrize("form_id", FORMS)
def test_templates_are_reproducible_and_stamped(form_id, tmp_path):
    """The committed template is the layout's only source: already in its reproducible form,
    stamped with its form and the spec's revision, and stamping it again changes no byte."""
    path = template_path(load_forms()[form_id])
    assert docx_bytes(read_parts(path)) == path.read_bytes(), f"{path.name}: run templates/stamp_template.py"
    assert b"aftersales:%s:r" % form_id.encode() in read_parts(path)["docProps/core.xml"]
    copy = tmp_path / path.name
    copy.write_bytes(path.read_bytes())
    stamp_template(copy, form_id, load_forms()[form_id].control["revision"])
    assert copy.read_bytes() == path.read_bytes()
    stamp_template(copy, form_id, 7)
    assert template_revision(copy) == 7


@pytest.mark.parametrize("form_id", ["service_receipt", "training_signin", "repair_record"])
def test_template_look_is_consistent(form_id):
    """A4, fixed margins, CJK fonts on the East-Asian channel with zh-CN, signature lines, fields."""
    path = template_path(load_forms()[form_id])
    doc = Document(str(path))
    s = doc.sections[0]
    assert (round(s.page_width / Mm(1)), round(s.page_height / Mm(1))) == (210, 297)
    assert round(s.left_margin / Mm(1)) == round(s.right_margin / Mm(1)) == 18
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode() + z.read("word/header1.xml").decode()
        footer = z.read("word/footer1.xml").decode()
    east = set(re.findall(r'w:eastAsia="([^"]+)"', xml)) - {"zh-CN"}
    assert east <= {"宋体", "黑体"} and "黑体" in east
    runs = re.findall(r"<w:r><w:rPr>.*?</w:rPr>", xml)
    assert runs and all('w:eastAsia="zh-CN"' in r for r in runs)
    assert "PAGE" in footer and "NUMPAGES" in footer and "第 " in footer
    for name in ("doc_no", "doc_version", "doc_status", "doc_copy_no", "doc_mark", "doc_company"):
        assert "{{ %s }}" % name in xml
    assert 'w:color="C00000"' in xml  # the red control mark


def test_template_carries_its_revision():
    for form in load_forms().values():
        assert template_revision(template_path(form)) == form.control["revision"]


def test_forms_control_defaults_are_in_the_specs():
    assert "forms" not in default_policy()        # the policy holds only a company's overrides
    for fid, form in load_forms().items():
        entry = form.defaults()
        assert entry["title"] == form.title
        assert entry["status"] in ("受控", "非受控")
        assert form.source and entry["doc_no"] and entry["version"]
        assert entry["issued"] <= entry["effective"]


def test_every_form_names_the_clauses_it_evidences():
    for fid, form in load_forms().items():
        assert form.clause.startswith("ISO 9001:2015 §") and "GB/T 27922-2011" in form.clause, fid


def test_spec_control_values_cite_a_source():
    for path in sorted((ROOT / "generator" / "config" / "forms").glob("*.toml")):
        control = path.read_text(encoding="utf-8").split("[control]", 1)[1]
        for line in control.splitlines():
            if "=" in line and not line.lstrip().startswith("#"):
                assert "#" in line.split("=", 1)[1], f"{path.name}: value without a source comment: {line}"


def test_a_spec_without_complete_control_is_rejected():
    base = {"id": "x", "title": "x", "source": "-", "register": "tickets", "sheet": "tickets"}
    with pytest.raises(ValueError, match="missing control.doc_no"):
        parse_form(base)
    control = dict(load_forms()["repair_record"].control, status="半受控")
    with pytest.raises(ValueError, match="control.status"):
        parse_form({**base, "control": control})


def test_policy_fragment_cites_a_source_on_every_value():
    text = (ROOT / "generator" / "config" / "policy.d" / "60-forms.toml").read_text(encoding="utf-8")
    for line in text.splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            assert "#" in line.split("=", 1)[1], f"value without a source comment: {line}"


def test_find_form_by_id_or_title():
    assert find_form("repair_record").title == "售后服务维修记录单"
    assert find_form("售后服务维修记录单").id == "repair_record"
    with pytest.raises(UserError, match="未知的表单"):
        find_form("维修单")


def test_joins_and_copies_are_declared_in_the_specs():
    repair = load_forms()["repair_record"]
    assert repair.copies == ("存根", "售后服务", "客户")
    assert load_forms()["complaint_handling"].copies == ("质量管理部", "制造部门", "业务部门", "会计科", "总经理室")
    assert {(c.sheet, c.key) for c in repair.children} == {("parts", "ticket_no")}
    items = load_forms()["material_request"].child("items")
    assert (items.sheet, items.key) == ("items", "app_no")


def test_a_spec_naming_an_unknown_column_is_rejected():
    with pytest.raises(KeyError):
        parse_form({"id": "x", "title": "x", "source": "-", "register": "tickets", "sheet": "tickets",
                    "children": [{"name": "p", "sheet": "parts", "key": "no_such_column"}]})
    with pytest.raises(ValueError, match="clashes"):
        parse_form({"id": "x", "title": "x", "source": "-", "register": "tickets", "sheet": "tickets",
                    "children": [{"name": "customer", "sheet": "parts", "key": "ticket_no"}]})


def test_context_names_are_column_keys_of_the_registers():
    form = load_forms()["service_receipt"]
    keys = {c.key for c in load_specs()["tickets"].sheet("tickets").columns}
    assert keys <= form.names()
    assert "engineer_phone" in form.names() and set(CONTROL_NAMES) <= form.names()


def test_forms_command_lists_every_form_as_json():
    result = CliRunner().invoke(app, ["forms", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows == [{"id": f.id, "title": f.title, "register": f.register} for f in load_forms().values()]


# ---------------------------------------------------------------------------
# A company's own form: a spec and a template beside its policy.toml, no Python

CUSTOM_SPEC = """# 回访记录 (a company's own form)
id = "callback_note"
title = "回访记录"
source = "company form"
clause = "ISO 9001:2015 §9.1.2 顾客满意"
register = "tickets"
sheet = "tickets"
customer = "customer"

[control]
doc_no = "QR-HF-01"          # company choice
version = "A/0"              # company choice
revision = 1                 # company choice
status = "受控"              # company choice
drafted_by = "李四"          # company choice
reviewed_by = "王五"         # company choice
approved_by = "赵六"         # company choice
issued = 2026-01-01          # company choice
effective = 2026-01-01       # company choice
"""


def add_custom_form(folder: Path) -> None:
    (folder / "forms").mkdir()
    (folder / "forms" / "callback_note.toml").write_text(CUSTOM_SPEC, encoding="utf-8")
    (folder / "templates").mkdir(exist_ok=True)
    doc = Document()
    doc.add_paragraph("{{ doc_title }} {{ doc_no }} 编号 {{ ticket_no }} 客户 {{ customer }} 分发号 {{ doc_copy_no }}")
    doc.save(folder / "templates" / "callback_note_tpl.docx")


def test_a_company_adds_a_form_with_a_spec_and_a_template(sample_dir, tmp_path):
    add_custom_form(sample_dir)
    listed = CliRunner().invoke(app, ["forms", str(sample_dir), "--json"])
    assert listed.exit_code == 0, listed.output
    assert {"id": "callback_note", "title": "回访记录", "register": "tickets"} in json.loads(listed.stdout)
    assert "callback_note" not in load_forms()          # only in that folder
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["render", str(sample_dir), "--form", "回访记录", "-n", "KF250701", "--out",
                                 str(out), "--silent"])
    assert r.exit_code == 0, r.output
    text = "\n".join(p.text for p in Document(str(out / "callback_note_KF250701.docx")).paragraphs)
    assert "回访记录 QR-HF-01 编号 KF250701 客户 " in text and "分发号 01" in text
    assert len(text.split("客户 ")[1].split(" 分发号")[0]) > 0    # the ticket's customer filled in


def test_a_company_form_may_be_overridden_in_its_policy(sample_dir):
    from generator.config.policy import load_policy

    add_custom_form(sample_dir)
    policy = sample_dir / "policy.toml"
    policy.write_text(policy.read_text(encoding="utf-8") + '\n[forms.callback_note]\ndoc_no = "QR-HF-02"\n',
                      encoding="utf-8")
    assert load_policy(policy)["forms"]["callback_note"]["doc_no"] == "QR-HF-02"


def test_commands_have_help():
    for cmd in ("forms", "render"):
        result = CliRunner().invoke(app, [cmd, "--help"])
        assert result.exit_code == 0 and "表单" in result.output
