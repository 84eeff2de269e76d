"""Which Chinese font the report PDF draws with, per platform, and the note naming a fallback.

No font is required by name: Windows has Microsoft YaHei/SimHei/SimSun, macOS PingFang SC,
Linux usually Noto Sans CJK SC (fonts-noto-cjk). The first installed family of the platform's
list is used; when it is not the list's first, the report's cover names the font used instead.
"""
from __future__ import annotations

import sys

from generator.core.errors import UserError

FONT = "Noto Sans CJK SC"
FONTS = {   # per platform, preferred first; Noto/Source Han last everywhere (installed with LibreOffice's CJK pack)
    "win32": ("Microsoft YaHei", "SimHei", "SimSun", "DengXian", FONT, "Source Han Sans SC"),
    "darwin": ("PingFang SC", "Hiragino Sans GB", "Heiti SC", "Songti SC", FONT, "Source Han Sans SC"),
    "linux": (FONT, "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Noto Sans SC",
              "Droid Sans Fallback", "AR PL UMing CN"),
}
FONT_HINT = {"win32": "Windows 自带微软雅黑/黑体/宋体，请检查 C:\\Windows\\Fonts",
             "darwin": "macOS 自带苹方（PingFang SC）",
             "linux": "Debian/Ubuntu：sudo apt-get install fonts-noto-cjk"}

def _installed(family: str) -> bool:
    from matplotlib import font_manager  # heavy: only when a report PDF is drawn

    try:
        font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    except ValueError:
        return False
    return True


def font_choices(platform: str | None = None) -> tuple[str, ...]:
    platform = platform or sys.platform
    return FONTS.get(platform, FONTS["linux"])


def cjk_font(platform: str | None = None, installed=_installed) -> str:
    """The Chinese font family to draw with: the platform's first installed one; UserError when none is."""
    choices = font_choices(platform)
    for family in choices:
        if installed(family):
            return family
    hint = FONT_HINT.get(platform or sys.platform, FONT_HINT["linux"])
    raise UserError(f"未找到中文字体（{'、'.join(choices)}），无法生成 PDF 报告（{hint}）")


def font_note(family: str, platform: str | None = None) -> str:
    """What the cover says when the report falls back from the platform's preferred font."""
    preferred = font_choices(platform)[0]
    return "" if family == preferred else f"字体：{family}（未找到 {preferred}，改用此字体）"


__all__ = ["FONTS", "cjk_font", "font_choices", "font_note"]
