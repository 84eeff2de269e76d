"""Form specs, the Word templates and their lint, the forms policy, ``aftersales forms``."""
from __future__ import annotations

import importlib.util
import json
import re
import sys
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
from generator.documents.render import blank_context, make_env, template_path

ROOT = Path(__file__).resolve().parent.parent
FORMS = sorted(load_forms())
# RULES.md §2: every form the regulations ask for.
RULES_FORMS = {
    "服务工作回执单", "物料申请表", "物料归还申请表", "顾客满意度调查表", "顾客投诉记录表", "终端现场问题反馈",
    "用户质量问题报告", "用户培训记录表", "培训签到记录", "客户投诉登记及跟踪处理记录表", "客户产品质量投诉处理备忘单",
    "客户抱怨处理表", "客户投诉案件统计表", "催办单", "售后信息处理单", "外出服务记录表", "售后服务维修记录单",
    "售后服务信息收集表", "有偿服务报价单",
}


def load_builder():
    spec = importlib.util.spec_from_file_location("build_templates", ROOT / "templates" / "build_templates.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod   # dataclasses look their module up while the file runs
    spec.loader.exec_module(mod)
    return mod


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
    from generator.documents.render import render_docx

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
    from generator.documents.render import render_docx

    form = load_forms()["complaint_record"]
    bad = _docx_with(tmp_path, "{% for r in [1] %}{{ r.nothing }}{% endfor %}{{ customer_nmae }}")
    with pytest.raises(UserError, match="customer_nmae|nothing"):
        render_docx(bad, blank_context(form, default_policy()), tmp_path / "out.docx")


def test_templates_are_up_to_date_and_reproducible(tmp_path):
    """Building the templates again gives the committed files byte for byte."""
    builder = load_builder()
    built = builder.build_all(tmp_path)
    assert len(built) == len(FORMS)
    for p in built:
        assert p.read_bytes() == (ROOT / "templates" / p.name).read_bytes(), f"{p.name}: run templates/build_templates.py"


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
    from generator.documents.render import template_revision

    for form in load_forms().values():
        assert template_revision(template_path(form)) == default_policy()["forms"][form.id]["revision"]


def test_forms_policy_entries_match_the_specs():
    forms = default_policy()["forms"]
    assert set(forms) == set(FORMS)
    for fid, entry in forms.items():
        assert entry["title"] == load_forms()[fid].title
        assert entry["status"] in ("受控", "非受控")
        assert entry["source"] and entry["doc_no"] and entry["version"]
        assert entry["issued"] <= entry["effective"]


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


def test_commands_have_help():
    for cmd in ("forms", "render"):
        result = CliRunner().invoke(app, [cmd, "--help"])
        assert result.exit_code == 0 and "表单" in result.output
