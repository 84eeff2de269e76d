"""Scores S1–S9 (RULES.md §6) as pure functions over plain records.

Every band, weight and level comes from ``policy['scores']``. Inputs are plain Python values:
a questionnaire is ``{item name: level text}``, a receipt is ``{"engineer": …, aspect: 1–5}``,
rates are fractions (0.55) or text such as ``"55%"``. Where the regulation leaves a value
undefined (S6: satisfaction between 50% and 60%), the result says so in Chinese instead of
guessing.

>>> from generator.config.policy import default_policy
>>> p = default_policy()
>>> s = questionnaire_score({"产品的可靠性": "非常满意", "维修服务": "满意"}, p)
>>> s.score, s.label
(Decimal('90.00'), '满意')
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from generator.core.errors import UserError
from generator.core.findings import Finding
from generator.core.money import (
    band_text,
    match_bands,
    non_negative,
    rate,
    round_to,
    share,
)
from generator.core.periods import month_key, month_text
from generator.core.text import num_text, pct_text
from generator.rules.ahp import AhpResult, policy_analyse


def _cfg(policy: dict, key: str) -> dict:
    try:
        return policy["scores"][key]
    except KeyError:
        raise UserError(f"策略文件缺少 scores.{key}") from None


def _dec(f: Fraction, places: int) -> Decimal:
    return round_to(Decimal(f.numerator) / Decimal(f.denominator), places)


def _mean(values: list) -> Fraction | None:
    return sum(Fraction(v) for v in values) / len(values) if values else None


# ---------------------------------------------------------------------------- S1, S2 questionnaires

@dataclass(frozen=True)
class SurveyScore:
    score: Decimal | None      # mean of the rated items, to policy places (None: nothing rated)
    label: str | None          # S2 class of the exact mean
    rated: int                 # number of items rated
    exact: Fraction | None = None


def item_points(level, policy: dict) -> int | Decimal | None:
    """S1: points of one rated item ('非常满意' → 100 … '非常不满意' → 20); blank → None."""
    levels = _cfg(policy, "survey")["levels"]
    if level is None or (isinstance(level, str) and not level.strip()):
        return None
    if isinstance(level, str) and level.strip() in levels:
        return levels[level.strip()]
    if not isinstance(level, (str, bool)) and level in levels.values():
        return level  # the points themselves were entered
    raise UserError(f"无法识别的满意度等级 {level!r}（应为 {'、'.join(levels)}）")


def satisfaction_class(score, policy: dict) -> str:
    """S2: 不满意 below 80, 满意 from 80 to 90 inclusive, 很满意 above 90 (001 §13 4.6.1)."""
    hits = match_bands(score, _cfg(policy, "survey")["classes"])
    if not hits:
        raise UserError(f"scores.survey.classes 没有覆盖得分 {score}")
    return hits[0]["label"]


def questionnaire_score(ratings: dict, policy: dict) -> SurveyScore:
    """S1/S2: a questionnaire's score is the mean of its rated items; its class comes from the exact mean."""
    cfg = _cfg(policy, "survey")
    unknown = [k for k in ratings if k not in cfg["items"]]
    if unknown:
        raise UserError(f"调查表中有未知的评价项目：{'、'.join(unknown)}")
    points = [p for p in (item_points(v, policy) for v in ratings.values()) if p is not None]
    exact = _mean(points)
    if exact is None:
        return SurveyScore(None, None, 0)
    return SurveyScore(_dec(exact, cfg["score_places"]), satisfaction_class(exact, policy), len(points), exact)


# ---------------------------------------------------------------------------- S3 CSI

@dataclass(frozen=True)
class IndicatorScore:
    name: str
    weight: Decimal            # λi, from the AHP matrix, to policy places
    score: Decimal | None      # Xi: mean score (None: no data)
    items: list[str]           # questionnaire items behind it


@dataclass(frozen=True)
class CsiResult:
    csi: Decimal | None
    indicators: list[IndicatorScore]
    missing: list[str]         # indicators without data, left out (weights re-normalised)
    ahp: AhpResult
    questionnaires: int
    notes: list[str] = field(default_factory=list)


