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
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from generator.config.register_specs import load_specs
from generator.rules.numbering import compile_rule, numbering_rule
from generator.rules.workcal import REST, WORK, WorkCalendar

SEED = 20250701
START, END = dt.date(2025, 7, 1), dt.date(2026, 6, 30)
SAMPLE_TODAY = END   # check the sample as of this day: the open cases are not overdue yet


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
)

# Deliberate business cases that are correct records but should draw attention.
CASES: tuple[str, ...] = (
    "基础数据·行政处分：警告、小过、大过与罚款（P2、P3、P12）各有记录，供罚扣与月度上限计算",
    "售后工单、客户投诉、物料申请中各有几条期末仍未办结的记录（按 2026-06-30 检查尚未超期）",
    "物料借用：部分物品分两次归还、部分只归还了一部分、部分尚未归还（预计归还日期在期末之后）",
    "培训：一场内部培训有 26 人签到（签到表跨到第 2 页）",
)

COMPANY_DAYS = (
    (dt.date(2025, 12, 31), REST, "年终盘点，公司统一休息"),
    (dt.date(2026, 2, 13), REST, "春节前公司提前放假一天"),
)

# --- word lists -----------------------------------------------------------------------------

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾田董潘袁"
            "蔡蒋余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹熊孟秦白江阎")
GIVEN = ("伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 霞 平 刚 浩 宇 晨 婷 鑫 凯 斌 波 辉 慧 琳 "
         "建国 志强 海燕 晓东 子豪 雨欣 思远 佳怡 文博 俊杰 一鸣 国庆 红梅 春华 立新 永刚 宏伟 "
         "晓峰 丽娟 建军 玉兰 志明 德华 瑞 亮 峰 健 欣 悦 璐 鹏 飞 帆").split()
PLACES = (  # province, city, districts
    ("江苏省", "南京市", ("江宁区", "鼓楼区", "浦口区", "栖霞区")),
    ("江苏省", "苏州市", ("工业园区", "吴中区", "相城区")),
    ("江苏省", "无锡市", ("新吴区", "滨湖区")), ("江苏省", "常州市", ("武进区", "新北区")),
    ("江苏省", "南通市", ("崇川区", "通州区")), ("江苏省", "徐州市", ("云龙区", "铜山区")),
    ("安徽省", "合肥市", ("蜀山区", "包河区")), ("安徽省", "芜湖市", ("鸠江区",)),
    ("浙江省", "杭州市", ("滨江区", "余杭区", "萧山区")), ("浙江省", "宁波市", ("鄞州区", "北仑区")),
    ("上海市", "上海市", ("浦东新区", "闵行区", "嘉定区")), ("山东省", "济南市", ("历下区", "高新区")),
    ("山东省", "青岛市", ("黄岛区", "崂山区")), ("河南省", "郑州市", ("金水区", "郑东新区")),
    ("湖北省", "武汉市", ("东湖高新区", "江夏区")), ("湖南省", "长沙市", ("岳麓区", "雨花区")),
    ("江西省", "南昌市", ("红谷滩区",)), ("福建省", "福州市", ("仓山区", "鼓楼区")),
)
POSTCODES = {"南京市": "211100", "苏州市": "215000", "无锡市": "214000", "常州市": "213000", "南通市": "226000",
             "徐州市": "221000", "合肥市": "230000", "芜湖市": "241000", "杭州市": "310000", "宁波市": "315000",
             "上海市": "200000", "济南市": "250000", "青岛市": "266000", "郑州市": "450000", "武汉市": "430000",
             "长沙市": "410000", "南昌市": "330000", "福州市": "350000"}
FIRM_WORDS = ("恒通 瑞能 华电 国宏 中联 金陵 天润 新源 博远 鼎力 远景 启明 "
              "泰和 绿源 星驰 正泰 汇能 宏达 联创 安捷 大成 永盛 嘉禾 中科").split()
