"""What every command module shares: the consoles, JSON output, the one error path, progress bars
and option parsing.

The error path (``user_errors`` around each command's work, ``internal_error`` in ``main``):
a UserError or a file-system failure is a Chinese message naming the path, exit 2; anything
else is a fault of the tool: the traceback goes to a log file, the message says where, exit 3
(never 1, which means "findings"). With ``--json`` the error is a JSON document on stdout.
A command's ``--out`` is checked (can be created and written) before its work starts.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
import traceback
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from generator import __version__
from generator.core.errors import EXIT_INTERNAL, UserError
from generator.core.normalize import to_date
from generator.registers.outpath import check_out

try:  # the running command's context: typer vendors click from 0.2x on, older versions use click
    from typer._click.globals import get_current_context
except ImportError:  # pragma: no cover - older typer
    from click import get_current_context

# soft_wrap: long Chinese messages and paths are never broken by hard line wraps.
console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


# Commands whose --out (demo: its OUT argument) is a folder; every other --out is a file.
OUT_FOLDERS = {"render", "remind", "demo"}
LOG_DIR_ENV = "AFTERSALES_LOG_DIR"


def print_json(data) -> None:
    """Print a JSON document in UTF-8 whatever the console's code page (cp936 cannot encode
    every character a register may hold), Chinese kept readable."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
    out = sys.stdout
    buffer = getattr(out, "buffer", None)
    if buffer is None:
        out.write(text)
        return
    out.flush()
    buffer.write(text.encode("utf-8"))
    buffer.flush()


def _json_wanted() -> bool:
    ctx = get_current_context(silent=True)
    if ctx is not None:
        return bool(ctx.params.get("json_"))
    return "--json" in sys.argv[1:]


def fail(message: str, code: int = 2, *, error_code: str = "user") -> None:
    if _json_wanted():
        print_json({"error": {"code": error_code, "message": message, "exit_code": code}})
    else:
        err_console.print(f"[bold red]错误：[/]{escape(message)}")
    raise typer.Exit(code)


@contextmanager
def user_errors():
    """The one error path around a command's work: UserError and file-system failures become a
    message and exit 2, anything unexpected a fault of the tool (exit 3); never a traceback.
    The command's --out is checked first."""
    try:
        _check_out_option()
        yield
    except Exception as e:
        if is_cli_exception(e):
            raise  # typer's own: an exit code, a usage error
        code, message, error_code = error_exit(e)
        fail(message, code, error_code=error_code)


def is_cli_exception(e: BaseException) -> bool:
    """typer's (or click's) own exceptions: an exit code, a usage error."""
    return type(e).__module__.split(".")[0] in ("typer", "click")


def _check_out_option() -> None:
    ctx = get_current_context(silent=True)
    out = ctx.params.get("out") if ctx is not None else None
    if out is not None:
        check_out(out, folder=ctx.info_name in OUT_FOLDERS)


def error_exit(e: BaseException) -> tuple[int, str, str]:
    """(exit code, Chinese message, --json error code) for an exception that ends a command."""
    if isinstance(e, UserError):
        return e.exit_code, e.message, e.code
    if isinstance(e, OSError):
        u = UserError.from_os(e)
        return u.exit_code, u.message, u.code
    log = write_error_log(e)
    where = f"详细信息已写入 {log}" if log else "未能写入详细信息"
    return EXIT_INTERNAL, (f"程序内部错误（{type(e).__name__}）：这是本工具的问题，不是您的操作或台账的问题。"
                           f"{where}，请把该文件发给维护人员。"), "internal"


def internal_error(e: BaseException) -> int:
    """For ``main``: an exception no command caught, said like ``user_errors`` says it."""
    code, message, error_code = error_exit(e)
    try:
        fail(message, code, error_code=error_code)
    except typer.Exit:
        pass
    return code


def _log_dirs() -> list[Path]:
    """AFTERSALES_LOG_DIR, else the user's own folder (Windows: %LOCALAPPDATA%), else temp."""
    env = os.environ
    dirs = [env.get(LOG_DIR_ENV)]
    if env.get("LOCALAPPDATA"):
        dirs.append(os.path.join(env["LOCALAPPDATA"], "aftersales", "logs"))
    dirs.append(os.path.join(env.get("XDG_CACHE_HOME") or Path.home() / ".cache", "aftersales", "logs"))
    dirs.append(os.path.join(tempfile.gettempdir(), "aftersales-logs"))
    return [Path(d) for d in dirs if d]


def write_error_log(e: BaseException) -> Path | None:
    """The traceback, the command line and the versions in a log file; its path, or None."""
    text = (f"aftersales {__version__}  Python {sys.version.split()[0]}  {sys.platform}\n"
            f"{dt.datetime.now().isoformat(timespec='seconds')}  {' '.join(sys.argv)}\n\n"
            + "".join(traceback.format_exception(type(e), e, e.__traceback__)))
    name = f"error-{dt.datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}.log"
    for folder in _log_dirs():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
            return folder / name
        except OSError:
            continue
    return None


def progress(items, description: str, silent: bool, total: int | None = None):
    """A rich progress bar over items, or the plain iterable when --silent."""
    if silent:
        return items
    from rich.progress import track

    return track(items, description=description, total=total, console=err_console, transient=True)


def day_option(text: str | None, option: str, *, default: dt.date | None = None) -> dt.date | None:
    """A date given on the command line (2026-10-08, 2026/10/8 ...); None gives ``default``."""

    if text is None:
        return default
    try:
        return to_date(text)
    except ValueError as e:
        raise UserError(f"{option} {text!r} 不是有效日期（如 2026-10-08）：{e}") from None


def register_dir(directory: Path) -> Path:
    if not directory.is_dir():
        raise UserError(f"找不到台账目录 {directory}")
    return directory
