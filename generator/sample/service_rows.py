"""Sample service tickets, their field services and the planted ticket mistakes."""
from __future__ import annotations

import datetime as dt

from generator.sample.base import END, Numberer, days_between, money, sample_months
from generator.sample.vocabulary import (
    FAULTS,
    FEEDBACK,
    FS_LEVELS,
    PARTS,
    PRODUCTS,
)


class TicketRows:
    """Ticket rows of ``_Sample`` (a mixin: it uses the run's random stream and calendar)."""

    def received_at(self, y: int, m: int) -> dt.datetime:
        days = self.month_days(y, m)
        if self.rng.random() < 0.05:  # a weekend or holiday call on the hotline
            days = [d for d in days_between(days[0], days[-1]) if not self.cal.is_working(d)] or days
        d = self.pick(days)
        morning, afternoon = self.rng.randint(8 * 60 + 30, 11 * 60 + 50), self.rng.randint(13 * 60 + 30, 17 * 60 + 50)
        minute = self.rng.choice((morning, afternoon))
        return dt.datetime.combine(d, dt.time(minute // 60, minute % 60))

    def arrival(self, t: dt.datetime, level: str, area: str) -> dt.datetime:
        if level == "一级":
            return t + dt.timedelta(minutes=self.rng.randint(40, 110))
        limit = t + dt.timedelta(hours=40)
        options = [t + dt.timedelta(minutes=self.rng.randint(120, 300))] if area != "外地" else []
        for k in (1, 2):
            nxt = (dt.datetime.combine(t.date() + dt.timedelta(days=k), dt.time(8, 30))
                   + dt.timedelta(minutes=self.rng.randint(0, 150)))
            if nxt <= limit:
                options.append(nxt)
        return self.pick(options)

    def tickets(self) -> dict:
        engineers = self.staff_in("技术工程师", "售后人员")
        issuers = [(self.dept("KF"), 60), (self.dept("YX"), 30), (self.dept("ZL"), 10)]
        rows = []
        for y, m in sample_months():
            for _ in range(self.rng.randint(36, 48)):
                rows.append(self.ticket(self.received_at(y, m), engineers, issuers))
        rows.sort(key=lambda r: r["received"])
        self.plant_ticket_mistakes(rows)
        Numberer(self.policy, "ticket").assign(rows, "ticket_no", "received", "dept_code")
        rows.sort(key=lambda r: (r["received"], r["ticket_no"]))
        services, parts = [], []
        for r in rows:
            if r.get("_fs"):
                services.append(r.pop("_fs"))
            for p in r.pop("_parts", ()):
                parts.append({"ticket_no": r["ticket_no"], **p})
            r.pop("_in_warranty", None)
        services.sort(key=lambda s: s["departed"])   # stable: ties keep ticket order
        Numberer(self.policy, "field_service").assign(services, "fs_no", "departed", "dept_code")
        for s in services:
            ticket = s.pop("_ticket")
            ticket["field_service_no"], s["ticket_no"] = s["fs_no"], ticket["ticket_no"]
        services.sort(key=lambda s: (s["departed"], s["fs_no"]))
        return {"tickets": rows, "field_services": services, "parts": parts}

    def ticket(self, t: dt.datetime, engineers: list[dict], issuers) -> dict:
        rng = self.rng
        stype = self.pick(("技术支持", "质量信息", "有偿服务", "咨询"), (55, 20, 10, 15))
        level = ("四级" if stype == "咨询" else self.pick(("二级", "三级"), (40, 60)) if stype == "有偿服务"
                 else self.pick(("一级", "二级", "三级", "四级"), (5, 30, 45, 20)))
        onsite = level == "一级" or stype == "有偿服务" or (
            level != "四级" and rng.random() < (0.8 if level == "二级" else 0.55))
        area = self.pick(("城区", "郊区")) if level == "一级" else self.pick(("城区", "郊区", "外地"), (45, 30, 25))
        fault, work, part = self.pick(FAULTS[level])
        cust = self.pick(self.domestic)
        eng = self.pick(engineers)
        age = rng.randint(800, 1500) if stype == "有偿服务" else rng.randint(30, 1400)
        in_warranty = age < 730
        responded = t + dt.timedelta(minutes=rng.randint(2, 9) if level == "一级" else rng.randint(5, 55))
        arrived = self.arrival(t, level, area) if onsite else None
        if t.date() >= END - dt.timedelta(days=1):  # the last days: still open at the end of the period
            arrived = arrived and min(arrived, t + dt.timedelta(minutes=rng.randint(90, 110)))
            completed = None
        elif onsite:
            completed = min(arrived + dt.timedelta(minutes=rng.randint(60, 240)), t + dt.timedelta(hours=46))
        else:
            completed = responded + dt.timedelta(minutes=rng.randint(20, 240))
        resolved = None if completed is None else self.pick(("是", "否"), (92, 8))
        rate = (lambda: self.pick((1, 2, 3, 4, 5), (55, 30, 10, 4, 1))) if completed else (lambda: None)
        purchased = t.date() - dt.timedelta(days=age)
        r = {
            "received": t, "dept_code": self.pick(*zip(*issuers)),
            "channel": self.pick(("热线电话", "微信", "邮件", "来访", "业务员转达", "其他"), (55, 20, 5, 3, 15, 2)),
            "customer": cust["name"], "address": cust["address"], "contact": cust["contact"], "phone": cust["phone"],
            "product": self.pick([p for p in PRODUCTS if ("配电柜" in p) == ("配电柜" in fault)] or PRODUCTS),
            "serial": f"NR{purchased:%y%m}{rng.randint(1, 9999):04d}",
            "purchased": purchased, "invoice_no": f"{rng.randint(10**7, 10**8 - 1)}", "level": level,
            "service_type": stype, "area": area, "onsite": "是" if onsite else "否", "fault": fault,
            "engineer": eng["name"], "responded": responded, "arrived": arrived, "completed": completed,
            "work_done": work, "resolved": resolved,
            "open_issue": "待配件到货后二次上门更换" if resolved == "否" else None,
            "attitude": rate(), "skill": rate(), "speed": rate(),
            "feedback": self.pick(FEEDBACK) if completed else None,
            "revisited": min(completed.date() + dt.timedelta(days=rng.randint(0, 2)), END)
            if completed and rng.random() < 0.85 else None,
            "_in_warranty": in_warranty,
            # derived without drawing from rng, so the rest of the sample year stays as it was
            "requested": max(t, min(t + dt.timedelta(hours=2 + 22 * (level in ("三级", "四级"))),
                                    dt.datetime.combine(END, dt.time(17)))) if onsite else None,
            "commissioned": purchased + dt.timedelta(days=7 + t.day % 21),
        }
        if onsite and part and rng.random() < 0.7:
            name = part
            model, price = PARTS[name]
            kind = "三包件" if in_warranty and stype != "有偿服务" else "客户购买件"
            r["_parts"] = [{"kind": kind, "name": name, "model": model, "qty": rng.choice((1, 1, 1, 2)),
                            "unit_price": money(price) if kind == "客户购买件" else None}]
        if onsite:
            r["_fs"] = self.field_service(r, eng, area)
        if stype == "有偿服务":
            fs = r["_fs"]
            days_away = ((fs["returned"] or fs["departed"]) - fs["departed"]).days + 1
            bought = [p["qty"] * p["unit_price"] for p in r.get("_parts", ()) if p["unit_price"] is not None]
            r.update(travel_cost=money(rng.randint(3, 12) * 100 if area == "外地" else rng.randint(30, 90)),
                     days_away=days_away, labour_days=days_away, materials_cost=money(sum(bought)))
        return r

    def field_service(self, ticket: dict, eng: dict, area: str) -> dict:
        departed = ticket["arrived"].date()
        done = ticket["completed"]
        returned = None if done is None else min(max(done.date(), departed) + dt.timedelta(
            days=self.rng.randint(0, 1) if area == "外地" else 0), END)
        kind = "安装" if ticket["fault"].startswith("新建") else "维修" if ticket.get("_parts") else "售后"
        paid = ticket["service_type"] == "有偿服务"
        return {
            "_ticket": ticket, "dept_code": eng["code"], "kind": kind, "departed": departed, "returned": returned,
            "engineer": eng["name"], "work_record": ticket["work_done"],
            "attitude": self.pick(FS_LEVELS[:3], (50, 40, 10)), "damage": self.pick(("无", "有"), (95, 5)),
            # the seed's scales (002 §6.3): 卫生状况 好/不好, 顾客满意 满意/不满意/非常不满意
            "hygiene": self.pick(("好", "好", "不好"), (40, 45, 15)),
            "satisfied": self.pick(("满意", "满意", "不满意"), (50, 40, 10)),
            "result": None if done is None else "完成" if ticket["resolved"] == "是" else "未完成",
            "charge": ("按有偿服务报价单收费" if paid else "三包期内免费" if ticket["_in_warranty"]
                       else "配件按价收费，人工免费" if ticket.get("_parts") else "免费服务"),
            "suggestion": self.pick(("希望提前电话告知到场时间", "建议定期巡检", None, None, None)),
            "promise": self.pick(("配件到货后48小时内上门更换", "每季度回访一次", None, None)),
        }

    def plant_ticket_mistakes(self, rows: list[dict]) -> None:
        # field.required: a ticket in January 2026 without its fault description
        miss = next(r for r in rows if r["received"] >= dt.datetime(2026, 1, 12) and r["level"] == "三级")
        miss["fault"] = None
        # number.date_mismatch: the first 客服部 ticket of December numbered in November's book
        kf = self.dept("KF")
        late = next(r for r in rows if r["received"] >= dt.datetime(2025, 12, 1) and r["dept_code"] == kf)
        late["_number_date"] = dt.date(2025, 11, 30)

    # -- complaints --
