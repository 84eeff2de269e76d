"""The errors the CLI turns into a clear message and an exit code, and the exit codes themselves.

Exit codes (README "Exit codes"): 0 done, no errors found; 1 done, findings (errors) found;
2 the command could not run: bad input or environment (UserError, a file-system failure);
3 a fault of the tool itself (an unexpected exception: details written to a log file).
"""
from __future__ import annotations

import errno
import re
from pathlib import PurePath

EXIT_OK, EXIT_FINDINGS, EXIT_USER, EXIT_INTERNAL = 0, 1, 2, 3


class UserError(Exception):
    """Bad input or environment: message names file, sheet, row and column where known."""

    def __init__(self, message: str, *, exit_code: int = EXIT_USER, code: str = "user"):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.code = code            # stable, for --json: user, file.permission, file.disk_full ...

    @classmethod
    def from_os(cls, e: OSError, path=None) -> "UserError":
        """A file-system failure as a Chinese message naming the path and what to do."""
        code, text = os_error_text(e, path)
        return cls(text, code=code)


# errno -> (code, Chinese message with {path}); what a clerk can do about it is said too.
_OS_ERRORS = {
    errno.EACCES: ("file.permission", "没有权限访问 {path}：请检查该文件或文件夹的权限，或换一个位置"),
    errno.EPERM: ("file.permission", "不允许访问 {path}：请检查该文件或文件夹的权限，或换一个位置"),
    errno.EROFS: ("file.read_only", "{path} 位于只读的位置（只读磁盘、光盘或共享文件夹），无法写入：请换一个可写的位置"),
    errno.ENOSPC: ("file.disk_full", "磁盘空间不足，无法写入 {path}：请清理磁盘或换一个位置后重试（未写完的文件已删除）"),
    errno.EDQUOT: ("file.disk_full", "磁盘配额已用完，无法写入 {path}：请清理空间或换一个位置后重试"),
    errno.ENAMETOOLONG: ("file.name_too_long", "路径太长，无法使用 {path}：请换一个较短的文件夹或文件名"),
    errno.ENOENT: ("file.not_found", "找不到 {path}（或它所在的文件夹）"),
    errno.ENOTDIR: ("file.not_a_folder", "{path} 的上级不是文件夹"),
    errno.EISDIR: ("file.is_a_folder", "{path} 是一个文件夹，这里需要文件名"),
    errno.EEXIST: ("file.exists", "{path} 已存在"),
    errno.EBUSY: ("file.busy", "{path} 正被其他程序占用：请关闭占用它的程序后重试"),
    errno.EMFILE: ("file.too_many_open", "同时打开的文件过多，无法打开 {path}：请关闭其他程序后重试"),
}


# The temporary file an atomic write goes through (safewrite): the user knows the file it replaces.
_TEMP_NAME = re.compile(r"\.(.+)\.\d+\.[0-9a-f]+\.tmp")


def _shown(path) -> str:
    p = PurePath(str(path))
    m = _TEMP_NAME.fullmatch(p.name)
    return str(p.with_name(m.group(1)) if m else p)


def os_error_text(e: OSError, path=None) -> tuple[str, str]:
    """(code, Chinese message) of an OSError; the path is the error's own file when not given."""
    where = _shown(path or e.filename or "（未知路径）")
    if e.filename2 and path is None:
        where = f"{_shown(e.filename)} → {_shown(e.filename2)}"
    code, template = _OS_ERRORS.get(e.errno, ("file.error", "无法访问 {path}：{reason}"))
    if getattr(e, "winerror", None) == 206:            # Windows: the filename or extension is too long
        code, template = _OS_ERRORS[errno.ENAMETOOLONG]
    return code, template.format(path=where, reason=e.strerror or e)
