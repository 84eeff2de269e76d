"""Context building, safe and reproducible rendering, the control block, the render CLI."""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from typer.testing import CliRunner

from generator.cli import app
from generator.config.form_specs import load_forms
from generator.config.policy import default_policy
from generator.config.register_specs import load_specs
from generator.documents import distribution
from generator.documents.batch import select
from generator.documents.context import CHECKED, UNCHECKED, build_context
from generator.documents.control import BLANK_LINE, control_block
from generator.documents.engine import (
    render_docx,
    render_docxtpl,
    template_path,
    template_revision,
)
from generator.documents.names import safe_name, unique_names
from generator.documents.subjects import FormData, subjects
from generator.registers.read import Record, Register, Table

DAY = dt.date(2026, 3, 31)


# ---------------------------------------------------------------------------
# helpers

def make_registers(**data) -> dict:
    """Registers from plain dicts: make_registers(tickets={"tickets": [{...}], "parts": [...]})."""
    out = {}
    for rid, sheets in data.items():
        spec = load_specs()[rid]
        tables = {}
        for s in spec.sheets:
            recs = [Record(row=i + 2, values={c.key: r.get(c.key) for c in s.columns}, raw={})
                    for i, r in enumerate(sheets.get(s.key, []))]
            tables[s.key] = Table(spec=s, records=recs)
        out[rid] = Register(spec=spec, path=Path(f"{rid}.xlsx"), tables=tables)
    return out


def context_for(form_id: str, regs: dict, number: str | None = None, *, uncontrolled=False, copy_no="07",
                policy=None, revision=None):
    form = load_forms()[form_id]
    policy = policy or default_policy()
    data = FormData(regs, policy, DAY)
    subs = subjects(form, data)
    subject = select(form, subs, [number])[0] if number else subs[0]
    control = control_block(form, policy, number=subject.number, copy_no=copy_no, uncontrolled=uncontrolled,
                            revision=revision, today=DAY)
    return build_context(form, subject, data, control)


def docx_text(path) -> str:
    """All text python-docx sees: body paragraphs, table cells (nested too), header and footer."""
    doc = Document(str(path))
    parts = []

    def tables(ts):
        for t in ts:
            for row in t.rows:
                for cell in row.cells:
                    parts.extend(p.text for p in cell.paragraphs)
                    tables(cell.tables)

    parts.extend(p.text for p in doc.paragraphs)
    tables(doc.tables)
    for section in doc.sections:
        for hf in (section.header, section.footer):
            parts.extend(p.text for p in hf.paragraphs)
            tables(hf.tables)
    return "\n".join(parts)


TICKET = {
    "ticket_no": "YX260301", "received": dt.datetime(2026, 3, 2, 9, 15), "dept_code": "YX", "customer": "南京示例电力公司",
    "address": "南京市江宁区 1 号", "contact": "王敏", "phone": "13812345678", "product": "NR-AC7K", "serial": "NR001",
    "level": "二级", "service_type": "技术支持", "fault": "无法充电", "engineer": "李强", "attitude": 1, "skill": 3,
    "speed": 2, "work_done": "更换模块", "resolved": "是",
}
STAFF = [{"name": "李强", "dept": "生产部", "post": "技术工程师", "phone": "13900001111"}]


def ticket_registers(ticket=None, parts=(), field_services=()):
    return make_registers(tickets={"tickets": [ticket or TICKET], "parts": list(parts),
                                   "field_services": list(field_services)},
                          master={"staff": STAFF})


# ---------------------------------------------------------------------------
# context

def test_record_columns_lookups_and_marks():
    ctx = context_for("service_receipt", ticket_registers())
    assert ctx["ticket_no"] == "YX260301" and ctx["received"] == "2026-03-02 09:15"
    assert ctx["engineer_phone"] == "13900001111"              # master.staff joined on engineer
    assert ctx["attitude_marks"] == [CHECKED] + [UNCHECKED] * 4   # 1 非常满意
    assert ctx["skill_marks"] == [UNCHECKED, UNCHECKED, CHECKED, UNCHECKED, UNCHECKED]
    assert ctx["doc_number"] == "YX260301" and ctx["doc_copy_no"] == "07" and ctx["doc_mark"] == "受控"


