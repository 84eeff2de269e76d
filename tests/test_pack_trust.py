"""Packs you can trust: a forged manifest is caught by the company's signature or the hash
recorded at issue; names that leave the pack, oversized, empty or disagreeing manifests are
refused. Hand-made packs are written through the pack's own writer (no LibreOffice)."""
from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.core.errors import UserError
from generator.pack import verify as verify_module
from generator.pack.build import PackContents
from generator.pack.signing import SIGNATURE_MEMBER, load_private_key, new_keypair
from generator.pack.verify import (
    FORMAT,
    MANIFEST_JSON,
    leaves_pack,
    verify_pack,
    write_zip,
)
from generator.pack.workbooks import manifest_workbook

runner = CliRunner()
FILES = {"README.txt": b"readme", "forms/f1/A-001.docx": b"docx one", "registers/tickets.xlsx": b"register"}


def make_pack(path: Path, files=FILES, key=None) -> Path:
    """A pack written the way build_pack writes one: members, manifest.xlsx, manifest.json."""
    pack = PackContents()
    for name, data in files.items():
        pack.add(name, data, "index")
    pack.add("manifest.xlsx", manifest_workbook(pack.rows), "index")
    pack.write(path, {"format": FORMAT, "version": 1, "period": {"from": "2026-07-01", "to": "2026-07-31"}}, key)
    return path


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def forge(pack: Path, out: Path, name: str, data: bytes) -> Path:
    """What a forger does: change a file and rewrite manifest.json (and manifest.xlsx) to match."""
    m = members(pack)
    m[name] = data
    man = json.loads(m[MANIFEST_JSON])
    for f in man["files"]:
        if f["path"] == name:
            f["sha256"] = hashlib.sha256(data).hexdigest()
    m["manifest.xlsx"] = manifest_workbook([f for f in man["files"] if f["path"] != "manifest.xlsx"])
    for f in man["files"]:
        if f["path"] == "manifest.xlsx":
            f["sha256"] = hashlib.sha256(m["manifest.xlsx"]).hexdigest()
    m[MANIFEST_JSON] = json.dumps(man).encode()
    write_zip(list(m.items()), out)
    return out


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    return new_keypair(tmp_path_factory.mktemp("keys") / "公司签名.key")


def test_a_new_key_pair_is_private_to_its_owner_and_never_overwritten(keys):
    private, public, print_ = keys
    assert public.name == "公司签名.key.pub" and len(print_) == 16
    if os.name == "posix":
        assert private.stat().st_mode & 0o077 == 0
    with pytest.raises(UserError, match="已存在"):
        new_keypair(private)


def test_a_signed_pack_verifies_and_a_consistent_forgery_is_caught(keys, tmp_path):
    private, public, print_ = keys
    key = load_private_key(private)
    good = make_pack(tmp_path / "good.zip", key=key)
    assert make_pack(tmp_path / "again.zip", key=key).read_bytes() == good.read_bytes()   # still reproducible
    v = verify_pack(good, pubkey=public)
    assert v.ok and v.signature.valid and v.signature.key == print_ and SIGNATURE_MEMBER not in v.added

    forged = forge(good, tmp_path / "forged.zip", "forms/f1/A-001.docx", b"docx one, altered")
    plain = verify_pack(forged)
    assert plain.changed == [] and plain.index == []          # the hashes alone cannot tell
    caught = verify_pack(forged, pubkey=public)
    assert not caught.ok and "签发后被改动" in caught.signature.problem

    res = runner.invoke(app, ["verify", str(forged), "--pubkey", str(public)])
    assert res.exit_code == 1 and "签发后被改动" in res.output


def test_another_companys_key_and_an_unsigned_pack_do_not_pass(keys, tmp_path):
    _, public, _ = keys
    other, _, _ = new_keypair(tmp_path / "other.key")
    signed_by_other = make_pack(tmp_path / "o.zip", key=load_private_key(other))
    v = verify_pack(signed_by_other, pubkey=public)
    assert not v.ok and "不是给出的公钥" in v.signature.problem
    unsigned = verify_pack(make_pack(tmp_path / "u.zip"), pubkey=public)
    assert not unsigned.ok and "没有签名" in unsigned.signature.problem


