"""The command line, ``aftersales``: a thin shell over the library.

Owns: argument parsing, printing (text, ``--json``, progress bars) and the one error path
(a ``UserError`` or a file-system failure becomes a Chinese message and exit 2; exit 1 means
"findings"; an unexpected exception is a fault of the tool: logged, said, exit 3).
May import: every other layer; nothing imports ``cli``.

Every command is registered here, in the order ``--help`` lists them; each module of this
package holds the plain functions of one command group.
"""
from __future__ import annotations

import sys

import typer

from generator.cli import (
    assess,
    compensation,
    deadlines,
    demo,
    forms,
    late_notices,
    money,
    numbering,
    pack,
    registers,
    report,
)
from generator.cli.common import internal_error, is_cli_exception, print_json

app = typer.Typer(
    name="aftersales",
    help="售后服务台账、校验与受控表单工具 (after-sales registers, checks and controlled forms).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

COMMANDS = (
    ("init", registers.init),
    ("check", registers.check),
    ("demo", demo.demo),
    ("number", numbering.number_app),
    ("deadline", deadlines.deadline),
    ("remind", deadlines.remind),
    ("late", late_notices.late),
    ("render", forms.render),
    ("forms", forms.forms_),
    ("penalties", assess.penalties_cmd),
    ("scores", assess.scores_cmd),
    ("report", report.report_command),
    ("audit-pack", pack.audit_pack),
    ("verify", pack.verify),
    ("keys", pack.keys_app),
    ("ahp", money.ahp),
    ("quote", money.quote),
    ("apportion", compensation.apportion),
    ("sanbao", compensation.sanbao),
)
for _name, _command in COMMANDS:
    if isinstance(_command, typer.Typer):
        app.add_typer(_command, name=_name)
    else:
        app.command(_name)(_command)


def _console_never_fails() -> None:
    """Text that the console's code page cannot show (cp936 has no 𠮷) is replaced, never fatal;
    --json writes UTF-8 bytes itself."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower().replace("-", "") != "utf8":
            stream.reconfigure(errors="replace")


def _run_for_json() -> int:
    """With --json a usage error (unknown option, bad value) is JSON on stdout too; typer
    would print it as text on stderr."""
    try:
        rv = app(standalone_mode=False)
    except Exception as e:
        if not is_cli_exception(e) or not hasattr(e, "format_message"):
            raise
        code = getattr(e, "exit_code", 2)
        print_json({"error": {"code": "usage", "message": e.format_message(), "exit_code": code}})
        return code
    return rv if isinstance(rv, int) else 0


def main():
    _console_never_fails()
    try:
        if "--json" in sys.argv[1:]:
            sys.exit(_run_for_json())
        app()
    except KeyboardInterrupt:
        sys.stderr.write("已中断\n")
        sys.exit(130)
    except Exception as e:  # what no command caught: a fault of the tool (exit 3), or a file error (2)
        sys.exit(internal_error(e))
