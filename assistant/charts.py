"""matplotlib for the reports' charts: drawn into files, labelled in Chinese when a Chinese font is installed
(Noto Sans CJK and the like), in English otherwise (matplotlib would draw empty boxes for Chinese)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

CJK_FONTS = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei",
             "PingFang SC", "SimHei")


@cache
def pyplot():
    """pyplot drawing into files, its font set to the first Chinese font installed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    chinese = _chinese_font(font_manager)
    if chinese is None:  # matplotlib's font list may predate the fonts (installed later): look at the files once
        for path in font_manager.findSystemFonts():
            if "CJK" in Path(path).name:
                font_manager.fontManager.addfont(path)
        chinese = _chinese_font(font_manager)
    if chinese:
        plt.rcParams["font.sans-serif"] = [chinese, *plt.rcParams["font.sans-serif"]]
        plt.rcParams["font.family"] = "sans-serif"
        plt.rcParams["axes.unicode_minus"] = False
    return plt


def _chinese_font(font_manager) -> str | None:
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def label(chinese: str, english: str) -> str:
    """The label in Chinese when the charts can show it."""
    return chinese if pyplot().rcParams["font.sans-serif"][0] in CJK_FONTS else english
