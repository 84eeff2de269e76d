"""A deterministic sample year of after-sales records (``aftersales init DIR --sample``).

A maker of electrical charging equipment (充电桩, 配电柜, 充电模块 ...) from 2025-07-01 to
2026-06-30: master data, ~500 service tickets with field services and parts, ~100 complaints,
~60 material applications, ~24 training sessions and ~120 surveys. ``random.Random(SEED)``
drives every choice, so two calls give equal data; nothing reads files or the clock.

Everything is clean for ``aftersales check --today 2026-06-30`` (SAMPLE_TODAY) except the
mistakes listed in PLANTED, which docs/SAMPLE.md documents (``planted_markdown()`` writes that
section). Numbers come from the policy's numbering rules, never from literals here.
"""
from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import Decimal

from generator.config.register_specs import load_specs
from generator.rules.workcal import WORK, WorkCalendar
from generator.sample.base import COMPANY_DAYS, END, SEED, START, days_between, money
from generator.sample.case_rows import CaseRows
from generator.sample.clock_rows import ClockRows
from generator.sample.service_rows import TicketRows
from generator.sample.vocabulary import (
    FIRM_FORMS,
    FIRM_KINDS,
    FIRM_WORDS,
    FOREIGN,
    GIVEN,
    MOBILE_PREFIXES,
    PLACES,
    ROADS,
    SURNAMES,
)