def csi_weights(policy: dict) -> tuple[dict[str, Decimal], AhpResult]:
    """S3: λ for each 二级指标 from the policy's pairwise matrix (001 §13 4.3.3)."""
    cfg = _cfg(policy, "csi")
    result = policy_analyse(cfg["criteria"], cfg["matrix"], cfg["method"], policy)
    return {k: round_to(Decimal(repr(w)), cfg["weight_places"]) for k, w in result.weights.items()}, result


def csi(questionnaires: list[dict], policy: dict, extra_scores: dict | None = None) -> CsiResult:
    """S3: CSI = Σ λi·Xi over the 二级指标 (001 §13 4.6.1–4.6.2).

    Each item's score is its mean over the questionnaires; an indicator's Xi is the mean of its
    items' scores (``scores.csi.item_indicator``); the ``overall_indicator`` takes the mean of the
    questionnaires' own scores. ``extra_scores`` supplies Xi for indicators measured elsewhere
    (e.g. 顾客忠诚, or 顾客抱怨 by 001 §13 4.6.2.1). Indicators with no data are left out and the
    remaining weights re-normalised; the result lists them.
    """
    cfg = _cfg(policy, "csi")
    lam, result = csi_weights(policy)
    by_item: dict[str, list] = {}
    totals = []
    for q in questionnaires:
        s = questionnaire_score(q, policy)
        if s.exact is not None:
            totals.append(s.exact)
        for item, level in q.items():
            p = item_points(level, policy)
            if p is not None:
                by_item.setdefault(item, []).append(p)
    extra = {k: rate(v, f"{k} 的得分") for k, v in (extra_scores or {}).items()}
    bad = [k for k in extra if k not in lam]
    if bad:
        raise UserError(f"未知的二级指标：{'、'.join(bad)}")
    indicators, used = [], []
    for name, weight in lam.items():
        items = [i for i, ind in cfg["item_indicator"].items() if ind == name]
        item_means = [_mean(by_item[i]) for i in items if i in by_item]
        if name in extra:
            x = Fraction(extra[name])
        elif name == cfg["overall_indicator"]:
            x = _mean(totals)
        else:
            x = _mean(item_means)
        indicators.append(IndicatorScore(name, weight, None if x is None else _dec(x, cfg["csi_places"]), items))
        if x is not None:
            used.append((Fraction(weight), x))
    missing = [i.name for i in indicators if i.score is None]
    notes = []
    if not result.consistent:
        notes.append(f"判断矩阵一致性比率 CR={result.cr:.2f}，超过 {num_text(policy['scores']['ahp']['max_cr'])}，权重的一致性不可接受，结果仅供参考")
    if missing:
        notes.append(f"以下二级指标没有数据，未计入并按其余权重重新归一：{'、'.join(missing)}")
    value = None
    if used:
        value = _dec(sum(w * x for w, x in used) / sum(w for w, _ in used), cfg["csi_places"])
    return CsiResult(value, indicators, missing, result, len(questionnaires), notes)


# ---------------------------------------------------------------------------- S4 receipt ratings

@dataclass(frozen=True)
class ReceiptAverage:
    engineer: str
    receipts: int
    means: dict[str, Decimal | None]   # per aspect, 1 best … 5 worst
    overall: Decimal | None            # mean of every rating given


def receipt_level(value, policy: dict) -> int | None:
    """S4: a receipt rating as 1–5 from '非常满意' … '很不满意', '1. 非常满意' or the digit; blank → None."""
    levels = _cfg(policy, "receipt")["levels"]
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) and value == int(value):
        v = int(value)
    else:
        text = str(value).strip()
        if text in levels:
            return levels[text]
        head = text.split(".")[0].strip() if text.split(".")[-1].strip() in levels else text
        v = int(head) if head.isdigit() else None
    if v not in levels.values():
        raise UserError(f"无法识别的回执评价 {value!r}（应为 1–5 或 {'、'.join(levels)}）")
    return v


