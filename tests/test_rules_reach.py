"""Rules reachable from the registers: N2, P4, P6, P9, P10, P11, F2, S5/S10, S8, D17, D18.

Each case is worked out by hand from the seed sentence quoted beside it. Registers are built in
memory from the specs (no workbook round trip) and run through ``check``'s checkers, so each
finding's message carries the rule id; one test goes through the ``check`` command itself.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.assess.checks import RunContext, run_checks
from generator.assess.late_cases import late_cases
from generator.assess.ledger import penalty_ledger
from generator.assess.period_scores import period_scores
from generator.assess.programme import appraisal_part, programme_part
from generator.assess.report_model import KIND_TITLES
from generator.cli import app
from generator.config.form_specs import load_forms
from generator.config.policy import default_policy
from generator.config.register_specs import load_specs
from generator.core.finding_codes import CODES
from generator.core.periods import parse_period, period_from_options
from generator.documents.subjects import FormData, subjects
from generator.registers.read import Record, Register, Table
from generator.rules.compensation import apportion_loss, parse_ratios
from generator.rules.sanbao import check_ticket
from tests.conftest import put_rows

D, M = dt.date, Decimal
POLICY = default_policy()
TODAY = D(2026, 6, 30)


def registers(**sheets) -> dict:
    """{register id: Register} from ``sheet key=[values dict, ...]`` (rows from 2), every other sheet empty."""
    out = {}
    for rid, spec in load_specs().items():
        tables = {s.key: Table(spec=s) for s in spec.sheets}
        for key, rows in sheets.items():
            if key in tables:
                tables[key].records = [Record(i, {c.key: None for c in tables[key].spec.columns} | r, dict(r))
                                       for i, r in enumerate(rows, 2)]
        out[rid] = Register(spec, Path(f"{rid}.xlsx"), tables)
    return out


def ctx_of(today=TODAY, **sheets) -> RunContext:
    return RunContext(registers=registers(**sheets), policy=POLICY, today=today)


def found(ctx, code: str) -> list:
    return [f for f in run_checks(ctx) if f.code == code]


# ---------------------------------------------------------------------------- N2

COMPLAINT = {"received": D(2026, 3, 2), "channel": "电话", "customer": "甲", "category": "建议", "description": "x",
             "region": "国内"}


def test_n2_form_numbers_reset_monthly_and_run_on():
    """004 第八條: 投訴處理表編號 年度(××)月份(××)流水編號(××)。編號周期以年度月份為原則。
    March 2026: 260301, 260302, then 260304 skips 03 (gap); April restarts at 260401; a March
    complaint numbered 260201 carries February's date part."""
    rows = [COMPLAINT | {"complaint_no": f"26030{i}00{i}", "form_no": n} for i, n in enumerate(("260301", "260302", "260304"), 1)]
    rows += [COMPLAINT | {"complaint_no": "260401004", "received": D(2026, 4, 1), "form_no": "260401"},
             COMPLAINT | {"complaint_no": "260305005", "received": D(2026, 3, 5), "form_no": "260201"}]
    ctx = ctx_of(complaints=rows)
    gaps = found(ctx, "number.gap")
    assert [(f.row, f.column) for f in gaps] == [(4, "处理表编号")] and "260303" in gaps[0].message
    assert [(f.row, f.column) for f in found(ctx, "number.date_mismatch") if f.column == "处理表编号"] == [(6, "处理表编号")]


# ---------------------------------------------------------------------------- P4, P6

PARTS = {"outlet": "合肥网点", "replaced_month": "2026-03", "value": M("1000.00")}


