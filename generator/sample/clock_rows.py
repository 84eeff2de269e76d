"""The sample year's clock columns and clock sheets (RULES.md §4, §9), filled after the rest.

They draw from their own random stream, so the rows drawn before them stay as they were. Each
stop is drawn, then kept inside its rule's due moment from the policy (``_in_time``), so the
sample keeps on time whatever amounts a company's policy sets; the few planted violations
(PLANTED in ``planted``) are made late on purpose.
"""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from generator.rules.deadlines import DAY_CLOCKS, due_moment, get_rule
from generator.sample.base import END, SEED

RINGS = (("一环路以内", "ticket.ring1.onsite"), ("二环路以内", "ticket.ring2.onsite"),
         ("三环路以内", "ticket.ring3.onsite"), ("邻近市县", "ticket.nearby.onsite"))
SEVERITY = {"一级": "重大故障", "二级": "常规故障", "三级": "常规故障", "四级": "轻微故障"}   # 000 ch.2 §5.2 by level
LATE_TICKET_VERIFY = dt.date(2026, 2, 2)      # the first completed ticket from here is verified late
LATE_BOOKING = dt.date(2025, 11, 3)           # the first return from here is booked in late


class ClockRows:
    """Clock columns and sheets of ``_Sample`` (a mixin, like TicketRows)."""

    def clock_rng(self) -> random.Random:
        if not hasattr(self, "_clock_rng"):
            self._clock_rng = random.Random(SEED + 15)
        return self._clock_rng

    def due(self, rule_id: str, start) -> dt.datetime:
        return due_moment(get_rule(self.policy, rule_id), start, self.cal)

    def _in_time(self, rule_id: str, start, stop):
        """``stop`` (date or datetime), moved back inside the rule's due moment when past it."""
        due = self.due(rule_id, start)
        if isinstance(stop, dt.datetime):
            return min(stop, due - dt.timedelta(minutes=1))
        whole_day = get_rule(self.policy, rule_id).clock in DAY_CLOCKS or due.time() >= dt.time(23, 59)
        return min(stop, due.date() if whole_day else due.date() - dt.timedelta(days=1))

    def hours_after(self, t: dt.datetime, lo: float, hi: float) -> dt.datetime | None:
        """``lo``–``hi`` business hours after ``t``; None when that falls after the period."""
        minutes = self.clock_rng().randint(int(lo * 60), int(hi * 60))
        return by_end(self.cal.add_working_hours(t, Decimal(minutes) / 60))

    # -- tickets: D1, D3, D4, D5, D9, D11, D13 columns -----------------------------------------
    def ticket_clocks(self, tickets: list[dict]) -> None:
        rng = self.clock_rng()
        late_verify = next(t for t in tickets if t["completed"] and t["received"].date() >= LATE_TICKET_VERIFY)
        for t in tickets:
            got = t["received"]
            t["form_filled"] = self.hours_after(got, 0.1, 1.5)
            filled = t["form_filled"] or got
            if t["service_type"] == "质量信息":
                t["analysed"] = self.hours_after(filled, 0.2, 1.8)
            if t["service_type"] in ("技术支持", "质量信息"):
                t["planned"] = self.hours_after(filled, 0.5, 3.5)
            t["severity"] = SEVERITY[t["level"]]
            if t["onsite"] == "是":
                t["travel_requested"] = self.hours_after(filled, 0.1, 1.5)
                t["dispatched"] = got + dt.timedelta(minutes=rng.randint(3, 20))
                t["contacted"] = t["dispatched"] + dt.timedelta(minutes=rng.randint(2, 14))
                self.place(t)
                if t["completed"]:
                    t["repair_kind"] = rng.choice(("简单", "简单", "复杂"))
            done = t["completed"]
            if done:
                t["verified"] = by_end(done + dt.timedelta(minutes=rng.randint(60, 30 * 60)))
                # the 16-hour survey (002 §4.5.1) is the ticket's revisit: the next calendar day at the latest
                visit = self._in_time("ticket.survey", done, done.date() + dt.timedelta(days=rng.randint(0, 1)))
                t["revisited"] = min(max(visit, done.date()), END)
        late_verify["verified"] = late_verify["completed"] + dt.timedelta(hours=60)   # planted: D4 48 h

    def place(self, t: dict) -> None:
        """服务距离 that fits the arrival (D13), or, for a city ticket that D11's working hours
        cannot time, none: it is then a ticket from 外地 (no dispatch clock)."""
        rng = self.clock_rng()
        if t["area"] == "外地":
            t["distance"] = "较远市县及省外"
            return
        fits = [name for name, rule in RINGS if t["arrived"] <= self.due(rule, t["received"])]
        if fits and rng.random() < 0.6:
            t["distance"] = rng.choice(fits[:2])
            return
        rule = "ticket.dispatch.urban" if t["area"] == "城区" else "ticket.dispatch.suburban"
        if t["arrived"] > self.due(rule, t["received"]):
            t["area"], t["distance"] = "外地", "较远市县及省外"

    # -- complaints: D6, D7, D8, D19 columns ----------------------------------------------------
    def complaint_clocks(self, complaints: list[dict]) -> None:
        rng = self.clock_rng()
        for c in complaints:
            got = c["received"]
            quality = c["category"] == "产品质量"
            if quality:
                memo = self.wd(got, rng.randint(1, 2))
                c["memo_done"] = memo if memo <= END else None
            if c["category"] == "服务质量" and c["dept_answered"]:
                c["dept_answered"] = self._in_time("complaint.service_opinion", got, c["dept_answered"])
            c["investigated"] = c["transferred"]
            reported = c["investigated"] + dt.timedelta(days=rng.randint(0, 3))
            c["reported"] = reported if reported <= END else None
            if c["replied"] is None:
                continue
            c["result_returned"] = c["replied"]
            synth = c["replied"] + dt.timedelta(days=rng.randint(0, 1))
            c["synthesized"] = synth if synth <= END else None
            c["implemented"] = c["repair_delivery"] if quality else c["replied"]
            if quality and c["revisited"] and c["closed"] >= c["replied"]:   # 001 §14 4.4 1)
                visit = c["repair_delivery"] + dt.timedelta(days=rng.randint(1, 2))
                c["revisited"] = max(c["replied"], min(visit, c["closed"]))

    # -- materials: D4 returned parts booked in -------------------------------------------------
    def return_clocks(self, returns: list[dict]) -> None:
        for r in returns:
            r["booked"] = r["returned"]
        late = next(r for r in returns if r["returned"] >= LATE_BOOKING and self.cal.is_working(r["returned"]))
        late["booked"] = self.wd(late["returned"], 3)   # planted: 16 working hours

    # -- clock sheets -----------------------------------------------------------------------------
    def calls(self) -> list[dict]:
        """Hotline calls, a tenth of them missed and returned within the hour (D9); one late."""
        rng = self.clock_rng()
        takers = self.staff_in("客服专员")
        rows = []
        for d in self.workdays[::9]:
            t = dt.datetime.combine(d, dt.time(rng.randint(8, 17), rng.randint(0, 59)))
            cust = self.pick_from(rng, self.domestic)
            missed = rng.random() < 0.3
            rows.append({"called": t, "caller": cust["phone"], "customer": cust["name"], "missed": "是" if missed else "否",
                         "called_back": t + dt.timedelta(minutes=rng.randint(5, 50)) if missed else None,
                         "handler": rng.choice(takers)["name"], "summary": rng.choice(("咨询充电桩故障", "询问配件价格",
                                                                                         "预约上门维护", "投诉响应慢"))})
        late = next(r for r in rows if r["missed"] == "是" and r["called"].date() >= dt.date(2026, 3, 1))
        late["called_back"] = late["called"] + dt.timedelta(hours=3)   # planted: D9 1 hour
        return rows

    @staticmethod
    def pick_from(rng: random.Random, seq):
        return rng.choice(seq)

    def contracts(self) -> list[dict]:
        """Maintenance contracts ending through the year and after it; notices a month before (D14)."""
        rng = self.clock_rng()
        rows = []
        for i, cust in enumerate(self.domestic[:14], start=1):
            ends = dt.date(2025, 8, 15) + dt.timedelta(days=30 * i + rng.randint(0, 20))
            due = self.due("contract.expiry_notice", ends).date()
            notice = due - dt.timedelta(days=rng.randint(0, 10))
            rows.append({"contract_no": f"BY{ends:%y}{i:03d}", "customer": cust["name"], "product": "NR-DC120K 直流充电桩",
                         "begins": None, "ends": ends,
                         "notice_sent": notice if notice <= END else None, "owner": self.staff_in("销售经理")[0]["name"],
                         "renewed": (rng.choice(("是", "否")) if ends <= END else "洽谈中")})
        open_ = [r for r in rows if r["notice_sent"] is None]
        open_[0]["ends"] = END + dt.timedelta(days=20)        # planted: notice due 05-30, not sent
        for r in open_[1:]:
            r["ends"] = max(r["ends"], END + dt.timedelta(days=45))
        return rows

    def pickups(self, tickets: list[dict]) -> list[dict]:
        """Repaired goods back in the shop: notified the same day, reminded 3 days later if not
        collected (D15); one reminder late."""
        rng = self.clock_rng()
        rows = []
        for t in [t for t in tickets if t["completed"] and t["resolved"] == "是"][::25]:
            ready = t["completed"].date() + dt.timedelta(days=rng.randint(2, 6))
            if ready > END - dt.timedelta(days=4):
                continue
            collected = ready + dt.timedelta(days=rng.randint(0, 6))
            reminded = ready + dt.timedelta(days=3) if collected > ready + dt.timedelta(days=3) else None
            rows.append({"ticket_no": t["ticket_no"], "customer": t["customer"], "item": "充电模块", "ready": ready,
                         "notified": ready, "reminded": reminded, "collected": collected,
                         "handler": self.staff_in("客服专员")[1]["name"]})
        late = next(r for r in rows if r["reminded"] and r["ready"] >= dt.date(2026, 1, 1))
        late["reminded"] = late["notified"] + dt.timedelta(days=5)
        late["collected"] = max(late["collected"], late["reminded"])   # planted: D15 3 days
        return rows

    def backorders(self, tickets: list[dict]) -> list[dict]:
        """Parts out of stock: the customer called again within a week (D16)."""
        rng = self.clock_rng()
        rows = []
        for t in [t for t in tickets if t["resolved"] == "否"][::3]:
            day = t["completed"].date()
            follow = day + dt.timedelta(days=rng.randint(3, 7))
            rows.append({"ticket_no": t["ticket_no"], "customer": t["customer"], "part": "充电模块",
                         "registered": day, "followed_up": follow if follow <= END else None,
                         "arrived": day + dt.timedelta(days=rng.randint(5, 20)),
                         "handler": self.staff_in("客服专员")[2]["name"]})
        for r in rows:
            r["arrived"] = r["arrived"] if r["arrived"] <= END else None
        return rows

    def outlet_reports(self) -> list[dict]:
        """Information from service outlets: fed back within a working day, the two major
        accidents telephoned in within the hour (D10, 001 §9 六/七)."""
        rng = self.clock_rng()
        outlets = ("徐州服务网点", "合肥服务网点", "郑州服务网点", "长沙服务网点")
        rows = []
        for i, d in enumerate(self.workdays[5::23]):
            got = dt.datetime.combine(d, dt.time(rng.randint(9, 16), rng.randint(0, 59)))
            major = i in (3, 9)
            fed = self._in_time("outlet.feedback", got, got + dt.timedelta(hours=rng.randint(2, 30)))
            cust = rng.choice(self.domestic)
            rows.append({"outlet": rng.choice(outlets), "received": got, "kind": "重大事故" if major else "一般信息",
                         "customer": cust["name"], "content": "充电站火情，设备烧毁" if major else "客户报修已上门处理",
                         "phoned": got + dt.timedelta(minutes=rng.randint(10, 50)) if major else None,
                         "fed_back": by_end(fed)})
        return rows

    def recalls(self) -> list[dict]:
        """R1: two recalls; the Sunday one notified in 5 hours, inside its 6 (D10, 001 §15 5.5.2 E)."""
        gm = self.staff_in("售后服务部经理")[0]["name"]
        plan = ((dt.datetime(2025, 11, 18, 10, 20), dt.timedelta(hours=3, minutes=10), "NR-DC60K 直流充电桩",
                 "2509 批次充电枪锁止机构弹簧强度不足"),
                (dt.datetime(2026, 4, 19, 9, 0), dt.timedelta(hours=5), "NR-AC7K 交流充电桩",
                 "2602 批次漏电保护模块误动作"))
        return [{"recall_no": f"ZH{order:%y}{i:02d}", "product": product, "batch": f"B{order:%y}{i:02d}",
                 "reason": reason, "approved": order.date(), "approver": gm, "ordered": order, "customers": 6 + 3 * i,
                 "notified": order + took, "owner": gm, "quantity": 40 * i, "recovered": 40 * i,
                 "closed": order.date() + dt.timedelta(days=30)}
                for i, (order, took, product, reason) in enumerate(plan, start=1)]

    def training_plans(self) -> list[dict]:
        """D12: the 2026 plan, issued before 1 January (a late plan is a table case in the tests)."""
        dept = self.depts[self.dept("KF")]
        return [{"year": 2026, "title": "2026 年度培训计划", "dept": dept, "issued": dt.date(2025, 12, 26), "sessions": 24}]


def by_end(moment):
    """The moment, or None when it falls after the sample period (not done yet on its last day)."""
    return moment if moment is not None and moment.date() <= END else None
