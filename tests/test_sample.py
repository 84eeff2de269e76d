"""The sample year: deterministic, realistic, clean except for the documented planted mistakes."""
from __future__ import annotations

import copy
import datetime as dt
import re
import time
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from generator.assess.checks import RunContext, run_checks
from generator.config.policy import default_policy
from generator.config.register_specs import load_specs
from generator.registers.read import Record, Register, Table, read_all
from generator.rules.number_checks import check_numbers
from generator.rules.numbering import NumberEntry, compile_rule
from generator.rules.penalties import check_sanction, check_special_approvals
from generator.rules.workcal import WorkCalendar
from generator.sample.base import END, SAMPLE_TODAY, START
from generator.sample.planted import CASES, PLANTED, planted_markdown
from generator.sample.year import sample_data

DOC = Path(__file__).resolve().parents[1] / "docs" / "SAMPLE.md"
SPECS = load_specs()
# The codes the sample must be clean of, apart from PLANTED (checkers of other families may
# report the deliberate business cases in CASES).
CHECKED_FAMILIES = ("field.", "number.", "deadline.")


@pytest.fixture(scope="module")
def policy() -> dict:
    return default_policy()


@pytest.fixture(scope="module")
def data(policy) -> dict:
    return sample_data(policy)


def rows(data, register, sheet):
    return data[register][sheet]


def planted(code: str) -> list[tuple]:
    """(register, sheet key, Excel row, column key) of the planted mistakes with this code."""
    return [(p.register, p.sheet, r, p.column) for p in PLANTED if p.code == code for r in p.rows]


def planted_cells() -> set[tuple]:
    return {(p.register, p.sheet, r, p.column) for p in PLANTED for r in p.rows}


def at(data, register, sheet, row):
    return data[register][sheet][row - 2]


def expected_findings() -> set[tuple]:
    """(register, sheet name, row, column header, code) of every planted mistake."""
    out = set()
    for p in PLANTED:
        sheet = SPECS[p.register].sheet(p.sheet)
        header = sheet.column(p.column).header if p.column else None
        out |= {(p.register, sheet.name, r, header, p.code) for r in p.rows}
    return out


def checked(findings) -> set[tuple]:
    return {(f.register, f.sheet, f.row, f.column, f.code) for f in findings if f.code.startswith(CHECKED_FAMILIES)}


def company_calendar(data) -> WorkCalendar:
    return WorkCalendar({h["date"]: h["kind"] == "班" for h in rows(data, "master", "holidays")})


# --- shape and determinism --------------------------------------------------------------------


def test_two_calls_give_equal_data_quickly(policy, data):
    t0 = time.perf_counter()
    again = sample_data(policy)
    elapsed = time.perf_counter() - t0
    assert again == data
    assert elapsed < 1.0, f"generation took {elapsed:.2f} s"


def test_the_input_policy_is_not_changed(policy):
    before = copy.deepcopy(policy)
    sample_data(policy)
    assert policy == before


def test_every_register_sheet_and_column_is_present(data):
    assert set(data) == set(SPECS)
    for reg_id, spec in SPECS.items():
        assert set(data[reg_id]) == {s.key for s in spec.sheets}
        for sheet in spec.sheets:
            keys = [c.key for c in sheet.columns]
            for r in data[reg_id][sheet.key]:
                assert list(r) == keys


@pytest.mark.parametrize("register, sheet, lo, hi", [
    ("master", "departments", 10, 10), ("master", "staff", 22, 30), ("master", "customers", 55, 65),
    ("master", "holidays", 2, 4), ("master", "sanctions", 4, 10), ("master", "approvals", 5, 12),
    ("master", "kpi", 10, 200),
    ("tickets", "tickets", 400, 600), ("tickets", "field_services", 100, 400), ("tickets", "parts", 40, 400),
    ("complaints", "complaints", 90, 120),
    ("materials", "applications", 50, 70), ("materials", "items", 60, 240), ("materials", "returns", 30, 240),
    ("training", "sessions", 20, 28), ("training", "attendees", 160, 1000),
    ("surveys", "surveys", 100, 140),
])
def test_counts(data, register, sheet, lo, hi):
    assert lo <= len(rows(data, register, sheet)) <= hi


