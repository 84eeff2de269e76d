"""说明.txt: what a pack holds and how to verify it without this tool."""
from __future__ import annotations

from generator.pack.options import PackOptions

README = "说明.txt"


def readme_text(opts: PackOptions, result_counts: dict, masked: bool, controlled: bool, registers: list[str]) -> str:
    status = "受控（表单按策略标注受控状态，不编分发号，不登记分发记录）" if controlled else "非受控副本"
    privacy = ("已隐去：手机号显示为 138****5678，联系人姓名只留姓（张*），"
               "台账副本与校验结果中的电话号码同样隐去（001 客户保密管理办法）。") if masked else \
        "含完整个人信息（联系人、电话）：请按 001 客户保密管理办法 限定查阅范围，勿外传。"
    return "\n".join([
        "售后服务审计包 说明",
        "",
        f"审计期间：{opts.start} 至 {opts.end}",
        f"台账：{'、'.join(registers)}",
        f"文件状态：{status}",
        f"个人信息：{privacy}",
        "",
        "一、包内文件",
        f"  forms/<表单>/<编号>.docx：期间内每条记录的表单（可编辑的原件），共 {result_counts['forms']} 份；",
        "      生成时选了“--split-pdf”的，旁边另有同名 .pdf（从合订本中截出）。",
        "      记录日期取台账编号所依据的日期列（如投诉受理日期、工单受理时间、物料申请日期）；",
        "      催办单取所催案件的日期；投诉案件统计表仅收录整月都在期间内的月份。",
        "      表单按期间最后一天填写（开单日期、超期天数均以该日为准）。",
        "  print/<表单>.pdf：同一表单的全部案件合订为一个 PDF，每个案件一个书签，按记录日期排序，可直接打印；",
        "      每页页脚注明表单名称、编号和联次，页码按每份记录（多联表单按每一联）分别计数。",
        "      manifest 中每份记录的“合订本页码”指出它在合订本中的起止页，并附这几页内容的校验值。",
        "  registers/：生成本包时读取的台账工作簿和策略文件 policy.toml。",
        "  check.xlsx：期间内记录的校验结果（及无法判断日期的记录、整表问题），",
        f"      以及未能生成表单的记录和原因（本包共 {result_counts['failures']} 条）。",
        "  summary.xlsx：期间所涉及各自然月的罚扣台账与满意度、激励、服务目标、培训、KPI 评分。",
        "  manifest.xlsx、manifest.json：每个文件的类别、表单、编号、记录日期、页数、SHA-256 校验值，",
        "      以及该记录所证明的 ISO 9001:2015 / GB/T 27922-2011 条款。",
        "",
        "二、如何验证",
        "  1. 运行 aftersales verify 审计包.zip ：逐一重新计算每个文件的 SHA-256 并与 manifest.json 比对，",
        "     指出被修改、多出或缺少的文件，并核对合订本中每份记录的页码范围、书签和页面校验值；",
        "     完好时退出码为 0，有差异为 1。",
        "  2. 不用本工具时：解压后用 sha256sum（Windows：certutil -hashfile 文件 SHA256）计算各文件，",
        "     与 manifest.xlsx 的 SHA-256 列逐一核对。",
        "  3. 整个审计包的 SHA-256 记录在台账目录的 审计日志.csv 中（生成人、时间、期间、选项）：",
        "     aftersales verify 审计包.zip --expect 该值（或 sha256sum 审计包.zip）与日志核对，",
        "     可发现连同清单一起被改动的审计包。",
        "  4. 生成时用了公司密钥签名（manifest.json.sig）的：aftersales verify 审计包.zip --pubkey 公司公钥.pub",
        "     核对签名，清单在签发后被改动即可发现。",
        "  5. 同样的台账、策略和期间重新生成，得到逐字节相同的审计包。",
        "",
        "三、说明",
        "  manifest.json 列出除它本身和签名以外的全部文件；manifest.xlsx 列出除两个清单和签名以外的全部文件。",
        "  包内不含生成时间：生成时间只记在 审计日志.csv 中。",
        "",
    ])


__all__ = ["README", "readme_text"]
