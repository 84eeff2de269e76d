"""Every register spec is consistent with itself and with the default policy."""
import pytest

from generator.config.policy import default_policy
from generator.config.register_specs import load_specs
from generator.registers.layout import DAY_CLOCKS

SPECS = load_specs()
SHEETS = [(r.id, s) for r in SPECS.values() for s in r.sheets]


def test_registers_named_by_the_issue_exist():
    assert list(SPECS) == ["complaints", "master", "materials", "surveys", "tickets", "training"]
    complaint = SPECS["complaints"].sheet("complaints")
    assert complaint.name == "投诉登记"
    for header in ["投诉编号", "受理日期", "受理渠道", "客户名称", "联系人", "联系电话", "产品型号", "投诉类别",
                   "投诉内容", "责任部门", "责任人", "转交日期", "回复日期", "回访日期", "结案日期", "处理结果",
                   "客户满意程度", "国内国外"]:
        assert header in [c.header for c in complaint.columns]
    ticket = SPECS["tickets"].sheet("tickets")
    for header in ["工单编号", "受理时间", "受理部门", "客户名称", "联系人", "联系电话", "产品型号", "出厂编号",
                   "故障等级", "服务类型", "故障描述", "服务人员", "响应时间", "到场时间", "完成时间", "是否解决",
                   "遗留问题", "服务态度", "服务技能", "响应速度", "外出服务编号"]:
        assert header in [c.header for c in ticket.columns]


@pytest.mark.parametrize("register,sheet", SHEETS, ids=lambda x: getattr(x, "key", x))
def test_sheet_references_resolve(register, sheet):
    policy = default_policy()
    keys = {c.key for c in sheet.columns}
    headers = [h for c in sheet.columns for h in c.headers]
    assert len(headers) == len(set(headers)), "a header or alias is used twice"
    if sheet.numbering:
        assert sheet.numbering in policy["numbering"]
    for b in sheet.deadlines + ((sheet.status,) if sheet.status else ()):
        assert b.rule in policy["deadlines"], b.rule
        assert {b.start, b.stop or b.start, b.person or b.start, b.dept or b.start} <= keys
        assert {k for k, _ in b.when} <= keys
    if sheet.status:
        assert policy["deadlines"][sheet.status.rule]["clock"] in DAY_CLOCKS
    for c in sheet.columns:
        if c.choices_from:
            _, sheet_key, col = c.choices_from.split(".")
            assert SPECS["master"].sheet(sheet_key).has(col)
        if c.not_before:
            assert c.not_before in keys
    if sheet.parent:
        parent, col = sheet.parent.split(".")
        assert col in keys