def receipt_averages(receipts: list[dict], policy: dict) -> dict[str, ReceiptAverage]:
    """S4: average receipt ratings per engineer and aspect (000 ch.3 §6). Lower is better."""
    cfg = _cfg(policy, "receipt")
    grouped: dict[str, list[dict]] = {}
    for r in receipts:
        name = r.get("engineer")
        if not name:
            raise UserError(f"回执单缺少服务人员：{r!r}")
        grouped.setdefault(str(name), []).append(r)
    out = {}
    for name, rs in sorted(grouped.items()):
        per = {a: [v for v in (receipt_level(r.get(a), policy) for r in rs) if v is not None] for a in cfg["aspects"]}
        all_ = [v for vs in per.values() for v in vs]
        means = {a: None if not vs else _dec(_mean(vs), cfg["mean_places"]) for a, vs in per.items()}
        overall = _dec(_mean(all_), cfg["mean_places"]) if all_ else None
        out[name] = ReceiptAverage(name, len(rs), means, overall)
    return out


# ---------------------------------------------------------------------------- S5 KPI

@dataclass(frozen=True)
class KpiLine:
    metric: str
    weight: Decimal
    attainment: Decimal | None   # ratio before the cap (None for a directly scored metric)
    cap: Decimal | None
    points: Decimal | None       # weighted points (None: no data)
    note: str = ""


@dataclass(frozen=True)
class KpiResult:
    post: str
    lines: list[KpiLine]
    total: Decimal | None        # None when a metric has no data
    passed: bool | None          # total ≥ pass mark
    notes: list[str]


def kpi_score(post: str, results: dict, policy: dict, award: bool = False) -> KpiResult:
    """S5: a post's KPI score out of 100 (001 §4 七, 九).

    ``results`` maps each metric of the post to ``{"actual": a, "target": t}`` (scored a ÷ t, or
    t ÷ a for a lower-is-better metric, capped at 110% for a planned metric and 100% for a
    control metric) or ``{"score": s}`` for a metric scored 0–100 by its own standard (工作态度).
    A metric without data leaves the total undefined. ``award`` adds the 单项奖/记功 points.
    """
    cfg = _cfg(policy, "kpi")
    if post not in cfg["posts"]:
        raise UserError(f"策略中没有岗位“{post}”的考核权重（已有：{'、'.join(cfg['posts'])}）")
    weights = cfg["posts"][post]["weights"]
    extra = [m for m in results if m not in weights]
    if extra:
        raise UserError(f"岗位“{post}”没有考核指标：{'、'.join(extra)}")
    lines = [_kpi_line(m, rate(w), results.get(m), cfg) for m, w in weights.items()]
    notes = []
    missing = [l.metric for l in lines if l.points is None]
    total = passed = None
    if missing:
        notes.append(f"以下指标没有数据，总分无法计算：{'、'.join(missing)}")
    else:
        raw = sum(l.points for l in lines) + (rate(cfg["award_points"]) if award else 0)
        total = round_to(raw, cfg["score_places"])
        passed = total >= rate(cfg["pass_mark"])
        if award:
            notes.append(f"获单项奖或记功三次，加 {num_text(cfg['award_points'])} 分")
        if not passed:
            notes.append(f"季度得分 {total} 不满 {num_text(cfg['pass_mark'])} 分，考核不合格，不发季度绩效奖金")
    return KpiResult(post, lines, total, passed, notes)


def _kpi_line(metric: str, weight: Decimal, data, cfg: dict) -> KpiLine:
    if data is None:
        return KpiLine(metric, weight, None, None, None, "无数据")
    if "score" in data:
        s = non_negative(data["score"], f"{metric} 的得分")
        return KpiLine(metric, weight, None, None, s * weight, "按评分标准直接评分")
    actual, target = non_negative(data["actual"], f"{metric} 的实际值"), non_negative(data["target"], f"{metric} 的目标值")
    control = metric in cfg["control_metrics"]
    cap = rate(cfg["control_cap"] if control else cfg["planned_cap"])
    if metric in cfg["lower_is_better"]:
        ratio = cap if actual == 0 else target / actual
        how = "目标 ÷ 实际"
    else:
        if target == 0:
            raise UserError(f"{metric} 的目标值为 0，无法计算达成率")
        ratio, how = actual / target, "实际 ÷ 目标"
    ratio = round_to(ratio, 6)
    note = f"{how}，{'控制性指标' if control else '计划指标'}封顶 {pct_text(cap)}"
    return KpiLine(metric, weight, ratio, cap, min(ratio, cap) * 100 * weight, note)