# --- values ---------------------------------------------------------------------------------

PY_TYPES = {"text": str, "choice": str, "phone": str, "integer": int, "money": Decimal, "decimal": Decimal,
            "date": dt.date, "datetime": dt.datetime}


def master_lists(data) -> dict[str, set[str]]:
    return {f"master.{s.key}.{c.key}": {r[c.key] for r in rows(data, "master", s.key) if r[c.key] is not None}
            for s in SPECS["master"].sheets for c in s.columns}


def test_every_value_matches_its_column(data):
    lists = master_lists(data)
    bad = []
    for reg_id, spec in SPECS.items():
        for sheet in spec.sheets:
            for i, r in enumerate(data[reg_id][sheet.key], start=2):
                for c in sheet.columns:
                    v = r[c.key]
                    if v is None:
                        continue
                    where = (reg_id, sheet.key, i, c.key)
                    ok = type(v) is PY_TYPES[c.type]
                    if c.type == "datetime":
                        ok = ok and v.second == 0 and v.microsecond == 0
                    if c.type == "money":
                        ok = ok and v == v.quantize(Decimal("0.01")) and v.as_tuple().exponent == -2
                    if c.type == "phone":
                        ok = ok and re.fullmatch(r"1[3-9]\d{9}", v) is not None
                    if c.type in ("integer", "money", "decimal"):
                        ok = ok and (c.min is None or v >= Decimal(str(c.min)))
                        ok = ok and (c.max is None or v <= Decimal(str(c.max)))
                    if c.choices and where not in planted_cells():
                        ok = ok and v in c.choices
                    if c.choices_from:
                        ok = ok and v in lists[c.choices_from]
                    if isinstance(v, str):
                        ok = ok and v == v.strip() and v != ""
                    if not ok:
                        bad.append((*where, v))
    assert bad == []


def test_required_fields_are_filled_except_the_planted_one(data):
    missing = [(reg_id, s.key, i, c.key)
               for reg_id, spec in SPECS.items() for s in spec.sheets
               for i, r in enumerate(data[reg_id][s.key], start=2)
               for c in s.columns if c.required and r[c.key] is None]
    assert missing == planted("field.required")


def test_dates_are_in_order_except_the_planted_one(data):
    wrong = []
    for reg_id, spec in SPECS.items():
        for s in spec.sheets:
            for i, r in enumerate(data[reg_id][s.key], start=2):
                for c in s.columns:
                    before = r.get(c.not_before) if c.not_before else None
                    if r[c.key] is not None and before is not None and _dt(r[c.key]) < _dt(before):
                        wrong.append((reg_id, s.key, i, c.key))
    assert wrong == planted("field.date_order")


def _dt(v):
    return v if isinstance(v, dt.datetime) else dt.datetime.combine(v, dt.time())


PLANNED = {"due", "return_by", "repair_delivery"}   # dates that may lie after the period
PAST = {"purchased", "delivered", "commissioned"}  # dates from before the period


def test_record_dates_lie_in_the_sample_year(data):
    outside = []
    for reg_id, spec in SPECS.items():
        for s in spec.sheets:
            for i, r in enumerate(data[reg_id][s.key], start=2):
                for c in s.columns:
                    v = r[c.key]
                    if c.type in ("date", "datetime") and v is not None and c.key not in PLANNED | PAST:
                        day = v.date() if isinstance(v, dt.datetime) else v
                        if not START <= day <= END:
                            outside.append((reg_id, s.key, i, c.key, day))
    assert outside == []


def test_rows_are_sorted_by_date_then_number(data):
    for reg_id, spec in SPECS.items():
        for s in spec.sheets:
            if s.number and s.number_date:
                keys = [(r[s.number_date], r[s.number]) for r in data[reg_id][s.key]]
                assert keys == sorted(keys), (reg_id, s.key)


# --- numbers --------------------------------------------------------------------------------


def numbered_sheets():
    return [(reg_id, s) for reg_id, spec in SPECS.items() for s in spec.sheets if s.number]


