"""The period report as a printable Chinese PDF (matplotlib, A4 portrait, one figure per page).

A cover with the document-control block (company, title, period, 编制/审核/批准, date), then
each section of the report: its notes, its tables (split across pages when long) and a chart
per table that has one, current and previous period side by side. Every page carries
``第 X 页 共 Y 页``. Text uses the first Chinese font installed from the platform's list
(Windows: Microsoft YaHei, SimHei, SimSun; macOS: PingFang SC …; Linux: Noto Sans CJK SC …);
when that is not the list's first, the cover says which font was used instead. With no
Chinese font at all the PDF would show boxes, so that is a UserError saying what to install.
The file carries no creation date, so the same report gives the same bytes.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Callable

import matplotlib

matplotlib.use("Agg")  # never a GUI backend: this runs in offices' batch jobs and in CI

from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import MaxNLocator, PercentFormatter  # noqa: E402

from generator.assess.report_model import Ratio, Report, Table  # noqa: E402
from generator.assess.report_model import show as cell_text  # noqa: E402
from generator.registers.safewrite import atomic_write_bytes  # noqa: E402
from generator.reports.fonts import cjk_font, font_note  # noqa: E402

PAGE_W, PAGE_H = 8.27, 11.69          # A4 portrait, inches
LEFT, RIGHT, TOP, BOTTOM = 0.6, 0.6, 0.8, 0.75
WIDTH = PAGE_W - LEFT - RIGHT
ROW_H = 0.25                          # a table row
TITLE_H = 0.32                        # a table title line
NOTE_H = 0.22                          # one line of notes
CHART_H = 3.3
GAP = 0.18
COLOURS = ("#2F5597", "#9DC3E6", "#ED7D31", "#70AD47")
NUMERALS = "一二三四五六七八九十"
SIDE_BY_SIDE = 0.42                   # share of the width for a narrow table drawn left of its chart
MAX_CELL_UNITS = 20                   # a cell wider than this many CJK characters wraps
CELL_PAD = 1.2                        # characters of padding per column
MAX_FONT, MIN_FONT = 9.5, 6.5
NOTE_CHARS = 52                       # CJK characters per note line at 8 pt across the page


def _units(text: str) -> float:
    """Width in CJK characters: Latin letters and digits are about half one; the CJK font draws
    general punctuation (“ ” — …) full width."""
    return sum(1.0 if ord(ch) >= 0x2000 else 0.55 for ch in text)


@dataclass
class Block:
    height: float
    draw: Callable[[Figure, float], None] | None   # draw(fig, top), top in inches from the page top; None: a gap
    keep_with_next: bool = False              # a table's last rows stay on the page of its chart


def write_report_pdf(report: Report, path) -> Path:
    """Write the printable report; returns the path."""
    font = cjk_font()
    path = Path(path)
    pages = [[Block(PAGE_H, lambda fig, top: _cover(fig, report, font_note(font)))]]
    for n, section in enumerate(report.sections):
        pages += _paginate(_section_blocks(report, section, f"{NUMERALS[n] if n < len(NUMERALS) else n + 1}、"))
    rc = {"font.family": [font], "axes.unicode_minus": False, "font.size": 9, "pdf.fonttype": 3}
    meta = {"Title": f"{report.company} {report.title} {report.period.label}", "Author": report.company,
            "Creator": "aftersales", "Subject": f"字体 {font}", "CreationDate": None}

    def write(tmp: Path) -> None:
        with matplotlib.rc_context(rc), PdfPages(tmp, metadata=meta) as pdf:
            for number, blocks in enumerate(pages, 1):
                fig = Figure(figsize=(PAGE_W, PAGE_H))
                top = 0.0 if number == 1 else TOP
                for block in blocks:
                    if block.draw:
                        block.draw(fig, top)
                    top += block.height
                _frame(fig, report, number, len(pages))
                pdf.savefig(fig)

    atomic_write_bytes(path, write)
    return path


# ---------------------------------------------------------------------------- layout

def _paginate(blocks: list[Block]) -> list[list[Block]]:
    pages, page, room = [], [], PAGE_H - TOP - BOTTOM
    for i, b in enumerate(blocks):
        need = b.height + (blocks[i + 1].height if b.keep_with_next and i + 1 < len(blocks) else 0)
        if b.draw is None and (not page or need > room):
            continue  # a gap at the top or the foot of a page is dropped
        if page and need > room:
            pages.append(page)
            page, room = [], PAGE_H - TOP - BOTTOM
        page.append(b)
        room -= b.height
    return pages + ([page] if page else [])


def _box(fig: Figure, top: float, height: float, left: float = LEFT, width: float = WIDTH):
    """Axes covering a box given in inches from the page's top-left corner."""
    ax = fig.add_axes((left / PAGE_W, 1 - (top + height) / PAGE_H, width / PAGE_W, height / PAGE_H))
    return ax


