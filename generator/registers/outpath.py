"""Where the tool may write: ``--out`` checked before long work starts, and the folder for caches.

A read-only register folder still serves ``render`` and ``audit-pack`` when the output goes
elsewhere: their caches then live beside the output.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from generator.core.errors import UserError


def _nearest_existing(path: Path) -> Path:
    p = path
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def _probe(folder: Path) -> None:
    """Create and remove a file in ``folder``: the one test that read-only disks, permissions,
    quotas and network shares all answer truthfully (os.access does not, e.g. for root)."""
    with tempfile.TemporaryFile(dir=folder, prefix=".aftersales-probe-"):
        pass


def writable_dir(folder: Path) -> bool:
    try:
        _probe(Path(folder))
        return True
    except OSError:
        return False


def check_out(path, *, folder: bool = False) -> Path:
    """Check an output path before the work: its folder is made if missing and can be written;
    an existing file can be replaced. Raises UserError naming the path."""
    path = Path(path)
    try:
        os.fspath(path.resolve())
        if folder:
            if path.exists() and not path.is_dir():
                raise UserError(f"--out {path} 是一个文件，这里需要文件夹")
            path.mkdir(parents=True, exist_ok=True)
            _probe(path)
            return path
        if path.is_dir():
            raise UserError(f"--out {path} 是一个文件夹，这里需要文件名（如 {path / 'out.xlsx'}）")
        base = _nearest_existing(path.parent)
        if not base.is_dir():
            raise UserError(f"--out {path}：{base} 不是文件夹")
        path.parent.mkdir(parents=True, exist_ok=True)   # the output's folder, made before the work
        _probe(path.parent)
        if path.exists() and not os.access(path, os.W_OK):
            raise UserError(f"--out {path} 是只读文件，无法覆盖：请去掉只读属性或换一个文件名")
        return path
    except OSError as e:
        raise UserError.from_os(e, path) from None


def require_writable(folder, why: str) -> None:
    """Refuse before the work when ``folder`` cannot be written and the work must write there."""
    try:
        _probe(Path(folder))
    except OSError as e:
        raise UserError(f"{UserError.from_os(e, folder).message}。需要写入该文件夹以{why}") from None


def cache_home(directory, out) -> Path:
    """The folder whose ``.aftersales-cache`` a command uses: beside the registers when that
    folder can be written, else beside the output (read-only registers on a share)."""
    directory = Path(directory)
    return directory if writable_dir(directory) else Path(out).resolve().parent


__all__ = ["cache_home", "check_out", "require_writable", "writable_dir"]