@dataclass(frozen=True)
class Bonus:
    amount: Decimal
    eligible: bool
    reason: str


def quarterly_bonus(annual_performance, score, policy: dict) -> Bonus:
    """S5: a quarter's bonus = annual performance pay × 23.5%, none below the pass mark (001 §4 四, 五 3).

    This is the standard amount; the seed's 考核奖金比例 (绩效额度=岗位标准绩效×考核奖金比例) is not defined.
    """
    cfg = _cfg(policy, "kpi")
    annual = non_negative(annual_performance, "全年绩效")
    if rate(score) < rate(cfg["pass_mark"]):
        return Bonus(Decimal("0.00"), False, f"季度得分 {num_text(rate(score))} 不满 {num_text(cfg['pass_mark'])} 分，不发奖金")
    amount = round_to(annual * rate(cfg["quarterly_share"]), 2)
    return Bonus(amount, True, f"全年绩效 {annual} 元 × {pct_text(cfg['quarterly_share'])}")


def year_end_bonus(annual_performance, failed_quarters: int, yellow_cards: int, red_cards: int, policy: dict) -> Bonus:
    """S5: year-end bonus = annual performance pay × 6%, cancelled by two failed quarters,
    two yellow cards or one red card (001 §4 四, 五 3)."""
    cfg = _cfg(policy, "kpi")
    annual = non_negative(annual_performance, "全年绩效")
    reasons = [
        f"{label} {n} {unit}（达到 {limit} {unit}取消年终绩效考评）"
        for n, limit, label, unit in (
            (failed_quarters, cfg["failed_quarters_cancel"], "季度考核不合格", "个季度"),
            (yellow_cards, cfg["yellow_cards_cancel"], "黄牌", "张"),
            (red_cards, cfg["red_cards_cancel"], "红牌", "张"),
        )
        if n >= limit
    ]
    if reasons:
        return Bonus(Decimal("0.00"), False, "；".join(reasons))
    return Bonus(round_to(annual * rate(cfg["year_end_share"]), 2), True, f"全年绩效 {annual} 元 × {pct_text(cfg['year_end_share'])}")


# ---------------------------------------------------------------------------- S6 incentive

@dataclass(frozen=True)
class IncentivePart:
    key: str                   # N, X or P
    label: str
    value: Decimal
    weight: Decimal
    score: int | Decimal | None   # None: the regulation defines no score for this value
    band: str                  # the band that applied, in the regulation's notation
    note: str = ""


@dataclass(frozen=True)
class IncentiveResult:
    parts: list[IncentivePart]
    total: Decimal | None      # None when any part is undefined
    defined: bool
    notes: list[str]


_INCENTIVE = (
    ("N", "年度重复维修次数", "repeat_repairs", "weight_n", False),
    ("X", "客户投诉率", "complaint_rate", "weight_x", True),
    ("P", "客户满意度", "satisfaction", "weight_p", True),
)


