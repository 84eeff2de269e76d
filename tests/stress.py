"""Stress data for the page tests (issue: every page identifiable): the sample registers with,
for one record of every form, a 1,200-character free text, 40 item lines, 77 attendees and
10 parts. Item lines get a marker ``※NN`` in their first text field, so a test can tell on
which page each line printed."""
from __future__ import annotations

import copy

from generator.core.text import value_text
from generator.documents.subjects import FormData, child_records, subjects

LONG_TEXT = ("设备运行中出现间歇性故障，现场检查发现接线端子松动、散热风扇积尘，"
             "已逐项紧固并清洁，复测各项参数正常。") * 30           # 1,200+ characters
FREE_TEXT = ("fault", "content", "description", "work_done", "work_record", "problem", "detail", "feedback",
             "handling", "result", "summary", "remark")
LINES = {"attendees": 77, "parts": 10, "warranty_parts": 5, "bought_parts": 5}
DEFAULT_LINES = 40


def stress(registers: dict, form, policy, today) -> tuple[dict, str]:
    """A copy of ``registers`` where the first record of ``form`` is long; and its number."""
    regs = copy.deepcopy(registers)
    data = FormData(regs, policy, today)
    subject = subjects(form, data)[0]
    rec = subject.record
    if rec is None:                    # a monthly or overdue form: no one record to inflate
        return regs, subject.number
    for key, value in rec.values.items():
        if isinstance(value, str) and any(k in key for k in FREE_TEXT):
            rec.values[key] = LONG_TEXT
    for child in form.children:
        table = data.table(child.register or form.register, child.sheet)
        have = child_records(form, child, rec, data)
        pool = have or [r for r in table.records if all(r.values.get(k) == v for k, v in child.where)] or table.records
        if not pool:
            continue
        parent = value_text(rec.values.get(child.on or form.number_column))
        lines = []
        for i in range(LINES.get(child.name, DEFAULT_LINES)):
            line = copy.deepcopy(pool[i % len(pool)])
            line.values[child.key] = parent
            first = next((k for k, v in line.values.items() if isinstance(v, str) and k != child.key), None)
            if first:
                line.values[first] = f"{line.values[first]}※{i + 1:02d}"
            lines.append(line)
        table.records = [r for r in table.records if r not in have] + lines
    return regs, subject.number