def test_marks_use_the_column_choices_when_the_spec_gives_no_values():
    survey = {"survey_no": "DC2603001", "surveyed": DAY, "customer": "甲公司", **{
        k: "满意" for k in ("q_function", "q_reliability", "q_appearance", "q_usability", "q_value", "q_presale",
                           "q_install", "q_training", "q_repair")}}
    survey["q_repair"] = "非常不满意"
    ctx = context_for("satisfaction_survey", make_registers(surveys={"surveys": [survey]}))
    assert ctx["q_function_marks"] == [UNCHECKED, CHECKED, UNCHECKED, UNCHECKED, UNCHECKED]
    assert ctx["q_repair_marks"] == [UNCHECKED] * 4 + [CHECKED]
    assert ctx["doc_seq"] == "1"


def test_item_lines_join_by_application_number_and_pad_with_blank_rows():
    regs = make_registers(materials={
        "applications": [{"app_no": "WL2603001", "applied": DAY, "customer": "甲"},
                         {"app_no": "WL2603002", "applied": DAY, "customer": "乙"}],
        "items": [{"app_no": "WL2603001", "name": "示波器", "model": "T1", "qty": 2, "nature": "借用"},
                  {"app_no": "WL2603002", "name": "万用表", "qty": 1, "nature": "领用"},
                  {"app_no": "WL2603001", "name": "探头", "qty": 4, "nature": "借用"}],
    })
    ctx = context_for("material_request", regs, "WL2603001")
    assert [(i["no"], i["name"], i["qty"]) for i in ctx["items"][:2]] == [("1", "示波器", "2"), ("2", "探头", "4")]
    assert len(ctx["items"]) == 5 and ctx["items"][2]["name"] == "" and ctx["items"][2]["no"] == ""


def test_returns_show_the_balance_left_after_each_return():
    regs = make_registers(materials={
        "applications": [{"app_no": "WL1", "applied": DAY, "customer": "甲"}, {"app_no": "WL2", "applied": DAY}],
        "items": [{"app_no": "WL1", "name": "示波器", "model": "T1", "qty": 3}],
        "returns": [{"app_no": "WL1", "returned": DAY, "name": "示波器", "model": "T1", "qty": 1, "courier": "顺丰",
                     "tracking_no": "SF1", "parcels": 1},
                    {"app_no": "WL1", "returned": DAY, "name": "示波器", "model": "T1", "qty": 2},
                    {"app_no": "WL1", "returned": DAY, "name": "探头", "qty": 1}],
    })
    form = load_forms()["material_return"]
    assert [s.number for s in subjects(form, FormData(regs, default_policy(), DAY))] == ["WL1"]  # only with returns
    ctx = context_for("material_return", regs)
    assert [r["balance"] for r in ctx["returns"][:3]] == ["2", "0", ""]   # 探头 was never applied for
    assert (ctx["ret_courier"], ctx["ret_tracking_no"], ctx["ret_parcels"]) == ("顺丰", "SF1", "1")


def test_parts_side_by_side_with_amounts_and_total():
    parts = [{"ticket_no": "YX260301", "kind": "三包件", "name": "模块", "qty": 1},
             {"ticket_no": "YX260301", "kind": "客户购买件", "name": "枪线", "qty": 2, "unit_price": Decimal("450.005")},
             {"ticket_no": "YX260301", "kind": "客户购买件", "name": "面板", "qty": 1, "unit_price": Decimal("80")},
             {"ticket_no": "OTHER", "kind": "客户购买件", "name": "别的", "qty": 9, "unit_price": Decimal("1")}]
    ctx = context_for("repair_record", ticket_registers(parts=parts))
    rows = ctx["part_rows"]
    assert len(rows) == 4   # min_rows
    assert (rows[0]["l"]["name"], rows[0]["r"]["name"], rows[0]["r"]["amount"]) == ("模块", "枪线", "900.01")
    assert (rows[1]["l"]["name"], rows[1]["r"]["amount"]) == ("", "80.00")
    assert ctx["bought_total"] == "980.01"
    assert ctx["doc_copies"] == ["第一联：存根", "第二联：售后服务", "第三联：客户"]


