"""The workbooks of a pack: masked register copies, check.xlsx, summary.xlsx, manifest.xlsx,
each as reproducible bytes (``xlsx_bytes``)."""
from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path

import openpyxl

from generator.assess.ledger import (
    FINDING_COLUMNS,
    MONEY_FORMAT,
    SUMMARY_COLUMNS,
    chain_ledgers,
    finding_rows,
    table_sheet,
)
from generator.assess.period_scores import period_scores, write_scores_xlsx
from generator.config.register_specs import load_specs
from generator.core.errors import UserError
from generator.core.periods import month_text, months_between, period_between
from generator.documents.docx_repro import docx_bytes, read_parts
from generator.pack.clauses import KIND_TEXT
from generator.pack.options import Failure, PackOptions, error_text
from generator.registers.print_setup import apply_print_setup
from generator.registers.safewrite import formula_cells, text_only
from generator.rules.masking import mask, mask_text, mask_value

FINDING_HEADERS = [("台账", 10, None), ("工作表", 12, None), ("行", 6, None), ("列", 14, None), ("代码", 22, None),
                   ("级别", 6, None), ("说明", 70, None), ("值", 18, None), ("记录日期", 11, "yyyy-mm-dd")]
FAILURE_HEADERS = [("表单", 18, None), ("表单名称", 24, None), ("台账", 10, None), ("工作表", 12, None),
                   ("行", 6, None), ("编号", 16, None), ("记录日期", 11, "yyyy-mm-dd"), ("原因", 80, None)]
MANIFEST_HEADERS = [("类别", 12, None), ("表单", 18, None), ("表单名称", 24, None), ("编号", 16, None),
                    ("记录日期", 11, "yyyy-mm-dd"), ("文件", 48, None), ("页数", 6, None), ("字节", 10, None),
                    ("SHA-256", 66, None), ("合订本页码", 12, None), ("合订本页面 SHA-256", 66, None),
                    ("依据条款", 70, None), ("制度出处", 18, None)]
MANIFEST_KEYS = ("kind", "form", "title", "number", "record_date", "path", "pages", "size", "sha256", "print_pages",
                 "pages_sha256", "clause", "source")


def xlsx_bytes(wb, formulas=frozenset()) -> bytes:
    """An openpyxl workbook as reproducible bytes (core.xml dates pinned, fixed zip entries);
    every string is text except the formula cells named in ``formulas``."""
    text_only(wb, keep=formulas)
    wb.properties.created = wb.properties.modified = dt.datetime(1980, 1, 1)
    buf = io.BytesIO()
    wb.save(buf)
    return docx_bytes(read_parts(buf.getvalue()))


def _new_workbook() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    return wb