def test_numbers_follow_the_policy_and_are_continuous(policy, data):
    depts = set(policy["departments"])
    found = []
    for reg_id, s in numbered_sheets():
        rule = policy["numbering"][s.numbering]
        pattern = compile_rule(rule).pattern
        entries = []
        for i, r in enumerate(data[reg_id][s.key], start=2):
            assert pattern.match(r[s.number]), (reg_id, r[s.number])
            d = r[s.number_date]
            entries.append(NumberEntry(i, r[s.number], d.date() if isinstance(d, dt.datetime) else d,
                                       r[s.number_dept] if s.number_dept else None))
        found += check_numbers(entries, rule, depts, register=reg_id, sheet=s.name,
                               column=s.column(s.number).header, rule_id=s.numbering)
    expected = {f for f in expected_findings() if f[4].startswith("number.")}
    assert checked(found) == expected
    assert all(f.code.startswith("number.") for f in found)


def test_complaint_numbers_restart_on_new_year(policy, data):
    pattern = compile_rule(policy["numbering"]["complaint"]).pattern
    complaints = rows(data, "complaints", "complaints")
    last_2025 = [c for c in complaints if c["received"].year == 2025][-1]
    first_2026 = next(c for c in complaints if c["received"].year == 2026)
    assert pattern.match(last_2025["complaint_no"]).seq > 40
    assert pattern.match(first_2026["complaint_no"]).seq == 1


def test_numbers_come_from_the_policy_not_from_literals(policy):
    p = copy.deepcopy(policy)
    p["numbering"]["complaint"] = {"pattern": "TS-{YYYY}-{SEQ:4}", "reset": "never", "per_dept": False}
    p["numbering"]["material"] = {"pattern": "JY{YYYY}{MM}{SEQ:2}", "reset": "month", "per_dept": False}
    d = sample_data(p)
    numbers = [c["complaint_no"] for c in d["complaints"]["complaints"]]
    assert numbers[0] == "TS-2025-0001"
    assert all(re.fullmatch(r"TS-202[56]-\d{4}", n) for n in numbers)
    assert all(re.fullmatch(r"JY202[56]\d{2}\d{2}", a["app_no"]) for a in d["materials"]["applications"])


def test_no_department_month_runs_out_of_serials(policy, data):
    for reg_id, s in numbered_sheets():
        width = compile_rule(policy["numbering"][s.numbering]).pattern.max_seq
        per_cycle = Counter()
        for r in data[reg_id][s.key]:
            d = r[s.number_date]
            per_cycle[(r[s.number_dept] if s.number_dept else None, d.year, d.month)] += 1
        assert max(per_cycle.values()) < width, (reg_id, s.key)


# --- the planted mistakes -------------------------------------------------------------------


def test_planted_mistakes_are_where_the_constant_says(policy, data):
    cal = company_calendar(data)
    complaints = rows(data, "complaints", "complaints")
    pattern = compile_rule(policy["numbering"]["complaint"]).pattern
    for p in PLANTED:
        recs = [at(data, p.register, p.sheet, r) for r in p.rows]
        r = recs[-1]
        if p.code == "number.duplicate":
            assert len({x[p.column] for x in recs}) == 1 and len(recs) == 2
            assert sum(c[p.column] == r[p.column] for c in complaints) == 2
        elif p.code == "number.gap":
            prev = at(data, p.register, p.sheet, p.rows[0] - 1)
            assert pattern.match(r[p.column]).seq == pattern.match(prev[p.column]).seq + 2
        elif p.code == "deadline.late":
            assert cal.working_days_between(r["received"], r["replied"]) > 5
        elif p.code == "field.date_order":
            assert r["closed"] < r["received"]
        elif p.code == "field.required":
            assert r[p.column] is None
        elif p.code == "number.date_mismatch":
            parsed = compile_rule(policy["numbering"]["ticket"]).pattern.match(r["ticket_no"])
            assert (parsed.year, parsed.month) != (r["received"].year, r["received"].month)
        elif p.code == "field.choice":
            assert r[p.column] not in SPECS[p.register].sheet(p.sheet).column(p.column).choices
        elif p.code == "approval.over_count":
            assert r["post"] == "区域经理"
        else:
            pytest.fail(f"no property test for {p.code}")