def _text_block(text: str, size: float, height: float, weight="normal", colour="black") -> Block:
    def draw(fig, top):
        fig.text(LEFT / PAGE_W, 1 - (top + height * 0.7) / PAGE_H, text, fontsize=size, fontweight=weight, color=colour)
    return Block(height, draw)


def _wrap(text: str, limit: float = NOTE_CHARS) -> list[str]:
    lines, line = [], ""
    for ch in text:
        if _units(line + ch) > limit:
            lines.append(line)
            line = ""
        line += ch
    return lines + ([line] if line else [])


def _section_blocks(report: Report, section, prefix: str) -> list[Block]:
    blocks = [_text_block(prefix + section.title, 16, 0.55, "bold")]
    for note in section.notes:
        for i, line in enumerate(_wrap(f"说明：{note}")):
            blocks.append(_text_block(("      " if i else "") + line, 9, NOTE_H, colour="#595959"))
    for table in section.tables:
        if table.chart and table.rows and len(table.columns) <= 3 and len(table.rows) <= 14:
            blocks.append(_beside(report, table))
            continue
        blocks += _table_blocks(report, table)
        if table.chart and table.rows:
            blocks[-1].keep_with_next = True
            blocks.append(Block(CHART_H + GAP, functools.partial(_chart, table=table)))
        blocks.append(Block(GAP, None))
    return blocks


def _beside(report: Report, table: Table) -> Block:
    """A narrow table with its chart to the right, in one block."""
    narrow = WIDTH * SIDE_BY_SIDE
    (inner,) = _table_blocks(report, table, narrow)
    chart_left = LEFT + narrow + 0.2

    def draw(fig, top):
        inner.draw(fig, top)
        _chart(fig, top - 0.15, table=table, left=chart_left, width=PAGE_W - RIGHT - chart_left)

    return Block(max(inner.height, CHART_H - 0.2) + GAP, draw)


def _headers(report: Report, table: Table) -> list[str]:
    """Headers, broken after a period label so that narrow columns stay readable."""
    out = []
    for h in table.columns:
        for label in (report.period.label, report.previous.label):
            if h.startswith(label) and h != label:
                h = f"{label}\n{h[len(label):].strip()}"
                break
        out.append(h)
    return out


@dataclass
class _Grid:
    """A table's text laid out for a width: wrapped cells, row heights and one font size."""
    heads: list[str]
    rows: list[list[str]]          # body rows, then the total row if any
    heights: list[float]           # per row, inches
    head_h: float
    widths: list[float]
    size: float
    numeric: list[bool]
    total: bool


def _grid(report: Report, table: Table, width: float) -> _Grid:
    heads = _headers(report, table)
    rows = [[cell_text(v) for v in r] for r in table.rows] or [["（本期无记录）"] + [""] * (len(heads) - 1)]
    if table.total:
        rows.append([cell_text(v) for v in table.total])
    size, widths = _widths(heads, rows, width)
    fits = [w * 72 / (size * 1.05) - 1.2 for w in widths]
    wrapped = [["\n".join(_wrap(c, fits[j])) if _units(c) > fits[j] else c for j, c in enumerate(r)] for r in rows]
    heads = ["\n".join(x for part in h.split("\n") for x in (_wrap(part, fits[j]) or [""])) for j, h in enumerate(heads)]

    def height(cells) -> float:
        lines = max(c.count("\n") + 1 for c in cells)
        return max(ROW_H, lines * size * 1.45 / 72 + 0.08)

    numeric = [all(isinstance(r[j], (int, Decimal)) for r in table.rows if r[j] is not None) for j in range(len(heads))]
    return _Grid(heads, wrapped, [height(r) for r in wrapped], height(heads), widths, size, numeric, bool(table.total))


