"""PDF through LibreOffice headless: many files per soffice start, workers side by side.

Measured on 2 cores (FIELD-NOTES.md): one soffice per file ≈ 1 form/s, one call for all
files ≈ 5/s, two batched calls in parallel ≈ 11/s. Each worker has its own profile
(``-env:UserInstallation``): two processes on one profile block or fail. soffice exits 0
even when a file fails to load, so every expected PDF is checked afterwards.

Fonts: the soffice process gets its own fontconfig file, which includes the system one and
``data/fonts-cjk.conf`` (宋体/SimSun → Noto Serif CJK SC, 黑体/SimHei → Noto Sans CJK SC):
no system change is needed, and the PDF embeds a Simplified-Chinese CJK face.
"""
from __future__ import annotations

import os
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from generator.core.errors import UserError
from generator.documents import pdf_engines
from generator.documents.soffice import find_soffice

FONT_CONF = Path(__file__).with_name("data") / "fonts-cjk.conf"
SYSTEM_CONFS = ("/etc/fonts/fonts.conf", "/usr/local/etc/fonts/fonts.conf", "/opt/homebrew/etc/fonts/fonts.conf")
INSTALL_HINT = ("未找到 LibreOffice（soffice），无法生成 PDF；已生成的 .docx 不受影响。"
                "安装方法：Windows/macOS 从 https://zh-cn.libreoffice.org 下载安装（或把 soffice 的完整路径"
                "设为环境变量 AFTERSALES_SOFFICE，或改用 --pdf-engine word/wps）；"
                "Debian/Ubuntu：sudo apt-get install libreoffice-writer-nogui fonts-noto-cjk")
MAX_FILES, MAX_CHARS = 100, 30000   # per soffice start (see batches)
# LibreOffice (7.2 and later) runs its graphics self-tests at every start whose profile does
# not record a product version at least its own ("upgraded"), and a headless run never records
# it: 0.6 s of the 1.0 s each soffice start cost. Our profiles are private and thrown away after
# the call, so each is created recording a version above any release.
PROFILE_SEED = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
                'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
                '<item oor:path="/org.openoffice.Setup/Product"><prop oor:name="ooSetupLastVersion" oor:op="fuse">'
                '<value>9999.9</value></prop></item>\n</oor:items>\n')


def pdf_available() -> bool:
    """Whether PDFs can be made: soffice is found, or Word/WPS is asked for (or found by auto)."""
    soffice = find_soffice() is not None
    return soffice or pdf_engines.resolve(pdf_engines.requested(), soffice_found=soffice) != "libreoffice"


def fontconfig_file(workdir: Path) -> Path:
    """A fonts.conf for soffice: the system configuration plus our CJK aliases."""
    system = os.environ.get("FONTCONFIG_FILE") or next((c for c in SYSTEM_CONFS if Path(c).exists()), None)
    include = f'<include ignore_missing="yes">{system}</include>' if system else "<dir>/usr/share/fonts</dir>"
    conf = workdir / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig>{include}<include>{FONT_CONF}</include></fontconfig>\n",
        encoding="utf-8")
    return conf


def soffice_env(workdir: Path) -> dict:
    env = dict(os.environ)
    env["FONTCONFIG_FILE"] = str(fontconfig_file(workdir))
    env.setdefault("SAL_USE_VCLPLUGIN", "svp")   # headless, no X display needed
    return env


def new_profile(profile: Path) -> Path:
    """A fresh LibreOffice user profile at ``profile`` that skips the start-up self-tests."""
    settings = profile / "user" / "registrymodifications.xcu"
    if not settings.exists():         # a second pass reuses the profile soffice has filled in
        settings.parent.mkdir(parents=True, exist_ok=True)
        settings.write_text(PROFILE_SEED, encoding="utf-8")
    return profile


def chunks(items: list, n: int) -> list[list]:
    """Split into at most n contiguous, nearly equal parts (file order kept)."""
    n = max(1, min(n, len(items)))
    size, extra = divmod(len(items), n)
    out, start = [], 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)
        out.append(items[start:end])
        start = end
    return [c for c in out if c]


def batches(names: list[str], max_files: int = MAX_FILES, max_chars: int = MAX_CHARS) -> list[list[str]]:
    """Runs of names short enough for one soffice command line.

    soffice (7.4) silently drops files beyond about 246 in one call: with 250 or 400 files,
    short names or long paths alike, only the first ~246 were converted, exit code 0.
    """
    out: list[list[str]] = []
    chars = 0
    for name in names:
        if not out or len(out[-1]) >= max_files or chars + len(name) + 1 > max_chars:
            out.append([])
            chars = 0
        out[-1].append(name)
        chars += len(name) + 1
    return out


