"""Text widths in the font the reports are printed with, for laying tables out.

The documents ask for "Times New Roman", then "Liberation Serif" (metric-compatible with it,
Debian's fonts-liberation2), then "DejaVu Serif". Widths are read from the font file
fontconfig picks for the first two (same metrics), with fontTools (a WeasyPrint dependency):
the advance width of each character's glyph, summed. Kerning is ignored; the layout rules
keep a margin for it. Without a usable font file, widths are estimated at half an em per
character, which errs on the wide side for this serif.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Callable
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

FAMILIES = ("Times New Roman", "Liberation Serif", "DejaVu Serif")
# Where Debian puts the fonts, if fontconfig cannot be asked.
KNOWN_FILES = {
    False: (
        "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    ),
    True: (
        "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
    ),
}
FALLBACK_EM = 0.5


def _fontconfig_file(family: str, bold: bool) -> str | None:
    if shutil.which("fc-match") is None:
        return None
    style = "Bold" if bold else "Regular"
    try:
        result = subprocess.run(
            ["fc-match", "-f", "%{family}\t%{file}", f"{family}:style={style}"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    families, _, path = result.stdout.partition("\t")
    # fontconfig always answers; only a match of the family asked for is the printing font.
    return path if family.lower() in families.lower() and Path(path).is_file() else None


def font_file(bold: bool) -> str | None:
    """The file of the serif the documents are printed with (None when none is found)."""
    for family in FAMILIES:
        found = _fontconfig_file(family, bold)
        if found:
            return found
    return next((path for path in KNOWN_FILES[bold] if Path(path).is_file()), None)


@cache
def _advances(bold: bool) -> tuple[dict[int, int], float] | None:
    path = font_file(bold)
    if path is None:
        log.warning("no serif font file found: report column widths are estimated")
        return None
    from fontTools.ttLib import TTFont

    with TTFont(path) as font:
        cmap = font.getBestCmap()
        metrics = font["hmtx"].metrics
        units = float(font["head"].unitsPerEm)
        return {code: metrics[glyph][0] for code, glyph in cmap.items()}, units


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of ``text`` in points at ``size`` points in the printing serif."""
    table = _advances(bold)
    if table is None:
        return len(text) * size * FALLBACK_EM
    advances, units = table
    missing = units * FALLBACK_EM
    return sum(advances.get(ord(ch), missing) for ch in text) * size / units


def measure() -> Callable[[str, float, bool], float]:
    """The measuring function the layout rules take."""
    return text_width
