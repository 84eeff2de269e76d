"""Write workbooks without ever damaging the user's file.

Every write: refuse while Excel has the workbook open (its ``~$name`` lock file beside it),
keep a timestamped backup in ``备份/``, write to a temporary file in the same folder and
atomically replace. Editing goes through openpyxl with ``keep_vba`` for .xlsm, so the user's
other sheets, formatting, validations and macros stay as they were.
"""
from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
from pathlib import Path
from typing import Callable

import openpyxl

from generator.core.errors import UserError

BACKUP_DIR = "备份"


def lock_files(path: Path) -> list[Path]:
    # Excel writes "~$" + name; Word-style owners drop the first two characters of long names.
    names = {"~$" + path.name, "~$" + path.name[2:]}
    return [path.with_name(n) for n in names if path.with_name(n).exists()]


def ensure_not_open(path: Path) -> None:
    locks = lock_files(path)
    if locks:
        raise UserError(
            f"{path} 正在 Excel 中打开（发现锁文件 {locks[0].name}），请先关闭该工作簿再操作；"
            "若 Excel 已关闭，可删除该锁文件后重试"
        )


def backup(path: Path, now: dt.datetime | None = None) -> Path | None:
    if not path.exists():
        return None
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S-%f")
    target = path.parent / BACKUP_DIR / f"{path.stem}-{stamp}{path.suffix}"
    target.parent.mkdir(exist_ok=True)
    atomic_write_bytes(target, lambda tmp: shutil.copy2(path, tmp))   # a full disk leaves no half backup
    return target


def atomic_write_bytes(path: Path, write: Callable[[Path], None]) -> None:
    """Call write(tmp) and move tmp over path; the original survives any failure.

    The temporary name is unique per call, so two processes writing the same file never
    write into each other's temporary file (the last replace wins, whole)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def save_workbook(wb, path: Path, *, overwrite: bool = True, keep_backup: bool = True) -> Path | None:
    """Save an openpyxl workbook atomically; returns the backup made, if any."""
    path = Path(path)
    ensure_not_open(path)
    if path.exists() and not overwrite:
        raise UserError(f"{path} 已存在；如需覆盖请加 --force（会先备份原文件）")
    made = backup(path) if keep_backup else None
    atomic_write_bytes(path, lambda tmp: wb.save(tmp))
    return made


def edit_workbook(path, fn: Callable, *, dry_run: bool = False):
    """Open path with openpyxl, call fn(workbook), save safely. Returns fn's result."""

    path = Path(path)
    if not path.exists():
        raise UserError(f"找不到台账文件 {path}")
    ensure_not_open(path)
    try:
        wb = openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm", keep_links=True)
    except Exception as e:
        raise UserError(f"{path}：无法打开（{e}）") from None
    result = fn(wb)
    if not dry_run:
        save_workbook(wb, path)
    return result