def incentive_score(repeat_repairs, complaint_rate, satisfaction, policy: dict) -> IncentiveResult:
    """S6: incentive score from N (30%), X (40%) and P (30%) (001 §4 十 1).

    A value on the shared end point of two bands takes the first band listed, and the part's
    note says so. A value in no band (P between 50% and 60%) is undefined: the part's score and
    the total are None and the note says the regulation defines no score.
    """
    cfg = _cfg(policy, "incentive")
    values = {"N": rate(repeat_repairs, "重复维修次数"), "X": share(complaint_rate, "客户投诉率"), "P": share(satisfaction, "客户满意度")}
    parts, notes = [], []
    for key, label, bands_key, weight_key, percent in _INCENTIVE:
        v = values[key]
        shown = pct_text(round_to(v, 4)) if percent else num_text(v)   # 57.14%, not every digit of 4/7
        hits = match_bands(v, cfg[bands_key])
        if not hits:
            note = f"{label} {key}={shown}：制度（001 §4 十 1）未规定该区间的得分，无法评分"
            parts.append(IncentivePart(key, label, v, rate(cfg[weight_key]), None, "", note))
            notes.append(note)
            continue
        band, note = hits[0], ""
        if len(hits) > 1:
            note = f"{label} {key}={shown} 恰在两档交界（{'；'.join(band_text(h, key, percent) for h in hits)}），按表中先列的一档计 {band['score']} 分"
            notes.append(note)
        parts.append(IncentivePart(key, label, v, rate(cfg[weight_key]), band["score"], band_text(band, key, percent), note))
    defined = all(p.score is not None for p in parts)
    total = round_to(sum(rate(p.score) * p.weight for p in parts), cfg["score_places"]) if defined else None
    return IncentiveResult(parts, total, defined, notes)


# ---------------------------------------------------------------------------- S7 targets

@dataclass(frozen=True)
class TargetResult:
    name: str
    actual: Decimal | None
    requirement: str           # e.g. '顾客满意率 ≥ 90%'
    met: bool | None           # None: no data


def service_targets(actuals: dict, policy: dict) -> list[TargetResult]:
    """S7: each service target of the policy against the actual rate (001 §3; 004 Ⅳ 3.2.1)."""
    targets = _cfg(policy, "targets")["items"]
    names = {t["name"] for t in targets}
    extra = [k for k in actuals if k not in names]
    if extra:
        raise UserError(f"策略中没有服务目标：{'、'.join(extra)}")
    out = []
    for t in targets:
        req = band_text(t, t["name"], percent=True)
        v = actuals.get(t["name"])
        if v is None:
            out.append(TargetResult(t["name"], None, req, None))
            continue
        a = share(v, t["name"])
        out.append(TargetResult(t["name"], a, req, bool(match_bands(a, [t]))))
    return out


# ---------------------------------------------------------------------------- S8 survey programme

@dataclass(frozen=True)
class ProgrammeResult:
    eligible: int
    surveyed: int
    coverage: Decimal | None
    sent: int
    returned: int
    return_rate: Decimal | None
    rounds: int
    findings: list[Finding]


def survey_programme(sales_by_customer: dict, surveyed_customers, sent: int, returned: int, rounds: int,
                     policy: dict, register: str = "surveys") -> ProgrammeResult:
    """S8: the year's survey covers ≥ 20% of customers with ≥ 20,000 yuan annual sales, returns
    ≥ 70% of questionnaires sent, and runs at least once (001 §13 4.4–4.5)."""
    cfg = _cfg(policy, "survey_programme")
    floor = rate(cfg["min_annual_sales"])
    eligible = {c for c, v in sales_by_customer.items() if rate(v, f"{c} 的年销售额") >= floor}
    covered = eligible & set(surveyed_customers)
    coverage = round_to(Decimal(len(covered)) / len(eligible), 4) if eligible else None
    ret = round_to(Decimal(returned) / sent, 4) if sent else None
    findings = []

    def add(code, value, **fields):
        findings.append(Finding.of(code, register, "", value=value, **fields))

    if rounds < cfg["min_rounds_per_year"]:
        add("survey.rounds", rounds, rounds=rounds, min_rounds=cfg["min_rounds_per_year"])
    if coverage is not None and coverage < rate(cfg["min_coverage"]):
        add("survey.coverage", str(coverage), min_sales=num_text(floor), covered=len(covered), eligible=len(eligible),
            coverage=pct_text(coverage), min_coverage=pct_text(cfg["min_coverage"]))
    if ret is not None and ret < rate(cfg["min_return_rate"]):
        add("survey.return_rate", str(ret), returned=returned, sent=sent, rate=pct_text(ret),
            min_rate=pct_text(cfg["min_return_rate"]))
    return ProgrammeResult(len(eligible), len(covered), coverage, sent, returned, ret, rounds, findings)