def test_p4_returned_parts():
    """001 §8 六 5: 对于没故障的 … 给予返回网点每个零400元的罚款; 注: 当月更换的如在下月15号前不返回 …
    按该批金额的90％给予核销; 超过下月31号返回的 … 不给予核销; 保外的 … 返回总额（按供价）十倍的罚款.
    March parts worth 1000: sent 04-15 → full; 04-20 → 900 (100 withheld); 05-02 → 0;
    2 faultless parts → 800; passed off → 10 × 1000 = 10000; an entered 核销 of 1000 for 04-20 is wrong."""
    rows = [PARTS | {"batch_no": "B1", "sent": D(2026, 4, 15)},
            PARTS | {"batch_no": "B2", "sent": D(2026, 4, 20), "written_off": M("1000.00")},
            PARTS | {"batch_no": "B3", "sent": D(2026, 5, 2)},
            PARTS | {"batch_no": "B4", "sent": D(2026, 4, 1), "no_fault": 2, "passed_off": "是"}]
    ctx = ctx_of(returned_parts=rows)
    w = found(ctx, "parts.writeoff")
    assert [(f.row, "核销 900.00 元" in f.message or "核销 0.00 元" in f.message) for f in w] == [(3, True), (4, True)]
    assert all("（P4）" in f.message for f in w)
    assert "应为 900.00 元" in found(ctx, "parts.mismatch")[0].message
    assert "800.00 元" in found(ctx, "parts.no_fault")[0].message
    assert "10000.00 元" in found(ctx, "parts.fraud")[0].message


def test_p6_settlement_documents():
    """001 §9 三 2: 超过当月15号收到的结算信息当月单据不给予结算，转下月进行结算；超过当月31号收到的结算单据，
    按90%在下月进行结算；没电子文档的结算单据公司将不给予结算.
    March documents of 2000: 03-15 → March in full (no finding); 03-20 → April; 04-02 → April at 1800;
    no electronic copy → not settled; an entered 实际结算月份 2026-03 for the 03-20 one is wrong."""
    doc = {"outlet": "合肥网点", "month": "2026-03", "amount": M("2000.00"), "electronic": "有"}
    rows = [doc | {"doc_no": "S1", "received": D(2026, 3, 15)},
            doc | {"doc_no": "S2", "received": D(2026, 3, 20), "settled_month": "2026-03"},
            doc | {"doc_no": "S3", "received": D(2026, 4, 2)},
            doc | {"doc_no": "S4", "received": D(2026, 3, 1), "electronic": "无"}]
    ctx = ctx_of(settlements=rows)
    adjusted = {f.row: f.message for f in found(ctx, "settlement.adjusted")}
    assert set(adjusted) == {3, 4, 5}
    assert "转 2026-04 结算" in adjusted[3] and "90%" in adjusted[4] and "不予结算" in adjusted[5]
    assert all(m.endswith("（P6）") for m in adjusted.values())
    mismatch = found(ctx, "settlement.mismatch")
    assert [f.row for f in mismatch] == [3] and "应为 2026-04" in mismatch[0].message


def test_p5_outlet_fines_within_the_regulations_range():
    """001 §9 六: 未按时处理又未反馈，造成用户投诉的，罚款伍佰圆至壹仟圆（500–1000元）；
    七 注: 重大事故未及时反馈或未积极协助处理的，罚款壹仟圆至壹万圆（1000–10000元）.
    Entered fines of 800 and 5,000 lie within; 1,200 for a late handling and 500 for a major
    incident do not; a 事由 the policy does not know is reported as unreadable."""
    late, major = "未按时处理又未反馈，造成用户投诉", "重大事故未及时反馈或未积极协助处理"
    fine = {"date": D(2026, 3, 5), "outlet": "合肥网点"}
    rows = [fine | {"kind": late, "amount": M(800)}, fine | {"kind": late, "amount": M(1200)},
            fine | {"kind": major, "amount": M(5000)}, fine | {"kind": major, "amount": M(500)},
            fine | {"kind": "迟到", "amount": M(100)}]
    ctx = ctx_of(outlet_fines=rows)
    out = found(ctx, "penalty.out_of_range")
    assert [(f.row, f.column) for f in out] == [(3, "罚款金额"), (5, "罚款金额")]
    assert all(CODES[f.code].rule == "P5" and "500–1000" in out[0].message for f in out)
    assert [f.row for f in found(ctx, "field.type")] == [6]


# ---------------------------------------------------------------------------- P9, P10