def test_doc_lists_the_planted_mistakes():
    text = DOC.read_text(encoding="utf-8")
    assert planted_markdown() in text
    assert len(planted_markdown().strip().splitlines()) == 2 + len(PLANTED) + 2 + len(CASES)


def _in_memory_registers(data) -> dict[str, Register]:
    return {
        reg_id: Register(spec, Path(spec.workbook), {
            s.key: Table(s, [Record(i, dict(r), dict(r)) for i, r in enumerate(data[reg_id][s.key], start=2)])
            for s in spec.sheets})
        for reg_id, spec in SPECS.items()
    }


@pytest.mark.parametrize("today", [SAMPLE_TODAY, SAMPLE_TODAY + dt.timedelta(days=1)])  # the day `demo` uses
def test_checks_find_exactly_the_planted_mistakes(policy, data, today):
    findings = run_checks(RunContext(_in_memory_registers(data), policy, today))
    assert checked(findings) == {f for f in expected_findings() if f[4].startswith(CHECKED_FAMILIES)}


def test_checks_after_writing_the_workbooks(sample_dir_session):
    """The same through `aftersales init --sample`: the workbooks keep every value."""
    from generator.config.policy import find_policy

    policy = find_policy(sample_dir_session)
    findings = run_checks(RunContext(read_all(sample_dir_session), policy, SAMPLE_TODAY))
    assert checked(findings) == {f for f in expected_findings() if f[4].startswith(CHECKED_FAMILIES)}


def test_special_approvals_exceed_only_where_planted(policy, data):
    approvals = [dict(a, row=i, case=a["case_no"]) for i, a in enumerate(rows(data, "master", "approvals"), start=2)]
    found = check_special_approvals(approvals, policy, register="master", sheet="approvals")
    assert {(f.row, f.code) for f in found} == {(r, p.code) for p in PLANTED if p.sheet == "approvals" for r in p.rows}


def test_sanctions_meet_their_floors(policy, data):
    points = {s["name"]: s["base_points"] for s in rows(data, "master", "staff")}
    kinds = Counter()
    for s in rows(data, "master", "sanctions"):
        kinds[s["kind"]] += 1
        assert s["rule"] in ("P2", "P3", "P12")
        if s["kind"] != "罚款" and s["amount"] is not None:
            assert check_sanction(s["kind"], s["amount"], policy, bases=points[s["person"]]) == []
    assert set(kinds) == {"警告", "小过", "大过", "罚款"}


# --- realism --------------------------------------------------------------------------------


def _limit(policy, rule_id) -> dt.timedelta:
    rule = policy["deadlines"][rule_id]
    unit = {"calendar_minutes": "minutes", "calendar_hours": "hours"}[rule["clock"]]
    return dt.timedelta(**{unit: int(rule["amount"])})


def test_tickets_meet_the_fault_level_deadlines(policy, data):
    """002 §4.4.4 表2 and the 1-hour callback (000 ch.1 §3.1), from the policy's own rules."""
    levels = {"一级": "level1", "二级": "level2", "三级": "level3", "四级": "level4"}
    for t in rows(data, "tickets", "tickets"):
        lv = levels[t["level"]]
        took = t["responded"] - t["received"]
        assert took <= _limit(policy, "ticket.callback")
        assert took <= _limit(policy, f"ticket.{lv}.response")
        if t["onsite"] == "是" and lv != "level4":
            assert t["arrived"] - t["received"] <= _limit(policy, f"ticket.{lv}.onsite")
        if t["completed"]:
            assert t["completed"] - t["received"] <= _limit(policy, "ticket.level2.onsite")