def test_expect_checks_the_whole_pack_against_the_hash_recorded_at_issue(tmp_path):
    good = make_pack(tmp_path / "good.zip")
    issued = hashlib.sha256(good.read_bytes()).hexdigest()
    assert verify_pack(good, expect=issued.upper()).ok
    forged = forge(good, tmp_path / "forged.zip", "registers/tickets.xlsx", b"other register")
    assert verify_pack(forged).ok                               # consistent forgery, no key, no hash
    res = runner.invoke(app, ["verify", str(forged), "--expect", issued, "--json"])
    out = json.loads(res.stdout)
    assert res.exit_code == 1 and not out["ok"] and any("签发时记录" in p for p in out["problems"])


@pytest.mark.parametrize("name, leaves", [("../evil.txt", True), ("forms/../../x", True), ("/etc/passwd", True),
                                          ("C:/Windows/x.dll", True), ("c:evil", True), ("\\\\server\\share\\x", True),
                                          ("forms\\..\\..\\x", True), ("forms/a..b.docx", False),
                                          ("print/表单.pdf", False)])
def test_names_that_leave_the_pack(name, leaves):
    assert leaves_pack(name) is leaves


def test_a_pack_with_a_name_leaving_it_is_not_intact(tmp_path):
    bad = make_pack(tmp_path / "p.zip", {**FILES, "../../outside.txt": b"x"})
    v = verify_pack(bad)
    assert not v.ok and v.unsafe == ["../../outside.txt"]


def test_an_empty_manifest_is_not_called_intact(tmp_path):
    p = tmp_path / "empty.zip"
    write_zip([(MANIFEST_JSON, json.dumps({"format": FORMAT, "files": []}).encode())], p)
    v = verify_pack(p)
    assert not v.ok and "为空" in v.problems[0]
    res = runner.invoke(app, ["verify", str(p)])
    assert res.exit_code == 1 and "审计包完好" not in res.output


def test_an_oversized_manifest_is_refused_before_reading(tmp_path, monkeypatch):
    p = make_pack(tmp_path / "p.zip")
    monkeypatch.setattr(verify_module, "MAX_MANIFEST_BYTES", 100)
    with pytest.raises(UserError, match="超出上限"):
        verify_pack(p)


def test_manifest_xlsx_must_agree_with_manifest_json(tmp_path):
    good = make_pack(tmp_path / "good.zip")
    assert verify_pack(good).index == []
    m = members(good)
    wb = openpyxl.load_workbook(io.BytesIO(m["manifest.xlsx"]))
    ws = wb.active
    header = next(r for r in ws.iter_rows(max_row=5) if any(c.value == "SHA-256" for c in r))
    sha_col = next(c.column for c in header if c.value == "SHA-256")
    ws.cell(header[0].row + 1, sha_col).value = "0" * 64
    buf = io.BytesIO()
    wb.save(buf)
    m["manifest.xlsx"] = buf.getvalue()
    man = json.loads(m[MANIFEST_JSON])                  # the json is made to match the new workbook
    for f in man["files"]:
        if f["path"] == "manifest.xlsx":
            f["sha256"] = hashlib.sha256(m["manifest.xlsx"]).hexdigest()
    m[MANIFEST_JSON] = json.dumps(man).encode()
    write_zip(list(m.items()), tmp_path / "bad.zip")
    v = verify_pack(tmp_path / "bad.zip")
    assert not v.ok and any("0" * 64 in p for p in v.index) and any("缺少 README.txt" in p for p in v.index)


def test_a_missing_or_foreign_key_file_is_a_chinese_error(tmp_path):
    p = make_pack(tmp_path / "p.zip")
    res = runner.invoke(app, ["verify", str(p), "--pubkey", str(tmp_path / "nokey.pub")])
    assert res.exit_code == 2 and "找不到公钥文件" in res.output
    (tmp_path / "junk.pub").write_text("not a key", encoding="utf-8")
    res = runner.invoke(app, ["verify", str(p), "--pubkey", str(tmp_path / "junk.pub")])
    assert res.exit_code == 2 and "不是本工具生成的公钥" in res.output


def test_keys_new_from_the_command_line(tmp_path):
    res = runner.invoke(app, ["keys", "new", str(tmp_path / "k.key"), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert Path(out["public"]).exists() and len(out["fingerprint"]) == 16
    again = runner.invoke(app, ["keys", "new", str(tmp_path / "k.key")])
    assert again.exit_code == 2 and "已存在" in again.output
