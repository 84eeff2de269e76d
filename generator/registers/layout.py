"""Lay out a register workbook from its spec: tables, dropdowns, formats, status formulas.

The status column needs working days that honour 调休, which Excel's WORKDAY/NETWORKDAYS
cannot express (they only remove days). So each workbook carries a hidden sheet 工作日 listing
every working day of the covered years; the formula finds the due day by position in that
list with MATCH/INDEX, which Excel and LibreOffice compute alike. Past the last covered day
the cell says 日历未覆盖 instead of a wrong date.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

from generator.config.register_specs import Column, RegisterSpec, SheetSpec
from generator.core.errors import UserError
from generator.registers.calendar_sheet import (
    WORKDAY_SHEET as WORKDAY_SHEET,  # re-exported
)
from generator.registers.calendar_sheet import rewrite_workdays, save_with_status
from generator.registers.print_setup import apply_print_setup
from generator.registers.safewrite import ALL_FORMULAS, save_workbook

LIST_SHEET = "选项"
STATUS_HEADER = "状态"
SPARE_ROWS = 300            # empty rows prepared with formulas and dropdowns
FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "money": "#,##0.00",
           "decimal": "0.##", "integer": "0", "text": "@", "phone": "@", "choice": "@"}
MIN_WIDTHS = {"date": 11.0, "datetime": 16.0}   # a date under a short header must not show as ###
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
OVERDUE_FILL = PatternFill("solid", fgColor="F8CBAD")
SOON_FILL = PatternFill("solid", fgColor="FFE699")
DAY_CLOCKS = {"working_days", "nth_working_day", "calendar_days"}


def status_formula(row: int, start: str, stop: str | None, clock: str, amount: int, soon: int) -> str:
    """Excel formula for one row's status: 已完成 / 超期 / 即将到期 / 正常 / 日历未覆盖."""
    s = f"{start}{row}"
    if clock == "calendar_days":
        due = f"(INT({s})+{amount})"
    else:  # working days: position of the last working day on or before the start, plus n
        due = f"INDEX(工作日列表,MATCH(INT({s}),工作日列表,1)+{amount})"
    # 即将到期: at most `soon` working days left, whatever the clock (as deadlines.case_status)
    soon_test = f'COUNTIFS(工作日列表,">"&今天,工作日列表,"<="&{due})<={soon}'
    done = f'{stop}{row}<>""' if stop else "FALSE"
    return (
        f'=IF({done},"已完成",IF({s}="","",IFERROR(IF(INT({s})>日历覆盖至,"日历未覆盖",'
        f'IF(今天>{due},"超期",IF({soon_test},"即将到期","正常"))),"日历未覆盖")))'
    )


def _cell_value(value):
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    return value


def _list_ref(wb: Workbook, lists: dict[str, list[str]], name: str, values: list[str]) -> str:
    """Write a dropdown's values to the hidden 选项 sheet once; return its range reference."""
    ws = wb[LIST_SHEET] if LIST_SHEET in wb.sheetnames else wb.create_sheet(LIST_SHEET)
    ws.sheet_state = "hidden"
    if name not in lists:
        col = len(lists) + 1
        ws.cell(row=1, column=col, value=name)
        for i, v in enumerate(values, start=2):
            ws.cell(row=i, column=col, value=v)
        lists[name] = [get_column_letter(col), len(values) + 1]
    letter, last = lists[name]
    return f"{quote_sheetname(LIST_SHEET)}!${letter}$2:${letter}${max(last, 2)}"


