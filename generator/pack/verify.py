"""The audit-pack file format: a reproducible zip with a hash manifest, and its verification.

A pack is a zip whose members are written in a fixed order, each dated 1980-01-01 with the
same attributes; ``manifest.json`` lists every other member with its SHA-256. ``verify_pack``
recomputes the hashes and names every member that was changed, added or removed, then checks
each print file against the records the manifest places in it (``check_print_files``): the
records' page ranges tile the file, each range's content hash matches, and the file's bookmarks
start where the records do. The pack's
own SHA-256 is what ``审计日志.csv`` records at build time (``verify --expect``), and a pack
built with ``--sign`` carries the company's signature of manifest.json (``verify --pubkey``), so
a manifest rewritten to match altered files is caught. ``manifest.xlsx`` must agree with
``manifest.json``; a member name that would land outside the folder it is unpacked into, an
oversized or empty manifest are refused.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from python_calamine import CalamineError, CalamineWorkbook

from generator.core.errors import UserError
from generator.documents.printfile import outline_starts, pages_digest
from generator.pack.signing import (
    SIGNATURE_MEMBER,
    SignatureCheck,
    check_signature,
    load_public_key,
)

FORMAT = "aftersales-audit-pack"
FORMAT_VERSION = 2     # 2: print files hold the records' pages; record PDFs optional
MANIFEST_JSON = "manifest.json"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
STORED_SUFFIXES = (".pdf", ".docx", ".xlsx", ".xlsm", ".zip")   # already compressed
FILE_MODE = 0o100644
BUFFER = 1 << 20
MANIFEST_XLSX = "manifest.xlsx"
# A manifest of a sample year is ~1 MB; anything near this is not ours and is not parsed.
MAX_MANIFEST_BYTES = 64 << 20
MAX_MEMBERS = 500_000


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
    unsafe: list[str] = field(default_factory=list)        # names that would leave the unpacked folder
    index: list[str] = field(default_factory=list)         # where manifest.xlsx and manifest.json disagree
    signature: SignatureCheck = field(default_factory=lambda: SignatureCheck(False, "", False, False))
    expected: str | None = None                            # the pack's SHA-256 recorded at issue

    @property
    def expected_ok(self) -> bool:
        return self.expected is None or self.expected == self.sha256

    @property
    def problems(self) -> list[str]:
        """What makes the pack untrustworthy beyond per-member differences, in Chinese."""
        out = []
        if self.files == 0:
            out.append("manifest.json 的文件清单为空：没有可核对的文件")
        out += [f"文件名指向审计包之外：{n}" for n in self.unsafe]
        out += self.index
        out += self.pages
        if self.signature.checked and not self.signature.valid:
            out.append(self.signature.problem)
        if not self.expected_ok:
            out.append(f"审计包 SHA-256 与签发时记录的不符（应为 {self.expected}）")
        return out

    @property
    def ok(self) -> bool:
        return not (self.changed or self.added or self.removed or self.problems)

    def to_dict(self) -> dict:
        return {"ok": self.ok, "pack": str(self.path), "sha256": self.sha256, "files": self.files,
                "changed": self.changed, "added": self.added, "removed": self.removed,
                "unsafe": self.unsafe, "index": self.index, "signature": self.signature.to_dict(),
                "expected": self.expected, "pages": self.pages, "problems": self.problems,
                "period": self.manifest.get("period"), "options": self.manifest.get("options")}


def _not_a_pack(path: Path, why: str) -> UserError:
    return UserError(f"{path} 不是审计包：{why}")


def manifest_bytes(z: zipfile.ZipFile, path: Path) -> bytes:
    """manifest.json's bytes, refusing one too large to be ours before reading it."""
    try:
        info = z.getinfo(MANIFEST_JSON)
    except KeyError:
        raise _not_a_pack(path, f"缺少 {MANIFEST_JSON}") from None
    if info.file_size > MAX_MANIFEST_BYTES:
        raise _not_a_pack(path, f"{MANIFEST_JSON} 有 {info.file_size} 字节，超出上限 {MAX_MANIFEST_BYTES} 字节")
    try:
        return z.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError) as e:
        raise _not_a_pack(path, f"{MANIFEST_JSON} 无法读取（{e}）") from None


def read_manifest(z: zipfile.ZipFile, path: Path, body: bytes | None = None) -> dict:
    try:
        data = json.loads((manifest_bytes(z, path) if body is None else body).decode("utf-8"))
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


_DRIVE = re.compile(r"^[A-Za-z]:")


