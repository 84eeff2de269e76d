"""``aftersales init``: write the register workbooks and the policy next to them."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator.config.policy import POLICY_FILE, default_policy_text, load_policy
from generator.config.register_specs import load_specs
from generator.core.errors import UserError
from generator.registers.calendar_sheet import workday_rows
from generator.registers.layout import write_register
from generator.registers.read import master_lists, workbook_path
from generator.registers.safewrite import atomic_write_bytes, backup, ensure_not_open
from generator.rules.workcal import calendar_from
from generator.sample.year import sample_data


def default_master_rows(policy: dict) -> dict[str, list[dict]]:
    return {"departments": [{"code": c, "name": n} for c, n in policy["departments"].items()]}


def write_policy(directory: Path, force: bool) -> None:
    path = directory / POLICY_FILE
    if path.exists():
        if not force:
            raise UserError(f"{path} 已存在；如需覆盖请加 --force（会先备份原文件）")
        ensure_not_open(path)
        backup(path)
    text = default_policy_text()
    atomic_write_bytes(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def init_registers(directory, *, sample: bool = False, force: bool = False,
                   today: dt.date | None = None) -> list[Path]:
    """Write policy.toml and every register workbook; with sample, fill a year of data."""

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    specs = load_specs()
    targets = [directory / s.workbook for s in specs.values()]
    if not force:
        present = [workbook_path(directory, s) for s in specs.values()] + [directory / POLICY_FILE]
        existing = [p.name for p in present if p.exists()]
        if existing:
            raise UserError(f"{directory} 中已有 {'、'.join(existing)}；如需覆盖请加 --force（会先备份原文件）")
    write_policy(directory, force)
    policy = load_policy(directory / POLICY_FILE)
    if sample:

        data = sample_data(policy)
    else:
        data = {"master": default_master_rows(policy)}
    sources = master_lists(data.get("master", {}))
    # The master's 节假日 rows override the state calendar in every workbook's 工作日 sheet.
    calendar = calendar_from(policy, rows=data.get("master", {}).get("holidays", []))
    workdays, last = workday_rows(calendar)
    for spec, path in zip(specs.values(), targets):
        write_register(path, spec, data.get(spec.id, {}), force=True, policy=policy, workdays=workdays,
                       choice_sources=sources, today_override=today, last_covered=last)
    return [directory / POLICY_FILE] + targets