def test_sign_in_sheet_pages_hold_25_rows_in_two_groups():
    session = {"session_no": "PX2603001", "topic": "安全", "dept": "客户服务部", "date": DAY, "trainer": "李强",
               "hours": Decimal("2"), "kind": "内部员工"}
    people = [{"session_no": "PX2603001", "unit": "生产部", "name": f"员工{i}",
               "status": "实到" if i % 10 else ("请假" if i % 20 else "旷课")} for i in range(1, 61)]
    ctx = context_for("training_signin", make_registers(training={"sessions": [session], "attendees": people}))
    pages = ctx["attendees_pages"]
    assert len(pages) == 2 and all(len(p) == 25 for p in pages)
    assert (pages[0][0]["l"]["no"], pages[0][0]["r"]["no"], pages[1][0]["l"]["no"]) == ("1", "26", "51")
    assert pages[0][24]["r"]["name"] == "员工50" and pages[1][9]["l"]["name"] == "员工60"
    assert pages[1][10]["l"] == {**pages[1][10]["l"], "name": "", "no": "61"}
    assert (ctx["count_listed"], ctx["count_present"], ctx["count_leave"], ctx["count_absent"]) == (60, 54, 3, 3)


def test_sign_in_sheet_renders_one_table_per_page_with_its_header_row(tmp_path):
    session = {"session_no": "PX1", "topic": "安全", "dept": "客户服务部", "date": DAY, "trainer": "李强",
               "hours": Decimal("2"), "kind": "内部员工"}
    people = [{"session_no": "PX1", "unit": "生产部", "name": f"员工{i}", "status": "实到"} for i in range(1, 61)]
    ctx = context_for("training_signin", make_registers(training={"sessions": [session], "attendees": people}))
    out = render_docx(template_path(load_forms()["training_signin"]), ctx, tmp_path / "s.docx")
    tables = Document(str(out)).tables
    sign_tables = [t for t in tables if t.rows[0].cells[0].text == "序号"]
    assert len(sign_tables) == 2 and all(len(t.rows) == 26 for t in sign_tables)
    assert all(t.rows[0]._tr.trPr.find("{*}tblHeader") is not None for t in sign_tables)
    assert sign_tables[1].rows[10].cells[1].text == "生产部" and sign_tables[1].rows[11].cells[1].text == ""


def test_monthly_statistics_by_unit_and_class():
    recs = [{"complaint_no": f"C{i}", "received": dt.date(2026, 2, 1), "closed": dt.date(2026, 3, 5 + i),
             "customer": "甲", "category": cat, "dept": dept, "region": "国内", "channel": "电话", "description": "x"}
            for i, (cat, dept) in enumerate([("产品质量", "生产部"), ("产品质量", "生产部"), ("服务质量", "客户服务部"),
                                              ("建议", None)])]
    recs.append({**recs[0], "complaint_no": "C9", "closed": dt.date(2026, 4, 1)})
    ctx = context_for("complaint_stats", make_registers(complaints={"complaints": recs}), "2026-03")
    assert ctx["across"] == ["服务质量", "外观包装", "产品质量", "建议", "其他"]
    assert ctx["case_count"] == "4" and ctx["period_label"] == "2026年3月"
    by_unit = {g["group"]: (g["counts"], g["ratio"]) for g in ctx["groups"]}
    assert by_unit["生产部"] == (["0", "0", "2", "0", "0"], "50.0%")
    assert by_unit["（未判定）"] == (["0", "0", "0", "1", "0"], "25.0%")
    assert ctx["totals"] == {"counts": ["1", "0", "2", "1", "0"], "total": "4", "ratio": "100.0%"}