def test_tickets_look_like_a_year_of_service(data):
    tickets = rows(data, "tickets", "tickets")
    cal = company_calendar(data)
    assert {t["level"] for t in tickets} == {"一级", "二级", "三级", "四级"}
    assert sum(cal.is_working(t["received"].date()) for t in tickets) / len(tickets) >= 0.9
    assert all(dt.time(8, 30) <= t["received"].time() <= dt.time(18) for t in tickets)
    ratings = [t[k] for t in tickets for k in ("attitude", "skill", "speed") if t[k] is not None]
    assert sum(r <= 2 for r in ratings) / len(ratings) >= 0.75
    assert any(t["onsite"] == "否" for t in tickets)
    still_open = [t for t in tickets if t["completed"] is None]
    assert 2 <= len(still_open) <= 10
    assert all(t["received"].date() >= END - dt.timedelta(days=2) for t in still_open)
    paid = [t for t in tickets if t["service_type"] == "有偿服务"]
    assert paid and all(t["travel_cost"] is not None and t["days_away"] and t["labour_days"]
                        and t["materials_cost"] is not None for t in paid)


def test_field_services_and_parts_belong_to_their_tickets(data):
    tickets = {t["ticket_no"]: t for t in rows(data, "tickets", "tickets")}
    services = rows(data, "tickets", "field_services")
    assert {s["ticket_no"] for s in services} == {n for n, t in tickets.items() if t["onsite"] == "是"}
    for s in services:
        t = tickets[s["ticket_no"]]
        assert t["field_service_no"] == s["fs_no"]
        assert s["dept_code"] in ("SC", "SJ", "HY", "YF")
        assert s["engineer"] == t["engineer"] and s["departed"] == t["arrived"].date()
    parts = rows(data, "tickets", "parts")
    assert {p["kind"] for p in parts} == {"三包件", "客户购买件"}
    assert all((p["unit_price"] is not None) == (p["kind"] == "客户购买件") for p in parts)
    assert all(p["ticket_no"] in tickets for p in parts)
    for t in tickets.values():
        if t["service_type"] == "有偿服务":
            bought = sum((p["qty"] * p["unit_price"] for p in parts
                          if p["ticket_no"] == t["ticket_no"] and p["unit_price"] is not None), Decimal(0))
            assert t["materials_cost"] == bought


def test_complaints_are_answered_and_closed_in_time(data):
    cal = company_calendar(data)
    complaints = rows(data, "complaints", "complaints")
    late = {r for _, _, r, _ in planted("deadline.late")}
    typo = {r for _, _, r, _ in planted("field.date_order")}
    for i, c in enumerate(complaints, start=2):
        if c["replied"] and i not in late:
            assert cal.working_days_between(c["received"], c["replied"]) <= 5
        if c["dept_answered"]:
            assert cal.working_days_between(c["transferred"], c["dept_answered"]) <= 3
        if c["closed"] and i not in typo:
            assert (c["closed"] - c["received"]).days <= (13 if c["region"] == "国内" else 17)
    assert {c["category"] for c in complaints} == {"服务质量", "外观包装", "产品质量", "建议", "其他"}
    assert 2 <= sum(c["region"] == "国外" for c in complaints) <= 15
    open_ = [c for c in complaints if c["closed"] is None]
    assert 2 <= len(open_) <= 8 and all(c["received"] >= END - dt.timedelta(days=10) for c in open_)
    staff = {s["name"]: s["dept"] for s in rows(data, "master", "staff")}
    assert all(staff[c["owner"]] == c["dept"] for c in complaints)


def test_materials_are_lent_and_returned(data):
    apps = {a["app_no"]: a for a in rows(data, "materials", "applications")}
    items = rows(data, "materials", "items")
    per_app = Counter(i["app_no"] for i in items)
    assert set(per_app) == set(apps) and max(per_app.values()) <= 4
    returned = defaultdict(int)
    for r in rows(data, "materials", "returns"):
        returned[(r["app_no"], r["name"])] += r["qty"]
        assert r["returned"] >= apps[r["app_no"]]["applied"]
        assert (r["tracking_no"] is None) == (r["courier"] == "自送")
    partly = not_back = 0
    for i in items:
        back = returned.get((i["app_no"], i["name"]), 0)
        assert back <= i["qty"]
        if i["nature"] == "借用":
            assert i["return_by"] is not None
            last = [r["returned"] for r in rows(data, "materials", "returns")
                    if (r["app_no"], r["name"]) == (i["app_no"], i["name"])]
            assert all(d <= i["return_by"] for d in last)
            if back < i["qty"]:
                assert i["return_by"] > SAMPLE_TODAY   # still out, but not overdue
                partly += back > 0
                not_back += back == 0
    assert partly >= 1 and not_back >= 1
    two_parcels = Counter((r["app_no"], r["name"]) for r in rows(data, "materials", "returns"))
    assert max(two_parcels.values()) >= 2