class _Sample(TicketRows, CaseRows, ClockRows):
    """One generation run: the random stream, the calendar and the master data drawn so far."""

    def __init__(self, policy: dict):
        self.policy = policy
        self.rng = random.Random(SEED)
        self.cal = WorkCalendar({d: kind == WORK for d, kind, _ in COMPANY_DAYS})
        self.workdays = [d for d in days_between(START, END) if self.cal.is_working(d)]
        self.depts = {str(code): str(name) for code, name in policy["departments"].items()}
        self.used_names: set[str] = set()
        self.used_phones: set[str] = set()

    # -- small helpers --
    def pick(self, seq, weights=None):
        return self.rng.choices(seq, weights)[0] if weights else self.rng.choice(seq)

    def name(self) -> str:
        while True:
            n = self.pick(SURNAMES) + self.pick(GIVEN)
            if n not in self.used_names:
                self.used_names.add(n)
                return n

    def phone(self) -> str:
        while True:
            p = self.pick(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if p not in self.used_phones:
                self.used_phones.add(p)
                return p

    def month_days(self, y: int, m: int) -> list[dt.date]:
        return [d for d in self.workdays if (d.year, d.month) == (y, m)]

    def wd(self, d: dt.date, n: int) -> dt.date:
        return self.cal.add_working_days(d, n)

    def dept(self, code: str) -> str:
        """A department code the policy knows (a company may have dropped one)."""
        return code if code in self.depts else next(iter(self.depts))

    def staff_in(self, *posts: str) -> list[dict]:
        return [s for s in self.staff if s["post"] in posts]

    # -- master data --
    def master(self) -> dict:
        plan = (("售后服务部经理", "KF", 1, 5000, "2.0"), ("售后主管", "KF", 2, 3500, "1.6"),
                ("客服专员", "KF", 4, 1800, "1.0"), ("技术工程师", "SC", 2, 2600, "1.3"),
                ("技术工程师", "SJ", 2, 2600, "1.3"), ("技术工程师", "HY", 2, 2600, "1.3"),
                ("技术工程师", "YF", 1, 2800, "1.4"), ("售后人员", "SC", 2, 2000, "1.1"),
                ("售后人员", "SJ", 1, 2000, "1.1"), ("售后人员", "HY", 1, 2000, "1.1"),
                ("售后人员", "YF", 1, 2000, "1.1"), ("区域经理", "YX", 3, 3000, "1.5"),
                ("销售经理", "YX", 2, 2800, "1.4"), ("质量工程师", "ZL", 2, 2400, "1.2"))
        self.staff = []
        for post, code, n, bonus, points in plan:
            for _ in range(n):
                code_ = self.dept(code)
                self.staff.append({"name": self.name(), "dept": self.depts[code_], "code": code_, "post": post,
                                   "phone": self.phone(), "bonus": money(bonus + 100 * self.rng.randint(0, 5)),
                                   "base_points": Decimal(points) + Decimal(self.rng.randint(0, 2)) / 10})
        self.customers = []
        names = set()
        while len(self.customers) < 57:
            prov, city, districts = self.pick(PLACES)
            cname = f"{city[:-1]}{self.pick(FIRM_WORDS)}{self.pick(FIRM_KINDS)}{self.pick(FIRM_FORMS)}"
            if cname in names:
                continue
            names.add(cname)
            town = prov if prov == city else prov + city   # 上海市 is both
            addr = f"{town}{self.pick(districts)}{self.pick(ROADS)}路{self.rng.randint(1, 399)}号"
            sales = self.rng.randint(8, 1800) * 5000 if len(self.customers) % 10 else self.rng.randint(5, 19) * 1000
            self.customers.append({"name": cname, "address": addr, "contact": self.name(), "phone": self.phone(),
                                   "annual_sales": money(sales), "city": city, "foreign": False})
        for cname, addr in FOREIGN:
            self.customers.append({"name": cname, "address": addr, "contact": self.name(), "phone": None,
                                   "annual_sales": money(self.rng.randint(40, 300) * 10000), "city": None,
                                   "foreign": True})
        for i, c in enumerate(self.customers, start=1):
            c["code"] = f"KH{i:04d}"
        self.domestic = [c for c in self.customers if not c["foreign"]]
        points = Counter()
        for s in self.staff:
            points[s["code"]] += s["base_points"]
        return {
            "departments": [{"code": c, "name": n, "base_points": points.get(c)} for c, n in self.depts.items()],
            "staff": [{k: s[k] for k in ("name", "dept", "post", "phone", "bonus", "base_points")} for s in self.staff],
            "customers": [{k: c[k] for k in ("code", "name", "address", "contact", "phone", "annual_sales")}
                          for c in self.customers],
            "holidays": [{"date": d, "kind": k, "note": n} for d, k, n in COMPANY_DAYS],
        }

    # -- tickets, field services, parts --

    def penalty(self, *path: str) -> Decimal | None:
        """An amount from the policy's [penalties] (None when the company has no such rule)."""
        node = self.policy.get("penalties", {})
        for p in path:
            node = node.get(p, {}) if isinstance(node, dict) else {}
        return money(node) if isinstance(node, (int, Decimal)) else None

    def sanctions(self, complaints: list[dict]) -> list[dict]:
        def case(day: dt.date) -> str:   # a complaint received at least a week before
            return [c for c in complaints if c["received"] <= day - dt.timedelta(days=7)][-1]["complaint_no"]

        def person(post: str, i: int = 0) -> dict:
            return self.staff_in(post)[i]

        tech = person("技术工程师")
        per_base = self.penalty("sanctions", "小过", "amount")
        plan = (
            (dt.date(2025, 8, 20), person("客服专员"), "罚款", "P2", True,
             self.penalty("complaint_records", "falsified"), "抽查发现投诉回访记录与实际不符"),
            (dt.date(2025, 10, 15), person("销售经理"), "罚款", "P3", True,
             self.penalty("policy_notice", "misunderstanding"), "客户对保修政策误解引起抱怨类投诉"),
            (dt.date(2025, 12, 10), person("区域经理"), "罚款", "P12", False,
             self.penalty("delivery", "undelivered_per_order"), "已开票订单未当日发货"),
            (dt.date(2026, 1, 16), person("客服专员", 1), "警告", "P2", True,
             self.penalty("sanctions", "警告", "amount"), "未按规定及时受理客户投诉"),
            (dt.date(2026, 4, 17), tech, "小过", "P3", False,
             per_base and money(per_base * tech["base_points"]), "未经审批向客户传达非正式政策，引发投诉"),
            (dt.date(2026, 5, 22), person("售后人员"), "大过", "P2", True,
             None, "隐瞒客户投诉并拒绝受理，造成重大影响"),
        )
        return [{"date": d, "person": who["name"], "kind": kind, "rule": rule,
                 "case_no": case(d) if on_case else "XS250318" if rule == "P12" else None,
                 "amount": amount, "reason": reason}
                for d, who, kind, rule, on_case, amount, reason in plan]

    def approvals(self, tickets: list[dict]) -> list[dict]:
        """Special free-service approvals on completed tickets (001 §9 五); the 区域经理 in
        March 2026 signs twice, one more than a month allows."""
        plan = (("区域经理", 0, (2025, 9)), ("售后主管", 0, (2025, 10)), ("售后主管", 0, (2025, 10)),
                ("售后服务部经理", 0, (2025, 12)), ("区域经理", 1, (2026, 1)), ("区域经理", 2, (2026, 3)),
                ("区域经理", 2, (2026, 3)), ("售后主管", 1, (2026, 5)))
        rows = []
        for post, who, ym in plan:
            taken = {a["case_no"] for a in rows}
            month = [t for t in tickets if (t["received"].year, t["received"].month) == ym
                     and t["completed"] and t["ticket_no"] not in taken]
            t = next((t for t in month if t["service_type"] == "有偿服务"), month[0])
            cap = int(self.penalty("approval_limits", post, "max_amount") or 1000)
            rows.append({"date": t["received"].date(), "approver": self.staff_in(post)[who]["name"], "post": post,
                         "case_no": t["ticket_no"], "amount": money(self.rng.randint(cap // 40, cap // 20) * 20),
                         "reason": "老客户设备超保，特批免收人工费"})
        return rows

    def kpi(self) -> list[dict]:
        """Quarterly KPI lines for a few field staff, on the metrics the policy weights per post."""
        cfg = self.policy.get("scores", {}).get("kpi", {})
        posts, lower, control = cfg.get("posts", {}), cfg.get("lower_is_better", ()), cfg.get("control_metrics", ())
        people = [p for post, n in (("技术工程师", 2), ("售后人员", 1), ("售后主管", 1)) if post in posts
                  for p in self.staff_in(post)[:n]]
        rows = []
        for quarter in ("2026-Q1", "2026-Q2"):
            for person in people:
                for metric in posts[person["post"]]["weights"]:
                    if metric in lower:   # a rate in percent: less is better
                        target, actual = Decimal(5), Decimal(self.rng.randint(10, 60)) / 10
                    else:
                        target, actual = Decimal(100), Decimal(self.rng.randint(85, 108))
                    rows.append({"quarter": quarter, "person": person["name"], "metric": metric,
                                 "kind": "控制指标" if metric in control else "计划指标",
                                 "target": target, "actual": actual})
        return rows


def _complete(data: dict) -> dict:
    """Every register and sheet of the specs, every row keyed by every column key in spec order."""
    out = {}
    for spec in load_specs().values():
        tables = data.get(spec.id, {})
        out[spec.id] = {}
        for sheet in spec.sheets:
            keys = [c.key for c in sheet.columns]
            rows = []
            for r in tables.get(sheet.key, []):
                extra = set(r) - set(keys)
                if extra:
                    raise ValueError(f"sample {spec.id}.{sheet.key}: unknown keys {sorted(extra)}")
                rows.append({k: r.get(k) for k in keys})
            out[spec.id][sheet.key] = rows
    return out


def sample_data(policy: dict) -> dict[str, dict[str, list[dict]]]:
    """register id -> sheet key -> rows (column key -> typed value or None), in Excel row order.

    Numbers follow ``policy["numbering"]`` (UserError when a rule the specs name is missing);
    departments come from ``policy["departments"]``, amounts from ``policy["penalties"]``.
    """
    s = _Sample(policy)
    master = s.master()
    data = {"tickets": s.tickets(), "complaints": s.complaints(), "materials": s.materials(),
            "training": s.training(), "surveys": s.surveys()}
    master.update(sanctions=s.sanctions(data["complaints"]["complaints"]),
                  approvals=s.approvals(data["tickets"]["tickets"]), kpi=s.kpi())
    data["master"] = master
    tickets = data["tickets"]["tickets"]
    s.ticket_clocks(tickets)
    s.complaint_clocks(data["complaints"]["complaints"])
    s.return_clocks(data["materials"]["returns"])
    data["tickets"].update(calls=s.calls(), contracts=s.contracts(), outlet_reports=s.outlet_reports())
    data["materials"].update(backorders=s.backorders(tickets), pickups=s.pickups(tickets))
    data["complaints"]["recalls"] = s.recalls()
    data["training"]["plans"] = s.training_plans()
    return _complete(data)
