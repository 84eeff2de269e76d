"""aftersales: registers, checks and controlled forms for after-sales service offices.

Public API (the CLI is a thin shell over these):
    load_policy, default_policy        the company policy (policy.toml)
    load_specs, load_forms             register specs, form specs
    init_registers                     write workbooks and policy
    read_register, read_all            typed records from the workbooks
    RunContext, run_checks             findings over all registers
    Pattern, check_numbers,
    next_number, assign_numbers        numbering rules
    WorkCalendar, calendar_from,
    due_moment, get_rule               working days with 调休 and deadlines
    penalty_ledger, chain_ledgers,
    period_scores                      monthly penalties (one month, or months chained), scores of a period
    render_forms, convert_to_pdf       controlled forms, PDF through LibreOffice
    build_pack, verify_pack            audit packs
    parse_period, period_from_options  a period from '2026-03' / '2026-Q1' / '2026-H1' / '2026',
                                       or from the report's --month/--half/--year options
    build_report                       period reports with charts
    write_back                         findings written into the workbooks
"""
from generator.assess.checks import RunContext, run_checks
from generator.assess.ledger import chain_ledgers, penalty_ledger
from generator.assess.period_scores import period_scores
from generator.assess.report import build_report
from generator.config.form_specs import load_forms
from generator.config.policy import default_policy, load_policy
from generator.config.register_specs import load_specs
from generator.core.findings import Finding
from generator.core.periods import parse_period, period_from_options
from generator.documents.batch import render_forms
from generator.documents.pdf import convert_to_pdf
from generator.pack.build import build_pack
from generator.pack.verify import verify_pack
from generator.registers.read import read_all, read_register
from generator.registers.setup import init_registers
from generator.registers.writeback import write_back
from generator.rules.deadlines import due_moment, get_rule
from generator.rules.number_checks import check_numbers
from generator.rules.numbering import Pattern, assign_numbers, next_number
from generator.rules.workcal import WorkCalendar, calendar_from

__all__ = [
    "RunContext", "Finding", "Pattern", "WorkCalendar", "assign_numbers", "build_pack", "build_report",
    "calendar_from", "chain_ledgers", "check_numbers", "convert_to_pdf", "default_policy", "due_moment", "get_rule",
    "init_registers", "load_forms", "load_policy", "load_specs", "next_number", "parse_period", "penalty_ledger",
    "period_from_options", "period_scores", "read_all", "read_register", "render_forms", "run_checks",
    "verify_pack", "write_back",
]
__version__ = "0.1.0"