def _widths(heads: list[str], rows: list[list[str]], width: float) -> tuple[float, list[float]]:
    """Font size and column widths: codes, dates and numbers keep their full width; Chinese text
    may wrap (down to a few characters per line); long texts wrap rather than shrink the font."""
    columns = [[*h.split("\n"), *(r[j] for r in rows)] for j, h in enumerate(heads)]
    need = [min(MAX_CELL_UNITS, max(map(_units, col))) for col in columns]
    hard = [max([_units(t) for t in col if not _breakable(t)] + [min(n, 4)]) for col, n in zip(columns, need)]
    size = max(MIN_FONT, min(MAX_FONT, width * 72 / (sum(h + CELL_PAD for h in hard) * 1.1)))
    em = size * 1.1 / 72                  # inches per CJK character
    base = [(h + CELL_PAD) * em for h in hard]
    want = [(n - h) * em for n, h in zip(need, hard)]
    if sum(want) > 0 and width > sum(base):
        share = min(1.0, (width - sum(base)) / sum(want))
        base = [b + w * share for b, w in zip(base, want)]
    return size, [b * width / sum(base) for b in base]


def _breakable(text: str) -> bool:
    return any(ord(ch) >= 0x2E80 for ch in text)


def _table_blocks(report: Report, table: Table, width: float = WIDTH) -> list[Block]:
    """The table as blocks of rows that fit a page: the title rides with the first block, the note with the last."""
    g = _grid(report, table, width)
    note_h = NOTE_H * len(_wrap(table.note, _note_chars(width))) if table.note else 0
    room = PAGE_H - TOP - BOTTOM - TITLE_H - g.head_h - note_h - 0.6
    chunks, chunk, used = [], [], 0.0
    for i, h in enumerate(g.heights):
        if chunk and used + h > room:
            chunks.append(chunk)
            chunk, used = [], 0.0
        chunk.append(i)
        used += h
    chunks.append(chunk)
    blocks = []
    for n, rows in enumerate(chunks):
        last = n == len(chunks) - 1
        height = TITLE_H + g.head_h + sum(g.heights[i] for i in rows) + (note_h if last else 0)
        draw = functools.partial(_draw_table, grid=g, rows=rows, title=table.title + ("（续）" if n else ""),
                                 note=table.note if last else "")
        blocks.append(Block(height, draw))
    return blocks


def _note_chars(width: float) -> float:
    return (NOTE_CHARS + 8) * width / WIDTH


def _draw_table(fig, top, *, grid: _Grid, rows: list[int], title: str, note: str):
    g = grid
    fig.text(LEFT / PAGE_W, 1 - (top + TITLE_H * 0.7) / PAGE_H, title, fontsize=11, fontweight="bold")
    height = g.head_h + sum(g.heights[i] for i in rows)
    ax = _box(fig, top + TITLE_H, height, width=sum(g.widths))
    ax.axis("off")
    t = ax.table(cellText=[g.rows[i] for i in rows], colLabels=g.heads, colWidths=[w / sum(g.widths) for w in g.widths],
                 bbox=(0, 0, 1, 1), cellLoc="right", colLoc="center")
    t.auto_set_font_size(False)
    for (r, c), cell in t.get_celld().items():
        cell.set_fontsize(g.size)
        cell.set_edgecolor("#A6A6A6")
        cell.set_linewidth(0.5)
        cell.set_height((g.head_h if r == 0 else g.heights[rows[r - 1]]) / height)
        if r == 0:
            cell.set_facecolor("#DDEBF7")
            cell.get_text().set_fontweight("bold")
        elif g.total and rows[r - 1] == len(g.rows) - 1:
            cell.set_facecolor("#F2F2F2")
            cell.get_text().set_fontweight("bold")
        if r > 0 and (c == 0 or not g.numeric[c]):
            cell.get_text().set_horizontalalignment("left")
    for i, line in enumerate(_wrap(note, _note_chars(sum(g.widths))) if note else []):
        fig.text(LEFT / PAGE_W, 1 - (top + TITLE_H + height + NOTE_H * (i + 0.8)) / PAGE_H, line,
                 fontsize=8.5, color="#595959")


# ---------------------------------------------------------------------------- charts

def _number(v) -> float:
    return math.nan if v is None else float(v)