STAFF = [{"name": "张三", "dept": "生产部", "post": "技术工程师", "bonus": M(2000), "base_points": M(2)},
         {"name": "李四", "dept": "生产部", "post": "售后人员", "bonus": M(2000), "base_points": M(3)}]


def test_p9_parse_and_apportion_by_hand():
    """004 Ⅷ (二): 若系個人過失則全數分攤至該員,若為兩人以上的共同過失 … 依責任輕重分別判定責任比例;
    (三)3: 以損失金額除以該責任部門的總基點數,再乘以個人的總基點數.
    1000 shared 60/40 → 600 + 400; department total 10 points, members 2 and 3 → 200 and 300."""
    assert parse_ratios("张三 60%、李四 40%") == {"张三": 60, "李四": 40}
    shared = apportion_loss("共同过失", "C1", 1000, POLICY, persons="张三:3，李四:2")
    assert [(i.person, i.amount) for i in shared] == [("张三", M("600.00")), ("李四", M("400.00"))]
    dept = apportion_loss("部门过失", "C2", 1000, POLICY, dept_points={"张三": 2, "李四": 3}, dept_total=10)
    assert [(i.person, i.amount) for i in dept] == [("张三", M("200.00")), ("李四", M("300.00"))]


def test_p9_p10_in_check_and_in_the_ledger():
    """P9 rows: a 部门基点合计 of 10 against members' 2 + 3 is flagged; a shared fault without
    ratios cannot be apportioned. P10 (001 §5 三 (一) 损坏金额在1000元以内（含1000元）… 赔偿50%。
    1000元以上的，赔偿40%): 1500 → 600, so an entered 750 is wrong. The March ledger carries
    张三's 200 (P9, capped) and 600 (P10, compensation)."""
    ctx = ctx_of(departments=[{"code": "SC", "name": "生产部", "base_points": M(10)}], staff=STAFF,
                 losses=[{"date": D(2026, 3, 9), "case_no": "C2", "loss": M(1000), "fault": "部门过失", "dept": "生产部"},
                         {"date": D(2026, 3, 9), "case_no": "C3", "loss": M(500), "fault": "共同过失"}],
                 damages=[{"date": D(2026, 3, 10), "person": "张三", "damage": M(1500), "paid": M(750)}])
    assert "部门基点合计 10 与该部门人员基点之和 5 不一致" in found(ctx, "loss.base_points")[0].message
    assert found(ctx, "loss.unreadable")[0].row == 3 and "（P9）" in found(ctx, "loss.unreadable")[0].message
    assert "应为 600.00 元" in found(ctx, "damage.mismatch")[0].message
    ledger = penalty_ledger(ctx.registers, POLICY, "2026-03", ctx.calendar)
    zhang = next(p for p in ledger["people"] if p["person"] == "张三")
    assert sorted((i["rule"], i["amount"], i["capped"]) for i in zhang["items"]) == [
        ("P10", M("600.00"), False), ("P9", M("200.00"), True)]


# ---------------------------------------------------------------------------- P11

def test_p11_approvals_reported_by_check():
    """001 §9 五 2: 区域经理特批次数每月不得超过1次，每次金额不得超过300元: a second approval in one month
    and one of 350 yuan are both reported by check (not only by penalties)."""
    a = {"approver": "王五", "post": "区域经理"}
    ctx = ctx_of(approvals=[a | {"date": D(2026, 3, 2), "amount": M(350)}, a | {"date": D(2026, 3, 20), "amount": M(100)}])
    assert [f.row for f in found(ctx, "approval.over_amount")] == [2]
    assert [f.row for f in found(ctx, "approval.over_count")] == [3]


# ---------------------------------------------------------------------------- F2

@pytest.mark.parametrize("days,remedy", [(15, "退货"), (16, "换货"), (29, "换货"), (30, None), (31, "免费维修"),
                                         (89, "免费维修"), (90, None), (91, "收费维修")])