def test_paid_quote_lines_come_from_the_fee_schedule():
    ticket = {**TICKET, "service_type": "有偿服务", "travel_cost": Decimal("300"), "days_away": 2, "labour_days": 2,
              "materials_cost": Decimal("1000")}
    ctx = context_for("paid_quote", ticket_registers(ticket))
    assert [ln["item"] for ln in ctx["fee_lines"]] == ["交通费", "住宿费", "餐饮费", "人工费", "材料费"]
    assert (ctx["fee_subtotal"], ctx["fee_tax"], ctx["fee_total"]) == ("2100.00", "315.00", "3381.00")


def test_overdue_reminder_lists_every_rule_the_case_ran_past():
    c = {"complaint_no": "260302001", "received": dt.date(2026, 3, 2), "channel": "电话", "customer": "甲公司",
         "category": "服务质量", "description": "x", "region": "国内", "dept": "客户服务部", "owner": "王敏"}
    regs = make_registers(complaints={"complaints": [c]}, master={})
    form = load_forms()["reminder"]
    data = FormData(regs, default_policy(), dt.date(2026, 4, 30))
    subs = subjects(form, data)
    assert [s.number for s in subs] == ["260302001"]
    ctx = build_context(form, subs[0], data, control_block(form, default_policy(), number="260302001"))
    assert ctx["customer"] == "甲公司" and ctx["dept"] == "客户服务部" and ctx["person"] == "王敏"
    assert len(ctx["items"]) >= 2 and all(int(i["days_overdue"]) > 0 for i in ctx["items"])


CASES = yaml.safe_load((Path(__file__).parent / "cases" / "forms_fill.yaml").read_text(encoding="utf-8"))


def _typed(register: str, sheet: str, row: dict) -> dict:
    """YAML scalars to the types the register reader gives (money/decimal as Decimal)."""
    spec = load_specs()[register].sheet(sheet)
    out = {}
    for k, v in row.items():
        kind = spec.column(k).type
        out[k] = Decimal(str(v)) if kind in ("money", "decimal") and v is not None else v
    return out


def _at(ctx, dotted: str):
    node = ctx
    for part in dotted.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_business_cases(case):
    regs = make_registers(**{
        rid: {sheet: [_typed(rid, sheet, r) for r in rows] for sheet, rows in sheets.items()}
        for rid, sheets in case["rows"].items()})
    ctx = context_for(case["form"], regs, str(case["number"]))
    for key, want in case["expect"].items():
        assert _at(ctx, key) == (want if isinstance(want, list) else type(_at(ctx, key))(want)), key


# ---------------------------------------------------------------------------
# control block

def test_uncontrolled_copy_has_no_copy_number_and_masks_personal_data():
    ctx = context_for("service_receipt", ticket_registers(), uncontrolled=True)
    assert (ctx["doc_status"], ctx["doc_mark"], ctx["doc_copy_no"]) == ("非受控", "非受控", "")
    assert ctx["phone"] == "138****5678" and ctx["contact"] == "王*"
    assert ctx["engineer_phone"] == "139****1111" and ctx["customer"] == "南京示例电力公司"


def test_template_older_than_the_policy_revision_renders_superseded():
    policy = default_policy()
    policy["forms"] = {"service_receipt": {"revision": 2}}     # an override of the spec's revision 1
    ctx = context_for("service_receipt", ticket_registers(), policy=policy, revision=1)
    assert (ctx["doc_mark"], ctx["doc_status"], ctx["doc_copy_no"]) == ("作废", "作废", "")   # 受控状态 says it too
    ctx = context_for("service_receipt", ticket_registers(), policy=policy, revision=None)   # company's own template
    assert ctx["doc_mark"] == "受控"