FIRM_KINDS = ("电力", "能源", "科技", "新能源", "电气", "充电科技", "新能源汽车服务", "公交")
FIRM_FORMS = ("有限公司", "有限公司", "有限公司", "股份有限公司")
ROADS = "中山 建设 人民 解放 长江 学府 科技 创业 发展 文化 胜利 民生 兴业 龙蟠 云龙".split()
FOREIGN = (("PT Energi Hijau Nusantara（印尼）", "Jl. Sudirman No. 52, Jakarta, Indonesia"),
           ("Saigon EV Charging Co., Ltd.（越南）", "District 7, Ho Chi Minh City, Vietnam"),
           ("Green Volt Trading LLC（阿联酋）", "Jebel Ali Free Zone, Dubai, UAE"))
MOBILE_PREFIXES = "133 135 136 137 138 139 150 151 152 158 159 177 180 181 186 187 188 189 199".split()

PRODUCTS = ("NR-DC120K 直流充电桩", "NR-DC60K 直流充电桩", "NR-DC160K 直流充电桩", "NR-AC7K 交流充电桩",
            "NR-AC21K 交流充电桩", "NR-DS480K 分体式充电堆", "GGD-0.4 低压配电柜", "XGN-630 箱式变电站配电柜",
            "NRM-30K 充电模块")
# fault level -> (fault, work done, part needed or None)
FAULTS = {
    "一级": (("整站充电桩全部离线，无法充电", "排查进线总开关跳闸原因，更换损坏断路器后恢复送电", "塑壳断路器"),
             ("充电堆主控死机，所有终端停止服务", "现场重启主控并升级主板固件，恢复全部终端", "主板"),
             ("配电柜主开关跳闸，站点停电", "检查母排及出线绝缘，更换浪涌保护器后合闸", "浪涌保护器")),
    "二级": (("2号枪无法启动充电，报绝缘故障", "更换绝缘检测模块，充电测试正常", "绝缘检测模块"),
             ("充电模块故障导致输出功率减半", "更换故障充电模块，满功率测试正常", "充电模块"),
             ("后台通信中断，订单无法结算", "更换4G通信模块并重新配置平台参数", "4G通信模块"),
             ("刷卡无响应，仅能扫码充电", "更换读卡器，刷卡测试正常", "读卡器"),
             ("直流接触器粘连，充电结束无法断开", "更换直流接触器，通断测试正常", "直流接触器")),
    "三级": (("显示屏黑屏，触摸无反应", "更换显示屏及排线，显示正常", "显示屏"),
             ("散热风扇异响，机柜温度偏高", "更换散热风扇并清理滤网", "散热风扇"),
             ("急停按钮损坏无法复位", "更换急停按钮，复位正常", "急停按钮"),
             ("充电枪头锁止机构损坏", "更换充电枪，插拔及锁止测试正常", "充电枪"),
             ("电能表计量与后台不一致", "校验并更换电能表，重新核对电量", "电能表"),
             ("新建充电站设备安装调试", "完成设备就位、接线、上电调试及平台接入", None)),
    "四级": (("用户不会使用APP预约充电", "电话指导客户完成预约设置", None),
             ("充电卡未激活，无法使用", "远程在后台激活充电卡", None),
             ("客户误改功率分配参数导致限流", "远程恢复出厂参数并说明设置方法", None),
             ("咨询充电桩电价时段设置方法", "远程演示电价时段设置", None)),
}
PARTS = {"塑壳断路器": ("NXM-250", 380), "主板": ("NR-MB-V3", 1200), "浪涌保护器": ("SPD-40kA", 150),
         "绝缘检测模块": ("IMD-100", 760), "充电模块": ("NRM-30K", 3800), "4G通信模块": ("EC20-CE", 260),
         "读卡器": ("RF-M1", 220), "直流接触器": ("EVR-250", 680), "显示屏": ("7寸LCD", 450),
         "散热风扇": ("FAN-12038", 60), "急停按钮": ("XB2-BS542", 85), "充电枪": ("GB/T-250A", 1600),
         "电能表": ("DJSF1352", 520)}
