"""Every form filled with stress data (1,200-character descriptions, 40 item lines, 77 attendees,
10 parts, six return shipments) and read back from its PDF: the right data in the right field,
no placeholder signatures, no source codes, citations only where the company asks for them.
Also the distribution log's lock and order, masked names in free text, ``forms --fields``.

Page discipline (headers repeated, rows kept whole, per-copy page numbers) is tested apart.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.config.form_specs import load_forms
from generator.config.policy import default_policy
from generator.core.errors import UserError
from generator.documents import distribution
from generator.documents import pdf as converter
from generator.documents.context import build_context
from generator.documents.control import BLANK_LINE, control_block, unsigned_warning
from generator.documents.engine import render_docx, template_path, template_revision
from generator.documents.fields import template_fields
from generator.documents.subjects import FormData, subjects
from generator.rules.citations import cite, cite_inline, sources_of
from tests.casetables import load_cases
from tests.test_render import make_registers

TODAY = dt.date(2026, 4, 30)
PHONE, CONTACT, ENGINEER = "13812345678", "欧阳明华", "赵涛"
LONG = ("客户联系人欧阳明华来电（13812345678）反映充电桩在夜间充电时频繁跳闸，" * 40)[:1200]
SEED_CODE = re.compile(r"(?<![\w/.-])00[0-4]\s*(?:§|ch\.|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ])")
PLACEHOLDERS = ("（编制人）", "（审核人）", "（批准人）", "(编制人)", "(审核人)", "(批准人)")
MODULE = re.compile(r"generator\.\w+")
CUSTOMER_FORMS = ("paid_quote", "service_receipt", "satisfaction_survey", "repair_record")

STAFF = [{"name": ENGINEER, "dept": "生产部", "post": "技术工程师", "phone": "13900001111"},
         {"name": "钱进", "dept": "营销中心", "post": "销售经理", "phone": "13900002222"},
         {"name": "孙丽", "dept": "客户服务部", "post": "客服专员", "phone": "13900003333"},
         {"name": "周强", "dept": "质量管理部", "post": "质量工程师", "phone": "13900004444"}]
CUSTOMERS = [{"code": "C001", "name": "南京示例电力公司", "address": "南京市江宁区 1 号", "contact": CONTACT,
              "phone": PHONE}]
TICKET = {
    "ticket_no": "SC260301", "received": dt.datetime(2026, 3, 2, 9, 15), "dept_code": "SC", "channel": "热线电话",
    "customer": "南京示例电力公司", "address": "南京市江宁区 1 号", "contact": CONTACT, "phone": PHONE,
    "product": "NR-AC7K", "serial": "NR001", "purchased": dt.date(2023, 5, 6), "invoice_no": "12345678",
    "level": "二级", "service_type": "有偿服务", "area": "外地", "onsite": "是", "fault": LONG, "engineer": ENGINEER,
    "responded": dt.datetime(2026, 3, 2, 9, 40), "arrived": dt.datetime(2026, 3, 3, 10, 0),
    "completed": dt.datetime(2026, 3, 3, 16, 0), "work_done": "更换充电模块并升级主板软件", "resolved": "否",
    "open_issue": "待配件到货后二次上门", "attitude": 1, "skill": 2, "speed": 1, "feedback": "响应及时",
    "travel_cost": Decimal("600"), "days_away": 2, "labour_days": 2, "materials_cost": Decimal("980.01"),
    "fee": Decimal("2500"), "field_service_no": "SJ260301", "revisited": dt.date(2026, 3, 5),
    "requested": dt.datetime(2026, 3, 3, 9, 0), "commissioned": dt.date(2023, 6, 18),
}
FIELD_SERVICE = {"fs_no": "SJ260301", "ticket_no": "SC260301", "dept_code": "SJ", "kind": "维修",
                 "departed": dt.date(2026, 3, 3), "returned": dt.date(2026, 3, 4), "engineer": ENGINEER,
                 "work_record": "现场更换模块", "attitude": "很好", "damage": "严重", "hygiene": "不好",
                 "satisfied": "非常不满意", "result": "未完成", "charge": "按报价单收费"}
PARTS = [{"ticket_no": "SC260301", "kind": "三包件" if i < 5 else "客户购买件", "name": f"配件{i:02d}", "model": f"M{i}",
          "qty": 1 + i % 3, "unit_price": None if i < 5 else Decimal("98.00")} for i in range(10)]
COMPLAINT = {
    "complaint_no": "260302001", "received": dt.date(2026, 3, 2), "channel": "电话", "customer": "南京示例电力公司",
    "contact": CONTACT, "phone": PHONE, "product": "NR-AC7K", "category": "产品质量", "description": LONG,
    "order_no": "XS260001", "part_no": "P-01", "quantity": 40, "delivered": dt.date(2026, 1, 5), "defects": 3,
    "customer_request": "更换新品", "receiver": "孙丽", "dept": "质量管理部", "owner": "周强",
    "transferred": dt.date(2026, 3, 3), "dept_answered": dt.date(2026, 3, 4), "investigation": "模块批次不良",
    "responsibility": "本公司责任", "repair_budget": Decimal("3000"), "repair_delivery": dt.date(2026, 3, 10),
    "replied": dt.date(2026, 3, 5), "revisited": dt.date(2026, 3, 9), "closed": dt.date(2026, 3, 9),
    "result": "整批更换模块", "satisfaction": "满意", "region": "国内", "post": "质量工程师",
    "sales_manager": "钱进", "revisit_note": "回访客户：设备运行稳定",
}
OPEN_COMPLAINT = {"complaint_no": "260303001", "received": dt.date(2026, 3, 3), "channel": "电话",
                  "customer": "南京示例电力公司", "category": "服务质量", "description": LONG, "region": "国内",
                  "dept": "客户服务部", "owner": "孙丽"}
LATE_COMPLAINT = {**OPEN_COMPLAINT, "complaint_no": "260302002", "received": dt.date(2026, 3, 2),
                  "replied": dt.date(2026, 3, 20), "closed": dt.date(2026, 3, 25)}
APPLICATION = {"app_no": "WL260301", "applied": dt.date(2026, 3, 2), "applicant": ENGINEER,
               "applicant_phone": "13900001111", "customer": "南京示例电力公司", "purpose": "售后维修",
               "reason": LONG}
ITEMS = [{"app_no": "WL260301", "name": f"接线端子 {i}", "model": f"JD-{i}", "qty": 2, "nature": "借用"}
         for i in range(1, 41)]
COURIERS = ("顺丰", "京东", "中通", "圆通", "EMS", "自送")
RETURNS = [{"app_no": "WL260301", "returned": dt.date(2026, 3, 10 + i), "courier": c, "tracking_no": f"YD{i:03d}88",
            "parcels": i + 1, "name": f"接线端子 {i + 1}", "model": f"JD-{i + 1}", "qty": 1}
           for i, c in enumerate(COURIERS)]
SESSION = {"session_no": "PX260301", "topic": "充电桩维护", "dept": "客户服务部", "date": dt.date(2026, 3, 6),
           "trainer": ENGINEER, "hours": Decimal(3), "content": LONG, "kind": "用户", "customer": "南京示例电力公司"}
EMPTY_SESSION = {**SESSION, "session_no": "PX260302", "kind": "内部员工", "date": dt.date(2026, 3, 9)}
STATUS = ["实到"] * 70 + ["请假"] * 4 + ["旷课"] * 3
ATTENDEES = [{"session_no": "PX260301", "unit": "南京示例电力公司", "name": f"学员{i:02d}", "status": s}
             for i, s in enumerate(STATUS, 1)]
SURVEY = {"survey_no": "DC260301", "surveyed": dt.date(2026, 3, 20), "customer": "南京示例电力公司",
          "contact": CONTACT, "phone": PHONE, "comments": LONG, "preparer": "孙丽",
          **{f"q_{k}": "满意" for k in ("function", "reliability", "appearance", "usability", "value", "presale",
                                         "install", "training", "repair")}}
SUBJECT = {"training_signin": "PX260302"}      # the empty sign-in sheet; other forms: their first subject


def registers():
    return make_registers(
        tickets={"tickets": [TICKET], "field_services": [FIELD_SERVICE], "parts": PARTS},
        complaints={"complaints": [COMPLAINT, OPEN_COMPLAINT, LATE_COMPLAINT]},
        materials={"applications": [APPLICATION], "items": ITEMS, "returns": RETURNS},
        training={"sessions": [SESSION, EMPTY_SESSION], "attendees": ATTENDEES},
        surveys={"surveys": [SURVEY]},
        master={"staff": STAFF, "customers": CUSTOMERS, "departments": [{"code": "SJ", "name": "数据工程部"}]})


def contexts(policy=None, uncontrolled=False) -> dict:
    policy = policy or default_policy()
    data = FormData(registers(), policy, TODAY)
    out = {}
    for form in load_forms().values():
        subs = subjects(form, data)
        subject = next((s for s in subs if s.number == SUBJECT.get(form.id)), subs[0])
        control = control_block(form, policy, number=subject.number, copy_no="01", uncontrolled=uncontrolled,
                                revision=template_revision(template_path(form)), today=TODAY)
        out[form.id] = build_context(form, subject, data, control)
    return out


@pytest.fixture(scope="module")
def pdf_texts(tmp_path_factory):
    """Every form rendered from the stress registers and converted to PDF in one batch: id -> text."""
    if converter.find_soffice() is None:
        pytest.skip("LibreOffice is not installed")
    from pypdf import PdfReader

    out = tmp_path_factory.mktemp("stress")
    docx = [render_docx(template_path(load_forms()[fid]), ctx, out / f"{fid}.docx") for fid, ctx in contexts().items()]
    pdfs = converter.convert_to_pdf(docx, out, workers=2)
    return {p.stem: "\n".join(page.extract_text() for page in PdfReader(str(p)).pages) for p in pdfs}


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ---------------------------------------------------------------------------
# from the PDFs

def test_every_form_is_in_the_batch(pdf_texts):
    assert set(pdf_texts) == set(load_forms())


def test_no_placeholder_signatures_no_source_codes_no_module_names(pdf_texts):
    for fid, text in pdf_texts.items():
        assert not any(p in text for p in PLACEHOLDERS), fid
        assert not SEED_CODE.search(text), f"{fid}: {SEED_CODE.search(text).group()}"
        assert not MODULE.search(text), fid
        assert flat(BLANK_LINE) in flat(text), f"{fid}: no blank signature line"


def test_customer_forms_cite_nothing_internal_forms_cite_the_company_document(pdf_texts):
    for fid in CUSTOMER_FORMS:
        assert "《" not in pdf_texts[fid] or "《收费标准》" in pdf_texts[fid], fid
    assert "《商品售后服务管理手册》" in pdf_texts["quality_memo"]
    assert "《客户投诉及售后服务管理制度》" in flat(pdf_texts["reminder"])
    assert "《客户投诉及售后服务管理制度》" in flat(pdf_texts["late_notice"])


def test_fields_from_the_right_data(pdf_texts):
    t = {k: flat(v) for k, v in pdf_texts.items()}
    # 物料归还申请表: every shipment
    assert all(c in t["material_return"] and f"YD{i:03d}88" in t["material_return"] for i, c in enumerate(COURIERS))
    # 用户培训记录表: only those present
    assert "学员70" in t["user_training"] and "学员71" not in t["user_training"] and "学员77" not in t["user_training"]
    # 外出安装/售后/维修服务记录表: the seed's title and scales
    fs = t["field_service"]
    assert "外出安装/售后/维修服务记录表" in fs and "安装/维修类型" in fs
    for scale in ("卫生状况☐好不好", "顾客满意☐满意不满意非常不满意", "处理结果☐完成未完成", "产品损坏☐有无严重"):
        assert scale in re.sub("[☑]", "", fs), scale       # PDF text puts the boxes' glyphs out of order
    assert "轻微" not in fs and fs.count("☑") == 6
    # 投诉登记及跟踪处理记录表: the revisit and the post
    assert "回访客户：设备运行稳定" in t["complaint_tracking"] and "质量工程师" in t["complaint_tracking"]
    # 备忘单: the sales manager
    assert "钱进" in t["quality_memo"]
    # 终端现场问题反馈: the result, not 是/否
    assert "未解决；" in t["terminal_feedback"] and "遗留问题：" in t["terminal_feedback"]
    # 维修记录单: the time the customer asked for; 信息收集表: 投运时间; 信息处理单: 转交部门
    assert "2026-03-0309:00" in t["repair_record"]
    assert "设备投运时间：2023-06-18" in t["info_collection"]
    assert re.search(r"转交部门SJ", t["service_info"])
    # quote: the rates of tax and management fee
    assert re.search(r"税费（成本×\d", t["paid_quote"]) and "管理费（成本与税费之和×" in t["paid_quote"]
    # the empty sign-in sheet: blanks, not 应到 0 人
    assert "应到＿＿＿人，实到＿＿＿人" in t["training_signin"] and "应到0人" not in t["training_signin"]


def test_long_data_is_all_there(pdf_texts):
    """1,200 characters, 40 item lines and 10 parts come out whole (nothing cut)."""
    t = {k: flat(v) for k, v in pdf_texts.items()}
    assert t["material_request"].count("接线端子") == 40 and "接线端子40" in t["material_request"]
    assert all(f"配件{i:02d}" in t["repair_record"] for i in range(10))
    assert t["complaint_tracking"].count("频繁跳闸") == LONG.count("频繁跳闸")


# ---------------------------------------------------------------------------
# contexts (no LibreOffice)

def test_field_service_scales_mark_the_recorded_value():
    ctx = contexts()["field_service"]
    assert (ctx["hygiene_line"], ctx["satisfied_line"], ctx["result_line"], ctx["damage_line"]) == (
        "☐好　☑不好", "☐满意　☐不满意　☑非常不满意", "☐完成　☑未完成", "☐有　☐无　☑严重")


def test_masked_copy_hides_names_and_phones_inside_free_text():
    ctx = contexts(uncontrolled=True)
    for fid in ("complaint_tracking", "service_info", "quality_memo"):
        text = str({k: v for k, v in ctx[fid].items() if not k.startswith("doc_")})
        assert CONTACT not in text and PHONE not in text, fid
        assert "欧阳**" in text and "138****5678" in text, fid


def test_signatures_come_from_the_policy_and_warn_once_when_blank():
    policy = default_policy()
    forms = list(load_forms().values())
    assert "编制、审核、批准" in unsigned_warning(forms, policy)
    policy["document_control"].update(drafted_by="李锐", drafted_on="2015-12-20", reviewed_by="张超",
                                      approved_by="孙益兵", approved_on="2015-12-30")
    assert unsigned_warning(forms, policy) is None
    ctx = contexts(policy)["repair_record"]
    assert (ctx["doc_drafted_by"], ctx["doc_reviewed_by"], ctx["doc_approved_by"]) == (
        "李锐（2015-12-20）", "张超", "孙益兵（2015-12-30）")
    policy["document_control"]["cite_on_customer_forms"] = True
    assert "《售后服务管理规范》HL-WI-2017" in contexts(policy)["paid_quote"]["fee_note"]


def test_fields_list_labels_types_sources_and_loop_rows():
    rows = {r.field: r for r in template_fields(load_forms()["material_return"])}
    assert (rows["{{ s.tracking_no }}"].label, rows["{{ s.tracking_no }}"].loop) == ("快递单号", "returns_distinct")
    assert rows["{{ r.asset_code }}"].source == "materials.xlsx / 归还登记 / 设备资产码"
    assert rows["{{ doc_drafted_by }}"].label == "编制"
    r = CliRunner().invoke(app, ["forms", "--fields", "field_service", "--json"])
    assert r.exit_code == 0 and "卫生状况" in r.stdout


# ---------------------------------------------------------------------------
# the distribution log: one writer, rows before copies

def _issue(copy_no, number="N1", part=""):
    return distribution.Issue(copy_no, "repair_record", "售后服务维修记录单", number, "存根", TODAY, part=part)


def test_a_locked_log_fails_before_any_copy_is_numbered(tmp_path):
    (tmp_path / "~$分发记录.xlsx").write_text("x")
    with pytest.raises(UserError, match="Excel"):
        distribution.issue_copies(tmp_path, "repair_record", lambda numbers: [_issue(numbers(1)[0])])
    (tmp_path / "~$分发记录.xlsx").unlink()
    made = distribution.issue_copies(tmp_path, "repair_record", lambda numbers: [_issue(numbers(1)[0])])
    assert [i.copy_no for i in made] == ["01"]


def test_a_second_writer_waits_then_fails_clearly(tmp_path):
    with distribution.locked(tmp_path):
        with pytest.raises(UserError, match="另一个程序正在登记"):
            with distribution.locked(tmp_path, wait=0.1):
                pass


def test_reissue_withdraws_the_previous_copy(tmp_path):
    distribution.record_issues(tmp_path, [_issue("01"), _issue("01", "N2")])
    later = dt.date(2026, 5, 6)
    distribution.record_issues(tmp_path, [distribution.Issue("02", "repair_record", "x", "N1", "存根", later)])
    log = distribution.read_log(tmp_path)
    assert [(i.copy_no, i.number, i.recalled) for i in log] == [("01", "N1", later), ("01", "N2", None),
                                                               ("02", "N1", None)]


def test_a_record_copy_does_not_withdraw_a_controlled_copy_in_a_holders_hands(tmp_path):
    handed = replace(_issue("01"), holder="质量部 王工", kind=distribution.HANDED)
    distribution.record_issues(tmp_path, [handed])
    later = dt.date(2026, 5, 6)
    distribution.record_issues(tmp_path, [replace(_issue("02"), issued=later)])       # a record copy, same record
    log = distribution.read_log(tmp_path)
    assert [(i.copy_no, i.kind, i.recalled) for i in log] == [("01", distribution.HANDED, None),
                                                             ("02", distribution.RECORD, None)]
    distribution.record_issues(tmp_path, [replace(handed, copy_no="03", issued=later)])   # re-handed: withdrawn
    assert distribution.read_log(tmp_path)[0].recalled == later


def test_an_audit_pack_files_its_forms_as_record_copies(tmp_path):
    form = load_forms()["repair_record"]
    entry = {"title": "售后服务维修记录单", "doc_no": "HL-WI-2017-03", "version": "A/0"}
    distribution.record_issues(tmp_path, [_issue("01")])
    for day in (TODAY, TODAY + dt.timedelta(days=1)):
        distribution.record_pack_copies(tmp_path, [(form, 12)], "pack.zip", "2026-01-01至2026-03-31", day,
                                        lambda f: entry)
    log = distribution.read_log(tmp_path)
    assert [(i.copy_no, i.holder, i.kind, i.recalled) for i in log] == [
        ("01", "存根", "记录副本", None),                                  # a copy a pack never withdraws
        ("", "审计包", "记录副本", TODAY + dt.timedelta(days=1)),          # the older pack's, replaced
        ("", "审计包", "记录副本", None)]
    assert log[-1].number == "2026-01-01至2026-03-31（12 份）" and log[-1].doc_no == "HL-WI-2017-03"


@pytest.mark.parametrize("case", load_cases("citations.yaml"))
def test_citation_case(case):
    sources = sources_of(default_policy())
    got = cite_inline(case["inline"], sources) if "inline" in case else cite(case["source"], sources)
    assert got == case["expect"]


SEED_CODE = re.compile(r"\b00[0-4] ?(?:§|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]|第)")


@pytest.mark.parametrize("form_id", sorted(load_forms()))
def test_no_template_prints_an_internal_source_code(form_id):
    # a citation belongs in a field ({{ doc_basis }}) that the policy turns into the company's document
    import zipfile  # only this test reads the .docx parts directly

    with zipfile.ZipFile(template_path(load_forms()[form_id])) as z:
        text = "".join(re.sub(r"<[^>]+>", "", z.read(n).decode("utf-8")) for n in z.namelist()
                       if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", n))
    assert not SEED_CODE.search(text), SEED_CODE.search(text)