def leaves_pack(name: str) -> bool:
    """True for a member name that would be written outside the folder the pack is unpacked into."""
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or bool(_DRIVE.match(name)) or ".." in parts


def _index_rows(data: bytes) -> Counter | None:
    """(file, SHA-256) pairs listed in manifest.xlsx, or None when it cannot be read."""
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        rows = sheet.iter_rows()
        for _, header in zip(range(5), rows):
            cells = [str(c).strip() for c in header]
            if "文件" in cells and "SHA-256" in cells:
                at, sha = cells.index("文件"), cells.index("SHA-256")
                return Counter((str(r[at]), str(r[sha])) for r in rows if len(r) > max(at, sha) and r[at] != "")
    except (CalamineError, ValueError, IndexError, TypeError, OSError):
        return None
    return None


def index_disagreements(z: zipfile.ZipFile, listed: list[dict]) -> list[str]:
    """Where manifest.xlsx (what a person reads) and manifest.json (what is checked) differ."""
    if MANIFEST_XLSX not in z.namelist():
        return [f"缺少 {MANIFEST_XLSX}"] if any(f["path"] == MANIFEST_XLSX for f in listed) else []
    info = z.getinfo(MANIFEST_XLSX)
    if info.file_size > MAX_MANIFEST_BYTES:
        return [f"{MANIFEST_XLSX} 超出上限 {MAX_MANIFEST_BYTES} 字节，未核对"]
    try:
        rows = _index_rows(z.read(info))
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError):
        rows = None
    if rows is None:
        return [f"{MANIFEST_XLSX} 无法读取，未能与 {MANIFEST_JSON} 核对"]
    wanted = Counter((f["path"], f["sha256"]) for f in listed if f["path"] not in (MANIFEST_XLSX, MANIFEST_JSON))
    out = [f"{MANIFEST_XLSX} 缺少 {p}（SHA-256 {h}）" for p, h in sorted((wanted - rows).elements())]
    out += [f"{MANIFEST_XLSX} 多出 {p}（SHA-256 {h}）" for p, h in sorted((rows - wanted).elements())]
    return out


def verify_pack(path, *, pubkey=None, expect: str | None = None) -> Verification:
    """Recompute every hash of a pack against its manifest.json.

    Raises UserError (exit 2) when the file is not a pack; otherwise the result lists the
    members whose content differs (changed), that the manifest does not list (added), that it
    lists but the zip lacks (removed), names that leave the pack, disagreements between the two
    manifests, the signature's verdict (``pubkey``: the company's public key file) and the
    whole pack's hash against ``expect``.
    """
    path = Path(path)
    public = load_public_key(pubkey) if pubkey is not None else None
    if not path.is_file():
        raise UserError(f"找不到文件 {path}")
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise _not_a_pack(path, f"不是有效的 zip 文件（{e}）") from None
    with z:
        infos = z.infolist()
        if len(infos) > MAX_MEMBERS:
            raise _not_a_pack(path, f"有 {len(infos)} 个成员，超出上限 {MAX_MEMBERS}")
        body = manifest_bytes(z, path)
        manifest = read_manifest(z, path, body)
        listed = {f["path"]: f["sha256"] for f in manifest["files"]}
        names = [i.filename for i in infos if not i.is_dir()]
        result = Verification(path, sha256_file(path), len(listed), manifest=manifest,
                              expected=expect.strip().lower() if expect else None)
        result.unsafe = sorted({n for n in [*names, *listed] if leaves_pack(n)})
        seen = Counter(names)
        own = (MANIFEST_JSON, SIGNATURE_MEMBER)
        result.added = sorted({n for n in names if n not in own and n not in listed}
                              | {n for n, k in seen.items() if k > 1})   # a second copy of a name is added too
        result.removed = sorted(n for n in listed if n not in seen)
        result.changed = sorted(n for n in listed if n in seen and _member_hash(z, n) != listed[n])
        result.pages = check_print_files(z, manifest["files"], skip=set(result.changed) | set(result.removed))
        result.index = index_disagreements(z, manifest["files"])
        signature = z.read(SIGNATURE_MEMBER) if SIGNATURE_MEMBER in seen else None
        result.signature = check_signature(body, signature, public)
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


__all__ = ["FORMAT", "MANIFEST_JSON", "MANIFEST_XLSX", "Verification", "check_print_files", "leaves_pack", "read_manifest", "sha256_bytes", "sha256_file",
           "verify_pack", "write_zip", "zip_info"]
