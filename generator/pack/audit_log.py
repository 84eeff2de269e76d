"""审计日志.csv beside the registers: one line per pack built (time, user, period, options, the
pack's SHA-256). The pack itself holds no build time, so this line is what ties a zip to when
and by whom it was made."""
from __future__ import annotations

import csv
import datetime as dt
import getpass
import io
from pathlib import Path

from generator.core.text import csv_text
from generator.registers.lock import writer_lock
from generator.registers.safewrite import atomic_write_bytes, ensure_not_open

AUDIT_LOG = "审计日志.csv"
LOG_HEADERS = ("时间", "用户", "台账目录", "起始日期", "截止日期", "台账", "选项", "审计包", "SHA-256",
               "表单份数", "未能生成")


def append_audit_log(directory: Path, cells: list) -> Path:
    """Append one line to 审计日志.csv beside the registers (new file: UTF-8 with BOM, header).

    The whole file is rewritten through a temporary file and renamed over the old one, so a
    crash never leaves half a line; Excel holding it open is refused; concurrent appends wait
    for each other (writer lock). Cells starting like a formula get a leading ' (OWASP).
    """
    path = Path(directory) / AUDIT_LOG
    with writer_lock(path):   # two packs built at once: both lines kept
        ensure_not_open(path)
        _append(path, cells)
    return path


def _append(path: Path, cells: list) -> None:
    old = path.read_bytes() if path.exists() else b""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    if not old:
        writer.writerow(LOG_HEADERS)
    writer.writerow([csv_text(c) for c in cells])   # text stays text in a spreadsheet
    new = buf.getvalue().encode("utf-8")
    if not old:
        new = "\ufeff".encode("utf-8") + new
    elif not old.endswith(b"\n"):
        old += b"\r\n"
    atomic_write_bytes(path, lambda tmp: tmp.write_bytes(old + new))


def log_line(directory: Path, start: dt.date, end: dt.date, registers: list[str], only: tuple[str, ...] | None,
             controlled: bool, masked: bool, out: Path, sha256: str, forms: int, failures: int) -> list:
    """The cells of one pack's line, in LOG_HEADERS order (``only``: the registers asked for)."""
    options = "；".join(x for x in ("受控" if controlled else "非受控", "隐去个人信息" if masked else "",
                                    f"台账={','.join(only)}" if only else "") if x)
    return [dt.datetime.now().isoformat(timespec="seconds"), _user(), str(Path(directory).resolve()),
            start.isoformat(), end.isoformat(), "、".join(registers), options, str(Path(out).resolve()), sha256,
            forms, failures]


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):   # no login name: OSError (3.13+), KeyError/ImportError from pwd
        return "未知"


__all__ = ["AUDIT_LOG", "LOG_HEADERS", "append_audit_log", "log_line"]