def _chart(fig: Figure, top: float, *, table: Table, left: float = LEFT, width: float = WIDTH) -> None:
    spec = table.chart
    ax = _box(fig, top + 0.5, CHART_H - 1.2, left=left + 0.55, width=width - 0.65)
    cats = [str(r[0]) for r in table.rows]
    x = list(range(len(cats)))
    k = len(spec.series)
    if spec.kind == "line":
        for i, col in enumerate(spec.series):
            ax.plot(x, [_number(r[col]) for r in table.rows], marker="o", color=COLOURS[i % len(COLOURS)],
                    label=table.columns[col], linewidth=2)
    else:
        bar = 0.8 / k
        for i, col in enumerate(spec.series):
            pos = [p - 0.4 + bar * (i + 0.5) for p in x]
            bars = ax.bar(pos, [_number(r[col]) for r in table.rows], bar, color=COLOURS[i % len(COLOURS)],
                          label=table.columns[col])
            if len(cats) * k <= 16:
                ax.bar_label(bars, labels=[_bar_label(r[col]) for r in table.rows], fontsize=8, padding=1)
    for j, col in enumerate(spec.lines):
        ax.plot(x, [_number(r[col]) for r in table.rows], color=COLOURS[(k + j) % len(COLOURS)], marker="_",
                markersize=14, linewidth=1.5, linestyle="--", label=table.columns[col])
    ax.set_title(spec.title, fontsize=11, fontweight="bold", pad=22)
    ax.set_xticks(x)
    # 9 pt CJK is about 0.125 in wide: turn the labels when they would run into each other
    long = any(_units(c) * 0.125 + 0.08 > (width - 0.65) / len(cats) for c in cats)
    ax.set_xticklabels(cats, rotation=35 if long else 0, ha="right" if long else "center", fontsize=9,
                       rotation_mode="anchor")
    ax.set_ylabel(spec.y_title, fontsize=9)
    ax.tick_params(axis="y", labelsize=8.5)
    if spec.percent:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_ylim(0, 1.15)
    else:
        ax.margins(y=0.15)
        if spec.kind != "line":
            ax.set_ylim(bottom=0)
        if all(isinstance(r[c], int) for r in table.rows for c in spec.series + spec.lines if r[c] is not None):
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="y", color="#D9D9D9", linewidth=0.5)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(fontsize=8.5, frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), borderaxespad=0.1,
              ncol=len(spec.series) + len(spec.lines), handlelength=1.2, columnspacing=1.0)


def _bar_label(v) -> str:
    if v is None:
        return ""
    return f"{v * 100:.0f}%" if isinstance(v, Ratio) else cell_text(v)


# ---------------------------------------------------------------------------- cover and frame

def _cover(fig: Figure, report: Report, note: str = "") -> None:
    def centred(y, text, size, weight="normal", colour="black"):
        fig.text(0.5, y, text, fontsize=size, fontweight=weight, color=colour, ha="center", va="center")

    centred(0.80, report.company, 20, "bold")
    centred(0.72, report.title, 28, "bold")
    centred(0.64, report.period.label, 18)
    centred(0.605, f"统计期间：{report.period.span}", 11, colour="#404040")
    centred(0.58, f"对比期间：{report.previous.label}（{report.previous.span}）", 11, colour="#404040")
    ax = _box(fig, PAGE_H * 0.56, 2.2, left=1.6, width=PAGE_W - 3.2)
    ax.axis("off")
    rows = [["编制", "", ""], ["审核", "", ""], ["批准", "", ""], ["报告日期", f"{report.today:%Y-%m-%d}", ""]]
    t = ax.table(cellText=rows, colLabels=["", "签名", "日期"], colWidths=(0.26, 0.42, 0.32), bbox=(0, 0, 1, 1),
                 cellLoc="center")
    t.auto_set_font_size(False)
    for (r, c), cell in t.get_celld().items():
        cell.set_fontsize(11)
        cell.set_edgecolor("#404040")
        if r == 0 or c == 0:
            cell.set_facecolor("#DDEBF7")
            cell.get_text().set_fontweight("bold")
    centred(0.2, "本报告根据售后服务台账自动生成，数字以台账为准", 9, colour="#808080")
    if note:
        centred(0.18, note, 8, colour="#808080")


def _frame(fig: Figure, report: Report, number: int, total: int) -> None:
    if number > 1:
        y = 1 - (TOP - 0.3) / PAGE_H
        fig.text(LEFT / PAGE_W, y, f"{report.company}  {report.title}", fontsize=8, color="#595959")
        fig.text(1 - RIGHT / PAGE_W, y, report.period.label, fontsize=8, color="#595959", ha="right")
        fig.add_artist(Line2D([LEFT / PAGE_W, 1 - RIGHT / PAGE_W], [y - 0.008, y - 0.008],
                                               color="#A6A6A6", linewidth=0.6))
    fig.text(0.5, (BOTTOM - 0.35) / PAGE_H, f"第 {number} 页 共 {total} 页", fontsize=8, ha="center", color="#404040")


__all__ = ["write_report_pdf"]
