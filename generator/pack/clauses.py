"""What each file of a pack evidences: the ISO 9001:2015 / GB/T 27922-2011 clause per form
(CLAUSES) and per other file kind (FILE_CLAUSES), and the kinds' names in manifest.xlsx."""
from __future__ import annotations

# What each record evidences. ISO 9001:2015 clauses are exact; GB/T 27922-2011 is cited by
# its chapter 5 indicator group (售后服务体系 / 商品服务 / 顾客服务) and the activity, since
# the seeds quote no sub-clause numbers of it.
ISO, GBT = "ISO 9001:2015", "GB/T 27922-2011"
GB_SYSTEM, GB_GOODS, GB_CUSTOMER = (f"{GBT} 第5章 售后服务体系", f"{GBT} 第5章 商品服务", f"{GBT} 第5章 顾客服务")
CLAUSES = {
    "service_receipt": f"{ISO} §8.5.5 交付后活动、§9.1.2 顾客满意；{GB_GOODS}（维修、技术支持）",
    "material_request": f"{ISO} §8.5.5 交付后活动（备件）；{GB_GOODS}（配件供应）",
    "material_return": f"{ISO} §8.7 不合格输出的控制（返回故障件）、§8.5.5；{GB_GOODS}（配件供应）",
    "satisfaction_survey": f"{ISO} §9.1.2 顾客满意；{GB_CUSTOMER}（顾客满意度调查）",
    "complaint_record": f"{ISO} §8.2.1 c) 顾客反馈（投诉）、§9.1.2；{GB_CUSTOMER}（投诉处理）",
    "terminal_feedback": f"{ISO} §8.5.5 交付后活动、§10.2 不合格和纠正措施；{GB_GOODS}（维修）",
    "quality_report": f"{ISO} §10.2 不合格和纠正措施、§8.7；{GB_CUSTOMER}（投诉处理）",
    "user_training": f"{ISO} §8.5.5 交付后活动（用户培训）；{GB_GOODS}（技术咨询与培训）",
    "training_signin": f"{ISO} §7.2 能力（培训证据）；{GB_SYSTEM}（人员培训）",
    "complaint_tracking": f"{ISO} §8.2.1 c)、§10.2 不合格和纠正措施；{GB_CUSTOMER}（投诉处理）",
    "quality_memo": f"{ISO} §10.2 不合格和纠正措施、§8.7；{GB_CUSTOMER}（投诉处理）",
    "complaint_handling": f"{ISO} §10.2 不合格和纠正措施；{GB_CUSTOMER}（投诉处理）",
    "complaint_stats": f"{ISO} §9.1.3 分析和评价；{GB_CUSTOMER}（投诉处理）",
    "reminder": f"{ISO} §9.1.1 监视和测量、§10.2.1；{GB_SYSTEM}（服务时限与监督）",
    "service_info": f"{ISO} §8.2.1 顾客沟通、§8.5.5 交付后活动；{GB_GOODS}（技术支持）",
    "field_service": f"{ISO} §8.5.1 生产和服务提供的控制、§8.5.5；{GB_GOODS}（安装、维修）",
    "repair_record": f"{ISO} §8.5.5 交付后活动；{GB_GOODS}（维修、配件供应）",
    "info_collection": f"{ISO} §8.5.5 交付后活动、§9.1.3 分析和评价；{GB_GOODS}（维修）",
    "paid_quote": f"{ISO} §8.2.3 产品和服务要求的评审（报价）；{GB_GOODS}（有偿服务收费）",
}
FILE_CLAUSES = {
    "register": f"{ISO} §7.5.3 成文信息的控制（记录保存，001 §8 七 9）；{GB_SYSTEM}（服务制度、档案）",
    "policy": f"{ISO} §7.5.1 成文信息；{GB_SYSTEM}（服务制度）",
    "check": f"{ISO} §9.1.3 分析和评价、§10.2 不合格和纠正措施",
    "summary": f"{ISO} §9.1.2 顾客满意、§9.1.3 分析和评价；{GBT} 第6章 评价方法",
    "index": f"{ISO} §7.5.3.2 成文信息的保护（完整性）",
}
KIND_TEXT = {"docx": "表单 Word", "pdf": "表单 PDF", "print": "打印合订本", "register": "台账",
             "policy": "策略文件", "check": "校验结果", "summary": "罚扣与评分汇总", "index": "清单与说明"}

__all__ = ["CLAUSES", "FILE_CLAUSES", "KIND_TEXT"]