def _scrub_cells(wb, kind_of=lambda ws, cell: None) -> None:
    """Every cell masked in place: ``kind_of`` gives a personal column's type, else None."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                new = mask_value(cell.value, kind_of(ws, cell))
                if new != cell.value:
                    cell.value = new


# ---------------------------------------------------------------------------
# Register copies

def masked_workbook(register) -> bytes:
    """A copy of a register workbook with personal columns masked and phone numbers hidden."""
    path = register.path
    wb = openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm")
    personal = {}   # (sheet name, column index) -> (column type, header row)
    for table in register.tables.values():
        for col in table.spec.columns:
            if col.personal and col.key in table.columns:
                personal[(table.spec.name, table.columns[col.key])] = (col.type, table.header_row)

    def kind_of(ws, cell):
        kind, header = personal.get((ws.title, cell.column), (None, 0))
        return None if cell.row <= header else kind      # the header and title rows stay as they are

    theirs = formula_cells(wb)   # the register's own formulas stay formulas
    _scrub_cells(wb, kind_of)
    return xlsx_bytes(wb, theirs)


# ---------------------------------------------------------------------------
# check.xlsx

def period_findings(findings: list, opts: PackOptions, dates: dict) -> list[tuple[dict, dt.date | None]]:
    """Findings on rows dated in the period, on rows that cannot be dated, and on whole sheets."""
    out = []
    for f in findings:
        rows = dates.get((f.register, f.sheet))
        day = rows.get(f.row) if rows is not None and f.row is not None else None
        if rows is None or f.row is None or day is None or opts.contains(day):
            out.append((f.to_dict(), day))
    return out


def _personal_columns() -> dict[tuple[str, str, str], str]:
    """(register, sheet name, column header) -> column type of every personal column."""
    return {(spec.id, sheet.name, col.header): col.type
            for spec in load_specs().values() for sheet in spec.sheets for col in sheet.columns if col.personal}


def _mask_finding(f: dict, personal: dict) -> dict:
    f = dict(f)
    kind = personal.get((f["register"], f["sheet"], f["column"]))
    if kind and f.get("value") not in (None, ""):
        raw = str(f["value"])
        f["value"] = mask(raw, kind)
        f["message"] = f["message"].replace(raw, f["value"])
    f["message"] = mask_text(f["message"])
    if isinstance(f.get("value"), str):
        f["value"] = mask_text(f["value"])
    return f


def check_workbook(findings: list[tuple[dict, dt.date | None]], failures: list[Failure], masked: bool) -> bytes:
    personal = _personal_columns() if masked else {}
    wb = _new_workbook()
    rows = []
    for f, day in findings:
        f = _mask_finding(f, personal) if masked else f
        rows.append([f["register"], f["sheet"], f["row"], f["column"], f["code"],
                     "错误" if f["severity"] == "error" else "警告", f["message"], f.get("value"), day])
    table_sheet(wb, "校验结果", FINDING_HEADERS, rows)
    if failures:   # an empty sheet would print a page of its own
        table_sheet(wb, "未能生成的表单", FAILURE_HEADERS, [f.cells() for f in failures])
    apply_print_setup(wb, "审计包 校验结果")
    return xlsx_bytes(wb)


# ---------------------------------------------------------------------------
# summary.xlsx

def summary_workbook(registers: dict, policy: dict, opts: PackOptions, calendar, masked: bool,
                     today: dt.date | None = None) -> bytes:
    """Scores and penalties of the months the period touches; what cannot be computed (a
    register or a policy entry missing: UserError) is noted instead."""
    notes: list[str] = []
    wb = None
    try:
        period = period_between(opts.start, opts.end)
        notes.append(f"评分期间：{period.code}（{period.start} 至 {period.end}，按自然月统计）")
        today = today or opts.end
        if today < opts.end:
            notes.append(f"审计期间尚未结束：评分与罚扣只计到 {today}")
        result = period_scores(registers, policy, period, calendar, today=today)
        with tempfile.TemporaryDirectory(prefix="aftersales-pack-") as tmp:
            path = Path(tmp) / "scores.xlsx"
            write_scores_xlsx(result, path)
            wb = openpyxl.load_workbook(path)
    except (UserError, OSError) as e:
        notes.append(f"评分未能计算：{error_text(e)}")
    if wb is None:
        wb = _new_workbook()
    try:
        _ledger_sheets(wb, registers, policy, opts, calendar, notes, today or opts.end)
    except UserError as e:
        notes.append(f"罚扣未能计算：{error_text(e)}")
    ws = wb.create_sheet("汇总说明", 0)
    ws.column_dimensions["A"].width = 100
    for n in [f"审计期间 {opts.start} 至 {opts.end}；罚扣与评分按规定以自然月为周期，统计期间所涉及的各月。"] + notes:
        ws.append([mask_text(n) if masked else n])
    if masked:
        _scrub_cells(wb)
    apply_print_setup(wb, "审计包 评分与罚扣汇总")
    return xlsx_bytes(wb)


def _ledger_sheets(wb, registers, policy, opts: PackOptions, calendar, notes: list[str], today: dt.date) -> None:
    months = months_between((opts.start.year, opts.start.month), (min(opts.end, today).year, min(opts.end, today).month))
    ledgers = chain_ledgers(registers, policy, [month_text(m) for m in months], calendar, today=today)
    notes.append(f"罚扣月份：{'、'.join(month_text(m) for m in months)}")
    table_sheet(wb, "罚扣汇总", [(h, 14 if money else 10, MONEY_FORMAT if money else None)
                                for h, _, money in SUMMARY_COLUMNS],
                [[lg["month"] if k == "month" else p[k] for _, k, _ in SUMMARY_COLUMNS]
                 for lg in ledgers for p in lg["people"]])
    table_sheet(wb, "罚扣明细", [("月份", 9, None), ("姓名", 10, None), ("条款", 6, None), ("编号", 12, None),
                                ("金额", 12, MONEY_FORMAT), ("计入上限", 8, None), ("说明", 70, None)],
                [[lg["month"], p["person"], i["rule"], i["case"], i["amount"], i["capped"], i["explanation"]]
                 for lg in ledgers for p in lg["people"] for i in p["items"]])
    table_sheet(wb, "罚扣提示", FINDING_COLUMNS, [r for lg in ledgers for r in finding_rows(lg["findings"])])


# ---------------------------------------------------------------------------
# manifest.xlsx

def _manifest_cell(row: dict, key: str):
    value = row.get(key)
    if key == "kind":
        return KIND_TEXT.get(value, value)
    if key == "record_date":
        return dt.date.fromisoformat(value) if value else value
    if key == "print_pages":
        return f"{value[0]}–{value[1]}" if value else ""
    return value


def manifest_workbook(rows: list[dict]) -> bytes:
    wb = _new_workbook()
    table_sheet(wb, "文件清单", MANIFEST_HEADERS,
                [[_manifest_cell(r, k) for k in MANIFEST_KEYS] for r in rows])
    apply_print_setup(wb, "审计包 文件清单")
    return xlsx_bytes(wb)


__all__ = ["check_workbook", "manifest_workbook", "masked_workbook", "period_findings", "summary_workbook",
           "xlsx_bytes"]
