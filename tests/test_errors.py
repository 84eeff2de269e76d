"""Errors a clerk can act on: file-system failures name the path (exit 2), faults of the tool
are logged (exit 3, never 1), --json errors are JSON, --out is checked before the work, and the
user's text files are read in the encodings Notepad saves."""
from __future__ import annotations

import codecs
import errno
import io
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import generator.cli.registers as cli_registers
import generator.registers.outpath as outpath
from generator.cli import app, main
from generator.cli.common import print_json
from generator.config.policy import default_policy_text, load_policy
from generator.core.errors import UserError, os_error_text
from generator.registers import safewrite

runner = CliRunner()


@pytest.mark.parametrize("err, code, words", [
    (errno.EACCES, "file.permission", "没有权限"),
    (errno.EROFS, "file.read_only", "只读"),
    (errno.ENOSPC, "file.disk_full", "磁盘空间不足"),
    (errno.ENAMETOOLONG, "file.name_too_long", "路径太长"),
    (errno.EIO, "file.error", "无法访问"),
])
def test_a_file_system_failure_is_a_chinese_message_naming_the_path(err, code, words):
    got_code, text = os_error_text(OSError(err, "x", "/d/.台账.xlsx.42.0a1b2c3d.tmp"))
    assert got_code == code and words in text and "/d/台账.xlsx" in text   # the file, not the temporary name


def _refuse(err):
    def probe(folder):
        raise OSError(err, "refused", str(folder / ".aftersales-probe-x"))
    return probe


@pytest.mark.parametrize("args, err, words", [
    (["penalties", "{reg}", "--month", "2026-03", "--out", "{tmp}/ro/x.xlsx"], errno.EROFS, "只读"),
    (["scores", "{reg}", "--period", "2026", "--out", "{tmp}/ro/s.xlsx"], errno.EACCES, "没有权限"),
    (["render", "{reg}", "-f", "reminder", "--all", "--out", "{tmp}/ro/forms"], errno.ENOSPC, "磁盘空间不足"),
    (["remind", "{reg}", "--out", "{tmp}/ro/reminders"], errno.EPERM, "不允许"),
    (["audit-pack", "{reg}", "--from", "2026-01-01", "--to", "2026-01-31", "--out", "{tmp}/ro/p.zip"],
     errno.EROFS, "只读"),
])
@pytest.mark.parametrize("as_json", [False, True])
def test_out_is_checked_before_the_work(empty_dir_session, tmp_path, monkeypatch, args, err, words, as_json):
    monkeypatch.setattr(outpath, "_probe", _refuse(err))
    monkeypatch.setattr(cli_registers, "run_checks", lambda *a: pytest.fail("the work started"))
    args = [a.format(reg=empty_dir_session, tmp=tmp_path) for a in args] + (["--json"] if as_json else [])
    r = runner.invoke(app, args)
    assert r.exit_code == 2 and "Traceback" not in r.output
    if as_json:
        error = json.loads(r.stdout)["error"]
        assert error["code"].startswith("file.") and words in error["message"] and "ro" in error["message"]
    else:
        assert words in r.output and str(tmp_path / "ro") in r.output.replace("\n", "")


@pytest.mark.parametrize("out, words", [("{tmp}", "是一个文件夹"), ("{tmp}/" + "长" * 200 + ".xlsx", "路径太长")])
def test_an_out_that_cannot_be_a_file_is_refused(tmp_path, out, words):
    with pytest.raises(UserError) as e:
        outpath.check_out(out.format(tmp=tmp_path))
    assert words in e.value.message


def test_disk_full_while_writing_leaves_neither_a_half_file_nor_a_half_backup(tmp_path, monkeypatch):
    src = tmp_path / "台账.xlsx"
    src.write_bytes(b"PK" + b"x" * 5000)

    def half_copy(a, b):
        Path(b).write_bytes(Path(a).read_bytes()[:100])
        raise OSError(errno.ENOSPC, "No space left on device", str(b))

    monkeypatch.setattr(safewrite.shutil, "copy2", half_copy)
    with pytest.raises(OSError) as e:
        safewrite.backup(src)
    assert "磁盘空间不足" in UserError.from_os(e.value).message
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["台账.xlsx"]


@pytest.fixture
def log_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("AFTERSALES_LOG_DIR", str(tmp_path / "logs"))
    return tmp_path / "logs"