def test_f2_remedy_by_days_since_sale(days, remedy):
    """004 Ⅸ 第七條 自購買之日起15天內 … 予以退貨; 第八條 超過15天但不足30天 … 可予以調換; 第九條 超過30天但不足3個月
    … 免費維修; 第十條 超過3個月 … 收取一定的維修費用 (day 30 and day 90 fall in no article)."""
    c = check_ticket(D(2026, 1, 1), D(2026, 1, 1) + dt.timedelta(days=days), True, False, None, None, TODAY, POLICY)
    assert c.remedy.remedy == remedy and c.remedy.defined == (remedy is not None)


def test_f2_paid_repair_is_no_mismatch_without_a_claim():
    """004 Ⅸ 第十一–十四條 (no 三包 claim: 恕不退換) — a paid repair is then ordinary paid service (第五條)."""
    c = check_ticket(D(2026, 1, 1), D(2026, 1, 20), False, False, "收费维修", None, TODAY, POLICY)
    assert c.remedy.remedy == "不予退换" and not c.mismatch
    assert check_ticket(D(2026, 1, 1), D(2026, 1, 20), False, False, "换货", None, TODAY, POLICY).mismatch


def test_f2_001_terms_as_an_alternative_policy():
    """001 九 4 三 1: 发生功能性故障 … 15天内免费换货、7天内免费退货 — the commented alternative of fees.sanbao."""
    p = default_policy()
    p["fees"]["sanbao"].update(no_reason_days=0, quality_bands=[
        {"le": 7, "remedy": "退货"}, {"gt": 7, "le": 15, "remedy": "换货"}, {"gt": 15, "remedy": "免费维修"}])
    got = [check_ticket(D(2026, 1, 1), D(2026, 1, 1) + dt.timedelta(days=n), True, False, None, None, TODAY, p).remedy.remedy
           for n in (7, 8, 15, 16)]
    assert got == ["退货", "换货", "换货", "免费维修"]


def test_f2_on_tickets_in_check():
    """A quality fault 20 days after sale is an exchange (第八條), so 退货 is reported; a free repair
    received 2026-03-02 09:00 and completed 03-10 missed 第十六條 商品維修服務必須在1周內完成 (due 03-09 09:00)."""
    t = {"level": "三级", "service_type": "质量信息", "customer": "甲", "fault": "x", "dept_code": "SC",
         "quality_fault": "是", "purchased": D(2026, 2, 10)}
    ctx = ctx_of(tickets=[t | {"ticket_no": "SC260301", "received": dt.datetime(2026, 3, 2, 9), "sanbao_remedy": "退货"},
                          t | {"ticket_no": "SC260302", "received": dt.datetime(2026, 3, 2, 9), "purchased": D(2026, 1, 10),
                               "sanbao_remedy": "免费维修", "completed": dt.datetime(2026, 3, 10, 9)}])
    remedy = found(ctx, "sanbao.remedy")
    assert [f.row for f in remedy] == [2] and "换货" in remedy[0].message and "（F2）" in remedy[0].message
    late = found(ctx, "sanbao.repair_late")
    assert [f.row for f in late] == [3] and "2026-03-09 09:00" in late[0].message


# ---------------------------------------------------------------------------- S5 / S10, S8

def test_s5_s10_cards_in_check():
    """001 §4 五 3: 有两张黄牌或一张红牌，将取消年终绩效考评; 八 4: 三次记大过者，给予淘汰;
    十 注: 有三次记过，二次记大过者 … 不参与超额利润分配."""
    cards = [{"date": D(2026, m, 1), "person": "张三", "kind": k} for m, k in ((1, "黄牌"), (2, "黄牌"))]
    cards += [{"date": D(2026, m, 1), "person": "李四", "kind": "记大过"} for m in (1, 2, 3)]
    ctx = ctx_of(cards=cards)
    assert [(f.value, "黄牌 2 张" in f.message) for f in found(ctx, "appraisal.excluded")] == [("张三", True)]
    assert [f.value for f in found(ctx, "appraisal.dismissal")] == ["李四"]
    assert "记大过 3 次" in found(ctx, "appraisal.no_profit_share")[0].message


