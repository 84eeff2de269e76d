"""Entry points of the Excel buttons (macros/AfterSales.bas): RunPython imports this file.

``aftersales init --macros`` copies it beside the register workbooks. Each function only
fetches the workbook whose button was pressed and hands it to generator.excel.entry,
where the work (and its tests) live.
"""
import xlwings as xw

from generator.excel import entry as excel_entry


def check():
    """校验: check the folder's registers, write 校验结果 back, show it."""
    excel_entry.run("check", xw.Book.caller())


def assign_numbers():
    """分配编号: fill the empty number cells in date order."""
    excel_entry.run("assign_numbers", xw.Book.caller())


def render_selected():
    """生成表单: the forms of the selected rows, opened when done."""
    excel_entry.run("render_selected", xw.Book.caller())


def remind():
    """催办: overdue cases per department and person, with their 催办单."""
    excel_entry.run("remind", xw.Book.caller())
