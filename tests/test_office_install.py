"""Running on the office PC, as far as Linux can prove it: soffice discovery on a faked Windows
or macOS file system, the Word/WPS PDF engines against a fake COM application, the version,
the Chinese command-line boilerplate and a Chinese (GBK) console."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator import __version__, cli
from generator.cli import app, zh
from generator.config.resources import shipped_dir
from generator.core.errors import UserError
from generator.documents import pdf_engines, soffice
from generator.reports import fonts
from tests.conftest import fake_soffice

WIN_PF = r"C:\Program Files\LibreOffice\program\soffice.exe"
WIN_X86 = r"C:\Program Files (x86)\LibreOffice\program\soffice.exe"
WIN_ENV = {"ProgramFiles": r"C:\Program Files", "ProgramFiles(x86)": r"C:\Program Files (x86)"}


# ---------------------------------------------------------------------------
# soffice discovery

def find(files=(), *, env=None, platform="linux", path=None, registry=None):
    files = set(files)
    return soffice.find_soffice(env=dict(env or {}), platform=platform,
                                which=lambda name: (path or {}).get(name), exists=files.__contains__,
                                registry=lambda: registry)


@pytest.mark.parametrize("case, kwargs, expected", [
    ("PATH first", dict(path={"soffice": "/usr/bin/soffice"}, files=["/opt/libreoffice/program/soffice"]),
     "/usr/bin/soffice"),
    ("libreoffice on PATH", dict(path={"libreoffice": "/snap/bin/libreoffice"}), "/snap/bin/libreoffice"),
    ("Linux distribution path", dict(files=["/usr/lib/libreoffice/program/soffice"]),
     "/usr/lib/libreoffice/program/soffice"),
    ("Windows Program Files", dict(platform="win32", env=WIN_ENV, files=[WIN_PF]), WIN_PF),
    ("Windows Program Files (x86)", dict(platform="win32", env=WIN_ENV, files=[WIN_X86]), WIN_X86),
    ("Windows without ProgramFiles variables", dict(platform="win32", files=[WIN_X86]), WIN_X86),
    ("Windows registry App Paths", dict(platform="win32", env=WIN_ENV, registry=r"D:\LO\program\soffice.exe",
                                        files=[r"D:\LO\program\soffice.exe", WIN_PF]), r"D:\LO\program\soffice.exe"),
    ("stale registry entry", dict(platform="win32", env=WIN_ENV, registry=r"D:\gone\soffice.exe", files=[WIN_PF]),
     WIN_PF),
    ("macOS /Applications", dict(platform="darwin", files=["/Applications/LibreOffice.app/Contents/MacOS/soffice"]),
     "/Applications/LibreOffice.app/Contents/MacOS/soffice"),
    ("macOS ~/Applications", dict(platform="darwin", env={"HOME": "/Users/li"},
                                  files=["/Users/li/Applications/LibreOffice.app/Contents/MacOS/soffice"]),
     "/Users/li/Applications/LibreOffice.app/Contents/MacOS/soffice"),
    ("AFTERSALES_SOFFICE wins", dict(env={"AFTERSALES_SOFFICE": "/x/soffice"}, files=["/x/soffice"],
                                     path={"soffice": "/usr/bin/soffice"}), "/x/soffice"),
    ("AFTERSALES_SOFFICE as a command", dict(env={"AFTERSALES_SOFFICE": "lo7"}, path={"lo7": "/usr/bin/lo7"}),
     "/usr/bin/lo7"),
    ("AFTERSALES_SOFFICE missing: nothing else", dict(env={"AFTERSALES_SOFFICE": "/x/none"},
                                                     path={"soffice": "/usr/bin/soffice"}), None),
    ("not installed", dict(platform="win32", env=WIN_ENV), None),
])
def test_soffice_is_found_where_installers_put_it(case, kwargs, expected):
    assert find(**kwargs) == expected, case


def test_registry_look_up_is_none_off_windows():
    if sys.platform != "win32":
        assert soffice.registry_app_path() is None


# ---------------------------------------------------------------------------
# Word / WPS through COM, with a fake application

class FakeDoc:
    def __init__(self, app, path):
        self.app, self.path = app, path

    def ExportAsFixedFormat(self, out, fmt):
        assert fmt == 17
        if "broken" in self.path:
            raise RuntimeError("cannot export")
        Path(out).write_bytes(b"%PDF-1.7 fake")
        self.app.calls.append(("export", Path(self.path).name, fmt))

    def Close(self, save):
        self.app.calls.append(("close", Path(self.path).name, save))


class FakeDocuments:
    def __init__(self, app):
        self.app = app

    def Open(self, path, confirm, read_only, add_recent):
        assert read_only is True and add_recent is False
        return FakeDoc(self.app, path)


class FakeApp:
    def __init__(self, prog_id):
        self.prog_id, self.calls, self.Documents = prog_id, [], FakeDocuments(self)

    def Quit(self):
        self.calls.append(("quit",))


def fake_dispatch(available):
    apps = []

    def dispatch(prog_id):
        if prog_id not in available:
            raise OSError("Invalid class string")
        apps.append(FakeApp(prog_id))
        return apps[-1]
    return dispatch, apps


def test_word_exports_each_document_read_only_and_quits(tmp_path):
    docs = [tmp_path / "a.docx", tmp_path / "b.docx"]
    dispatch, apps = fake_dispatch({"Word.Application"})
    pdfs = pdf_engines.export_with_office("word", docs, tmp_path / "out", dispatch=dispatch)
    assert [p.name for p in pdfs] == ["a.pdf", "b.pdf"] and all(p.exists() for p in pdfs)
    (app,) = apps
    assert app.Visible is False and app.DisplayAlerts == 0
    assert app.calls == [("export", "a.docx", 17), ("close", "a.docx", 0),
                         ("export", "b.docx", 17), ("close", "b.docx", 0), ("quit",)]


def test_wps_falls_back_to_its_older_prog_id(tmp_path):
    dispatch, apps = fake_dispatch({"WPS.Application"})
    pdf_engines.export_with_office("wps", [tmp_path / "a.docx"], tmp_path, dispatch=dispatch)
    assert [a.prog_id for a in apps] == ["WPS.Application"]


def test_older_wps_exports_with_its_own_export_pdf(tmp_path):
    class OldWpsDoc(FakeDoc):
        def ExportAsFixedFormat(self, out, fmt):
            raise AttributeError("ExportAsFixedFormat")

        def ExportPdf(self, out):
            Path(out).write_bytes(b"%PDF-1.4 wps")

    dispatch, apps = fake_dispatch({"KWPS.Application"})

    def old_wps(prog_id):
        app = dispatch(prog_id)
        app.Documents.Open = lambda path, *flags: OldWpsDoc(app, path)
        return app
    (pdf,) = pdf_engines.export_with_office("wps", [tmp_path / "a.docx"], tmp_path, dispatch=old_wps)
    assert pdf.read_bytes() == b"%PDF-1.4 wps"


def test_com_failures_are_chinese_and_name_the_file(tmp_path):
    dispatch, apps = fake_dispatch({"Word.Application"})
    with pytest.raises(UserError, match="broken.docx") as e:
        pdf_engines.export_with_office("word", [tmp_path / "ok.docx", tmp_path / "broken.docx"], tmp_path,
                                       dispatch=dispatch)
    assert "Microsoft Word 未能转换 1 个文件" in e.value.message
    assert apps[0].calls[-1] == ("quit",)                     # the application is closed anyway
    with pytest.raises(UserError, match="无法启动 WPS"):
        pdf_engines.export_with_office("wps", [tmp_path / "a.docx"], tmp_path, dispatch=fake_dispatch(set())[0])


def test_engine_choice():
    assert pdf_engines.requested({}) == "libreoffice"
    assert pdf_engines.requested({pdf_engines.ENV_VAR: "WPS"}) == "wps"
    with pytest.raises(UserError, match="无效"):
        pdf_engines.requested({pdf_engines.ENV_VAR: "acrobat"})
    registered = {"KWPS.Application"}.__contains__
    assert pdf_engines.resolve("auto", soffice_found=True, registered=registered) == "libreoffice"
    assert pdf_engines.resolve("auto", soffice_found=False, registered=registered) == "wps"
    assert pdf_engines.resolve("auto", soffice_found=False, registered=lambda p: False) == "libreoffice"
    assert pdf_engines.resolve("word", soffice_found=True) == "word"


def test_convert_to_pdf_hands_over_to_the_chosen_engine(tmp_path, monkeypatch):
    from generator.documents import pdf as pdfmod

    seen = []
    monkeypatch.setenv(pdf_engines.ENV_VAR, "word")
    monkeypatch.setattr(pdf_engines, "export_with_office", lambda engine, paths, out: seen.append(engine) or [])
    monkeypatch.setattr(pdfmod, "find_soffice", lambda: None)
    assert pdfmod.pdf_available()
    pdfmod.convert_to_pdf([tmp_path / "a.docx"], tmp_path)
    assert seen == ["word"]


def test_render_takes_the_engine_from_the_option_then_the_policy(sample_dir, tmp_path, monkeypatch):
    seen, script = [], fake_soffice(tmp_path, True)

    def export(engine, paths, out):   # the chosen engine writes the PDFs (here: the stand-in soffice)
        seen.append(engine)
        Path(out).mkdir(parents=True, exist_ok=True)
        subprocess.run([script, "--convert-to", "pdf", "--outdir", str(out), *map(str, paths)], check=True)
        return [Path(out) / f"{Path(p).stem}.pdf" for p in paths]

    monkeypatch.delenv(pdf_engines.ENV_VAR, raising=False)
    monkeypatch.setattr(pdf_engines, "export_with_office", export)
    args = ["render", str(sample_dir), "-f", "repair_record", "-n", "KF250701", "-o", str(tmp_path / "o"),
            "--pdf", "--silent"]
    assert CliRunner().invoke(app, args + ["--pdf-engine", "wps"]).exit_code == 0
    policy = sample_dir / "policy.toml"
    policy.write_text(policy.read_text(encoding="utf-8").replace('engine = "libreoffice"', 'engine = "word"'),
                      encoding="utf-8")
    assert CliRunner().invoke(app, args).exit_code == 0
    assert seen == ["wps", "word"] and pdf_engines.ENV_VAR not in os.environ     # chosen for the command only
    result = CliRunner().invoke(app, args + ["--pdf-engine", "acrobat"])
    assert result.exit_code == 2 and "--pdf-engine 的值 'acrobat' 无效" in result.output


# ---------------------------------------------------------------------------
# Package, version, command line in Chinese

def test_shipped_folders_are_found_in_a_clone():
    assert (shipped_dir("templates") / "repair_record_tpl.docx").exists()
    assert (shipped_dir("macros") / "AfterSales.bas").exists()


runner = CliRunner()


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"aftersales {__version__}"


def test_help_and_usage_errors_are_chinese():
    out = runner.invoke(app, ["render", "--help"], env={"COLUMNS": "80"}).output
    assert "用法" in out and "显示本帮助并退出" in out and "选项" in out and "[必填]" in out
    assert "<list[str]>" not in out and "<bool>" not in out and "文本（可重复）" in out and "路径" in out
    for args, expected in [(["check"], "缺少参数 directory"), (["render", "d", "--hel"], "没有选项 --hel"),
                           (["bogus"], "没有命令 bogus"), (["render", "d", "--out"], "选项 --out 需要一个值"),
                           (["ahp", "m.csv", "--method", "x"], "“x”不在可选值")]:
        result = runner.invoke(app, args, env={"COLUMNS": "200"})
        assert result.exit_code == 2 and expected in result.output, (args, result.output)


@pytest.mark.parametrize("english, chinese", [
    ("Got unexpected extra argument(s) (b c)", "多余的参数：b c"),
    ("Invalid value for '--n': Value 'x' is not a valid integer.", "'--n' 的值无效：“x”不是整数"),
    ("Invalid value for 'DIR': Path 'q' does not exist.", "'DIR' 的值无效：路径 q 不存在"),
    ("Something new", "Something new"),
])
def test_translate(english, chinese):
    assert zh.translate(english) == chinese


def test_gbk_console_prints_chinese_help():
    """Chinese Windows: redirected output goes through the GBK code page (cp936)."""
    result = CliRunner(charset="gbk").invoke(app, ["--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0 and "售后服务台账" in result.stdout_bytes.decode("gbk")


def test_a_character_outside_gbk_does_not_crash_the_console(monkeypatch):
    stream = io.TextIOWrapper(io.BytesIO(), encoding="gbk")
    monkeypatch.setattr(sys, "stdout", stream)
    cli._console_never_fails()
    stream.write("✓ 校验通过")
    stream.flush()
    assert stream.buffer.getvalue().decode("gbk") == "? 校验通过"


def test_finding_tables_wrap_at_80_columns(sample_dir_session):
    result = runner.invoke(app, ["check", str(sample_dir_session), "--today", "2026-06-30"], env={"COLUMNS": "80"})
    assert result.exit_code == 1 and "说明" in result.output
    assert "…" not in result.output          # messages are wrapped, never cut


# ---------------------------------------------------------------------------
# Excel buttons: the VBA checks the interpreter, xlwings and the package first

def vba_texts(source: str) -> dict[str, str]:
    """Each message function of AfterSales.bas, evaluated: "literal" & Zh("hex") & ..."""
    import re

    out = {}
    for name, expr in re.findall(r"^    (\w+_TEXT) = (.+)$", source, re.M):
        text = ""
        for literal, units in re.findall(r'"((?:[^"]|"")*)"|Zh\("([0-9A-F]+)"\)', expr):
            text += "".join(chr(int(units[i:i + 4], 16)) for i in range(0, len(units), 4)) if units \
                else literal.replace('""', '"')
        out[name] = text
    return out


def test_buttons_check_python_before_running_and_explain_in_chinese():
    source = (shipped_dir("macros") / "AfterSales.bas").read_bytes().decode("ascii")   # the module stays ASCII
    texts = vba_texts(source)
    assert texts["TITLE_TEXT"] == "售后台账"
    assert texts["NO_XLWINGS_TEXT"] == "这个 Python 中没有安装 xlwings："
    assert texts["NO_PACKAGE_TEXT"] == "这个 Python 中没有安装 aftersales 工具包："
    assert texts["INSTALL_TEXT"] == "请在命令提示符中运行："
    assert texts["NO_PYTHON_TEXT"].startswith("找不到可用的 Python 解释器")
    assert "python.org" in texts["NO_PYTHON_HOW_TEXT"] and "xlwings.conf" in texts["NO_PYTHON_HOW_TEXT"]
    bodies = source.split("\r\nSub ")[1:]
    assert len(bodies) == 4
    for body in bodies:      # every button asks Ready() before RunPython
        assert body.index("If Not Ready() Then Exit Sub") < body.index("RunPython")
    assert "find_spec('xlwings')" in source and "find_spec('generator')" in source


# ---------------------------------------------------------------------------
# Report PDF fonts: no hard Noto requirement

@pytest.mark.parametrize("platform, families, expected, note", [
    ("win32", {"Microsoft YaHei", "SimSun"}, "Microsoft YaHei", ""),
    ("win32", {"SimSun"}, "SimSun", "字体：SimSun（未找到 Microsoft YaHei，改用此字体）"),
    ("linux", {"Noto Sans CJK SC"}, "Noto Sans CJK SC", ""),
    ("linux", {"WenQuanYi Zen Hei"}, "WenQuanYi Zen Hei", "字体：WenQuanYi Zen Hei（未找到 Noto Sans CJK SC，改用此字体）"),
    ("darwin", {"Noto Sans CJK SC"}, "Noto Sans CJK SC", "字体：Noto Sans CJK SC（未找到 PingFang SC，改用此字体）"),
])
def test_report_font_per_platform_and_the_fallback_is_named(platform, families, expected, note):
    assert fonts.cjk_font(platform, installed=families.__contains__) == expected
    assert fonts.font_note(expected, platform) == note


def test_no_chinese_font_says_what_to_install():
    with pytest.raises(UserError, match="SimHei.*C:"):
        fonts.cjk_font("win32", installed=lambda family: False)
