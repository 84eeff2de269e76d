"""Numbering: the pattern grammar, the checks (N1–N5), allocation, the checker and the CLI.

Business cases are YAML tables in tests/cases/numbering_*.yaml; the property tests below
generate valid registers and break them in one place at a time.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
import yaml
from hypothesis import assume, given
from hypothesis import strategies as st
from typer.testing import CliRunner

from generator.assess.checks import CHECKERS, RunContext, check_register_numbers
from generator.cli import app
from generator.config.policy import default_policy
from generator.config.register_specs import load_specs
from generator.core.errors import UserError
from generator.core.findings import ERROR, WARNING
from generator.registers.read import Record, Register, Table
from generator.registers.safewrite import BACKUP_DIR
from generator.rules.number_checks import check_numbers
from generator.rules.numbering import (
    NumberEntry,
    Pattern,
    assign_numbers,
    compile_rule,
    next_number,
    normalise_number,
)

CASES = Path(__file__).parent / "cases"
POLICY = default_policy()
KNOWN = set(POLICY["departments"])
KS = {"pattern": "KS-{YYYY}-{SEQ:4}", "reset": "never", "per_dept": False, "title": "客诉编号"}


def load_cases(name: str) -> list[dict]:
    return yaml.safe_load((CASES / name).read_text(encoding="utf-8"))


def case_rule(case: dict) -> tuple[dict, str | None]:
    rule = case["rule"]
    return (POLICY["numbering"][rule], rule) if isinstance(rule, str) else (rule, None)


def case_entries(case: dict) -> list[NumberEntry]:
    """The case's rows, after `fill` correct rows from row 2 (serials 1..count)."""
    rule, rule_id = case_rule(case)
    out = []
    fill = case.get("fill")
    if fill:
        p = compile_rule(rule, rule_id).pattern
        out = [NumberEntry(2 + k, p.format(fill["date"], k + 1, fill.get("dept")), fill["date"], fill.get("dept"))
               for k in range(fill["count"])]
    for row in case.get("rows") or []:
        row = list(row) + [None] * (4 - len(row))
        out.append(NumberEntry(*row))
    return out


def run_check(entries, rule, rule_id=None):
    return check_numbers(entries, rule, KNOWN, register="complaints", sheet="投诉登记", column="投诉编号",
                         rule_id=rule_id)


def keys(findings) -> set[tuple]:
    return {(f.row, f.code) for f in findings}


# ----------------------------------------------------------------- YAML case tables


@pytest.mark.parametrize("case", load_cases("numbering_checks.yaml"), ids=lambda c: c["case"])
def test_check_cases(case):
    rule, rule_id = case_rule(case)
    findings = run_check(case_entries(case), rule, rule_id)
    expected = [e if isinstance(e, dict) else {"row": e[0], "code": e[1]} for e in case["expect"]]
    assert sorted((f.row, f.code) for f in findings) == sorted((e["row"], e["code"]) for e in expected), [
        (f.row, f.code, f.message) for f in findings]
    by_key = {(f.row, f.code): f for f in findings}
    for e in expected:
        f = by_key[(e["row"], e["code"])]
        assert f.severity == e.get("severity", ERROR)
        assert e.get("says", "") in f.message
        assert f.column == "投诉编号" and f.sheet == "投诉登记"


@pytest.mark.parametrize("case", load_cases("numbering_allocate.yaml"), ids=lambda c: c["case"])
def test_allocate_cases(case):
    rule, rule_id = case_rule(case)
    entries = case_entries(case)
    if "next" in case:
        call = lambda: next_number(entries, rule, case["next"]["date"], case["next"].get("dept"), rule_id=rule_id)
    else:
        call = lambda: assign_numbers(entries, rule, rule_id=rule_id)
    if "error" in case:
        with pytest.raises(UserError) as e:
            call()
        assert case["error"] in e.value.message
    else:
        assert call() == case.get("expect", case.get("assign"))


