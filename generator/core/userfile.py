"""Text files the user edits (policy.toml, forms/*.toml, CSV matrices), in whatever encoding
Windows saved them: UTF-8 with or without the BOM Notepad writes, UTF-16 with its BOM
(Notepad's "Unicode"), or GBK/GB18030 (Notepad's "ANSI" on Chinese Windows). Anything else is
refused with a message that says how to save the file."""
from __future__ import annotations

import codecs
from pathlib import Path

from generator.core.errors import UserError

SAVE_AS_UTF8 = "请用记事本打开该文件，点「文件 → 另存为」，把「编码」选为 UTF-8 后保存，再重试"


def decode_user_text(data: bytes, path, what: str) -> str:
    """The text of ``data``; UserError naming the file and how to save it when it cannot be read."""
    if data.startswith(codecs.BOM_UTF8):
        encodings = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    elif b"\x00" in data:           # UTF-16 without a BOM, or not text at all
        encodings = ()
    else:
        encodings = ("utf-8", "gb18030")
    for enc in encodings:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise UserError(f"{what} {path} 的编码无法识别（应为 UTF-8、GBK 或带 BOM 的 UTF-16）：{SAVE_AS_UTF8}",
                    code="file.encoding")


def read_user_text(path, what: str) -> str:
    """Read a user's text file (see the module docstring); file errors name the path."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise UserError.from_os(e, path) from None
    return decode_user_text(data, path, what)


__all__ = ["SAVE_AS_UTF8", "decode_user_text", "read_user_text"]