INSTRUMENTS = (("绝缘电阻测试仪", "UT512", "优利德", "2500V"), ("钳形电流表", "F317", "福禄克", "1000A"),
               ("示波器", "TBS1102", "泰克", "100MHz"), ("充电桩测试负载", "NR-LD60", "自制", "60kW"),
               ("调试笔记本电脑", "ThinkPad E14", "联想", "i5/16G"), ("CAN分析仪", "USBCAN-II", "周立功", "双通道"))
CONSUMABLES = (("接线端子", "SC70-10", "正泰", "70mm²"), ("热缩管", "RSG-30", "长园", "Φ30"),
               ("扎带", "5x300", "华达", "300mm"), ("绝缘胶带", "1600", "3M", "18mm"))
PURPOSES = (("售后维修", "现场故障维修需更换备件"), ("项目安装", "新站安装调试需要仪器和辅材"),
            ("测试验证", "客户现场测试验证"), ("备品备件", "补充片区备品备件"), ("其他", "展会样机布置"))
LEVELS = ("非常满意", "满意", "一般", "不满意", "非常不满意")
FS_LEVELS = ("很好", "好", "满意", "一般", "差")
COMPLAINTS = {  # class -> (description, investigation, result, dept codes that answer)
    "服务质量": (("工程师到场后未穿工作服，态度生硬", "核实属实，对当事人进行服务规范再培训",
              "向客户致歉，更换服务工程师", ("KF",)),
             ("报修后超过约定时间才到现场", "调度安排不当导致延误，已调整片区人员", "向客户说明原因并致歉", ("KF",))),
    "外观包装": (("到货充电桩外壳有划痕", "运输途中包装防护不足", "更换外壳面板，改进包装", ("ZL",)),
             ("配电柜柜门变形无法关严", "运输颠簸造成变形", "上门更换柜门", ("ZL",))),
    "产品质量": (("同一批直流桩三个月内多次报绝缘故障", "绝缘检测模块批次不良", "批量更换绝缘检测模块", ("ZL", "YF")),
             ("充电模块频繁过温降额", "模块风道设计余量不足", "更换改进型充电模块", ("YF", "SC")),
             ("交流桩漏电保护误动作", "漏保选型灵敏度过高", "更换漏电保护器并复测", ("ZL", "SC"))),
    "建议": (("建议APP增加充电完成短信提醒", "已转研发评估", "纳入下一版本计划并回复客户", ("YF", "SJ")),
           ("建议提供站点运维月报", "可由数据平台自动生成", "开通月报推送功能", ("SJ",))),
    "其他": (("对保修期起算日期有异议", "客户误以为从安装日起算", "向客户解释保修政策", ("YX",)),
           ("发票抬头开错需重开", "开票信息录入错误", "已重开发票寄出", ("YX",))),
}
CATEGORY_WEIGHTS = {"服务质量": 25, "外观包装": 10, "产品质量": 40, "建议": 15, "其他": 10}
TOPICS_INTERNAL = ("新版售后服务管理制度宣贯", "直流充电模块故障诊断", "配电柜巡检与维护", "客户投诉处理技巧",
                   "充电桩安全操作规程", "触电事故应急预案演练", "GB/T 20234 充电接口标准解读", "年度安全生产培训",
                   "主板软件升级操作", "服务礼仪与沟通", "备品备件管理流程", "质量问题分析方法（8D）")
TOPICS_USER = ("充电站运维人员操作培训", "充电桩日常维护与简单故障排除", "配电柜操作与安全", "运营后台管理系统使用")
FEEDBACK = ("服务及时，满意", "希望缩短备件周期", "工程师很专业", None, None, None)
PART_FAULTS = (("无输出", "功率器件击穿"), ("通讯中断", "芯片虚焊"), ("无法上电", "电源模块损坏"),
               ("显示异常", "排线接触不良"))   # symptom and cause of a returned faulty part