@pytest.mark.parametrize("case", load_cases("numbering_patterns.yaml"), ids=lambda c: c["case"])
def test_pattern_cases(case):
    if "error" in case:
        with pytest.raises(UserError) as e:
            if "rule" in case:
                compile_rule(case["rule"], "x")
            else:
                Pattern.parse(case["pattern"])
        assert case["error"] in e.value.message
        return
    p = Pattern.parse(case["pattern"])
    number = p.format(case["date"], case["seq"], case.get("dept"))
    assert number == case["number"]
    parsed = p.match(number)
    assert parsed._asdict() == {"text": number, **case["parsed"]}


def test_shipped_rules_compile_and_cite_a_source():
    text = (Path(__file__).parents[1] / "generator" / "config" / "policy.d" / "10-numbering.toml").read_text(encoding="utf-8")
    for rule_id, rule in POLICY["numbering"].items():
        compile_rule(rule, rule_id)
        assert rule["source"] and rule["title"]
    for line in text.splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            assert "#" in line.split("=", 1)[1], f"value without a source comment: {line}"


# ----------------------------------------------------------------- normalisation and matching


@pytest.mark.parametrize("value, expected", [
    ("180112099", ("180112099", False)),
    ("１８０１１２０９９", ("180112099", False)),
    (" 1801 12099\t", ("180112099", False)),
    ("'180112099", ("180112099", False)),
    ("’SC261001", ("SC261001", False)),
    ("ＳＣ２６１００１", ("SC261001", False)),
    (180112099, ("180112099", True)),
    (90101001.0, ("90101001", True)),
    (None, (None, False)),
    ("  ", (None, False)),
    ("'", (None, False)),
])
def test_normalise_number(value, expected):
    assert normalise_number(value) == expected


@pytest.mark.parametrize("text", ["180112099\n", "١٨٠١١٢٠٩٩", "18011209", "1801120999", "181312099", "180230001",
                                  "180112000"])
def test_match_rejects(text):
    assert Pattern.parse("{YY}{MM}{DD}{SEQ:3}").match(text) is None


def test_format_refuses_overflow_and_missing_dept():
    p = Pattern.parse("{DEPT}{YY}{MM}{SEQ:2}")
    with pytest.raises(UserError, match="99"):
        p.format(dt.date(2026, 10, 1), 100, "SC")
    with pytest.raises(UserError, match="部门"):
        p.format(dt.date(2026, 10, 1), 1)


def test_finding_carries_the_raw_cell_value():
    [f] = run_check([NumberEntry(2, 50301, dt.date(2005, 3, 1))], POLICY["numbering"]["complaint_form"])
    assert (f.code, f.severity, f.value) == ("number.numeric", WARNING, 50301)


def test_a_number_copied_down_a_thousand_rows_keeps_each_message_short():
    # complaint numbers are {YY}{MM}{SEQ:2} reset monthly (004 第八条): the same number on 1,000 rows
    day = dt.date(2026, 3, 2)
    found = run_check([NumberEntry(2 + k, "260301", day) for k in range(1000)], POLICY["numbering"]["complaint_form"])
    dups = [f for f in found if f.code == "number.duplicate"]
    assert len(dups) == 1000
    assert all(len(f.message) < 200 and "等 999 处" in f.message for f in dups)


# ----------------------------------------------------------------- property tests

RULE_IDS = ["complaint", "complaint_form", "ticket", "field_service", "ks"]


def rule_of(rule_id: str) -> dict:
    return KS if rule_id == "ks" else POLICY["numbering"][rule_id]


def cycle_of(rule: dict, date: dt.date, dept) -> tuple:
    """The counting cycle, worked out here from the policy's words, not the library's."""
    key = (dept,) if rule["per_dept"] else ()
    if rule["reset"] != "never":
        key += (date.year,)
    if rule["reset"] == "month":
        key += (date.month,)
    return key