def write_sheet(wb: Workbook, sheet: SheetSpec, rows: list[dict], *, policy: dict,
                choice_sources: dict[str, list[str]], list_refs: dict) -> None:
    ws = wb.create_sheet(sheet.name)
    cols = list(sheet.columns)
    letters = {c.key: get_column_letter(i) for i, c in enumerate(cols, start=1)}
    status_rule = None
    if sheet.status:
        status_rule = policy.get("deadlines", {}).get(sheet.status.rule)
        if status_rule is None or status_rule.get("clock") not in DAY_CLOCKS:
            status_rule = None  # hour clocks are followed by `aftersales check`, not by a formula
    headers = [c.header for c in cols] + ([STATUS_HEADER] if status_rule else [])
    ws.append(headers)
    for c, cell in zip(cols, ws[1]):
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    if status_rule:
        ws.cell(row=1, column=len(headers)).font = Font(bold=True, color="FFFFFF")
        ws.cell(row=1, column=len(headers)).fill = HEADER_FILL
    last_row = len(rows) + 1 + SPARE_ROWS
    for r, record in enumerate(rows, start=2):
        for i, c in enumerate(cols, start=1):
            v = record.get(c.key)
            if v is not None:
                ws.cell(row=r, column=i, value=_cell_value(v))
    for i, c in enumerate(cols, start=1):
        letter = get_column_letter(i)
        fmt = FORMATS.get(c.type)
        if fmt:
            for r in range(2, last_row + 1):
                ws.cell(row=r, column=i).number_format = fmt
        ws.column_dimensions[letter].width = c.width or max(MIN_WIDTHS.get(c.type, 8.0), len(c.header) * 2.2 + 2)
        _add_validation(wb, ws, c, f"{letter}2:{letter}{last_row}", choice_sources, list_refs)
    if status_rule:
        scol = get_column_letter(len(headers))
        soon = int(policy.get("calendar", {}).get("soon_days", 1))
        for r in range(2, last_row + 1):
            ws[f"{scol}{r}"] = status_formula(
                r, letters[sheet.status.start], letters.get(sheet.status.stop) if sheet.status.stop else None,
                status_rule["clock"], int(status_rule["amount"]), soon)
        ws.column_dimensions[scol].width = 11
        whole = f"A2:{scol}{last_row}"
        ws.conditional_formatting.add(whole, FormulaRule(formula=[f'${scol}2="超期"'], fill=OVERDUE_FILL))
        ws.conditional_formatting.add(whole, FormulaRule(formula=[f'${scol}2="即将到期"'], fill=SOON_FILL))
    ref = f"A1:{get_column_letter(len(headers))}{last_row}"
    table = Table(displayName=f"表_{sheet.key}", ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "B2"
    ws.row_dimensions[1].height = 30


def _add_validation(wb, ws, c: Column, rng: str, choice_sources, list_refs) -> None:
    dv = None
    if c.choices or c.choices_from:
        values = list(c.choices) if c.choices else choice_sources.get(c.choices_from, [])
        if not values:
            return
        name = c.choices_from or f"{ws.title}.{c.header}"
        dv = DataValidation(type="list", formula1=_list_ref(wb, list_refs, name, values),
                            allow_blank=True, showErrorMessage=not c.choices_from)  # master lists may be stale
        dv.error, dv.errorTitle = f"请从下拉列表中选择{c.header}", "无效的选项"
    elif c.type in ("date", "datetime"):
        dv = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True,
                            showErrorMessage=True)
        dv.error, dv.errorTitle = "请输入日期，如 2026-10-08", "日期格式不对"
    elif c.type == "integer" and (c.min is not None or c.max is not None):
        lo = int(c.min) if c.min is not None else -10**9
        hi = int(c.max) if c.max is not None else 10**9
        dv = DataValidation(type="whole", operator="between", formula1=str(lo), formula2=str(hi),
                            allow_blank=True, showErrorMessage=True)
        dv.error, dv.errorTitle = f"{c.header}应为 {lo} 到 {hi} 的整数", "数值超出范围"
    if dv is None:
        return
    if c.note:
        dv.prompt, dv.promptTitle, dv.showInputMessage = c.note, c.header, True
    ws.add_data_validation(dv)
    dv.add(rng)


def build_register(spec: RegisterSpec, tables: dict[str, list[dict]], *, policy: dict,
                   workdays: list[dt.date], choice_sources: dict[str, list[str]],
                   today_override: dt.date | None = None, last_covered: dt.date | None = None) -> Workbook:
    """The workbook of a register; ``workdays`` and ``last_covered`` fill its hidden 工作日 sheet
    (``calendar_sheet.workday_rows``; without ``last_covered``, the end of the last listed year)."""
    wb = Workbook()
    wb.remove(wb.active)
    list_refs: dict = {}
    for sheet in spec.sheets:
        write_sheet(wb, sheet, tables.get(sheet.key, []), policy=policy,
                    choice_sources=choice_sources, list_refs=list_refs)
    last = last_covered or (dt.date(max(d.year for d in workdays), 12, 31) if workdays else dt.date(1900, 1, 1))
    rewrite_workdays(wb, workdays, last, today_override)
    if LIST_SHEET in wb.sheetnames:
        wb.move_sheet(LIST_SHEET, offset=len(wb.sheetnames))
    wb.active = 0
    apply_print_setup(wb, spec.title)
    return wb


def write_register(path: Path, spec: RegisterSpec, tables, *, force: bool = False, **kw) -> Path | None:
    path = Path(path)
    if path.exists() and not force:
        raise UserError(f"{path} 已存在；如需覆盖请加 --force（会先备份原文件）")
    wb = build_register(spec, tables, **kw)
    return save_with_status(wb, path, lambda: save_workbook(wb, path, overwrite=True, formulas=ALL_FORMULAS),
                            kw.get("today_override"))   # the 状态 column formulas, with their results
