"""The audit-pack file format: a reproducible zip with a hash manifest, and its verification.

A pack is a zip whose members are written in a fixed order, each dated 1980-01-01 with the
same attributes; ``manifest.json`` lists every other member with its SHA-256. ``verify_pack``
recomputes the hashes and names every member that was changed, added or removed (step 1),
then checks each print file against the records the manifest places in it (step 2,
``check_print_files``): the records' page ranges tile the file, each range's content hash
matches, and the file's bookmarks start where the records do. The pack's
own SHA-256 is what ``审计日志.csv`` records at build time, so a manifest rewritten to match
altered files is caught by comparing that line with ``sha256sum PACK.zip``.
"""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from generator.core.errors import UserError
from generator.documents.printfile import outline_starts, pages_digest

FORMAT = "aftersales-audit-pack"
FORMAT_VERSION = 2     # 2: print files hold the records' pages; record PDFs optional
MANIFEST_JSON = "manifest.json"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
STORED_SUFFIXES = (".pdf", ".docx", ".xlsx", ".xlsm", ".zip")   # already compressed
FILE_MODE = 0o100644
BUFFER = 1 << 20


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(BUFFER), b""):
            h.update(block)
    return h.hexdigest()


def member_bytes(source) -> bytes:
    """A member's content given as bytes or as a path to read."""
    return bytes(source) if isinstance(source, (bytes, bytearray)) else Path(source).read_bytes()


def zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_STORED if name.lower().endswith(STORED_SUFFIXES) else zipfile.ZIP_DEFLATED
    info.create_system = 3                      # Unix, so the mode below is honoured on extraction
    info.external_attr = FILE_MODE << 16
    return info


def write_zip(members: list[tuple[str, object]], dest: Path) -> None:
    """Write (name, bytes or path) members in the given order, reproducibly, to ``dest``."""
    with zipfile.ZipFile(dest, "w") as z:
        for name, source in members:
            z.writestr(zip_info(name), member_bytes(source), compresslevel=6)


# ---------------------------------------------------------------------------
# Verification

@dataclass
class Verification:
    path: Path
    sha256: str
    files: int                                   # members listed in the manifest
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)    # print-file problems, one sentence each
    manifest: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not (self.changed or self.added or self.removed or self.pages)

    def to_dict(self) -> dict:
        return {"ok": self.ok, "pack": str(self.path), "sha256": self.sha256, "files": self.files,
                "changed": self.changed, "added": self.added, "removed": self.removed, "pages": self.pages,
                "period": self.manifest.get("period"), "options": self.manifest.get("options")}


def _not_a_pack(path: Path, why: str) -> UserError:
    return UserError(f"{path} 不是审计包：{why}")


def read_manifest(z: zipfile.ZipFile, path: Path) -> dict:
    try:
        data = json.loads(z.read(MANIFEST_JSON).decode("utf-8"))
    except KeyError:
        raise _not_a_pack(path, f"缺少 {MANIFEST_JSON}") from None
    except (ValueError, UnicodeDecodeError, zipfile.BadZipFile, OSError) as e:
        raise _not_a_pack(path, f"{MANIFEST_JSON} 无法读取（{e}）") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _not_a_pack(path, f"{MANIFEST_JSON} 不是 {FORMAT} 格式")
    files = data.get("files")
    if not isinstance(files, list) or not all(
            isinstance(f, dict) and isinstance(f.get("path"), str) and isinstance(f.get("sha256"), str) for f in files):
        raise _not_a_pack(path, f"{MANIFEST_JSON} 的文件清单格式不对")
    return data


def _member_hash(z: zipfile.ZipFile, name: str) -> str | None:
    """SHA-256 of a member, or None when it cannot be read back (CRC mismatch, bad data)."""
    h = hashlib.sha256()
    try:
        with z.open(name) as fh:
            for block in iter(lambda: fh.read(BUFFER), b""):
                h.update(block)
    # altered bytes: a CRC or header mismatch, bad deflate data, a cut member, an unknown method
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError):
        return None
    return h.hexdigest()


def verify_pack(path) -> Verification:
    """Recompute every hash of a pack against its manifest.json.

    Raises UserError (exit 2) when the file is not a pack; otherwise the result lists the
    members whose content differs (changed), that the manifest does not list (added) and
    that it lists but the zip lacks (removed).
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(f"找不到文件 {path}")
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise _not_a_pack(path, f"不是有效的 zip 文件（{e}）") from None
    with z:
        manifest = read_manifest(z, path)
        listed = {f["path"]: f["sha256"] for f in manifest["files"]}
        names = [i.filename for i in z.infolist() if not i.is_dir()]
        result = Verification(path, sha256_file(path), len(listed), manifest=manifest)
        seen = Counter(names)
        result.added = sorted({n for n in names if n != MANIFEST_JSON and n not in listed}
                              | {n for n, k in seen.items() if k > 1})   # a second copy of a name is added too
        result.removed = sorted(n for n in listed if n not in seen)
        result.changed = sorted(n for n in listed if n in seen and _member_hash(z, n) != listed[n])
        result.pages = check_print_files(z, manifest["files"], skip=set(result.changed) | set(result.removed))
    return result


# ---------------------------------------------------------------------------
# Step 2: the records' pages in the print files

def _range_problems(name: str, rows: list[dict], pdf) -> list[str]:
    """What is wrong between a print file and the records the manifest places in it."""
    problems, expect = [], 1
    total = len(pdf.pages)
    for r in rows:
        first, last = r["print_pages"]
        label = f"{name} 中 {r.get('number') or r['path']}（第 {first}–{last} 页）"
        if first != expect or last < first or last > total:
            problems.append(f"{label}：页码范围与前后记录不衔接或超出文件（共 {total} 页）")
        elif pages_digest(pdf, first, last) != r.get("pages_sha256"):
            problems.append(f"{label}：页面内容与清单的校验值不符")
        expect = last + 1
    if expect != total + 1:
        problems.append(f"{name}：清单中的记录只覆盖到第 {expect - 1} 页，文件共 {total} 页")
    starts = [page for _, page in outline_starts(pdf)]
    if starts != [r["print_pages"][0] for r in rows]:
        problems.append(f"{name}：书签与记录的起始页不一致")
    return problems


def check_print_files(z: zipfile.ZipFile, files: list[dict], skip: set[str]) -> list[str]:
    """Problems of every print file with records placed in it (files already found changed or
    missing in step 1 are not read again)."""
    by_print: dict[str, list[dict]] = {}
    for f in files:
        if isinstance(f.get("print_pages"), list) and isinstance(f.get("print"), str):
            by_print.setdefault(f["print"], []).append(f)
    problems = []
    for name, rows in sorted(by_print.items()):
        if name in skip or name not in z.namelist():
            continue
        rows.sort(key=lambda r: r["print_pages"][0])
        try:
            with pikepdf.open(io.BytesIO(z.read(name))) as pdf:
                problems += _range_problems(name, rows, pdf)
        except (pikepdf.PdfError, zipfile.BadZipFile, zlib.error, ValueError, TypeError) as e:
            problems.append(f"{name}：无法读取（{e}）")
    return problems


__all__ = ["FORMAT", "MANIFEST_JSON", "Verification", "check_print_files", "read_manifest", "sha256_bytes", "sha256_file",
           "verify_pack", "write_zip", "zip_info"]