@st.composite
def valid_register(draw, rule_id: str, first=dt.date(2025, 11, 1), last=dt.date(2026, 2, 28), min_size=1):
    """(rule, entries): a correct register, rows in date order, every cycle at least 2 long.
    The default window crosses a new year and several months."""
    rule = rule_of(rule_id)
    depts = ["SC", "SJ", "HY", "YF"] if rule["per_dept"] else [None]
    records = draw(st.lists(st.tuples(st.dates(first, last), st.sampled_from(depts)),
                            min_size=min_size, max_size=40))
    counts: dict = {}
    for date, dept in records:
        counts[cycle_of(rule, date, dept)] = counts.get(cycle_of(rule, date, dept), 0) + 1
    records += [r for r in records if counts[cycle_of(rule, *r)] == 1]  # no cycle of one record
    serial: dict = {}
    entries = []
    p = Pattern.parse(rule["pattern"])
    for date, dept in sorted(records, key=lambda r: (r[0], r[1] or "")):
        key = cycle_of(rule, date, dept)
        serial[key] = serial.get(key, 0) + 1
        entries.append(NumberEntry(len(entries) + 2, p.format(date, serial[key], dept), date, dept))
    return rule, entries


def same_cycle(rule, a: NumberEntry, b: NumberEntry) -> bool:
    return cycle_of(rule, a.date, a.dept) == cycle_of(rule, b.date, b.dept)


@pytest.mark.parametrize("rule_id", RULE_IDS)
@given(data=st.data())
def test_valid_register_has_no_finding(rule_id, data):
    rule, entries = data.draw(valid_register(rule_id))
    assert run_check(entries, rule) == []


@pytest.mark.parametrize("rule_id", RULE_IDS)
@given(data=st.data())
def test_assign_rebuilds_every_number_and_next_follows(rule_id, data):
    rule, entries = data.draw(valid_register(rule_id))
    blank = [e._replace(value=None) for e in entries]
    assert assign_numbers(blank, rule) == {e.row: e.value for e in entries}
    last = entries[-1]
    serial = sum(1 for e in entries if same_cycle(rule, e, last)) + 1
    p = Pattern.parse(rule["pattern"])
    assert next_number(entries, rule, last.date, last.dept) == p.format(last.date, serial, last.dept)


@pytest.mark.parametrize("rule_id", RULE_IDS)
@given(data=st.data())
def test_typing_variants_are_normalised(rule_id, data):
    rule, entries = data.draw(valid_register(rule_id))
    full = str.maketrans("0123456789-SCJHYF", "０１２３４５６７８９－ＳＣＪＨＹＦ")
    variants = [lambda s: s.translate(full), lambda s: f" {s} ", lambda s: "'" + s, lambda s: s[:3] + " " + s[3:]]
    typed = [e._replace(value=data.draw(st.sampled_from(variants))(e.value)) for e in entries]
    assert run_check(typed, rule) == []


@pytest.mark.parametrize("rule_id", RULE_IDS)
@given(data=st.data())
def test_deleting_a_record_is_one_gap_on_the_next_row(rule_id, data):
    rule, entries = data.draw(valid_register(rule_id))
    # the last record of a cycle leaves no trace: pick one with a successor in its cycle
    candidates = [k for k, e in enumerate(entries) if any(same_cycle(rule, e, o) for o in entries[k + 1:])]
    k = data.draw(st.sampled_from(candidates))
    successor = next(o for o in entries[k + 1:] if same_cycle(rule, entries[k], o))
    findings = run_check(entries[:k] + entries[k + 1:], rule)
    assert [(f.row, f.code) for f in findings] == [(successor.row, "number.gap")]


@pytest.mark.parametrize("rule_id", RULE_IDS)
@given(data=st.data())
def test_duplicating_a_record_reports_both_rows(rule_id, data):
    rule, entries = data.draw(valid_register(rule_id))
    copy = data.draw(st.sampled_from(entries))
    findings = run_check(entries + [copy._replace(row=entries[-1].row + 1)], rule)
    assert sorted((f.row, f.code) for f in findings) == [
        (copy.row, "number.duplicate"), (entries[-1].row + 1, "number.duplicate")]


@pytest.mark.parametrize("rule_id", RULE_IDS)
@given(data=st.data())
def test_redating_a_record_to_another_year_is_one_date_mismatch(rule_id, data):
    rule, entries = data.draw(valid_register(rule_id))
    k = data.draw(st.integers(0, len(entries) - 1))
    shift = dt.timedelta(days=data.draw(st.integers(366, 700)) * data.draw(st.sampled_from([-1, 1])))
    moved = entries[:k] + [entries[k]._replace(date=entries[k].date + shift)] + entries[k + 1:]
    assert [(f.row, f.code) for f in run_check(moved, rule)] == [(entries[k].row, "number.date_mismatch")]


