"""Write workbooks without ever damaging the user's file.

Every write: refuse while Excel, WPS or LibreOffice has the workbook open (their lock files
beside it), keep a timestamped backup in ``备份/``, write to a temporary file in the same
folder and atomically replace; a symlink keeps pointing at its target, which keeps its
permissions. Text stays text: ``text_only`` turns every cell openpyxl would write as a formula
into a text cell, except the formulas the caller names (``save_workbook`` applies it).
Registers themselves are edited in place by ``xlsxpatch`` (only the changed parts).
"""
from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
from pathlib import Path
from typing import Callable

import openpyxl
from lxml import etree

from generator.core.errors import UserError
from generator.registers.lock import writer_lock
from generator.registers.xlsxbook import Book, PatchError

BACKUP_DIR = "备份"


ALL_FORMULAS = "all"     # save_workbook(formulas=ALL_FORMULAS): the workbook's formulas are all intended


def lock_files(path: Path) -> list[Path]:
    """Owner files of a spreadsheet program that has ``path`` open: Excel and WPS write
    ``~$NAME`` (Word-style owners drop the first two characters of long names), LibreOffice
    ``.~lock.NAME#``, WPS on Linux ``.~NAME``."""
    path = Path(path)
    names = {"~$" + path.name, "~$" + path.name[2:], f".~lock.{path.name}#", ".~" + path.name}
    return [path.with_name(n) for n in sorted(names) if path.with_name(n).exists()]


def ensure_not_open(path: Path) -> None:
    locks = lock_files(path)
    if locks:
        name = locks[0].name
        program = "LibreOffice" if name.startswith(".~lock.") else "WPS" if name.startswith(".~") else "Excel"
        raise UserError(
            f"{path} 正在 {program} 中打开（发现锁文件 {name}），请先关闭该工作簿再操作；"
            "若程序已关闭，可删除该锁文件后重试"
        )


def formula_cells(wb) -> set[tuple[str, int, int]]:
    """(sheet, row, column) of every formula cell: those a loaded workbook already had."""
    return {(ws.title, r, c) for ws in wb.worksheets for (r, c), cell in ws._cells.items()
            if cell.data_type == "f"}


def text_only(wb, keep=frozenset()) -> int:
    """Every string cell openpyxl would write as a formula (or an error code) becomes a text
    cell, except (sheet, row, column) in ``keep``; returns how many were changed."""
    changed = 0
    for ws in wb.worksheets:
        for (r, c), cell in ws._cells.items():
            if cell.data_type in ("f", "e") and isinstance(cell.value, str) and (ws.title, r, c) not in keep:
                cell.data_type = "s"
                changed += 1
    return changed


def put_row(ws, values: list) -> None:
    """``ws.append(values)`` with every string kept as text (never a formula)."""
    ws.append(values)
    for cell in ws[ws.max_row]:
        if cell.data_type in ("f", "e") and isinstance(cell.value, str):
            cell.data_type = "s"


def real_path(path: Path) -> Path:
    """The file a write must replace: a symlink's target, so the link stays a link."""
    return Path(path).resolve() if Path(path).is_symlink() else Path(path)


def keep_mode(src: Path, dst: Path) -> None:
    """Give dst the permissions and group of src (an owner cannot always set the group)."""
    st = src.stat()
    os.chmod(dst, st.st_mode & 0o7777)
    try:
        os.chown(dst, -1, st.st_gid)
    except (OSError, AttributeError):   # not a member of that group, or Windows
        pass


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
    write into each other's temporary file (the last replace wins, whole). A symlink's target
    is written, and an existing file's permissions and group are kept."""
    path = real_path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        write(tmp)
        if path.exists():
            keep_mode(path, tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def save_workbook(wb, path: Path, *, overwrite: bool = True, keep_backup: bool = True,
                  formulas=frozenset()) -> Path | None:
    """Save an openpyxl workbook atomically; returns the backup made, if any.

    Strings are written as text: only the formula cells in ``formulas`` ((sheet, row, column),
    e.g. ``formula_cells`` of a loaded workbook) or all of them (ALL_FORMULAS) stay formulas."""
    path = Path(path)
    ensure_not_open(path)
    if formulas != ALL_FORMULAS:
        text_only(wb, keep=formulas)
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
    theirs = formula_cells(wb)
    result = fn(wb)
    if not dry_run:
        save_workbook(wb, path, formulas=theirs)
    return result


def fingerprint(path: Path) -> tuple:
    """What tells that a file changed since it was read: size, modification time, inode."""
    st = Path(path).stat()
    return st.st_size, st.st_mtime_ns, st.st_ino


def patch_workbook(path, fn: Callable, *, expect: tuple | None = None):
    """Open the register at ``path`` for a patch (only changed parts rewritten), call
    fn(book), back up and replace atomically, all under the writer lock. ``expect`` is the
    fingerprint taken when the caller read the file: a file changed since is not written."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"找不到台账文件 {path}")
    with writer_lock(path):
        ensure_not_open(path)
        before = fingerprint(path)
        if expect is not None and expect != before:
            raise UserError(f"{path} 在读取后被修改（可能有人在 Excel 中保存了它），未写入任何内容，请重试")
        try:
            book = Book(real_path(path))
        except (PatchError, KeyError, ValueError, etree.XMLSyntaxError) as e:
            raise UserError(f"{path}：无法在不丢失内容的前提下写入（{e}），未写入任何内容") from None
        try:
            result = fn(book)

            def write(tmp: Path) -> None:
                book.save(tmp)
                if fingerprint(path) != before:   # re-read check just before the replace
                    raise UserError(f"{path} 在写入期间被其他程序修改，未写入任何内容，请重试")

            backup(path)
            atomic_write_bytes(path, write)
        except PatchError as e:
            raise UserError(f"{path}：无法在不丢失内容的前提下写入（{e}），未写入任何内容") from None
        finally:
            book.close()
    return result