def test_training_sessions_and_sign_in(policy, data):
    sessions = rows(data, "training", "sessions")
    attendees = rows(data, "training", "attendees")
    size = Counter(a["session_no"] for a in attendees)
    assert set(size) == {s["session_no"] for s in sessions}
    assert min(size.values()) >= 8 and max(size.values()) <= 40
    assert any(n > 25 for n in size.values())
    assert Counter(a["status"] for a in attendees)["实到"] / len(attendees) >= 0.85
    assert {s["kind"] for s in sessions} == {"内部员工", "用户"}
    for s in sessions:
        if s["kind"] == "用户":
            assert s["customer"] and s["customer_id"] and s["customer_address"]
    # every field engineer trains the monthly quota (003 §4.4.3)
    field = [p["name"] for p in rows(data, "master", "staff") if p["post"] in ("技术工程师", "售后人员")]
    need = Decimal(policy["scores"]["training"]["monthly_hours"])
    by_no = {s["session_no"]: s for s in sessions}
    hours = defaultdict(Decimal)
    for a in attendees:
        s = by_no[a["session_no"]]
        if a["status"] == "实到":
            hours[(a["name"], s["date"].year, s["date"].month)] += s["hours"]
    for y, m in {(s["date"].year, s["date"].month) for s in sessions}:
        assert all(hours[(n, y, m)] >= need for n in field)


def test_surveys_are_mostly_satisfied(data):
    surveys = rows(data, "surveys", "surveys")
    items = [k for k in surveys[0] if k.startswith("q_")]
    assert len(items) == 9
    answers = [s[k] for s in surveys for k in items]
    assert sum(a in ("满意", "非常满意") for a in answers) / len(answers) >= 0.75
    assert any(s["comments"] for s in surveys)


def test_master_data(policy, data):
    depts = rows(data, "master", "departments")
    assert [(d["code"], d["name"]) for d in depts] == list(policy["departments"].items())
    staff = rows(data, "master", "staff")
    assert {s["post"] for s in staff} == set(SPECS["master"].sheet("staff").column("post").choices)
    assert len({s["name"] for s in staff}) == len(staff)
    for d in depts:   # a department's base points are its people's
        mine = [s["base_points"] for s in staff if s["dept"] == d["name"]]
        assert d["base_points"] == (sum(mine) if mine else None)
    customers = rows(data, "master", "customers")
    assert len({c["name"] for c in customers}) == len(customers)
    assert any(c["annual_sales"] < 20000 for c in customers)
    holidays = {(h["date"], h["kind"]) for h in rows(data, "master", "holidays")}
    assert (dt.date(2025, 12, 31), "休") in holidays
    kpi = rows(data, "master", "kpi")
    assert {k["quarter"] for k in kpi} == {"2026-Q1", "2026-Q2"}
    assert {k["kind"] for k in kpi} == {"计划指标", "控制指标"}
    posts = {s["name"]: s["post"] for s in staff}
    for k in kpi:   # metrics are the ones the policy weights for the person's post
        assert k["metric"] in policy["scores"]["kpi"]["posts"][posts[k["person"]]]["weights"]


def test_bundled_sample_workbooks_are_up_to_date():
    """workbooks/sample is what `init --sample` writes today (refresh: make workbooks)."""
    from pathlib import Path

    from generator.config.policy import default_policy_text
    from generator.registers.read import read_all

    folder = Path(__file__).parents[1] / "workbooks" / "sample"
    assert (folder / "policy.toml").read_text(encoding="utf-8") == default_policy_text()
    data = sample_data(default_policy())
    for rid, reg in read_all(folder).items():
        for key, table in reg.tables.items():
            assert [r.values for r in table.records] == [
                {c.key: row.get(c.key) for c in table.spec.columns} for row in data[rid].get(key, [])
            ], f"{rid}/{key} is stale: run make workbooks"
