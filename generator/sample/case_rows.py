"""Sample complaints, material applications and returns, training sessions and surveys."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from generator.sample.base import END, START, Numberer, money, sample_months
from generator.sample.vocabulary import (
    CATEGORY_WEIGHTS,
    COMPLAINTS,
    CONSUMABLES,
    INSTRUMENTS,
    LEVELS,
    PART_FAULTS,
    PARTS,
    POSTCODES,
    PRODUCTS,
    PURPOSES,
    SURVEY_COMMENTS,
    TOPICS_INTERNAL,
    TOPICS_USER,
)


class CaseRows:
    """Complaint, material, training and survey rows of ``_Sample`` (a mixin, like TicketRows)."""

    def complaint_days(self) -> list[dt.date]:
        days = []
        for y, m in sample_months():
            # received on a working day whose reply window does not straddle a long holiday
            pool = [d for d in self.month_days(y, m) if (self.wd(d, 3) - d).days <= 9]
            days += self.rng.sample(pool, self.rng.randint(7, 10))
        sept = sorted(d for d in days if (d.year, d.month) == (2025, 9))
        days.append(sept[2])                       # two complaints on one day: the duplicate pair
        days += [dt.date(2026, 6, 26), dt.date(2026, 6, 29)]  # still open at the end
        return sorted(days)

    def complaints(self) -> dict:
        days = self.complaint_days()
        rows = [self.complaint(d) for d in days]
        dup_day = next(d for a, d in zip(days, days[1:]) if a == d)
        dup = next(i for i in range(1, len(rows)) if rows[i]["received"] == rows[i - 1]["received"] == dup_day)
        rows[dup]["_step"] = 0                                  # number.duplicate
        next(r for r in rows if r["received"] >= dt.date(2026, 3, 2))["_step"] = 2   # number.gap
        late = next(r for r in rows if r["received"] >= dt.date(2025, 11, 10) and r["region"] == "国内")
        late["replied"] = late["revisited"] = late["closed"] = self.wd(late["received"], 7)   # deadline.late
        typo = next(r for r in rows if r["received"] >= dt.date(2026, 4, 13))
        typo["closed"] = typo["closed"].replace(month=typo["closed"].month - 1)           # field.date_order
        Numberer(self.policy, "complaint").assign(rows, "complaint_no", "received")
        Numberer(self.policy, "complaint_form").assign(rows, "form_no", "received")   # N2, monthly
        return {"complaints": rows, "stats_reports": self.stats_reports()}

    def stats_reports(self) -> list[dict]:
        """D18: each month's 客户投诉案件统计表 sent on the first working day from the 5th of the
        next month (before the 10th); June's is not due yet on the sample's last day."""
        clerk = self.staff_in("客服专员")[0]["name"]
        out = []
        for y, m in list(sample_months())[:-1]:
            ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
            sent = min(d for d in self.workdays if d >= dt.date(ny, nm, 5))
            out.append({"month": f"{y:04d}-{m:02d}", "submitted": sent, "by": clerk})
        return out

    def complaint(self, received: dt.date) -> dict:
        rng = self.rng
        cust = self.pick(self.customers, [1 if c["foreign"] else 6 for c in self.customers])
        cat = self.pick(list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values()))
        desc, inv, result, codes = self.pick(COMPLAINTS[cat])
        code = self.dept(self.pick(codes))
        owners = [s for s in self.staff if s["code"] == code] or self.staff
        transferred = min(self.wd(received, rng.randint(0, 1)), END)
        answered = self.wd(transferred, rng.randint(0, 2))
        replied = max(answered, self.wd(received, rng.randint(1, 3)))
        is_open = received >= END - dt.timedelta(days=6)
        revisited = min(self.wd(replied, rng.randint(1, 3)), received + dt.timedelta(days=12))
        revisited = min(max(revisited, replied), END)
        quality = cat == "产品质量"
        qty = rng.randint(2, 40) if quality else None
        r = {
            "received": received,
            "channel": self.pick(("电话", "传真", "邮件", "信函", "来访", "网站", "其他"), (50, 3, 20, 2, 5, 15, 5)),
            "customer": cust["name"], "contact": cust["contact"], "phone": cust["phone"],
            "product": self.pick(PRODUCTS), "category": cat, "description": desc,
            "order_no": f"XS{received:%y}{rng.randint(1, 9999):04d}" if quality else None,
            "part_no": PARTS[self.pick(list(PARTS))][0] if quality else None, "quantity": qty,
            "delivered": received - dt.timedelta(days=rng.randint(20, 200)) if quality else None,
            "defects": rng.randint(1, qty) if quality else None,
            "customer_request": self.pick(("尽快上门处理", "更换新品", "书面说明原因", "赔偿损失")),
            "receiver": self.pick(self.staff_in("客服专员"))["name"], "dept": self.depts[code],
            "owner": self.pick(owners)["name"], "transferred": transferred,
            "dept_answered": answered if answered <= END else None, "investigation": inv,
            "responsibility": self.pick(("本公司责任", "客户责任", "第三方责任"), (70, 20, 10)),
            "repair_budget": money(rng.randint(5, 80) * 100) if quality else None,
            "repair_delivery": self.wd(received, rng.randint(3, 8)) if quality else None,
            "replied": replied, "revisited": revisited, "closed": revisited, "result": result,
            "satisfaction": self.pick(LEVELS[:3], (45, 45, 10)), "region": "国外" if cust["foreign"] else "国内",
        }
        # derived without drawing from rng, so the rest of the sample year stays as it was
        sales = self.staff_in("销售经理")
        r.update(post=next((s["post"] for s in self.staff if s["name"] == r["owner"]), None),
                 sales_manager=sales[received.toordinal() % len(sales)]["name"] if quality and sales else None,
                 revisit_note=f"客户对处理结果表示{r['satisfaction']}" + ("，无其他意见" if r["satisfaction"] != "一般"
                                                                 else "，希望缩短响应时间"))
        if is_open:
            r.update(replied=None, revisited=None, closed=None, result=None, satisfaction=None, revisit_note=None,
                     repair_delivery=None, responsibility="待定")
        return r

    # -- materials --
    def materials(self) -> dict:
        rng = self.rng
        people = self.staff_in("技术工程师", "售后人员")
        apps, items, returns = [], [], []
        for y, m in sample_months():
            for d in sorted(rng.sample(self.month_days(y, m), 5)):
                apps.append(self.application(d, self.pick(people)))
        Numberer(self.policy, "material").assign(apps, "app_no", "applied")
        for a in apps:
            lines = a.pop("_items")
            returns += self.returns(a, lines)   # sets the return-by day of loans still out
            items += [{"app_no": a["app_no"], **it} for it in lines]
        returns.sort(key=lambda r: (r["returned"], r["app_no"]))
        later = {a["app_no"] for a in apps[len(apps) // 2:]}
        next(i for i in items if i["nature"] == "领用" and i["app_no"] in later)["nature"] = "领料"   # field.choice
        return {"applications": apps, "items": items, "returns": returns}

    def application(self, d: dt.date, who: dict) -> dict:
        rng = self.rng
        cust = self.pick(self.domestic)
        to_site = rng.random() < 0.5
        purpose, reason = self.pick(PURPOSES, (50, 20, 15, 12, 3))
        lines, names = [], set()
        for _ in range(rng.randint(1, 4)):
            kind = self.pick(("借用", "领用", "更换"), (45, 25, 30))
            if kind == "借用":
                name, model, brand, spec = self.pick(INSTRUMENTS)
                qty = rng.randint(1, 3)
            elif kind == "领用":
                name, model, brand, spec = self.pick(CONSUMABLES)
                qty = rng.randint(5, 50)
            else:
                name = self.pick(list(PARTS))
                model, brand, spec, qty = PARTS[name][0], "本公司", None, rng.randint(1, 2)
            if name in names:
                continue
            names.add(name)
            lines.append({"name": name, "model": model, "brand": brand, "spec": spec, "qty": qty, "nature": kind,
                          "return_by": d + dt.timedelta(days=rng.randint(15, 40)) if kind == "借用" else None,
                          "remark": "故障件随后寄回" if kind == "更换" else None})
        return {
            "applied": d, "applicant": who["name"], "applicant_phone": who["phone"], "customer": cust["name"],
            "due": d + dt.timedelta(days=rng.randint(2, 7)),
            "purpose": purpose,
            "address": cust["address"] if to_site else "公司售后服务部",
            "recipient": cust["contact"] if to_site else who["name"],
            "recipient_phone": cust["phone"] if to_site else who["phone"],
            "reason": reason,
            "_items": lines,
        }

    def returns(self, app: dict, lines: list[dict]) -> list[dict]:
        """Return lines: 借用 items come back by their return-by day (some in two parcels),
        faulty parts of 更换 lines come back with their fault; recent loans are still out."""
        rng = self.rng
        applied = app["applied"]
        recent = applied >= END - dt.timedelta(days=50)
        out = []

        def ship(day: dt.date, line: dict, qty: int, **extra):
            courier = self.pick(("顺丰", "京东", "中通", "EMS", "自送"), (50, 15, 15, 5, 15))
            prefix = {"顺丰": "SF", "京东": "JD"}.get(courier, "")
            tracking = None if courier == "自送" else f"{prefix}{rng.randint(10**11, 10**12 - 1)}"
            out.append({"app_no": app["app_no"], "returned": day, "returner": app["applicant"], "courier": courier,
                        "tracking_no": tracking, "parcels": None if courier == "自送" else rng.randint(1, 2),
                        "name": line["name"], "model": line["model"], "brand": line["brand"], "spec": line["spec"],
                        "qty": qty, **extra})

        for line in lines:
            if line["nature"] == "借用":
                if recent:   # still out at the end of the period, due back later
                    line["return_by"] = END + dt.timedelta(days=rng.randint(10, 40))
                    if line["qty"] > 1:   # part of them came back already
                        day = max(END - dt.timedelta(days=rng.randint(1, 5)), applied + dt.timedelta(days=1))
                        ship(min(day, END), line, line["qty"] - 1, asset_code=self.asset())
                    continue
                last = min(line["return_by"], END)
                if line["qty"] > 1 and rng.random() < 0.4:   # two parcels
                    first = applied + dt.timedelta(days=rng.randint(3, 10))
                    ship(first, line, 1, asset_code=self.asset(), remark="分批归还")
                    ship(last - dt.timedelta(days=rng.randint(0, 2)), line, line["qty"] - 1, asset_code=self.asset())
                else:
                    day = applied + dt.timedelta(days=rng.randint(5, (last - applied).days))
                    ship(day, line, line["qty"], asset_code=self.asset())
            elif line["nature"] == "更换" and not recent:
                symptom, cause = self.pick(PART_FAULTS)
                ship(min(applied + dt.timedelta(days=rng.randint(5, 20)), END), line, line["qty"],
                     asset_code=self.asset(), symptom=symptom, cause=cause)
        return out

    def asset(self) -> str:
        return f"ZC{self.rng.randint(2019, 2025)}{self.rng.randint(1, 9999):04d}"

    # -- training --
    def training(self) -> dict:
        sessions = []
        for i, (y, m) in enumerate(sample_months()):
            topic = TOPICS_INTERNAL[i % len(TOPICS_INTERNAL)]
            sessions.append(self.session(self.pick(self.month_days(y, m)[5:15]), topic, None))
            cust = self.pick(self.domestic)
            sessions.append(self.session(self.pick(self.month_days(y, m)[10:]), self.pick(TOPICS_USER), cust))
        sessions.sort(key=lambda s: s["date"])
        Numberer(self.policy, "training").assign(sessions, "session_no", "date")
        sessions.sort(key=lambda s: (s["date"], s["session_no"]))
        attendees = [{"session_no": s["session_no"], **a} for s in sessions for a in s.pop("_attendees")]
        return {"sessions": sessions, "attendees": attendees}

    def session(self, d: dt.date, topic: str, cust: dict | None) -> dict:
        rng = self.rng
        teachers = self.staff_in("技术工程师", "售后服务部经理", "质量工程师", "售后主管")

        def status():
            return self.pick(("实到", "请假", "旷课"), (90, 7, 3))

        if cust is None:
            everyone = topic == "年度安全生产培训"
            # field staff attend every internal session in full (the 8-hour monthly quota, 003 §4.4.3)
            field = self.staff_in("技术工程师", "售后人员")
            others = [s for s in self.staff if s not in field]
            chosen = others if everyone else rng.sample(others, rng.randint(2, 6))
            people = ([(s["dept"], s["name"], "实到") for s in field]
                      + [(s["dept"], s["name"], status()) for s in chosen])
            extra = {"dept": self.depts[self.dept("KF")], "place": "公司二楼培训室", "time": "08:30-18:00",
                     "hours": Decimal(8), "kind": "内部员工", "outcome": "全员考核合格"}
        else:
            n = 32 if d.month == 11 else rng.randint(8, 24)
            people = [(cust["name"], self.name(), status()) for _ in range(n)]
            extra = {"dept": self.depts[self.dept("KF")], "place": f"{cust['name']}会议室", "time": "09:00-12:00",
                     "hours": Decimal(3), "kind": "用户", "customer": cust["name"], "customer_id": cust["code"],
                     "customer_address": cust["address"], "customer_phone": cust["phone"],
                     "postcode": POSTCODES.get(cust["city"]), "outcome": "学员能独立完成日常维护与简单故障排除"}
        return {"topic": topic, "date": d, "trainer": self.pick(teachers)["name"],
                "content": f"{topic}：讲解、演示与实操",
                "_attendees": [{"unit": u, "name": n, "status": st} for u, n, st in people], **extra}

    # -- surveys --
    def surveys(self) -> dict:
        rng = self.rng
        preparers = self.staff_in("客服专员")
        rows = []
        for y, m in sample_months():
            for d in sorted(rng.choices(self.month_days(y, m), k=10)):
                cust = self.pick(self.domestic)
                mood = rng.choice(((50, 40, 8, 2, 0), (30, 55, 12, 3, 0), (60, 35, 5, 0, 0)))
                r = {"surveyed": d, "customer": cust["name"], "address": cust["address"], "contact": cust["contact"],
                     "phone": cust["phone"], "product": self.pick(PRODUCTS),
                     "delivery": f"{d - dt.timedelta(days=rng.randint(60, 600)):%Y-%m} {cust['city']}",
                     "comments": self.pick(SURVEY_COMMENTS) if rng.random() < 0.3 else None,
                     "preparer": self.pick(preparers)["name"]}
                for q in ("q_function", "q_reliability", "q_appearance", "q_usability", "q_value",
                          "q_presale", "q_install", "q_training", "q_repair"):
                    r[q] = self.pick(LEVELS, mood)
                rows.append(r)
        Numberer(self.policy, "survey").assign(rows, "survey_no", "surveyed")
        # S8: one round per calendar year of the sample, 80 questionnaires sent, 60 returned (75%)
        rounds = [{"round": f"{y} 年度", "start": a, "end": b, "sent": 80}
                  for y, a, b in ((2025, START, dt.date(2025, 12, 31)), (2026, dt.date(2026, 1, 1), END))]
        return {"surveys": rows, "rounds": rounds}

    # -- assessment sheets of the master workbook (after the registers they point at) --