def test_control_block_comes_from_the_spec_with_the_policy_overrides():
    policy = default_policy()
    form = load_forms()["repair_record"]
    entry = form.control
    ctx = control_block(form, policy, number="X1", copy_no="03")
    assert ctx["doc_no"] == entry["doc_no"] and ctx["doc_version"] == entry["version"]
    assert ctx["doc_issued"] == entry["issued"].isoformat() and ctx["doc_company"] == policy["company"]["name"]
    assert ctx["doc_title"] == form.title
    policy["forms"] = {"repair_record": {"doc_no": "QR-01", "title": "维修单", "issued": dt.date(2026, 1, 2)}}
    ctx = control_block(form, policy, number="X1", copy_no="03")
    assert (ctx["doc_no"], ctx["doc_title"], ctx["doc_issued"]) == ("QR-01", "维修单", "2026-01-02")
    assert ctx["doc_version"] == entry["version"] and ctx["doc_drafted_by"] == BLANK_LINE   # nobody named yet
    policy["document_control"].update(drafted_by="李锐", drafted_on="2015-12-20", approved_by="孙益兵")
    policy["forms"]["repair_record"]["reviewed_by"] = "张超"
    ctx = control_block(form, policy)
    assert (ctx["doc_drafted_by"], ctx["doc_reviewed_by"], ctx["doc_approved_by"]) == (
        "李锐（2015-12-20）", "张超", "孙益兵")


# ---------------------------------------------------------------------------
# safe, reproducible rendering

HOSTILE = "{{ 7*7 }} {% if true %}X{% endif %} <b>&amp; & \"q\" 'a' {_{ x }_} \x01\x07\x0c end\n第二行"


def _render_customer(tmp_path, text: str, name="x.docx") -> Path:
    ctx = context_for("service_receipt", ticket_registers({**TICKET, "customer": text, "fault": text}))
    return render_docx(template_path(load_forms()["service_receipt"]), ctx, tmp_path / name)


def test_cell_text_is_data_not_template_code(tmp_path):
    out = _render_customer(tmp_path, HOSTILE)
    with zipfile.ZipFile(out) as z:
        xml = z.read("word/document.xml")
        etree.fromstring(xml)   # still well-formed XML
    assert re.search("end</w:t><w:br/><w:t[^>]*>第二行", xml.decode("utf-8"))   # the new line: a line break
    text = docx_text(out)
    assert "{{ 7*7 }} {% if true %}X{% endif %} <b>&amp; & \"q\" 'a' {_{ x }_} ␁␇␌ end" in text
    assert "49" not in text and "第二行" in text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40))
def test_any_cell_text_comes_out_literally(tmp_path, text):
    out = _render_customer(tmp_path, text)
    shown = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", lambda m: chr(0x2400 + ord(m.group())), text)
    shown = shown.replace("\x7f", "␡").replace("\r\n", "\n").replace("\r", "\n").replace("\ufffe", "").replace(
        "\uffff", "")
    got = docx_text(out)
    for line in shown.split("\n"):
        assert line.replace("\t", "") in got.replace("\t", "")


def test_same_record_policy_and_template_give_identical_bytes(tmp_path):
    a = _render_customer(tmp_path, "甲公司", "a.docx").read_bytes()
    b = _render_customer(tmp_path, "甲公司", "b.docx").read_bytes()
    assert a == b
    with zipfile.ZipFile(tmp_path / "a.docx") as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert z.namelist()[0] == "[Content_Types].xml"
        assert b"1980-01-01T00:00:00Z" in z.read("docProps/core.xml")


