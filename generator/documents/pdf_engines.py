"""Which program turns .docx into PDF: LibreOffice (the default), Word or WPS.

Word and WPS are driven through COM (pywin32, which xlwings brings on Windows): open each
document read-only, ``ExportAsFixedFormat(path, 17)`` (wdExportFormatPDF; older WPS versions:
``ExportPdf(path)``), close without saving, quit the application at the end. Only LibreOffice is tested end to end here; the COM
path is unit-tested with a fake application object (``dispatch`` is a parameter).

The engine is chosen by ``--pdf-engine`` (render, audit-pack) or the policy's ``[pdf] engine``;
the command line hands the choice down in ``AFTERSALES_PDF_ENGINE`` so that every worker
(threads and processes) sees it. ``auto`` takes LibreOffice when it is installed, else Word,
else WPS.
"""
from __future__ import annotations

import os
from pathlib import Path

from generator.core.errors import UserError

ENV_VAR = "AFTERSALES_PDF_ENGINE"
ENGINES = ("libreoffice", "word", "wps", "auto")
DEFAULT = "libreoffice"
PROG_IDS = {"word": ("Word.Application",), "wps": ("KWPS.Application", "WPS.Application")}
NAMES = {"libreoffice": "LibreOffice", "word": "Microsoft Word", "wps": "WPS 文字"}
WD_EXPORT_PDF = 17          # WdExportFormat.wdExportFormatPDF
WD_DO_NOT_SAVE = 0          # WdSaveOptions.wdDoNotSaveChanges


def check_engine(name: str, where: str = "--pdf-engine") -> str:
    name = (name or "").strip().lower()
    if name not in ENGINES:
        raise UserError(f"{where} 的值 {name!r} 无效，应为 {'、'.join(ENGINES)} 之一")
    return name


def requested(env: dict | None = None) -> str:
    """The engine asked for (``AFTERSALES_PDF_ENGINE``), LibreOffice when nothing is set."""
    env = os.environ if env is None else env
    return check_engine(env.get(ENV_VAR) or DEFAULT, ENV_VAR)


def prog_id_registered(prog_id: str) -> bool:
    """Whether a COM class is registered (HKEY_CLASSES_ROOT\\<ProgID>\\CLSID); False off Windows."""
    try:
        import winreg  # Windows only
    except ImportError:
        return False
    try:
        with winreg.OpenKey(winreg.HKEY_CLASSES_ROOT, prog_id + r"\CLSID"):
            return True
    except OSError:
        return False


def resolve(name: str, *, soffice_found: bool, registered=prog_id_registered) -> str:
    """The engine to use: ``auto`` becomes LibreOffice, Word or WPS, whichever is installed first."""
    if name != "auto":
        return name
    if soffice_found:
        return "libreoffice"
    for engine in ("word", "wps"):
        if any(registered(p) for p in PROG_IDS[engine]):
            return engine
    return "libreoffice"    # nothing found: the caller reports LibreOffice's install hint


def com_dispatch(prog_id: str):
    """A new COM application instance (pywin32)."""
    try:
        import pythoncom  # pywin32: Windows only, optional
        import win32com.client
    except ImportError:
        raise UserError("用 Word/WPS 生成 PDF 需要 Windows 和 pywin32（pip install \"aftersales[excel]\"）") from None
    pythoncom.CoInitialize()   # this thread may not have initialised COM yet
    return win32com.client.DispatchEx(prog_id)


def _start(engine: str, dispatch):
    errors = []
    for prog_id in PROG_IDS[engine]:
        try:
            return dispatch(prog_id)
        except UserError:
            raise
        except Exception as e:   # COM reports a missing application as com_error
            errors.append(f"{prog_id}: {e}")
    raise UserError(f"无法启动 {NAMES[engine]}（{'；'.join(errors)}）；请确认已安装，或改用 --pdf-engine libreoffice")


def _export(engine: str, doc, pdf: Path) -> None:
    try:
        doc.ExportAsFixedFormat(str(pdf), WD_EXPORT_PDF)
    except Exception:
        if engine != "wps":
            raise
        doc.ExportPdf(str(pdf))   # older WPS versions have only their own ExportPdf


def export_with_office(engine: str, docx_paths, out_dir, *, dispatch=com_dispatch) -> list[Path]:
    """Convert .docx files to PDF in ``out_dir`` with Word or WPS; returns the PDFs in input order."""
    if engine not in PROG_IDS:
        raise ValueError(f"not a COM engine: {engine}")
    paths = [Path(p).resolve() for p in docx_paths]
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    app = _start(engine, dispatch)
    out, failed = [], []
    try:
        for attr, value in (("Visible", False), ("DisplayAlerts", 0)):
            try:
                setattr(app, attr, value)
            except Exception:   # WPS lacks some of Word's properties
                pass
        for path in paths:
            pdf = out_dir / f"{path.stem}.pdf"
            if pdf.exists():
                pdf.unlink()
            doc = None
            try:
                doc = app.Documents.Open(str(path), False, True, False)   # FileName, ConfirmConversions, ReadOnly, AddToRecent
                _export(engine, doc, pdf)
            except Exception as e:
                failed.append(f"{path.name}（{e}）")
            finally:
                if doc is not None:
                    doc.Close(WD_DO_NOT_SAVE)
            if pdf.exists():
                out.append(pdf)
            elif not failed or not failed[-1].startswith(path.name):
                failed.append(path.name)
    finally:
        app.Quit()
    if failed:
        raise UserError(f"{NAMES[engine]} 未能转换 {len(failed)} 个文件：{'、'.join(failed[:10])}")
    return out


__all__ = ["DEFAULT", "ENGINES", "ENV_VAR", "check_engine", "export_with_office", "requested", "resolve"]
