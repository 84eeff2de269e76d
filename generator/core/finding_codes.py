"""The catalogue of finding codes: one row per code, the only place a code is defined.

Like frictionless-py's error types, each code has a fixed severity, the Chinese message
template the user reads (``str.format`` fields, filled by ``Finding.of``) and the rule it
enforces: a rule id of the domain catalogue (N1–N5 numbering, D1–D19 deadlines, P1–P12
penalties, S1–S10 scores) or ``spec`` for what a register spec declares about a column
(required, type, choices, range, date order, parent record). A code with two wordings of the
same problem keeps the second in ``variants``. README.md lists every code; tests/test_findings.py
keeps the two in step and checks that every code the source uses is here.

Templates hold no policy number: rates, days and limits arrive as fields formatted from the
policy, so a company that changes a value reads its own value.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class FindingCode:
    code: str              # stable: field.required, number.gap, deadline.overdue ...
    severity: str          # ERROR or WARNING
    rule: str              # the rule enforced: N5, D1–D19, P11, S8, spec ...
    template: str          # Chinese message, str.format fields
    meaning: str           # one line for the README
    variants: dict = field(default_factory=dict)   # name -> another wording of the same finding

    def message(self, variant: str | None = None, **fields) -> str:
        template = self.template if variant is None else self.variants[variant]
        return template.format(**fields)


_C = FindingCode
_DEADLINE_RULES = "D1–D19"   # the deadline rule a register spec binds to the column

CATALOGUE: tuple[FindingCode, ...] = (
    # ---------------------------------------------------------------- register cells (specs/*.toml)
    _C("field.type", ERROR, "spec", "{header}「{shown}」{reason}",
       "a cell cannot be read as its column's type (date, number, phone, ...)"),
    _C("field.error", ERROR, "spec", "{header}为 Excel 错误值 {shown}（公式出错或引用失效），无法读取",
       "an Excel error value (#N/A, #REF! ...) where a value should be: read as unreadable, not as empty"),
    _C("field.required", ERROR, "spec", "必填项「{header}」为空", "a required cell is empty"),
    _C("field.choice", ERROR, "spec", "「{given}」不是{header}的有效选项（{options}）",
       "a value outside the column's fixed list of choices"),
    _C("field.master_choice", WARNING, "spec", "「{given}」不在基础数据的{header}列表中",
       "a value not in the master-data list the column draws on (the master may be incomplete)"),
    _C("field.range", ERROR, "spec", "{header}「{given}」超出范围 {range}", "a number outside the column's range"),
    _C("field.date_order", ERROR, "spec", "{header} {given} 早于{before} {other}",
       "a date earlier than the date it must follow (e.g. closed before received)"),
    _C("field.parent", ERROR, "spec", "{header}「{given}」在「{parent}」中不存在",
       "an item line points at a parent record that does not exist"),
    # ---------------------------------------------------------------- reading the workbooks
    _C("read.header", WARNING, "spec", "列标题「{found}」按「{header}」读取；请核对，或把标题改为「{header}」",
       "a decorated header (a note in brackets, stray spaces) matched to a known column"),
    _C("read.missing_column", WARNING, "spec", "找不到列 {headers}：这些列按空白处理",
       "known columns not found in the sheet (read as empty; checks that need them say so)"),
    _C("read.far_cells", WARNING, "spec", "{cells} 远离表格数据，未读取；如无用请删除这些单元格",
       "cells far away from the table (e.g. a stray value in XFD1048576) left unread"),
    _C("read.missing_register", WARNING, "spec", "未找到台账文件 {file}（{title}）：{effect}",
       "a register the tool expects is not in the folder, and what is not checked because of it"),
    # ---------------------------------------------------------------- numbering (RULES.md §3)
    _C("number.format", ERROR, "N1–N4", "编号“{number}”不符合{rule_title}的格式 {pattern}（例如 {example}）",
       "a number that does not match the sheet's numbering pattern"),
    _C("number.numeric", WARNING, "N1–N4",
       "编号以数字格式保存，开头的 0 已丢失（单元格为 {cell}，按 {number} 检查）；请把该列设为文本格式",
       "a number stored as a numeric cell lost its leading zeros"),
    _C("number.overflow", ERROR, "N5",
       "编号 {number} 的序号 {seq} 超过了 {width} 位序号的上限 {max_seq}：本周期编号已用完，"
       "请在{where} 中加宽序号（如 {{SEQ:{wider}}}）",
       "a serial wider than the pattern allows: the cycle's numbers are used up"),
    _C("number.date_mismatch", ERROR, "N5",
       "编号 {number} 的日期部分与本行日期 {date} 不一致（应为 {right} 这样的编号）",
       "the number's date part disagrees with the record's date"),
    _C("number.unknown_dept", ERROR, "N3–N4", "编号 {number} 中的部门代码 {dept} 不在部门代码表中",
       "a department code in the number that the master data does not know"),
    _C("number.dept_mismatch", ERROR, "N3–N4", "编号 {number} 中的部门代码 {dept} 与本行部门 {row_dept} 不一致",
       "the number's department code disagrees with the record's department"),
    _C("number.duplicate", ERROR, "N5", "编号 {number} 重复：第 {rows} 行也是这个编号",
       "a number used twice (or, where the cycle is longer than the date part, a serial used twice)",
       {"serial": "编号 {number} 与{others}的序号同为 {seq}：{cycle}内序号不能重复"}),
    _C("number.gap", ERROR, "N5", "{cycle}缺少{noun} {missing}：编号应连续", "serials missing inside a cycle"),
    _C("number.reset", ERROR, "N1–N4",
       "{cycle}的编号没有从 1 重新开始：第一个编号 {number} 接续了上一周期的计数（上一周期最大序号 {prev_max}）",
       "a new cycle carried on counting from the previous one instead of restarting at 1"),
    _C("number.order", WARNING, "N5",
       "编号 {number}（{date}）排在编号 {other}（{other_date}）{how}：序号顺序与日期顺序不一致",
       "serial order and date order disagree"),
    # ---------------------------------------------------------------- deadlines (RULES.md §4, §9)
    _C("deadline.overdue", ERROR, _DEADLINE_RULES,
       "{case} {what}已超期{span}：自{start_header} {start} 起算，应于 {due} 前完成，截至 {today}「{stop_header}」仍为空",
       "an open case past its due moment (a 催办单 case, D17)"),
    _C("deadline.late", WARNING, _DEADLINE_RULES, "{case} {what}逾期完成，晚了 {lateness}：应于 {due} 前完成，实际 {stop}",
       "a case closed after its due moment"),
    _C("deadline.calendar", ERROR, _DEADLINE_RULES, "{reason}（本表第 {rows} 行的期限因此未能检查）",
       "the working-day calendar does not cover the dates, so the deadlines could not be checked"),
    _C("deadline.no_column", WARNING, _DEADLINE_RULES, "找不到列「{header}」，{what}未检查（也未计罚）",
       "a deadline whose start or stop column is missing is not evaluated"),
    _C("deadline.unreadable", ERROR, _DEADLINE_RULES,
       "{what}：第 {rows} 行的{headers}无法读取，这些行的期限未检查（也未计罚）",
       "rows whose start or stop value cannot be read are left out of a deadline, never taken as open"),
    # ---------------------------------------------------------------- penalties (RULES.md §5)
    _C("penalty.calendar", ERROR, "P1", "{case}：{reason}",
       "the calendar does not cover a late case, so its days late could not be fined"),
    _C("penalty.no_person", ERROR, "P1, P7", "未填{header}，本行未计入",
       "a fine or late case without the responsible person",
       {"late": "{case} {rule_title}本月超期 {days} {unit}，但未填{header}，无法计罚"}),
    _C("penalty.no_bonus", ERROR, "P8", "{person} {why}，无法按上限罚扣：{carried} 元全部结转下月",
       "no monthly efficiency bonus known: the capped deduction is all carried forward"),
    _C("penalty.fine_rule", ERROR, "P2, P3, P12",
       "罚款须在「{header}」中写明规则编号（如 P2、P3、P12），填写的是「{given}」，本行未计入",
       "an entered fine without the rule id it is imposed under"),
    _C("penalty.fine_amount", ERROR, "P2, P3, P12", "罚款未填金额，本行未计入", "an entered fine without its amount"),
    _C("penalty.sanction_kind", ERROR, "P7", "策略中没有处分类型「{kind}」（可用：{known}），本行未计入",
       "a sanction level the policy does not define"),
    _C("penalty.sanction", ERROR, "P7", "{person} {kind}：{reason}，本行未计入",
       "a sanction row that cannot be converted to a deduction"),
    _C("penalty.below_minimum", ERROR, "P7", "{level}的罚扣不应低于 {floor} 元，填写的是 {given} 元",
       "an entered sanction deduction below the level's floor"),
    _C("penalty.out_of_range", ERROR, "P5", "{title}的罚款应在 {low}–{high} 元之间，填写的是 {given} 元",
       "an entered service-outlet fine outside the regulation's range"),
    _C("approval.no_authority", ERROR, "P11", "{label}：{post}无特批权限，须经{top}批准",
       "a special approval by a post without the authority"),
    _C("approval.over_count", ERROR, "P11",
       "{label}：本月第 {n} 次，{post}每月不得超过 {limit} 次，超出须经{top}批准",
       "more special approvals in a month than the post may give"),
    _C("approval.over_amount", ERROR, "P11",
       "{label}：金额 {amount} 元，{post}每次不得超过 {limit} 元，超出须经{top}批准",
       "a special approval above the post's amount per approval"),
    _C("approval.unreadable", ERROR, "P11", "{reason}", "the special-approval rows cannot be checked"),
    # ---------------------------------------------------------------- outlets, losses, 三包 (P4, P6, P9, P10, F2)
    _C("parts.no_fault", WARNING, "P4", "旧件批次 {batch} 有 {n} 个无故障返回件：罚{outlet} {amount} 元（每件 {per} 元，P4）",
       "returned outlet parts found without a fault: a fine per part"),
    _C("parts.writeoff", WARNING, "P4", "{explanation}：核销 {accepted} 元，不予核销 {withheld} 元（P4）",
       "a batch of returned parts sent late: written off at the reduced rate or not at all"),
    _C("parts.fraud", ERROR, "P4", "旧件批次 {batch} 以保外或逾期件冒充核销：罚{outlet} {amount} 元（供价 × {k} 倍，P4）",
       "out-of-warranty or late parts passed off for write-off"),
    _C("parts.mismatch", ERROR, "P4", "{header}填写 {given} 元，按规定应为 {right} 元（{explanation}，P4）",
       "an entered write-off amount that disagrees with the rule"),
    _C("settlement.adjusted", WARNING, "P6", "{explanation}（P6）",
       "settlement documents received late or without an electronic copy: deferred, cut or not settled"),
    _C("settlement.mismatch", ERROR, "P6", "{header}填写 {given}，按规定应为 {right}（{explanation}，P6）",
       "an entered settlement month or amount that disagrees with the rule"),
    _C("loss.unreadable", ERROR, "P9", "{reason}，本行未分摊（P9）", "a loss row that cannot be apportioned"),
    _C("loss.base_points", WARNING, "P9",
       "{dept} 的部门基点合计 {total} 与该部门人员基点之和 {members} 不一致：按部门基点合计分摊（P9）",
       "a department's 部门基点合计 disagrees with the sum of its staff's base points"),
    _C("damage.mismatch", ERROR, "P10", "{header}填写 {given} 元，按规定应为 {right} 元（{explanation}，P10）",
       "an entered facility-damage compensation that disagrees with the rule"),
    _C("damage.unreadable", ERROR, "P10", "{reason}，本行未计入（P10）", "a facility-damage row that cannot be assessed"),
    _C("sanbao.remedy", WARNING, "F2", "工单 {case}：{note}；填写的三包处理为「{given}」（F2）",
       "a ticket's 三包 remedy disagrees with what the policy gives for the days since purchase"),
    _C("sanbao.undefined", WARNING, "F2", "工单 {case}：{note}（F2）",
       "a quality fault on a day the 三包 articles leave undefined: a person must decide"),
    _C("sanbao.repair_late", WARNING, "F2", "工单 {case}：三包维修应在受理后 {days} 天内（{due} 前）完成，{state}（F2）",
       "a 三包 repair not done within the one-week limit"),
    _C("appraisal.excluded", WARNING, "S5", "{person} {year} 年{reasons}：取消年终绩效考评（S5）",
       "two failed quarters, two yellow cards or one red card in a year: no year-end appraisal"),
    _C("appraisal.dismissal", WARNING, "S10", "{person} {year} 年记大过 {n} 次，达到 {limit} 次给予淘汰（S10）",
       "three major demerits: dismissal"),
    _C("appraisal.no_profit_share", WARNING, "S10", "{person} {year} 年{reasons}：不参与超额利润分配（S10）",
       "demerits that bar the person from the profit share"),
    _C("appraisal.office_excluded", WARNING, "S10", "{year} 年{reasons}：本办事处不参与年度绩效考核（S10）",
       "a complaint rate above the limit or satisfaction below target twice: the office is not appraised"),
    # ---------------------------------------------------------------- scores (RULES.md §6) and training
    _C("score.survey", ERROR, "S1", "{reason}", "a questionnaire that cannot be scored"),
    _C("score.receipt", ERROR, "S4", "{reason}，该回执未计入", "a receipt rating that cannot be read"),
    _C("score.calendar", WARNING, "S7", "{reason}",
       "the calendar does not cover a case, so it is left out of an on-time rate"),
    _C("kpi.quarter", ERROR, "S5", "季度「{given}」应写成 2026-Q1", "a KPI row whose quarter cannot be read"),
    _C("kpi.kind", WARNING, "S5", "{metric} 在策略中是{policy_kind}指标，本行填写为{given}，按策略封顶",
       "a KPI row's planned/control kind disagrees with the policy"),
    _C("kpi.score", ERROR, "S5", "{quarter} {person}：{reason}", "a person's quarter that cannot be scored"),
    _C("survey.rounds", WARNING, "S8", "本年度满意度调查 {rounds} 次，少于每年 {min_rounds} 次",
       "fewer survey rounds in the year than required"),
    _C("survey.coverage", WARNING, "S8",
       "调查覆盖年销售额不少于 {min_sales} 元的客户 {covered}/{eligible}（{coverage}），低于 {min_coverage}",
       "the survey covers too few of the customers it must cover"),
    _C("survey.return_rate", WARNING, "S8", "调查表回收 {returned}/{sent}（{rate}），低于 {min_rate}",
       "too few questionnaires returned"),
    _C("training.status", ERROR, "S9", "{session}：{reason}", "an attendee status that is not 实到/请假/旷课"),
    _C("training.count_mismatch", WARNING, "S9", "{what}填写 {recorded} 人，签到名单为 {counted} 人",
       "a count written on the sign-in sheet disagrees with the attendee list"),
    _C("training.count_sum", WARNING, "S9", "应到 {expected} 人 ≠ 实到 {present} + 请假 {leave} + 旷课 {absent}",
       "应到 is not 实到 + 请假 + 旷课"),
    _C("training.hours_short", WARNING, "D12", "{person} {month} 培训 {got} 小时，少于每月 {need} 小时",
       "a technician trained fewer hours in a month than required"),
    _C("training.no_sessions", WARNING, "D12", "{month} 没有培训记录：技术服务人员本月培训 0 小时，少于每月 {need} 小时",
       "a month without any training session"),
)

CODES: MappingProxyType = MappingProxyType({c.code: c for c in CATALOGUE})
assert len(CODES) == len(CATALOGUE), "a finding code is catalogued twice"


def lookup(code: str) -> FindingCode:
    """The catalogue entry of a code; an unknown code is a programming error, said plainly."""
    try:
        return CODES[code]
    except KeyError:
        raise KeyError(f"finding code {code!r} is not in generator/core/finding_codes.py") from None


__all__ = ["ERROR", "WARNING", "FindingCode", "CATALOGUE", "CODES", "lookup"]