@pytest.mark.parametrize("rule_id", ["complaint_form", "ticket", "field_service"])
@given(data=st.data())
def test_redating_within_the_month_out_of_order_is_one_order_warning(rule_id, data):
    # one month, the 1st and 31st free, enough records for a cycle of three in some department
    rule, entries = data.draw(valid_register(rule_id, dt.date(2026, 1, 2), dt.date(2026, 1, 30), min_size=9))
    cycles: dict = {}
    for e in entries:
        cycles.setdefault(cycle_of(rule, e.date, e.dept), []).append(e)
    moves = []
    for cyc in cycles.values():
        n, first = len(cyc), cyc[0].date
        month_end = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        for k, e in enumerate(cyc):  # strictly after all others, with two records after it
            others = [o.date for o in cyc if o is not e]
            if k <= n - 3 and max(others) < month_end:
                moves.append((e, month_end))
            if k >= 2 and min(others) > first.replace(day=1):
                moves.append((e, first.replace(day=1)))
    assume(moves)
    e, new_date = data.draw(st.sampled_from(moves))
    moved = [o._replace(date=new_date) if o is e else o for o in entries]
    findings = run_check(moved, rule)
    assert [(f.row, f.code, f.severity) for f in findings] == [(e.row, "number.order", WARNING)]


# ----------------------------------------------------------------- the checker on register shapes


def record(row: int, **values) -> Record:
    return Record(row=row, values=values, raw=dict(values))


def test_checker_reads_number_date_and_dept_from_each_numbered_sheet():
    spec = load_specs()["tickets"]
    fs = next(s for s in spec.sheets if s.numbering == "field_service")
    d = dt.date(2026, 10, 8)
    tickets = Table(spec=spec.sheets[0], records=[
        record(2, ticket_no="YX261001", received=dt.datetime(2026, 10, 8, 9, 30), dept_code="YX"),
        record(3, ticket_no="YX261003", received=dt.datetime(2026, 10, 9, 9, 30), dept_code="营销中心"),
    ])
    field = Table(spec=fs, records=[
        record(2, fs_no="SC261001", departed=d, dept_code="生产部"),
        record(3, fs_no="GC261001", departed=d, dept_code="GC"),
        record(4, fs_no="SJ261001", departed=d, dept_code="SC"),
        record(5, fs_no=None, departed=d, dept_code="SC"),
    ])
    master_spec = load_specs()["master"]
    master = Register(master_spec, Path("master.xlsx"), {
        "departments": Table(spec=master_spec.sheet("departments"), records=[record(2, code="GC", name="工程部")])})
    regs = {"tickets": Register(spec, Path("tickets.xlsx"), {spec.sheets[0].key: tickets, fs.key: field}),
            "master": master}
    ctx = RunContext(registers=regs, policy=POLICY, today=d)
    found = {(f.sheet, f.row, f.column, f.code) for f in check_register_numbers(ctx)}
    assert found == {
        (spec.sheets[0].name, 3, spec.sheets[0].column("ticket_no").header, "number.gap"),
        (fs.name, 4, fs.column("fs_no").header, "number.dept_mismatch"),
    }
    assert check_register_numbers in CHECKERS


def test_checker_refuses_a_sheet_naming_a_missing_rule():
    spec = load_specs()["complaints"]
    policy = {**POLICY, "numbering": {}}
    regs = {"complaints": Register(spec, Path("c.xlsx"), {spec.sheets[0].key: Table(spec=spec.sheets[0])})}
    with pytest.raises(UserError, match="numbering.complaint"):
        check_register_numbers(RunContext(registers=regs, policy=policy, today=dt.date(2026, 1, 1)))


# ----------------------------------------------------------------- CLI

runner = CliRunner()


def cli(*args):
    return runner.invoke(app, [str(a) for a in args])


