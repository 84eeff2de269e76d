"""What each file of a pack other than a form evidences (FILE_CLAUSES: the ISO 9001:2015 /
GB/T 27922-2011 clause per file kind; a form's own clause is in its spec, ``FormSpec.clause``),
and the kinds' names in manifest.xlsx."""
from __future__ import annotations

# ISO 9001:2015 clauses are exact; GB/T 27922-2011 is cited by
# its chapter 5 indicator group (售后服务体系 / 商品服务 / 顾客服务) and the activity, since
# the seeds quote no sub-clause numbers of it.
ISO, GBT = "ISO 9001:2015", "GB/T 27922-2011"
GB_SYSTEM, GB_GOODS, GB_CUSTOMER = (f"{GBT} 第5章 售后服务体系", f"{GBT} 第5章 商品服务", f"{GBT} 第5章 顾客服务")
FILE_CLAUSES = {
    "register": f"{ISO} §7.5.3 成文信息的控制（记录保存，001 §8 七 9）；{GB_SYSTEM}（服务制度、档案）",
    "policy": f"{ISO} §7.5.1 成文信息；{GB_SYSTEM}（服务制度）",
    "check": f"{ISO} §9.1.3 分析和评价、§10.2 不合格和纠正措施",
    "summary": f"{ISO} §9.1.2 顾客满意、§9.1.3 分析和评价；{GBT} 第6章 评价方法",
    "index": f"{ISO} §7.5.3.2 成文信息的保护（完整性）",
}
KIND_TEXT = {"docx": "表单 Word", "pdf": "表单 PDF", "print": "打印合订本", "register": "台账",
             "policy": "策略文件", "check": "校验结果", "summary": "罚扣与评分汇总", "index": "清单与说明"}

__all__ = ["FILE_CLAUSES", "KIND_TEXT"]
