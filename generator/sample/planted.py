"""The deliberate mistakes and notable cases of the sample year, and their docs/SAMPLE.md table."""
from __future__ import annotations

from dataclasses import dataclass

from generator.config.register_specs import load_specs


@dataclass(frozen=True)
class Planted:
    """A deliberate mistake: where ``aftersales check`` must report it."""

    register: str
    sheet: str              # sheet key in the register spec
    rows: tuple[int, ...]   # Excel rows (header row 1, first record row 2)
    column: str | None      # column key (None: the finding names no column)
    code: str               # expected finding code
    what: str               # what is wrong, in Chinese


PLANTED: tuple[Planted, ...] = (
    Planted("complaints", "complaints", (18, 19), "complaint_no", "number.duplicate",
            "同一天两起投诉用了同一个编号（第 19 行重复了第 18 行的编号）"),
    Planted("complaints", "complaints", (72,), "complaint_no", "number.gap",
            "2026 年度投诉编号跳过了一个序号"),
    Planted("complaints", "complaints", (37,), "replied", "deadline.late",
            "回复日期在受理后第 7 个工作日，超过 5 个工作日的答复期限"),
    Planted("complaints", "complaints", (85,), "closed", "field.date_order",
            "结案日期的月份写错，早于受理日期"),
    Planted("tickets", "tickets", (258,), "fault", "field.required",
            "工单漏填故障描述"),
    Planted("tickets", "tickets", (207,), "ticket_no", "number.date_mismatch",
            "12 月初受理的工单沿用了 11 月的编号本"),
    Planted("materials", "items", (76,), "nature", "field.choice",
            "性质填成“领料”（应为 借用/领用/更换）"),
    Planted("master", "approvals", (8,), None, "approval.over_count",
            "区域经理在 2026 年 3 月第 2 次特批（每月限 1 次，001 §9 五 2）"),
    Planted("tickets", "tickets", (285,), "verified", "deadline.late",
            "完成后 60 小时才与顾客核实处理结果，超过 48 小时（D4）"),
    Planted("tickets", "calls", (21,), "called_back", "deadline.late",
            "漏接电话 3 小时后才回电，超过 1 小时（D9）"),
    Planted("tickets", "contracts", (13,), "notice_sent", "deadline.overdue",
            "保养合同 2026-07-20 到期，期满前 1 个月的到期通知书仍未寄出（D14）"),
    Planted("materials", "pickups", (12,), "reminded", "deadline.late",
            "顾客未取件，通知后第 5 天才再次通知，应为 3 天后（D15）"),
    Planted("materials", "returns", (31,), "booked", "deadline.late",
            "故障件返回后第 3 个工作日才入库，超过 16 个工作小时（D4）"),
)

# Deliberate business cases that are correct records but should draw attention.
CASES: tuple[str, ...] = (
    "基础数据·行政处分：警告、小过、大过与罚款（P2、P3、P12）各有记录，供罚扣与月度上限计算",
    "售后工单、客户投诉、物料申请中各有几条期末仍未办结的记录（按 2026-06-30 检查尚未超期）",
    "物料借用：部分物品分两次归还、部分只归还了一部分、部分尚未归还（预计归还日期在期末之后）",
    "培训：一场内部培训有 26 人签到（签到表跨到第 2 页）",
    "召回登记：周日下达的召回指令 5 小时内通知全部顾客（周日限 6 小时，周一至周六限 4 小时，D10）",
)


def planted_markdown() -> str:
    """The docs/SAMPLE.md section listing the planted mistakes (generated from PLANTED)."""
    specs = load_specs()
    lines = ["| 台账 (register) | 工作表 | 行 | 列 | 预期发现 | 说明 |", "|---|---|---|---|---|---|"]
    for p in PLANTED:
        spec = specs[p.register]
        sheet = spec.sheet(p.sheet)
        rows = "、".join(map(str, p.rows))
        column = sheet.column(p.column).header if p.column else "—"
        lines.append(f"| {spec.title} (`{p.register}`) | {sheet.name} | {rows} | {column} | `{p.code}` | {p.what} |")
    lines += ["", "其他有意安排的情况（不是错误）："] + [f"- {c}" for c in CASES]
    return "\n".join(lines) + "\n"
