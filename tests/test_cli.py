import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.cli import registers as registers_cli
from generator.registers.safewrite import BACKUP_DIR
from tests.conftest import write_rows

runner = CliRunner()

HEAD = ["投诉编号", "受理日期", "受理渠道", "客户名称", "投诉类别", "投诉内容", "国内国外", "结案日期"]


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def all_commands():
    import typer.main

    group = typer.main.get_command(app)
    out = []

    def walk(cmd, path):
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, path + [name])
        else:
            out.append(path)

    walk(group, [])
    return out


@pytest.mark.parametrize("path", all_commands(), ids=lambda p: " ".join(p))
def test_every_command_has_help(path):
    result = run(*path, "--help")
    assert result.exit_code == 0
    assert "用法" in result.output                                     # click boilerplate in Chinese
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result.output)     # described in Chinese


def test_every_command_is_documented_in_the_readme():
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for path in all_commands():
        assert f"aftersales {' '.join(path)}" in readme, path


def test_init_refuses_to_overwrite_then_force_keeps_a_backup(tmp_path):
    d = tmp_path / "r"
    assert run("init", d).exit_code == 0
    result = run("init", d)
    assert result.exit_code == 2 and "--force" in result.output
    assert run("init", d, "--force").exit_code == 0
    assert any(p.name.startswith("complaints-") for p in (d / BACKUP_DIR).iterdir())


def test_check_reports_findings_on_user_rows_with_exit_1(empty_registers):
    write_rows(empty_registers / "complaints.xlsx", "投诉登记", [
        HEAD,
        ["261008001", "2026-10-08", "电话", "甲", "建议", "x", "国内", "2026-10-09"],
        ["261008002", "2026-10-08", "飞鸽", None, "建议", "x", "国内", "2026-10-01"],
    ])
    result = run("check", empty_registers, "--json", "--today", "2026-10-10")
    assert result.exit_code == 1
    doc = json.loads(result.output)
    keys = {(f["register"], f["sheet"], f["row"], f["column"], f["code"]) for f in doc["findings"]}
    assert ("complaints", "投诉登记", 3, "受理渠道", "field.choice") in keys
    assert ("complaints", "投诉登记", 3, "客户名称", "field.required") in keys
    assert ("complaints", "投诉登记", 3, "结案日期", "field.date_order") in keys
    assert not any(row == 2 for (_, _, row, _, _) in keys)
    assert doc["counts"]["error"] >= 3
    assert set(doc["findings"][0]) == {"register", "sheet", "row", "column", "code", "severity", "message", "value"}


def test_check_clean_registers_exit_0(empty_registers):
    result = run("check", empty_registers, "--today", "2026-10-10")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("setup,message", [
    (lambda d: None, "找不到台账目录"),
    (lambda d: (d.mkdir(), (d / "complaints.xlsx").write_bytes(b"junk")), "不是有效的 xlsx"),
    (lambda d: (d.mkdir(), (d / "policy.toml").write_text("[company]\nnmae = 1\n", encoding="utf-8")), "未知的键"),
])
def test_check_cannot_run_exit_2(tmp_path, setup, message):
    d = tmp_path / "r"
    setup(d)
    result = run("check", d)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_python_dash_m_works():
    out = subprocess.run([sys.executable, "-m", "generator", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "init" in out.stdout


def test_check_lists_at_most_its_console_share_and_says_where_the_rest_are(sample_dir, monkeypatch):
    monkeypatch.setattr(registers_cli, "SHOWN_MAX", 3)
    res = runner.invoke(app, ["check", str(sample_dir), "--today", "2026-06-30"])
    assert res.exit_code == 1
    total = int(res.output.split("全部 ")[1].split(" 条")[0])
    assert total > 3 and "以上列出前 3 条" in res.output and "--write-back" in res.output
    data = json.loads(runner.invoke(app, ["check", str(sample_dir), "--today", "2026-06-30", "--json"]).stdout)
    assert len(data["findings"]) == total              # --json always carries every finding