# ---------------------------------------------------------------------------- S9 training

def attendance(statuses: list, policy: dict) -> dict[str, int]:
    """S9: 应到/实到/请假/旷课 of a session from each listed attendee's status (000 ch.7 §2.2).

    ``statuses`` holds one status per listed person (or dicts with ``status`` and ``name``).
    """
    cfg = _cfg(policy, "training")
    kinds = {cfg["present"]: 0, cfg["leave"]: 0, cfg["absent"]: 0}
    for s in statuses:
        st = (s.get("status") if isinstance(s, dict) else s) or ""
        if str(st).strip() not in kinds:
            who = s.get("name", "") if isinstance(s, dict) else ""
            raise UserError(f"签到状态 {st!r}{'（' + who + '）' if who else ''} 应为 {'、'.join(kinds)}")
        kinds[str(st).strip()] += 1
    return {"应到": len(statuses), "实到": kinds[cfg["present"]], "请假": kinds[cfg["leave"]], "旷课": kinds[cfg["absent"]]}


def check_attendance(recorded: dict, statuses: list, policy: dict, *, register: str = "training", sheet: str = "",
                     row: int | None = None) -> list[Finding]:
    """S9: the counts written on the sign-in sheet agree with the list and 应到 = 实到 + 请假 + 旷课."""
    counted = attendance(statuses, policy)
    findings = []
    for key, n in counted.items():
        if key in recorded and recorded[key] is not None and int(recorded[key]) != n:
            findings.append(Finding.of("training.count_mismatch", register, sheet, row, key, value=recorded[key],
                                       what=key, recorded=recorded[key], counted=n))
    parts = [recorded.get(k) for k in ("应到", "实到", "请假", "旷课")]
    if all(p is not None for p in parts) and int(parts[0]) != sum(int(p) for p in parts[1:]):
        findings.append(Finding.of("training.count_sum", register, sheet, row, "应到", value=parts[0],
                                   expected=parts[0], present=parts[1], leave=parts[2], absent=parts[3]))
    return findings


def training_hours(sessions: list[dict], month, policy: dict) -> dict[str, Decimal]:
    """S9/D12: training hours per person in ``month`` from sessions they attended (status 实到).

    A session is ``{"date": date, "lessons": 课时 (or "hours"), "attendees": [{"name", "status"}]}``.
    """
    cfg = _cfg(policy, "training")
    ym = month_key(month)
    hours: dict[str, Decimal] = {}
    for s in sessions:
        day = s["date"]
        if (day.year, day.month) != ym:
            continue
        h = non_negative(s["hours"], "培训小时") if "hours" in s else non_negative(s["lessons"], "课时") * rate(cfg["hours_per_lesson"])
        for a in s.get("attendees", []):
            if a.get("status") == cfg["present"]:
                hours[a["name"]] = hours.get(a["name"], Decimal(0)) + h
    return hours


def check_training_hours(hours_by_person: dict, technicians: list[str], month, policy: dict,
                         register: str = "training") -> list[Finding]:
    """D12: each technician trains at least 8 hours a month (003 §4.4.3)."""
    need = rate(_cfg(policy, "training")["monthly_hours"])
    label = month_text(month_key(month))
    return [
        Finding.of("training.hours_short", register, "", value=str(got), person=t, month=label, got=num_text(got),
                   need=num_text(need))
        for t in technicians
        if (got := rate(hours_by_person.get(t, 0))) < need
    ]


__all__ = [
    "SurveyScore", "item_points", "satisfaction_class", "questionnaire_score",
    "IndicatorScore", "CsiResult", "csi_weights", "csi",
    "ReceiptAverage", "receipt_level", "receipt_averages",
    "KpiLine", "KpiResult", "kpi_score", "Bonus", "quarterly_bonus", "year_end_bonus",
    "IncentivePart", "IncentiveResult", "incentive_score",
    "TargetResult", "service_targets",
    "ProgrammeResult", "survey_programme",
    "attendance", "check_attendance", "training_hours", "check_training_hours",
]
