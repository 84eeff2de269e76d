"""The command line, ``aftersales``: a thin shell over the library.

Owns: argument parsing, printing (text, ``--json``, progress bars) and the one error path
(a ``UserError`` becomes a Chinese message and exit 2; exit 1 means "findings").
May import: every other layer; nothing imports ``cli``.

Every command is registered here, in the order ``--help`` lists them; each module of this
package holds the plain functions of one command group.
"""
from __future__ import annotations

import typer

from generator.cli import (
    assess,
    deadlines,
    demo,
    forms,
    money,
    numbering,
    pack,
    registers,
    report,
)

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
)
for _name, _command in COMMANDS:
    if isinstance(_command, typer.Typer):
        app.add_typer(_command, name=_name)
    else:
        app.command(_name)(_command)


def main():
    app()
