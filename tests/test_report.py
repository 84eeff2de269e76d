"""Period reports: numbers against plain counts of the sample registers, chart references,
the PDF, the CLI, and business cases (tests/cases/report_*.yaml) on hand-made registers.

The expected numbers are counted here with plain loops over the records (generator.registers.read
reads them); nothing below calls generator.assess.report* to compute what it checks.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import warnings
from collections import Counter
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml
from pypdf import PdfReader
from typer.testing import CliRunner

from generator.assess.checks import RunContext
from generator.assess.report import build_report
from generator.assess.report_model import Points, Ratio, show
from generator.cli import app
from generator.config.policy import default_policy, find_policy
from generator.config.register_specs import load_specs
from generator.core.errors import UserError
from generator.core.periods import period_from_options
from generator.registers.read import Record, Register, Table, read_all
from generator.reports.report_xlsx import write_report_xlsx

CASES = Path(__file__).parent / "cases"
TODAY = dt.date(2026, 7, 1)        # the day after the sample year
# 001 §14 4.1, written out again here so the test does not borrow the module's table
SEVERE = {"服务质量", "外观包装", "产品质量"}
# 000 ch.5 §4 备注
POINTS = {"非常满意": 100, "满意": 80, "一般": 60, "不满意": 40, "非常不满意": 20}


def load(name):
    return yaml.safe_load((CASES / name).read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------- sample fixtures

@pytest.fixture(scope="module")
def sample(sample_dir_session):
    return read_all(sample_dir_session), find_policy(sample_dir_session)


@pytest.fixture(scope="module", params=[{"half": "2026-H1"}, {"month": "2026-03"}], ids=["half", "month"])
def built(request, sample, tmp_path_factory):
    """(report, records by register, saved workbook) for a half-year and a month of the sample."""
    regs, policy = sample
    report = build_report(RunContext(regs, policy, TODAY), period_from_options(**request.param))
    path = tmp_path_factory.mktemp("report") / "report.xlsx"
    write_report_xlsx(report, path)
    return report, regs, openpyxl.load_workbook(path)


def records(regs, register, sheet):
    return [r.values for r in regs[register].tables[sheet].records]


def within(period, value) -> bool:
    if isinstance(value, dt.datetime):
        value = value.date()
    return isinstance(value, dt.date) and period.start <= value <= period.end


def chart_data(wb) -> dict[str, dict]:
    """Every chart of the workbook by title: its sheet, categories and series as read from the cells
    its references point at."""
    out = {}
    for ws in wb.worksheets:
        for chart in ws._charts:
            title = "".join(run.t for p in chart.title.tx.rich.p for run in (p.r or []))
            series = []
            for sub in [chart, *getattr(chart, "_charts", [])[1:]]:
                for s in sub.series:
                    cat = s.cat.strRef or s.cat.numRef
                    series.append({"name": cells(wb, s.tx.strRef.f)[0], "values": cells(wb, s.val.numRef.f),
                                   "categories": cells(wb, cat.f), "ref": s.val.numRef.f})
            out[title] = {"sheet": ws.title, "series": series}
    return out


def cells(wb, ref: str) -> list:
    sheet, rng = ref.rsplit("!", 1)
    ws = wb[sheet.strip("'")]
    found = ws[rng.replace("$", "")]
    if not isinstance(found, tuple):
        return [found.value]
    return [c.value for row in found for c in (row if isinstance(row, tuple) else (row,))]


def chart_counts(wb, title) -> list[dict]:
    """{category: value} per series of a chart, read through its references."""
    data = chart_data(wb)[title]
    return [dict(zip(s["categories"], s["values"])) for s in data["series"]]


def plain(values: Counter, labels) -> dict:
    return {lab: values.get(lab, 0) for lab in labels}


# ---------------------------------------------------------------------------- numbers vs plain counts

def test_complaint_charts_show_plain_counts_of_both_periods(built):
    report, regs, wb = built
    rows = records(regs, "complaints", "complaints")
    for col, title in (("category", "投诉类别"), ("channel", "受理渠道"), ("dept", "责任部门")):
        now, before = chart_counts(wb, title)
        for period, shown in ((report.period, now), (report.previous, before)):
            expected = Counter(r[col] for r in rows if within(period, r["received"]))
            assert shown == plain(expected, shown), (title, period.label)
            assert sum(shown.values()) == sum(expected.values())
    now, before = chart_counts(wb, "严重程度")
    for period, shown in ((report.period, now), (report.previous, before)):
        got = [r["category"] for r in rows if within(period, r["received"])]
        assert shown == {"严重": sum(c in SEVERE for c in got), "轻微": sum(c not in SEVERE for c in got)}


def test_case_statistics_table_counts_closed_cases_by_unit_and_class(built):
    report, regs, wb = built
    rows = [r for r in records(regs, "complaints", "complaints") if within(report.period, r["closed"])]
    ws = wb["投诉案件统计表"]
    grid = [[c.value for c in row] for row in ws.iter_rows()]
    head = next(i for i, r in enumerate(grid) if r[0] == "责任单位")
    classes = grid[head][1:6]
    end = next(i for i in range(head, len(grid)) if grid[i][0] == "合计")
    body = {r[0]: r for r in grid[head + 1:end]}
    total = len(rows)
    for unit, r in body.items():
        for j, cls in enumerate(classes, 1):
            assert r[j] == sum(1 for x in rows if x["dept"] == unit and x["category"] == cls), (unit, cls)
        mine = sum(1 for x in rows if x["dept"] == unit)
        assert r[6] == mine and r[7] == pytest.approx(mine / total, abs=5e-5)
    assert sum(r[6] for r in body.values()) == total == grid[end][6]


def test_ticket_levels_and_attainment_match_plain_clock_arithmetic(built):
    report, regs, wb = built
    rows = records(regs, "tickets", "tickets")
    now, before = chart_counts(wb, "故障等级")
    for period, shown in ((report.period, now), (report.previous, before)):
        assert shown == plain(Counter(r["level"] for r in rows if within(period, r["received"])), shown)
    # 002 §4.4.4 表2, clock lengths written out: every clock here is calendar time
    limits = {"一级": dt.timedelta(minutes=10), "二级": dt.timedelta(hours=1), "三级": dt.timedelta(hours=2),
              "四级": dt.timedelta(hours=2)}
    table = report.table("tickets.response")
    for level, limit in limits.items():
        mine = [r for r in rows if within(report.period, r["received"]) and r["level"] == level]
        done = [r for r in mine if r["responded"] is not None]
        late_open = [r for r in mine if r["responded"] is None and r["received"] + limit < dt.datetime.combine(TODAY, dt.time())]
        on_time = sum(1 for r in done if r["responded"] - r["received"] <= limit)
        assert table.row(level)[1:3] == [len(done) + len(late_open), on_time], level


def test_satisfaction_item_means_and_classes_match_plain_scoring(built):
    report, regs, wb = built
    spec = load_specs()["surveys"].sheet("surveys")
    items = [c for c in spec.columns if c.key.startswith("q_")]
    rows = [r for r in records(regs, "surveys", "surveys") if within(report.period, r["surveyed"])]
    now, _ = chart_counts(wb, "各项目平均得分")
    for c in items:
        pts = [POINTS[r[c.key]] for r in rows if r[c.key] in POINTS]
        assert now[c.header] == pytest.approx(sum(pts) / len(pts), abs=0.005), c.header
    classes = Counter()
    for r in rows:
        pts = [POINTS[r[c.key]] for c in items if r[c.key] in POINTS]
        score = Decimal(sum(pts)) / len(pts)
        classes["不满意" if score < 80 else "满意" if score <= 90 else "很满意"] += 1
    assert chart_counts(wb, "满意度分类")[0] == dict(classes) | {k: 0 for k in ("不满意", "满意", "很满意") if k not in classes}


def test_training_attendance_and_technician_hours(built):
    report, regs, wb = built
    sessions = {s["session_no"]: s for s in records(regs, "training", "sessions") if within(report.period, s["date"])}
    lines = [a for a in records(regs, "training", "attendees") if a["session_no"] in sessions]
    now, _ = chart_counts(wb, "签到人次")
    assert now == {"应到": len(lines), **{k: sum(a["status"] == k for a in lines) for k in ("实到", "请假", "旷课")}}
    techs = {s["name"] for s in records(regs, "master", "staff") if s["post"] in ("技术工程师", "售后人员")}
    data = chart_data(wb)["技术服务人员培训学时"]
    hours = dict(zip(data["series"][0]["categories"], data["series"][0]["values"]))
    assert set(hours) == techs
    for name in techs:
        expected = sum(sessions[a["session_no"]]["hours"] for a in lines if a["name"] == name and a["status"] == "实到")
        assert hours[name] == pytest.approx(float(expected)), name
    target = data["series"][2]
    assert target["name"] == "本期目标学时" and set(target["values"]) == {8 * len(report.period.months)}


def test_material_balances_are_applied_minus_returned_per_line(built):
    report, regs, wb = built
    end = report.period.end
    applied = {a["app_no"]: a["applied"] for a in records(regs, "materials", "applications")}
    returned = Counter()
    for r in records(regs, "materials", "returns"):
        if r["returned"] <= end:
            returned[(r["app_no"], r["name"], r["model"])] += r["qty"]
    expected = {}
    for it in records(regs, "materials", "items"):
        key = (it["app_no"], it["name"], it["model"])
        if it["nature"] in ("借用", "更换") and applied[it["app_no"]] <= end and it["qty"] > returned[key]:
            expected[key] = it["qty"] - returned[key]
    shown = {(r[0], r[3], r[4]): r[8] for r in report.table("materials.balances").rows}
    assert shown == expected
    out_on_loan = sum(v for (app, name, model), v in expected.items()
                      if any(i["nature"] == "借用" and (i["app_no"], i["name"], i["model"]) == (app, name, model)
                             for i in records(regs, "materials", "items")))
    assert chart_counts(wb, "借用物料")[0]["期末借出未还数量"] == out_on_loan


def test_penalties_of_the_period_add_up_from_the_sanctions_sheet(built):
    report, regs, wb = built
    staff = {s["name"]: s for s in records(regs, "master", "staff")}
    expected = Counter()
    for s in records(regs, "master", "sanctions"):
        if within(report.period, s["date"]):
            # P7 大过 takes the month's whole bonus; the other entries carry their amount
            expected[s["person"]] += staff[s["person"]]["bonus"] if s["kind"] == "大过" else s["amount"]
    ledger = report.table("penalties.ledger").rows
    assert Counter({p: a for p, a in expected.items()}) == Counter(
        {p: sum(r[4] for r in ledger if r[1] == p) for p in {r[1] for r in ledger}})
    if expected:
        now = chart_counts(wb, "个人实扣金额")[0]
        assert {p: Decimal(str(v)) for p, v in now.items() if v} == {p: v for p, v in expected.items() if v}


def test_every_chart_points_at_its_table_cells(built):
    report, _, wb = built
    charts = chart_data(wb)
    tables = [t for s in report.sections for t in s.tables if t.chart and t.rows]
    assert len(charts) == len(tables) >= 15
    for t in tables:
        data = charts[t.chart.title]
        columns = list(t.chart.series) + list(t.chart.lines)
        assert [s["name"] for s in data["series"]] == [t.columns[c] for c in columns]
        for s, c in zip(data["series"], columns):
            assert s["categories"] == [str(r[0]) for r in t.rows]
            assert s["values"] == [None if r[c] is None else pytest.approx(float(r[c])) for r in t.rows], t.key
            assert len(s["values"]) == len(t.rows)   # the 合计 row is never plotted


def test_each_chart_compares_the_period_with_the_previous_one(built):
    report, _, wb = built
    for title, data in chart_data(wb).items():
        names = " ".join(s["name"] for s in data["series"])
        assert report.period.label in names and report.previous.label in names, title


def test_percent_cells_and_axes_are_formatted_as_percentages(built):
    _, _, wb = built
    ws = wb["工单与时效"]
    rates = [c for row in ws.iter_rows() for c in row if c.number_format == "0.0%"]
    assert rates and all(0 <= c.value <= 1 for c in rates)
    assert any(ch.y_axis.numFmt and ch.y_axis.numFmt.formatCode == "0%" for ch in ws._charts)


# ---------------------------------------------------------------------------- business cases

def make_register(rid: str, **rows) -> Register:
    """A register held in memory: sheet key -> list of {column key: value}."""
    spec = load_specs()[rid]
    tables = {
        s.key: Table(spec=s, records=[Record(row=i + 2, values={c.key: r.get(c.key) for c in s.columns}, raw={})
                                      for i, r in enumerate(rows.get(s.key, []))])
        for s in spec.sheets
    }
    return Register(spec, Path(spec.workbook), tables)


def report_of(registers: dict, period: dict, today=dt.date(2026, 11, 20), policy=None):
    return build_report(RunContext(registers, policy or default_policy(), today), period_from_options(**period))


@pytest.mark.parametrize("case", load("report_periods.yaml")["cases"], ids=lambda c: str(c["given"]))
def test_periods(case):
    p = period_from_options(**case["given"])
    assert (p.start, p.end, p.label) == (case["start"], case["end"], case["label"])
    prev = p.previous()
    assert (prev.label, prev.start, prev.end) == (case["previous"], case["previous_start"], case["previous_end"])


@pytest.mark.parametrize("case", load("report_periods.yaml")["errors"], ids=lambda c: str(c["given"]))
def test_bad_periods_are_refused(case):
    with pytest.raises(UserError, match="2026"):
        period_from_options(**case["given"])


@pytest.mark.parametrize("case", load("report_closing.yaml")["cases"], ids=lambda c: c["why"])
def test_complaint_closed_on_time_or_late(case):
    row = {"complaint_no": "261009001", "category": "产品质量", "dept": "生产部", "channel": "电话", **case}
    report = report_of({"complaints": make_register("complaints", complaints=[row])}, load("report_closing.yaml")["period"])
    counts = {r[0]: r[1] for r in report.table("complaints.closing").rows}
    assert counts == {"按期结案": int(case["expected"] == "按期结案"), "逾期结案": int(case["expected"] == "逾期结案")}
    late = report.table("complaints.late").rows
    assert len(late) == (case["expected"] == "逾期结案")


@pytest.mark.parametrize("case", load("report_tickets.yaml")["cases"], ids=lambda c: c["why"])
def test_ticket_attainment(case):
    spec = load("report_tickets.yaml")
    when = {k: (dt.datetime.fromisoformat(v) if isinstance(v, str) else v)
            for k, v in case.items() if k in ("received", "responded", "arrived")}
    row = {"ticket_no": "YX261001", "level": case["level"], "onsite": case.get("onsite"), **when}
    report = report_of({"tickets": make_register("tickets", tickets=[row])}, spec["period"], spec["today"])
    table = report.table("tickets.response" if case["step"] == "响应" else "tickets.onsite")
    counted, met = table.row(case["level"])[1:3]
    assert (counted, met) == {"达标": (1, 1), "未达标": (1, 0), "不计": (0, 0)}[case["expected"]]


def test_late_replies_are_fined_per_working_day_and_capped_at_half_the_bonus():
    # 001 §14 4.5 1) 50 yuan per day late; 004 Ⅷ 经济处罚准则 (三)4 at most 50% of the month's bonus.
    # complaint.reply: 5 working days from Fri 2026-10-09 is 10-15 (Sat 10-10 is a make-up working day);
    # replied 10-21: late by the working days 10-16, 19, 20, 21 = 4 × 50 = 200, of which 100 (50% of 200) is deducted.
    complaint = {"complaint_no": "261009001", "received": dt.date(2026, 10, 9), "region": "国内", "category": "建议",
                 "owner": "张三", "replied": dt.date(2026, 10, 21)}
    master = make_register("master", staff=[{"name": "张三", "dept": "客户服务部", "post": "客服专员", "bonus": Decimal("200")}])
    report = report_of({"complaints": make_register("complaints", complaints=[complaint]), "master": master}, {"month": "2026-10"})
    (ledger,) = report.table("penalties.ledger").rows
    assert ledger[1:5] == ["张三", "P1", "261009001", Decimal("200.00")]
    (person,) = report.table("penalties.people").rows
    assert person == ["张三", 1, Decimal("200.00"), Decimal("100.00"), Decimal("100.00"), Decimal("0.00")]


def test_loans_out_overdue_and_returned_late():
    app = {"app_no": "WL2610001", "applied": dt.date(2026, 10, 8), "applicant": "李四", "customer": "甲公司"}
    items = [{"app_no": "WL2610001", "name": "示波器", "model": "TBS1102", "qty": 3, "nature": "借用",
              "return_by": dt.date(2026, 10, 20)},
             {"app_no": "WL2610001", "name": "扎带", "model": "5x300", "qty": 40, "nature": "领用"}]
    back = [{"app_no": "WL2610001", "name": "示波器", "model": "TBS1102", "qty": 1, "returned": dt.date(2026, 10, 25)}]
    report = report_of({"materials": make_register("materials", applications=[app], items=items, returns=back)},
                       {"month": "2026-10"})
    summary = {r[0]: r[1] for r in report.table("materials.summary").rows}
    assert summary == {"申请单数": 1, "借出数量": 3, "归还数量": 1, "逾期归还数量": 1, "期末借出未还数量": 2,
                       "期末逾期未还数量": 2}
    (line,) = report.table("materials.balances").rows
    assert line[6:9] == [3, 1, 2] and line[10] == "逾期 11 天"


def test_missing_registers_leave_a_note_instead_of_failing():
    report = report_of({"complaints": make_register("complaints")}, {"month": "2026-10"})
    assert "未找到台账" in report.section("tickets").notes[0]
    assert report.table("complaints.category").total == ["合计", 0, 0]


def test_the_policy_decides_the_closing_deadline():
    policy = default_policy()
    policy["deadlines"]["complaint.close.domestic"]["amount"] = 20
    row = {"complaint_no": "261009001", "category": "建议", "received": dt.date(2026, 9, 28), "region": "国内",
           "closed": dt.date(2026, 10, 12)}
    report = report_of({"complaints": make_register("complaints", complaints=[row])}, {"month": "2026-10"}, policy=policy)
    assert report.table("complaints.closing").rows[0] == ["按期结案", 1, 0]


# ---------------------------------------------------------------------------- PDF and CLI

def test_pdf_has_a_cover_page_numbers_and_every_glyph(sample, tmp_path):
    from generator.reports.report_pdf import (
        write_report_pdf,  # loads matplotlib: only this test needs it
    )

    regs, policy = sample
    report = build_report(RunContext(regs, policy, TODAY), period_from_options(month="2026-03"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")     # matplotlib warns "Glyph … missing from font(s)" for every box it draws
        first = write_report_pdf(report, tmp_path / "a.pdf")
    pages = PdfReader(first).pages
    texts = [p.extract_text() for p in pages]
    assert policy["company"]["name"] in texts[0] and "售后服务月度报告" in texts[0]
    assert all(w in texts[0] for w in ("编制", "审核", "批准", "2026年3月"))
    for n, text in enumerate(texts, 1):
        assert f"第 {n} 页 共 {len(pages)} 页" in text
    body = "".join(texts)
    assert all(w in body for w in ("投诉类别", "故障等级", "CSI 月度趋势", "技术服务人员培训学时", "期末未归还明细"))
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(first)], capture_output=True, text=True).stdout
        assert "NotoSansCJKsc" in fonts and "DejaVu" not in fonts
    # no creation date: the same report gives the same bytes (checked on the summary alone, for speed)
    report.sections = report.sections[:1]
    a, b = (write_report_pdf(report, tmp_path / f"{n}.pdf").read_bytes() for n in "cd")
    assert a == b


runner = CliRunner()


def test_cli_writes_the_workbook_and_prints_indicators(sample_dir_session, tmp_path):
    out = tmp_path / "reports" / "2026-H1.xlsx"
    result = runner.invoke(app, ["report", str(sample_dir_session), "--half", "2026-H1", "--out", str(out),
                                 "--today", "2026-07-01", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["period"] == "2026-H1" and data["previous"] == "2025-H2" and data["files"] == [str(out)]
    complaints = [r for r in records(read_all(sample_dir_session), "complaints", "complaints")
                  if dt.date(2026, 1, 1) <= r["received"] <= dt.date(2026, 6, 30)]
    assert data["indicators"][0] == {"name": "投诉受理数", "current": len(complaints), "previous": data["indicators"][0]["previous"]}
    assert openpyxl.load_workbook(out).sheetnames[:3] == ["概要", "投诉分析", "投诉案件统计表"]


@pytest.mark.parametrize("args, message", [
    ([], "只指定一个统计期间"),
    (["--month", "2026-10", "--year", "2026"], "只指定一个统计期间"),
    (["--half", "2026-H3"], "2026-H2"),
])
def test_cli_refuses_a_bad_period(sample_dir_session, tmp_path, args, message):
    result = runner.invoke(app, ["report", str(sample_dir_session), *args, "--out", str(tmp_path / "r.xlsx")])
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "r.xlsx").exists()


def test_cli_refuses_an_output_that_is_not_xlsx(sample_dir_session, tmp_path):
    result = runner.invoke(app, ["report", str(sample_dir_session), "--year", "2026", "--out", str(tmp_path / "r.pdf")])
    assert result.exit_code == 2 and ".xlsx" in result.output


def test_ratio_is_a_decimal_shown_as_percent():
    assert isinstance(Ratio("0.5"), Decimal)


# ---------------------------------------------------------------------------- changes and policy texts

def test_a_change_between_two_rates_is_shown_in_percentage_points(tmp_path):
    # complaint.close.domestic: 13 calendar days from 受理 (004 Ⅷ (十)1).
    # September: 3 of 4 closed on time = 75.00%; October: 2 of 3 = 66.67% (ratio 0.6667).
    # Change: 0.6667 − 0.75 = −0.0833 = −8.33 points, shown to 0.1: 下降 8.3 个百分点
    # (a relative change would have been −11.1%).
    cases = [("2026-09-01", "2026-09-10"), ("2026-09-02", "2026-09-12"), ("2026-09-03", "2026-09-14"),
             ("2026-08-20", "2026-09-15"),                        # 26 days: late
             ("2026-10-01", "2026-10-10"), ("2026-10-02", "2026-10-14"),
             ("2026-09-20", "2026-10-08")]                        # 18 days: late
    rows = [{"complaint_no": f"2609{i:05d}", "category": "建议", "region": "国内",
             "received": dt.date.fromisoformat(r), "closed": dt.date.fromisoformat(c)} for i, (r, c) in enumerate(cases)]
    report = report_of({"complaints": make_register("complaints", complaints=rows)}, {"month": "2026-10"})
    summary = report.table("summary.indicators")
    name, now, before, change = summary.row("投诉按期结案率")
    assert (now, before) == (Decimal("0.6667"), Decimal("0.75"))
    assert show(change) == "下降 8.3 个百分点"
    assert summary.row("投诉结案数")[1:] == [3, 4, -1]            # counts change in their own unit
    path = tmp_path / "r.xlsx"
    write_report_xlsx(report, path)
    ws = openpyxl.load_workbook(path)["概要"]
    cell = next(row[3] for row in ws.iter_rows() if row[0].value == "投诉按期结案率")
    assert cell.value == -8.3 and "%" not in cell.number_format
    assert cell.number_format == '"上升 "0.0" 个百分点";"下降 "0.0" 个百分点";"持平"'


def test_points_text_rises_falls_and_stays():
    assert [show(Points(v)) for v in ("12.5", "-0.1", "0.0")] == ["上升 12.5 个百分点", "下降 0.1 个百分点", "持平"]


def report_texts(report) -> str:
    return "\n".join([*(n for s in report.sections for n in s.notes),
                      *(f"{t.title}\n{t.note}" for s in report.sections for t in s.tables)])


def test_regulation_values_in_titles_come_from_the_policy():
    registers = {"complaints": make_register("complaints"), "surveys": make_register("surveys")}
    text = report_texts(report_of(registers, {"month": "2026-10"}))
    for default in ("国内 13 天、国外 17 天", "每月不超过效率奖金的50%", "N 30%、X 40%、P 30%",
                    "总评分 < 80 为不满意", "80 ≤ 总评分 ≤ 90 为满意", "1 非常满意 … 5 很不满意"):
        assert default in text, default
    policy = default_policy()
    policy["penalties"]["monthly_cap"]["share"] = Decimal("0.40")
    policy["deadlines"]["complaint.close.domestic"]["amount"] = 15
    text = report_texts(report_of(registers, {"month": "2026-10"}, policy=policy))
    assert "每月不超过效率奖金的40%" in text and "50%" not in text
    assert "国内 15 天、国外 17 天" in text and "13 天" not in text