def _boom(*a, **k):
    raise ZeroDivisionError("a bug")


@pytest.mark.parametrize("as_json", [False, True])
def test_a_fault_of_the_tool_is_logged_and_exits_3(empty_dir_session, log_dir, monkeypatch, as_json):
    monkeypatch.setattr(cli_registers, "run_checks", _boom)
    r = runner.invoke(app, ["check", str(empty_dir_session)] + (["--json"] if as_json else []))
    assert r.exit_code == 3 and "Traceback" not in r.output
    log = next(log_dir.glob("error-*.log"))
    assert "ZeroDivisionError: a bug" in log.read_text(encoding="utf-8")
    message = json.loads(r.stdout)["error"]["message"] if as_json else r.output.replace("\n", "")
    assert "本工具的问题" in message and str(log) in message


def test_main_says_a_fault_outside_any_command_block_too(empty_dir_session, log_dir, monkeypatch, capsys):
    monkeypatch.setattr(cli_registers, "show_findings", _boom)
    monkeypatch.setattr(sys, "argv", ["aftersales", "check", str(empty_dir_session)])
    with pytest.raises(SystemExit) as e:
        main()
    assert e.value.code == 3 and "本工具的问题" in capsys.readouterr().err.replace("\n", "")


def test_json_is_utf8_whatever_the_console_code_page(monkeypatch):
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="cp936"))
    print_json({"customer": "𠮷野家•"})
    assert json.loads(raw.getvalue().decode("utf-8")) == {"customer": "𠮷野家•"}


@pytest.mark.parametrize("encode", [
    lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
    lambda t: t.encode("gb18030"),
    lambda t: t.encode("utf-16"),            # Notepad's "Unicode": with a BOM
])
def test_policy_saved_by_notepad_is_read(tmp_path, encode):
    (tmp_path / "policy.toml").write_bytes(encode(default_policy_text()))
    assert load_policy(tmp_path)["deadlines"]


@pytest.mark.parametrize("data", [default_policy_text().encode("utf-16-le"), b"\x81\x30\xff\xfe\x00garbage"])
def test_an_unreadable_encoding_says_how_to_save(tmp_path, data):
    (tmp_path / "policy.toml").write_bytes(data)
    with pytest.raises(UserError) as e:
        load_policy(tmp_path)
    assert "policy.toml" in e.value.message and "另存为" in e.value.message and "UTF-8" in e.value.message


def test_caches_go_beside_the_output_when_the_registers_are_read_only(tmp_path, monkeypatch):
    monkeypatch.setattr(outpath, "_probe", _refuse(errno.EROFS))
    assert outpath.cache_home(tmp_path / "registers", tmp_path / "out" / "p.zip") == tmp_path / "out"
    with pytest.raises(UserError) as e:
        outpath.require_writable(tmp_path / "registers", "登记受控副本的分发记录")
    assert "只读" in e.value.message and "registers" in e.value.message


@pytest.mark.parametrize("argv, code, said", [
    (["check", "--bogus", "--json"], "usage", "--bogus"),
    (["check", "/no/such/folder", "--json"], "user", "找不到台账目录"),
])
def test_json_errors_are_json_on_stdout_with_a_code(monkeypatch, capsys, argv, code, said):
    monkeypatch.setattr(sys, "argv", ["aftersales"] + argv)
    with pytest.raises(SystemExit) as e:
        main()
    out = capsys.readouterr().out
    error = json.loads(out)["error"]
    assert e.value.code == 2 == error["exit_code"] and error["code"] == code and said in error["message"]


def test_disk_full_while_saving_out_names_it_and_leaves_nothing(empty_dir_session, tmp_path, monkeypatch):
    import openpyxl

    def half_save(self, filename):
        Path(filename).write_bytes(b"PK\x03\x04half")
        raise OSError(errno.ENOSPC, "No space left on device", str(filename))

    monkeypatch.setattr(openpyxl.Workbook, "save", half_save)
    out = tmp_path / "out" / "罚扣.xlsx"
    r = runner.invoke(app, ["penalties", str(empty_dir_session), "--month", "2026-03", "--out", str(out)])
    assert r.exit_code == 2 and "磁盘空间不足" in r.output and str(out) in r.output.replace("\n", "")
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
