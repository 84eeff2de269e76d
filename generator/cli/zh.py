"""Chinese for the command line's own words: --help boilerplate, usage errors, option types.

typer (0.29, with its vendored click) writes these in English, mostly as fixed strings rather
than through gettext, so they are translated where they are shown: the help panel titles are
module constants, the help option and the usage prefix are wrapped, option types are shown as
words (文本, 路径, 整数 …) instead of ``<list[str]>``, and a usage error's message goes through
``translate`` (exact phrases, then patterns) just before it is printed. Anything not in the
tables stays English rather than breaking. ``install`` is called once by ``generator.cli``.
typer is pinned to a minor version in pyproject.toml because this leans on its internals.
"""
from __future__ import annotations

import re

from typer import core, rich_utils
from typer._click import decorators, formatting

PANEL_TEXT = {   # typer.rich_utils constants
    "ARGUMENTS_PANEL_TITLE": "参数",
    "OPTIONS_PANEL_TITLE": "选项",
    "COMMANDS_PANEL_TITLE": "命令",
    "ERRORS_PANEL_TITLE": "错误",
    "ABORTED_TEXT": "已中止。",
    "DEFAULT_STRING": "[默认：{}]",
    "ENVVAR_STRING": "[环境变量：{}]",
    "REQUIRED_LONG_STRING": "[必填]",
    "DEPRECATED_STRING": "（已弃用）",
    "RICH_HELP": "运行 [blue]{command_path} {help_option}[/] 查看帮助。",
}
HELP_TEXT = "显示本帮助并退出 / show this help"
USAGE_PREFIX = "用法："
USAGE_WORDS = (("[OPTIONS]", "[选项]"), ("COMMAND [ARGS]...", "命令 [参数]..."))

PHRASES = {
    "Missing command.": "缺少命令。",
    "Aborted!": "已中止。",
    "Value must be an iterable.": "值必须是一个列表。",
}
_Q = r"'?([^']*?)'?"
PATTERNS = [   # (English message, Chinese), applied in order; \1 … are the captured parts
    (r"No such option: (\S+) \(Possible options: (.+)\)", r"没有选项 \1（可用的选项：\2）"),
    (r"No such option: (\S+)", r"没有选项 \1"),
    (r"No such command '(.+)'\.", r"没有命令 \1（运行 --help 查看全部命令）"),
    (r"Missing argument '(.+)'\.", r"缺少参数 \1"),
    (r"Missing option '(.+)'\.", r"缺少选项 \1"),
    (r"Missing parameter: (.+)", r"缺少参数 \1"),
    (r"Got unexpected extra arguments? ?(?:\(s\))? \((.+)\)", r"多余的参数：\1"),
    (r"Option '(.+)' requires an argument\.", r"选项 \1 需要一个值"),
    (r"Option '(.+)' requires (\d+) arguments\.", r"选项 \1 需要 \2 个值"),
    (r"Option '(.+)' does not take a value\.", r"选项 \1 不接受值"),
    (r"Invalid value for (.+?): (?:Value error, )?(.+)", r"\1 的值无效：\2"),
    (r"Invalid value: (?:Value error, )?(.+)", r"值无效：\1"),
    (r"'(.*)' is not one of (.+)\.", r"“\1”不在可选值 \2 之中"),
    (r"Value '(.*)' is not a valid (integer|int)\.", r"“\1”不是整数"),
    (r"Value '(.*)' is not a valid (float)\.", r"“\1”不是数字"),
    (r"Value '(.*)' is not a valid (.+)\.", r"“\1”不是有效的 \2"),
    (r"'(.*)' is not a valid (integer|int)\.", r"“\1”不是整数"),
    (r"(?:Path|File|Directory) '(.*)' does not exist\.", r"路径 \1 不存在"),
    (r"(?:Path|File|Directory) '(.*)' is a file\.", r"\1 是文件，应为目录"),
    (r"(?:Path|File|Directory) '(.*)' is a directory\.", r"\1 是目录，应为文件"),
    (r"Did you mean (.+)\?", r"您是否想输入 \1？"),
]
_COMPILED = [(re.compile(p), r) for p, r in PATTERNS]


def translate(message: str) -> str:
    """A click/typer message in Chinese (patterns may apply inside each other's captures)."""
    if message in PHRASES:
        return PHRASES[message]
    for pattern, repl in _COMPILED:
        m = pattern.search(message)
        if m:
            parts = [translate(g) if g else "" for g in m.groups()]
            out = repl
            for i, part in enumerate(parts, start=1):
                out = out.replace(f"\\{i}", part)
            return message[:m.start()] + out + message[m.end():]
    return message


TYPE_WORDS = {"str": "文本", "path": "路径", "file": "文件", "directory": "目录", "int": "整数",
              "float": "数字", "datetime": "日期时间", "date": "日期", "bool": None, "uuid": "UUID"}


def type_word(display: str | None, *, flag: bool = False, multiple: bool = False) -> str | None:
    """``<list[str]>`` → ``文本…（可重复）``; flags show no type; choices stay as they are."""
    if flag or display is None:
        return None
    label = display.strip("<>")
    m = re.fullmatch(r"list\[(.+)\]", label)
    if m:
        label, multiple = m.group(1), True
    if "|" not in label:
        word = TYPE_WORDS.get(label, label)
        if word is None:
            return None
        label = word
    return f"{label}（可重复）" if multiple else label


def install() -> None:
    """Patch typer's help and error output into Chinese (idempotent)."""
    if getattr(rich_utils, "_aftersales_zh", False):
        return
    rich_utils._aftersales_zh = True
    for name, text in PANEL_TEXT.items():
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, text)

    help_option = decorators.help_option

    def zh_help_option(param_decls):
        add = help_option(param_decls)

        def decorate(f):
            f = add(f)
            f.params[-1].help = HELP_TEXT
            return f
        return decorate
    decorators.help_option = zh_help_option

    write_usage = formatting.HelpFormatter.write_usage

    def zh_write_usage(self, prog, args="", prefix=None):
        for english, chinese in USAGE_WORDS:
            args = args.replace(english, chinese)
        return write_usage(self, prog, args, USAGE_PREFIX if prefix is None else prefix)
    formatting.HelpFormatter.write_usage = zh_write_usage

    for cls in (core.TyperOption, core.TyperArgument):
        english = cls.display_type

        def display_type(self, ctx, english=english):
            flag = bool(getattr(self, "is_flag", False)) and not getattr(self, "count", False)
            return type_word(english(self, ctx), flag=flag, multiple=bool(getattr(self, "multiple", False)))
        cls.display_type = display_type

    format_error = rich_utils.rich_format_error

    def zh_format_error(error):
        english = error.format_message
        error.format_message = lambda: translate(english())
        return format_error(error)
    rich_utils.rich_format_error = zh_format_error


__all__ = ["install", "translate", "type_word"]