SURVEY_COMMENTS = ("希望备件到货再快一些", "工程师服务专业，点赞", "建议增加夜间服务热线人员", "产品稳定性不错",
                   "希望定期上门巡检", "APP使用不够方便", "安装进度很快，满意")
TWO = Decimal("0.01")


def _money(x) -> Decimal:
    return Decimal(x).quantize(TWO, rounding=ROUND_HALF_UP)


def _days(a: dt.date, b: dt.date):
    d = a
    while d <= b:
        yield d
        d += dt.timedelta(days=1)


def _months():
    y, m = START.year, START.month
    while (y, m) <= (END.year, END.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


class _Numberer:
    """Serial numbers per the policy rule for rows already in date order. A row may carry
    ``_step`` (0 reuses the previous serial, 2 skips one) and ``_number_date`` (the date the
    number is written with, when it differs from the row's own) to plant a mistake."""

    def __init__(self, policy: dict, rule_id: str):
        self.rule = compile_rule(numbering_rule(policy, rule_id), rule_id)
        self.count: Counter = Counter()

    def assign(self, rows: list[dict], key: str, date_key: str, dept_key: str | None = None) -> None:
        for r in rows:
            d = r.pop("_number_date", None) or r[date_key]
            d = d.date() if isinstance(d, dt.datetime) else d
            dept = r[dept_key] if dept_key else None
            cycle = self.rule.cycle_key(d, dept)
            self.count[cycle] += r.pop("_step", 1)
            r[key] = self.rule.pattern.format(d, self.count[cycle], dept)


class _Sample:
    """One generation run: the random stream, the calendar and the master data drawn so far."""

    def __init__(self, policy: dict):
        self.policy = policy
        self.rng = random.Random(SEED)
        self.cal = WorkCalendar({d: kind == WORK for d, kind, _ in COMPANY_DAYS})
        self.workdays = [d for d in _days(START, END) if self.cal.is_working(d)]
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
                                   "phone": self.phone(), "bonus": _money(bonus + 100 * self.rng.randint(0, 5)),
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
                                   "annual_sales": _money(sales), "city": city, "foreign": False})
        for cname, addr in FOREIGN:
            self.customers.append({"name": cname, "address": addr, "contact": self.name(), "phone": None,
                                   "annual_sales": _money(self.rng.randint(40, 300) * 10000), "city": None,
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
    def received_at(self, y: int, m: int) -> dt.datetime:
        days = self.month_days(y, m)
        if self.rng.random() < 0.05:  # a weekend or holiday call on the hotline
            days = [d for d in _days(days[0], days[-1]) if not self.cal.is_working(d)] or days
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
        for y, m in _months():
            for _ in range(self.rng.randint(36, 48)):
                rows.append(self.ticket(self.received_at(y, m), engineers, issuers))
        rows.sort(key=lambda r: r["received"])
        self.plant_ticket_mistakes(rows)
        _Numberer(self.policy, "ticket").assign(rows, "ticket_no", "received", "dept_code")
        rows.sort(key=lambda r: (r["received"], r["ticket_no"]))
        services, parts = [], []
        for r in rows:
            if r.get("_fs"):
                services.append(r.pop("_fs"))
            for p in r.pop("_parts", ()):
                parts.append({"ticket_no": r["ticket_no"], **p})
            r.pop("_in_warranty", None)
        services.sort(key=lambda s: s["departed"])   # stable: ties keep ticket order
        _Numberer(self.policy, "field_service").assign(services, "fs_no", "departed", "dept_code")
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
        }
        if onsite and part and rng.random() < 0.7:
            name = part
            model, price = PARTS[name]
            kind = "三包件" if in_warranty and stype != "有偿服务" else "客户购买件"
            r["_parts"] = [{"kind": kind, "name": name, "model": model, "qty": rng.choice((1, 1, 1, 2)),
                            "unit_price": _money(price) if kind == "客户购买件" else None}]
        if onsite:
            r["_fs"] = self.field_service(r, eng, area)
        if stype == "有偿服务":
            fs = r["_fs"]
            days_away = ((fs["returned"] or fs["departed"]) - fs["departed"]).days + 1
            bought = [p["qty"] * p["unit_price"] for p in r.get("_parts", ()) if p["unit_price"] is not None]
            r.update(travel_cost=_money(rng.randint(3, 12) * 100 if area == "外地" else rng.randint(30, 90)),
                     days_away=days_away, labour_days=days_away, materials_cost=_money(sum(bought)))
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
            "attitude": self.pick(FS_LEVELS[:3], (50, 40, 10)), "damage": self.pick(("无", "轻微"), (95, 5)),
            "hygiene": self.pick(FS_LEVELS[:3], (40, 45, 15)), "satisfied": self.pick(FS_LEVELS[:3], (50, 40, 10)),
            "result": (None if done is None else "已修复，设备运行正常" if ticket["resolved"] == "是"
                       else "临时处理，待配件到货后二次上门"),
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
    def complaint_days(self) -> list[dt.date]:
        days = []
        for y, m in _months():
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
        _Numberer(self.policy, "complaint").assign(rows, "complaint_no", "received")
        return {"complaints": rows}

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
            "repair_budget": _money(rng.randint(5, 80) * 100) if quality else None,
            "repair_delivery": self.wd(received, rng.randint(3, 8)) if quality else None,
            "replied": replied, "revisited": revisited, "closed": revisited, "result": result,
            "satisfaction": self.pick(LEVELS[:3], (45, 45, 10)), "region": "国外" if cust["foreign"] else "国内",
        }
        if is_open:
            r.update(replied=None, revisited=None, closed=None, result=None, satisfaction=None,
                     repair_delivery=None, responsibility="待定")
        return r

    # -- materials --
    def materials(self) -> dict:
        rng = self.rng
        people = self.staff_in("技术工程师", "售后人员")
        apps, items, returns = [], [], []
        for y, m in _months():
            for d in sorted(rng.sample(self.month_days(y, m), 5)):
                apps.append(self.application(d, self.pick(people)))
        _Numberer(self.policy, "material").assign(apps, "app_no", "applied")
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
        for i, (y, m) in enumerate(_months()):
            topic = TOPICS_INTERNAL[i % len(TOPICS_INTERNAL)]
            sessions.append(self.session(self.pick(self.month_days(y, m)[5:15]), topic, None))
            cust = self.pick(self.domestic)
            sessions.append(self.session(self.pick(self.month_days(y, m)[10:]), self.pick(TOPICS_USER), cust))
        sessions.sort(key=lambda s: s["date"])
        _Numberer(self.policy, "training").assign(sessions, "session_no", "date")
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
        for y, m in _months():
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
        _Numberer(self.policy, "survey").assign(rows, "survey_no", "surveyed")
        return {"surveys": rows}

    # -- assessment sheets of the master workbook (after the registers they point at) --
    def penalty(self, *path: str) -> Decimal | None:
        """An amount from the policy's [penalties] (None when the company has no such rule)."""
        node = self.policy.get("penalties", {})
        for p in path:
            node = node.get(p, {}) if isinstance(node, dict) else {}
        return _money(node) if isinstance(node, (int, Decimal)) else None

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
             per_base and _money(per_base * tech["base_points"]), "未经审批向客户传达非正式政策，引发投诉"),
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
                         "case_no": t["ticket_no"], "amount": _money(self.rng.randint(cap // 40, cap // 20) * 20),
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
    return _complete(data)


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
