"""One writer at a time: an advisory lock per file the tool rewrites (registers, 审计日志.csv).

``number assign``, ``check --write-back`` and the audit-log append hold the lock from reading
the file to replacing it, so two runs never hand out the same numbers or lose each other's
write. The lock is a small file beside the target (``.~aftersales.NAME.lock``, through the
``filelock`` package); a second writer waits a few seconds, then stops with a message.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from generator.core.errors import UserError

WAIT_SECONDS = float(os.environ.get("AFTERSALES_LOCK_WAIT", "5"))


def lock_path(path: Path) -> Path:
    """The lock file of ``path`` (its real target when ``path`` is a symlink)."""
    real = Path(path).resolve()
    return real.with_name(f".~aftersales.{real.name}.lock")


_held: dict[str, int] = {}   # locks this process holds (nested use re-enters, never blocks itself)


@contextmanager
def writer_lock(path: Path, wait: float | None = None):
    """Hold the advisory lock of ``path``; UserError when another writer keeps it too long."""
    key = f"{os.getpid()}:{lock_path(path)}"   # a forked child does not hold its parent's locks
    if key in _held:
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    lock = FileLock(str(lock_path(path)), timeout=WAIT_SECONDS if wait is None else wait)
    try:
        lock.acquire()
    except Timeout:
        raise UserError(f"{path} 正在被另一个 aftersales 命令写入（已等待 {lock.timeout:g} 秒），"
                        "请等它完成后重试（未写入任何内容）") from None
    except OSError as e:
        raise UserError(f"{path}：无法在所在文件夹建立写入锁（{e.strerror or e}），请检查文件夹是否可写") from None
    _held[key] = 1
    try:
        yield
    finally:
        del _held[key]
        lock.release()


__all__ = ["WAIT_SECONDS", "lock_path", "writer_lock"]