def test_s10_office_and_s5_failed_quarters_in_yearly_scores():
    """001 §4 八 1: 一年内客户投诉率超出8% … 不参与年度绩效考核: X = 9% excludes the office; two failed
    KPI quarters (五 3 累计两个季度绩效考核不合格) exclude the person."""
    regs = registers()
    kpi = [{"person": "张三", "passed": False}, {"person": "张三", "passed": False}]
    a = appraisal_part(regs, POLICY, parse_period("2026"), kpi, M("0.09"))
    codes = sorted(f["code"] for f in a["findings"])
    assert a["office_excluded"] and codes == ["appraisal.excluded", "appraisal.office_excluded"]
    assert not appraisal_part(regs, POLICY, parse_period("2026"), [], M("0.08"))["office_excluded"]   # 8% is not 超出
    assert not appraisal_part(regs, POLICY, parse_period("2026-Q1"), [], M("0.5"))["checked"]


def test_s8_survey_programme_in_yearly_scores():
    """001 §13 4.4: 覆盖年销售额不少于2万元的客户的20%; 4.5: 回收率应不低于70%. Five customers reach
    20,000 (one has 19,999.99); one surveyed → 20% is enough; 10 sent, 1 returned → 10% < 70%."""
    customers = [{"code": f"C{i}", "name": f"客户{i}", "annual_sales": M(20000)} for i in range(5)]
    customers.append({"code": "C9", "name": "小客户", "annual_sales": M("19999.99")})
    regs = registers(customers=customers, rounds=[{"round": "2026-1", "start": D(2026, 5, 1), "sent": 10}],
                     surveys=[{"survey_no": "1", "surveyed": D(2026, 5, 8), "customer": "客户0"}])
    g = programme_part(regs, POLICY, parse_period("2026"))
    assert (g["eligible"], g["surveyed"], g["coverage"]) == (5, 1, M("0.2"))
    assert [f["code"] for f in g["findings"]] == ["survey.return_rate"]
    scores = period_scores(regs, POLICY, "2026", RunContext(regs, POLICY, TODAY).calendar)
    assert scores["programme"]["return_rate"] == M("0.1")
    assert "survey.return_rate" in {f["code"] for f in scores["findings"]}


# ---------------------------------------------------------------------------- D17, D18

def test_d17_cases_closed_late_get_a_late_notice():
    """004 Ⅷ (十四): 對於已結案的案件 … 對於處理時效逾期案件,得開立“洽辦單”送有關部門追查逾期原因.
    Received Mon 2026-03-02, the reply is due within 5 working days (Mon 03-09); replied 03-11."""
    ctx = ctx_of(complaints=[COMPLAINT | {"complaint_no": "260302001", "replied": D(2026, 3, 11), "dept": "生产部",
                                          "owner": "张三"}])
    cases = late_cases(ctx)
    assert [(c["case_no"], c["dept"], c["items"][0]["rule"]) for c in cases] == [("260302001", "生产部", "complaint.reply")]
    assert cases[0]["items"][0]["lateness"] == "2 个工作日"


def test_d18_monthly_statistics_by_the_10th():
    """004 Ⅷ (九)10: 總經理室生產管理組每月10日前匯總上月份結案的案件於“客戶投訴案件統計表”.
    March statistics reported 04-12 are late (due 04-10); April's closed cases have no row by 06-30."""
    closed = [COMPLAINT | {"complaint_no": f"2603{d:02d}00{i}", "closed": D(2026, m, d)}
              for i, (m, d) in enumerate(((3, 20), (4, 21)), 1)]
    ctx = ctx_of(complaints=closed, stats_reports=[{"month": "2026-03", "submitted": D(2026, 4, 12)}])
    late, overdue = ([f for f in found(ctx, code) if f.sheet == "统计报送"] for code in ("deadline.late", "deadline.overdue"))
    assert [(f.sheet, f.row) for f in late] == [("统计报送", 2)] and "D18" in late[0].message
    assert len(overdue) == 1 and "2026-04 客户投诉案件统计表" in overdue[0].message and "D18" in overdue[0].message
    unchecked = ctx_of(complaints=closed)   # a register without 统计报送 rows leaves D18 unchecked
    assert not [f for f in found(unchecked, "deadline.overdue") if "D18" in f.message]
    said = [f for f in found(unchecked, "deadline.unchecked") if f.sheet == "统计报送"]   # and says so once:
    assert len(said) == 1 and "D18" in said[0].message                # March's were due 04-10, before 06-30
    early = ctx_of(today=D(2026, 4, 10), complaints=closed[:1])      # nothing due yet: nothing said
    assert not [f for f in found(early, "deadline.unchecked") if f.sheet == "统计报送"]