# Word bookmarks as PDF named destinations: where each record's sections end (documents/printfile)
WITH_DESTINATIONS = 'pdf:writer_pdf_Export:{"ExportBookmarksToPDFDestination":{"type":"boolean","value":"true"}}'


def _run(soffice: str, names: list[str], cwd: Path, out_dir: Path, profile: Path, env: dict, timeout: float,
         export: str = "pdf:writer_pdf_Export"):
    cmd = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
           "--nolockcheck", "--convert-to", export, "--outdir", str(out_dir), *names]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd)
    except subprocess.TimeoutExpired:
        raise UserError(f"LibreOffice 转换超时（{timeout:.0f} 秒，{len(names)} 个文件）") from None


def _worker(soffice: str, files: list[Path], out_dir: Path, profile: Path, env: dict, export: str) -> list[str]:
    """Convert files batch by batch on one profile; returns soffice's messages."""
    log = []
    by_dir: dict[Path, list[str]] = {}
    for f in files:   # file names relative to their folder keep command lines short
        by_dir.setdefault(f.parent, []).append(f.name)
    for folder, names in by_dir.items():
        for batch in batches(names):
            # a composed document holds many pages: allow for them (on a busy machine 1 MB of
            # .docx, about 200 pages, took up to 3 minutes); a hung soffice still ends
            size = sum((folder / n).stat().st_size for n in batch)
            r = _run(soffice, batch, folder, out_dir, profile, env, timeout=60 + 10 * len(batch) + size / 4_000,
                     export=export)
            log.append((r.stderr or "") + (r.stdout or ""))
    return log


def convert_to_pdf(docx_paths, out_dir, workers: int = 2, *, destinations: bool = False) -> list[Path]:
    """Convert .docx files to PDF in ``out_dir``; returns the PDFs in input order.

    ``destinations``: the documents' bookmarks become PDF named destinations (composed
    documents find their records' pages by them; see ``printfile``).

    The files are split between ``workers`` soffice processes, each with its own profile,
    each converting batch after batch. A file soffice skipped is tried once more; raises
    UserError when soffice is missing (with the install command) or a PDF is still missing.
    """
    paths = [Path(p).resolve() for p in docx_paths]
    if not paths:
        return []
    stems = [p.stem for p in paths]
    if len(set(stems)) != len(stems):
        raise UserError("待转换的文件有重名，PDF 会相互覆盖")
    soffice = find_soffice()
    engine = pdf_engines.resolve(pdf_engines.requested(), soffice_found=soffice is not None)
    if engine != "libreoffice":   # Word or WPS through COM (Windows)
        return pdf_engines.export_with_office(engine, paths, out_dir)
    if soffice is None:
        raise UserError(INSTALL_HINT)
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    expected = {p: out_dir / f"{p.stem}.pdf" for p in paths}
    for pdf in expected.values():   # a stale PDF must not pass for a fresh one
        if pdf.exists():
            pdf.unlink()

    def missing() -> list[Path]:
        return [p for p, pdf in expected.items() if not pdf.exists() or pdf.stat().st_size == 0]

    with tempfile.TemporaryDirectory(prefix="aftersales-lo-") as tmp:
        tmp = Path(tmp)
        env = soffice_env(tmp)
        todo, log = paths, []
        for _ in range(2):   # a second pass for anything soffice skipped
            parts = chunks(todo, workers)
            with ThreadPoolExecutor(len(parts)) as pool:
                export = WITH_DESTINATIONS if destinations else "pdf:writer_pdf_Export"
                profiles = [new_profile(tmp / f"profile{i}") for i in range(len(parts))]
                for messages in pool.map(lambda pp: _worker(soffice, pp[1], out_dir, pp[0], env, export),
                                         zip(profiles, parts)):
                    log += messages
            todo = missing()
            if not todo:
                break
    if todo:
        detail = " ".join(m.strip() for m in log if "rror" in m)[-500:]
        names = "、".join(p.name for p in todo[:10])
        raise UserError(f"LibreOffice 未能转换 {len(todo)} 个文件：{names}" + (f"（{detail}）" if detail else ""))
    return [expected[p] for p in paths]


def convert_one_by_one(docx_paths, out_dir) -> list[Path]:
    """One soffice start per file (the slow way; kept for the benchmark)."""
    out = []
    for p in docx_paths:
        out += convert_to_pdf([p], out_dir, workers=1)
    return out

