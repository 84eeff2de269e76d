"""``aftersales render`` and ``aftersales forms``: controlled Word/PDF forms from the registers."""
from __future__ import annotations

import datetime as dt
import os
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import List, Optional

import typer

from generator.cli.common import console, err_console, print_json, progress, user_errors
from generator.config.form_specs import find_form, load_forms
from generator.config.policy import default_policy, find_policy
from generator.core.errors import UserError
from generator.documents import pdf_engines
from generator.rules.citations import cite, sources_of


def _day(text: Optional[str]) -> Optional[dt.date]:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(f"{text!r} 不是日期（如 2026-07-01）", param_hint="--today") from None


@contextmanager
def pdf_engine_chosen(directory: Path, option: Optional[str]):
    """--pdf-engine, else AFTERSALES_PDF_ENGINE, else the policy's [pdf] engine, handed down to the
    converter and its workers in AFTERSALES_PDF_ENGINE for the time of the command."""
    before = os.environ.get(pdf_engines.ENV_VAR)
    name = option or before or find_policy(directory).get("pdf", {}).get("engine", pdf_engines.DEFAULT)
    where = "--pdf-engine" if option else pdf_engines.ENV_VAR if before else "策略 [pdf] engine"
    os.environ[pdf_engines.ENV_VAR] = pdf_engines.check_engine(name, where)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(pdf_engines.ENV_VAR, None)
        else:
            os.environ[pdf_engines.ENV_VAR] = before


def render(
    directory: Path = typer.Argument(..., help="台账目录 / folder with the registers"),
    form: str = typer.Option(..., "--form", "-f", help="表单编号或名称，见 aftersales forms / form id or title"),
    number: Optional[List[str]] = typer.Option(None, "--number", "-n", help="单据编号，可重复 / record number (repeatable)"),
    all_: bool = typer.Option(False, "--all", help="填写全部记录 / every record"),
    out: Path = typer.Option(..., "--out", "-o", help="输出目录 / output folder"),
    pdf: bool = typer.Option(False, "--pdf", help="同时生成 PDF：同一表单合订为一个文件，每份记录一个书签（需 LibreOffice）"
                                                  " / also one bookmarked PDF"),
    split_pdf: bool = typer.Option(False, "--split-pdf", help="与 --pdf 同用：另附每份记录各自的 PDF / also one PDF per record"),
    pdf_engine: Optional[str] = typer.Option(None, "--pdf-engine", metavar="libreoffice|word|wps|auto",
                                             help="PDF 由谁生成，默认取策略 [pdf] engine（libreoffice）/ PDF engine"),
    uncontrolled: bool = typer.Option(False, "--uncontrolled", help="非受控副本：不编分发号、隐去个人信息 / uncontrolled copy"),
    holder: str = typer.Option("", "--holder", help="受控副本持有人（写入分发记录）/ holder of the controlled copies"),
    today: Optional[str] = typer.Option(None, "--today", help="开单/发放日期，默认今天 / issue date"),
    silent: bool = typer.Option(False, "--silent", help="不显示进度条 / no progress bar"),
    json_: bool = typer.Option(False, "--json", help="输出 JSON / print JSON"),
):
    """填写受控表单（Word，可选 PDF）/ fill controlled forms from the registers.

    受控副本按表单顺次编分发号，并登记在台账目录的 分发记录.xlsx 中（ISO 9001 §7.5.3）。
    """
    day = _day(today)
    with user_errors():
        if bool(number) == all_:
            raise UserError("请用 --number 指定单据编号，或用 --all 填写全部记录（二者选一）")
        # deferred: docxtpl loads only when forms are rendered
        from generator.documents.batch import render_forms

        with pdf_engine_chosen(directory, pdf_engine) if pdf or split_pdf else nullcontext():
            result = render_forms(
                directory, form, out, numbers=None if all_ else list(number), pdf=pdf or split_pdf,
                split_pdf=split_pdf, uncontrolled=uncontrolled, holder=holder, today=day,
                progress=lambda items, total: progress(items, "填写表单", silent, total=total),
            )
    for w in result.warnings:
        err_console.print(f"[yellow]注意：[/]{w}")
    if json_:
        print_json({
            "docx": [str(p) for p in result.docx], "pdf": [str(p) for p in result.pdf],
            "issued": [{"copy_no": i.copy_no, "number": i.number, "file": i.file, "part": i.part, "holder": i.holder,
                        "kind": i.kind} for i in result.issued],
            "warnings": result.warnings,
        })
        return
    console.print(f"已生成 {len(result.docx)} 份 Word 表单" + (f"、{len(result.pdf)} 份 PDF" if result.pdf else "")
                  + f" → {out}")
    if result.issued:
        first, last = result.issued[0].copy_no, result.issued[-1].copy_no
        console.print(f"受控副本分发号 {first}" + (f"–{last}" if last != first else "") + " 已登记在 分发记录.xlsx")


def forms_(
    directory: Optional[Path] = typer.Argument(None, help="台账目录：含其 forms/ 中的自定义表单 / register folder"),
    fields: Optional[str] = typer.Option(None, "--fields", help="列出该表单模板中的每个字段 / list a template's fields"),
    json_: bool = typer.Option(False, "--json", help="输出 JSON / print JSON"),
):
    """列出可填写的表单 / list the forms (with a folder: also its own forms/<id>.toml).

    --fields FORM：模板中每个 {{ 字段 }} 的中文名称、类型和数据来源（台账 / 工作表 / 列），
    以及它所在的循环行（循环行按明细逐行重复，编辑模板时请勿删除）。
    """
    if fields:
        _fields(fields, directory, json_)
        return
    with user_errors():
        forms = load_forms(directory)
        sources = sources_of(find_policy(directory) if directory is not None else default_policy())
    rows = [{"id": f.id, "title": f.title, "register": f.register} for f in forms.values()]
    if json_:
        print_json(rows)
        return
    from rich.table import Table

    t = Table(title="受控表单")
    for h in ("表单编号", "名称", "台账", "依据"):
        t.add_column(h, overflow="fold")   # wrap at 80 columns, never cut with "…"
    for f in forms.values():
        t.add_row(f.id, f.title, f.register, cite(f.source, sources))
    console.print(t)


def _fields(name: str, directory: Optional[Path], json_: bool) -> None:
    from dataclasses import asdict

    from rich.table import Table

    with user_errors():
        form = find_form(name, directory)
        # deferred: the template reader loads docxtpl, only needed here
        from generator.documents.fields import template_fields

        rows = template_fields(form, directory)
    if json_:
        print_json([asdict(r) for r in rows])
        return
    t = Table(title=f"{form.title}（{form.template_name}）的字段")
    for h in ("字段", "中文名称", "类型", "数据来源", "循环行"):
        t.add_column(h)
    for r in rows:
        t.add_row(r.field, r.label, r.type, r.source, f"按 {r.loop} 逐行重复" if r.loop else "")
    console.print(t)
    console.print("带“◀ 循环行（勿删）”标注的行是循环标记：填表时按明细逐行重复，编辑模板时请勿删除。")
