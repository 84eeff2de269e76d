"""What every command module shares: the consoles, JSON output, the one error path, progress bars
and option parsing."""
from __future__ import annotations

import datetime as dt
import json
import sys
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from generator.core.errors import UserError
from generator.core.normalize import to_date

# soft_wrap: long Chinese messages and paths are never broken by hard line wraps.
console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def print_json(data) -> None:
    """Print a JSON document (UTF-8, Chinese kept readable)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def fail(message: str, code: int = 2) -> None:
    err_console.print(f"[bold red]错误：[/]{escape(message)}")
    raise typer.Exit(code)


@contextmanager
def user_errors():
    """Turn UserError into a message and its exit code; never a traceback."""
    try:
        yield
    except UserError as e:
        fail(e.message, e.exit_code)


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
