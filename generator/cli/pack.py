"""``aftersales audit-pack`` and ``aftersales verify``: the audit pack of a period and its check."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from generator.cli.common import (
    console,
    day_option,
    err_console,
    print_json,
    progress,
    user_errors,
)
from generator.config.form_specs import load_forms
from generator.config.policy import find_policy
from generator.documents.control import unsigned_warning
from generator.pack.build import build_pack
from generator.pack.signing import new_keypair
from generator.pack.verify import verify_pack


def _registers(text: Optional[str]) -> Optional[list[str]]:
    if not text:
        return None
    return [t.strip() for t in text.replace("，", ",").split(",") if t.strip()] or None


def audit_pack(
    directory: Path = typer.Argument(..., help="台账目录 / folder with the registers"),
    from_: str = typer.Option(..., "--from", help="起始日期（含）/ first day, e.g. 2025-07-01"),
    to: str = typer.Option(..., "--to", help="截止日期（含）/ last day, e.g. 2026-06-30"),
    out: Path = typer.Option(..., "--out", "-o", help="审计包文件 / the pack to write (.zip)"),
    registers: Optional[str] = typer.Option(None, "--registers", help="只收录这些台账，逗号分隔，如 tickets,complaints"
                                                                   " / only these registers"),
    uncontrolled: bool = typer.Option(False, "--uncontrolled", help="非受控副本；策略要求时隐去个人信息 / uncontrolled copy"),
    mask_personal: bool = typer.Option(False, "--mask-personal", help="隐去电话和联系人姓名（即为非受控副本）"
                                                                      " / mask phones and contact names"),
    all_forms: bool = typer.Option(False, "--all-forms", help="收录全部表单，而非策略 audit_pack.forms 所列 / every form"),
    split_pdf: bool = typer.Option(False, "--split-pdf", help="另附每份表单各自的 PDF / also one PDF per record"),
    sign: Optional[Path] = typer.Option(None, "--sign", help="用公司私钥签署清单（aftersales keys new 生成）"
                                                             " / sign manifest.json with the company's key"),
    silent: bool = typer.Option(False, "--silent", help="不显示进度条 / no progress bar"),
    json_: bool = typer.Option(False, "--json", help="输出 JSON / print JSON"),
    today: Optional[str] = typer.Option(None, "--today", help="期间未结束时只计到该日期，默认今天 / judge up to this day"),
):
    """生成审计包：期间内全部表单（Word/PDF/打印合订本）、台账、校验、罚扣与评分、清单 / build the audit pack.

    同样的台账、策略和期间生成逐字节相同的审计包；每次生成在台账目录的 审计日志.csv 中记一行。
    已生成的表单缓存在 DIR/.aftersales-cache（台账目录只读时在审计包旁），中断后重新运行会接着做。
    """
    with user_errors():
        start, end = day_option(from_, "--from"), day_option(to, "--to")
        day = day_option(today, "--today", default=dt.date.today())
        result = build_pack(directory, start, end, out, registers=_registers(registers), uncontrolled=uncontrolled,
                            mask_personal=mask_personal, all_forms=all_forms, split_pdf=split_pdf, sign=sign,
                            today=day,
                            progress=lambda items, description, total: progress(items, description, silent, total=total))
        unsigned = unsigned_warning(load_forms(directory).values(), find_policy(directory))
    if unsigned:
        err_console.print(f"[yellow]注意：[/]{escape(unsigned)}")
    if json_:
        print_json(result.to_dict())
        return
    status = ("受控" if result.controlled else "非受控") + ("，已隐去个人信息" if result.masked else "")
    console.print(f"已生成审计包 {escape(str(result.path))}（{status}）：{result.forms} 份表单，共 {result.files} 个文件，"
                  f"用时 {result.seconds:.0f} 秒（本次填写 {result.rendered} 份、转换 {result.converted} 份，其余取自缓存）")
    console.print(f"SHA-256 {result.sha256}（已记入 审计日志.csv）")
    if result.signed_by:
        console.print(f"清单已用公司密钥签署（密钥指纹 {result.signed_by}）；核对：aftersales verify 包 --pubkey 公钥")
    for f in result.failures:
        where = f"{f.sheet} 第 {f.row} 行" if f.row else f.sheet
        err_console.print(f"[yellow]未能生成：[/]{escape(f.title)} {escape(f.number)}（{escape(where)}）：{escape(f.reason)}")
    if result.failures:
        err_console.print(f"[yellow]共 {len(result.failures)} 条记录未能生成表单，详见审计包内 check.xlsx「未能生成的表单」[/]")


def verify(
    pack: Path = typer.Argument(..., help="审计包 / the pack (.zip)"),
    pubkey: Optional[Path] = typer.Option(None, "--pubkey", help="公司公钥，核对清单签名 / the company's public key"),
    expect: Optional[str] = typer.Option(None, "--expect", help="签发时记录的整包 SHA-256（审计日志.csv）"
                                                               " / the pack's SHA-256 recorded at issue"),
    json_: bool = typer.Option(False, "--json", help="输出 JSON / print JSON"),
):
    """校验审计包：逐一核对每个文件的 SHA-256、两份清单、签名与整包校验值 / verify an audit pack.

    只核对哈希清单，挡不住"改文件再重写清单"：请用 --pubkey 核对公司签名，或用 --expect 核对
    审计日志.csv 中记录的整包 SHA-256。
    退出码：0 完好；1 有文件被修改、多出或缺少，或清单、签名、整包校验值不符（逐一列出）；2 不是审计包。
    """
    with user_errors():
        result = verify_pack(pack, pubkey=pubkey, expect=expect)
    if json_:
        print_json(result.to_dict())
    else:
        for label, names in (("已修改", result.changed), ("多出", result.added), ("缺少", result.removed)):
            for name in names:
                console.print(f"[red]{label}[/]：{escape(name)}")
        for problem in result.problems:
            console.print(f"[red]不符[/]：{escape(problem)}")
        period = result.manifest.get("period", {})
        sig = result.signature
        if sig.valid:
            console.print(f"签名有效：清单由公司密钥（指纹 {sig.key}）签署，签发后未被改动")
        elif sig.signed and not sig.checked:
            console.print(f"[yellow]清单带有签名（密钥指纹 {escape(sig.key)}），未核对：请加 --pubkey 公司公钥[/]")
        elif not sig.signed and not result.expected:
            console.print("[yellow]注意：未签名，且未给出 --expect，只核对了清单内的哈希；"
                          "若清单被整体重写将无法发现[/]")
        if result.ok:
            console.print(f"审计包完好：{result.files} 个文件与清单一致（期间 {period.get('from')} 至 {period.get('to')}）")
        else:
            n = len(result.changed) + len(result.added) + len(result.removed)
            console.print(f"[bold red]审计包不可信：{n} 个文件与 manifest.json 不符，"
                          f"另有 {len(result.problems)} 处问题[/]")
        console.print(f"审计包 SHA-256 {result.sha256}（可与 审计日志.csv 中的记录核对）")
    raise typer.Exit(0 if result.ok else 1)


keys_app = typer.Typer(help="公司签名密钥 / the company's signing key for audit packs", no_args_is_help=True)


@keys_app.command("new")
def keys_new(
    path: Path = typer.Argument(..., help="私钥文件，如 公司签名.key；公钥写在 同名.pub / the private key file"),
    json_: bool = typer.Option(False, "--json", help="输出 JSON / print JSON"),
):
    """生成公司签名密钥对（Ed25519）/ make a new signing key pair.

    私钥由负责签发审计包的人保管（audit-pack --sign）；公钥 .pub 交给审核方（verify --pubkey）。
    已有同名文件时不覆盖。
    """
    with user_errors():
        private, public, key = new_keypair(path)
    if json_:
        print_json({"private": str(private), "public": str(public), "fingerprint": key})
        return
    console.print(f"已生成私钥 {escape(str(private))}（仅本人可读，请妥善保管，勿放入审计包或共享目录）")
    console.print(f"已生成公钥 {escape(str(public))}（交给审核方，用于 aftersales verify --pubkey）")
    console.print(f"密钥指纹 {key}")