def test_fast_path_matches_plain_docxtpl(tmp_path):
    """The compiled-once renderer gives exactly what DocxTemplate.render gives."""
    for form_id, regs in (("service_receipt", ticket_registers(field_services=[
            {"fs_no": "SC1", "ticket_no": "YX260301", "dept_code": "SC", "kind": "维修", "departed": DAY,
             "engineer": "李强", "work_record": "换模块"}])), ("repair_record", ticket_registers())):
        ctx = context_for(form_id, regs)
        tpl = template_path(load_forms()[form_id])
        fast = render_docx(tpl, ctx, tmp_path / f"{form_id}.docx").read_bytes()
        assert fast == render_docxtpl(tpl, ctx)


def test_parallel_batch_equals_sequential(tmp_path):
    from generator.documents.batch import render_all

    ctx = context_for("service_receipt", ticket_registers())
    tpl = str(template_path(load_forms()["service_receipt"]))
    jobs = [(tpl, {**ctx, "customer": f"客户{i}"}, str(tmp_path / f"p{i}.docx")) for i in range(10)]
    par = render_all(jobs, workers=2)
    seq = render_all([(t, c, str(tmp_path / f"s{i}.docx")) for i, (t, c, _) in enumerate(jobs)], workers=1)
    assert [p.read_bytes() for p in par] == [p.read_bytes() for p in seq]


@given(st.text(max_size=300))
def test_file_names_are_safe_whatever_the_cell_held(number):
    name = safe_name("service_receipt", number)
    assert re.fullmatch(r"[A-Za-z0-9_.\-\u3400-\u9fff]+", name)
    assert name.startswith(("service_receipt_", "_service_receipt_"))
    assert len(name.encode()) <= 140 and not name.endswith((".", " "))


def test_reserved_and_duplicate_names():
    assert safe_name("con", "") .startswith("con_")
    assert safe_name("x", "../../etc/passwd") == "x_etc_passwd"
    assert unique_names("f", ["A/1", "A:1", "B"]) == ["f_A_1", "f_A_1_2", "f_B"]


# ---------------------------------------------------------------------------
# the CLI on the sample year

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, ["render", *map(str, args)])


def log_rows(directory):
    return [(i.copy_no, i.form, i.number) for i in distribution.read_log(directory)]


def test_every_form_renders_from_the_sample(sample_dir_session, tmp_path):
    """Each .docx reopens with python-docx and shows its number, customer and control block."""
    policy = default_policy()
    from generator.registers.read import read_all

    regs = read_all(sample_dir_session)
    for form in load_forms().values():
        today = dt.date(2026, 8, 3) if form.kind == "overdue" else dt.date(2026, 6, 30)
        data = FormData(regs, policy, today)
        subs = subjects(form, data)
        assert subs, f"{form.id}: nothing to render in the sample"
        tpl = template_path(form)
        control = control_block(form, policy, number=subs[-1].number, copy_no="01", revision=template_revision(tpl))
        ctx = build_context(form, subs[-1], data, control)
        text = docx_text(render_docx(tpl, ctx, tmp_path / f"{form.id}.docx"))
        entry = form.defaults()
        for expected in (subs[-1].number, entry["doc_no"], entry["version"], entry["title"], "受控",
                         policy["company"]["name"], entry["drafted_by"]):
            assert expected in text, f"{form.id}: {expected!r} missing"
        if form.customer:
            assert ctx[form.customer] and ctx[form.customer] in text, form.id