def test_commands_reach_n2_and_p4(empty_registers):
    """On disk, through the commands: ``number next --sheet form_no`` allocates N2 (two March forms
    exist, the next is 260303), 客户抱怨处理表 prints the N2 number, ``check --json`` reports a
    parts batch sent 04-20 for March (P4, written off at 90%) and ``late`` lists the complaint
    replied on 03-11, due 03-09 (D17)."""
    put_rows(empty_registers / "complaints.xlsx", "投诉登记", {
        2: {"投诉编号": "260302001", "受理日期": D(2026, 3, 2), "处理表编号": "260301", "回复日期": D(2026, 3, 11)},
        3: {"投诉编号": "260303002", "受理日期": D(2026, 3, 3), "处理表编号": "260302"}})
    put_rows(empty_registers / "tickets.xlsx", "旧件返回", {2: {"批次编号": "B1", "服务网点": "合肥网点", "更换月份": "2026-03",
                                                                "发出日期": D(2026, 4, 20), "旧件金额": 1000}})
    runner = CliRunner()
    r = runner.invoke(app, ["number", "next", str(empty_registers), "-r", "complaints", "--sheet", "form_no",
                            "--date", "2026-03-20", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["number"] == "260303"
    r = runner.invoke(app, ["check", str(empty_registers), "--json", "--today", "2026-06-30"])
    codes = {(f["code"], f["message"][-4:]) for f in json.loads(r.stdout)["findings"]}
    assert ("parts.writeoff", "（P4）") in codes, r.stdout
    r = runner.invoke(app, ["late", str(empty_registers), "--json", "--today", "2026-06-30"])   # D17: replied 2 days late
    assert [c["case_no"] for c in json.loads(r.stdout)["cases"]] == ["260302001"], r.output
    regs = RunContext.load(empty_registers, TODAY).registers
    numbers = [s.number for s in subjects(load_forms()["complaint_handling"], FormData(regs, POLICY, TODAY))]
    assert numbers == ["260301", "260302"]   # 客户抱怨处理表 prints the N2 number, not the 单号


def test_apportion_command_reads_the_department_total(empty_registers):
    """P9 部门过失 through ``apportion``: 1000 ÷ 部门基点合计 10 × 2 and × 3 (004 Ⅷ (三)3)."""
    put_rows(empty_registers / "master.xlsx", "部门", {3: {"部门代码": "SC", "部门名称": "生产部", "部门基点合计": 10}})
    put_rows(empty_registers / "master.xlsx", "人员", {
        r: {"姓名": s["name"], "部门": s["dept"], "岗位": s["post"], "基点": int(s["base_points"])} for r, s in enumerate(STAFF, 2)})
    r = CliRunner().invoke(app, ["apportion", str(empty_registers), "--loss", "1000", "--dept", "生产部", "--json"])
    assert r.exit_code == 0, r.output
    shares = json.loads(r.stdout)["apportioned"][0]["shares"]
    assert [(x["person"], x["amount"]) for x in shares] == [("张三", "200.00"), ("李四", "300.00")]


def test_sanbao_command_and_quarter_report_option():
    r = CliRunner().invoke(app, ["sanbao", "--purchased", "2026-03-01", "--received", "2026-03-20", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["remedy"] == "换货"
    q = period_from_options(quarter="2026-Q3")   # report --quarter: 002 §4 7 每季度提交售后统计报表 (D18)
    assert (q.kind, q.code, KIND_TITLES[q.kind]) == ("quarter", "2026-Q3", "售后统计报表（季度）")