def put_rows(path: Path, sheet: str, rows: list[dict]) -> None:
    """Write cells by header into an initialised register, from row 2."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    col = {c.value: c.column for c in ws[1] if c.value}
    for i, values in enumerate(rows):
        for header, v in values.items():
            ws.cell(row=2 + i, column=col[header]).value = v
    wb.save(path)


def cell_values(path: Path, sheet: str, header: str, rows: range) -> list:
    ws = openpyxl.load_workbook(path)[sheet]
    col = next(c.column for c in ws[1] if c.value == header)
    return [(ws.cell(row=r, column=col).value, ws.cell(row=r, column=col).number_format) for r in rows]


@pytest.fixture
def complaints(empty_registers) -> Path:
    put_rows(empty_registers / "complaints.xlsx", "投诉登记", [
        {"投诉编号": "261009001", "受理日期": dt.datetime(2026, 10, 9)},
        {"投诉编号": None, "受理日期": dt.datetime(2026, 10, 20)},
        {"投诉编号": "261012002", "受理日期": dt.datetime(2026, 10, 12)},
        {"投诉编号": None, "受理日期": dt.datetime(2026, 10, 14)},
    ])
    return empty_registers


def test_cli_next(complaints):
    result = cli("number", "next", complaints, "--register", "complaints", "--date", "2026-10-21")
    assert result.exit_code == 0, result.output
    assert result.output == "261021003\n"
    result = cli("number", "next", complaints, "-r", "complaints", "--date", "2027-01-04", "--json")
    assert json.loads(result.output) == {"register": "complaints", "sheet": "complaints", "rule": "complaint",
                                         "date": "2027-01-04", "dept": None, "number": "270104001"}


def test_cli_next_with_department(empty_registers):
    result = cli("number", "next", empty_registers, "-r", "tickets", "--date", "2026-10-08")
    assert result.exit_code == 2 and "--sheet" in result.output
    fs = [s for s in load_specs()["tickets"].sheets if s.numbering == "field_service"][0]
    result = cli("number", "next", empty_registers, "-r", "tickets", "--sheet", fs.name, "--date", "2026-10-08")
    assert result.exit_code == 2 and "--dept" in result.output
    result = cli("number", "next", empty_registers, "-r", "tickets", "--sheet", fs.key, "--dept", "生产部",
                 "--date", "2026-10-08")
    assert (result.exit_code, result.output) == (0, "SC261001\n")
    result = cli("number", "next", empty_registers, "-r", "tickets", "--sheet", fs.key, "--dept", "QQ")
    assert result.exit_code == 2 and "QQ" in result.output


def test_cli_refuses_unknown_register_and_bad_date(empty_registers):
    assert cli("number", "next", empty_registers, "-r", "nosuch").exit_code == 2
    result = cli("number", "next", empty_registers, "-r", "complaints", "--date", "2026-13-45")
    assert result.exit_code == 2 and "--date" in result.output


def test_cli_assign_dry_run_writes_nothing(complaints):
    path = complaints / "complaints.xlsx"
    before = path.read_bytes()
    result = cli("number", "assign", complaints, "-r", "complaints", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["assigned"] == [{"row": 3, "number": "261020004"},
                                                     {"row": 5, "number": "261014003"}]
    assert path.read_bytes() == before and not (complaints / BACKUP_DIR).exists()


def test_cli_assign_writes_text_cells_with_a_backup(complaints):
    path = complaints / "complaints.xlsx"
    result = cli("number", "assign", complaints, "-r", "complaints")
    assert result.exit_code == 0, result.output
    assert "第 3 行  261020004" in result.output and "共 2 个编号" in result.output
    cells = cell_values(path, "投诉登记", "投诉编号", range(2, 6))
    assert [v for v, _ in cells] == ["261009001", "261020004", "261012002", "261014003"]
    assert cells[1][1] == cells[3][1] == "@"  # text, so leading zeros survive
    assert len(list((complaints / BACKUP_DIR).iterdir())) == 1
    result = cli("number", "assign", complaints, "-r", "complaints")
    assert (result.exit_code, result.output) == (0, "没有需要填写的空白编号\n")


def test_cli_assign_refuses_while_excel_has_the_file_open(complaints):
    path = complaints / "complaints.xlsx"
    (complaints / "~$complaints.xlsx").write_bytes(b"")
    before = path.read_bytes()
    result = cli("number", "assign", complaints, "-r", "complaints")
    assert result.exit_code == 2 and "锁文件" in result.output
    assert path.read_bytes() == before