def test_render_cli_numbers_controlled_copies_and_logs_them(sample_dir, tmp_path):
    out = tmp_path / "out"
    r = invoke(sample_dir, "--form", "repair_record", "--number", "KF250701", "--number", "YX250701",
               "--out", out, "--silent", "--today", "2026-07-01", "--holder", "售后服务部")
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["repair_record_KF250701.docx", "repair_record_YX250701.docx"]
    # one line per copy (一式三联) and holder, recorded with the form's 文件编号 and 版本
    assert log_rows(sample_dir) == [("01", "repair_record", "KF250701")] * 3 + [("02", "repair_record", "YX250701")] * 3
    issue = distribution.read_log(sample_dir)[0]
    assert (issue.holder, issue.issued, issue.recalled) == ("售后服务部", dt.date(2026, 7, 1), None)
    assert (issue.doc_no, issue.version, issue.part, issue.kind) == ("HL-WI-2017-03", "A/0", "第一联：存根", "受控发放")
    assert "分发号" in docx_text(out / "repair_record_KF250701.docx")
    text = docx_text(out / "repair_record_YX250701.docx")
    assert "02" in text and all(label in text for label in ("第一联：存根", "第二联：售后服务", "第三联：客户"))
    r = invoke(sample_dir, "--form", "售后服务维修记录单", "-n", "KF250701", "--out", out, "--silent", "--json")
    assert r.exit_code == 0 and '"copy_no": "03"' in r.stdout
    log = distribution.read_log(sample_dir)
    # record copies without a holder are logged as such, and leave the copy in 售后服务部's hands in force
    assert {(i.kind, i.holder) for i in log if i.copy_no == "03"} == {("记录副本", "存根"), ("记录副本", "售后服务"),
                                                                      ("记录副本", "客户")}
    assert all(i.recalled is None for i in log)
    # handing KF250701 out again withdraws copy 01 (回收日期) and nothing else
    r = invoke(sample_dir, "--form", "repair_record", "-n", "KF250701", "--out", out, "--silent",
               "--today", "2026-07-02", "--holder", "售后服务部")
    assert r.exit_code == 0, r.output
    log = distribution.read_log(sample_dir)
    assert [i.recalled for i in log if i.copy_no == "01"] == [dt.date(2026, 7, 2)] * 3
    assert all(i.recalled is None for i in log if i.copy_no != "01")
    wb = openpyxl.load_workbook(sample_dir / distribution.LOG_NAME)
    assert [c.value for c in wb.active[1]] == list(distribution.HEADERS)


def test_render_cli_uncontrolled_copies_are_not_logged(sample_dir, tmp_path):
    r = invoke(sample_dir, "--form", "service_receipt", "--number", "KF250701", "--out", tmp_path, "--uncontrolled",
               "--silent")
    assert r.exit_code == 0, r.output
    text = docx_text(tmp_path / "service_receipt_KF250701.docx")
    assert "非受控" in text and "****" in text
    assert not (sample_dir / distribution.LOG_NAME).exists()


def test_render_cli_all_records(sample_dir, tmp_path):
    r = invoke(sample_dir, "--form", "user_training", "--all", "--out", tmp_path, "--uncontrolled")
    assert r.exit_code == 0, r.output
    assert len(list(tmp_path.glob("user_training_*.docx"))) == 12


def test_render_cli_superseded_template_prints_void(sample_dir, tmp_path):
    policy = sample_dir / "policy.toml"
    text = policy.read_text(encoding="utf-8")
    policy.write_text(text + "\n[forms.service_receipt]\nrevision = 2  # the template is r1\n", encoding="utf-8")
    r = invoke(sample_dir, "--form", "service_receipt", "-n", "KF250701", "--out", tmp_path, "--silent")
    assert r.exit_code == 0, r.output
    assert "作废" in r.output and "作废" in docx_text(tmp_path / "service_receipt_KF250701.docx")
    assert not (sample_dir / distribution.LOG_NAME).exists()


@pytest.mark.parametrize("args, message", [
    (["--form", "nope", "--all"], "未知的表单"),
    (["--form", "service_receipt", "--number", "NOPE-1"], "找不到编号 NOPE-1"),
    (["--form", "service_receipt"], "二者选一"),
    (["--form", "service_receipt", "--all", "--number", "KF250701"], "二者选一"),
])
def test_render_cli_bad_input_exits_2(sample_dir, tmp_path, args, message):
    r = invoke(sample_dir, *args, "--out", tmp_path)
    assert r.exit_code == 2
    assert message in r.output.replace("\n", "")
