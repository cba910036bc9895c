"""The report's charts as inline SVG, labelled as Vietnamese offices write figures.

Money is shown in million đồng ("triệu đồng"), thousands grouped with dots and a decimal
comma ("1.250", "0,5"); axes get round ticks (0, 500, 1.000, 1.500); quarters are named
"Quý II/2024". The SVG reads only the frozen figures of a report and uses the document's
serif by family name, so the PDF embeds the same font as the text.
"""

from __future__ import annotations

from decimal import Decimal
from xml.sax.saxutils import escape

from markupsafe import Markup

from inspect_app.domain.formatting import format_million_vnd
from inspect_app.domain.periods import parse_period
from inspect_app.i18n import pN_, translate
from inspect_app.services.report_figures import ReportFigures, TrendPoint

BAR_COLOURS = ("#1f5c99", "#e39b2d")
FONT = "Times New Roman, Liberation Serif, DejaVu Serif, serif"
# The charts' words belong to the printed report: message ids in its context.
MILLION_DONG = pN_("report document", "million đồng")  # the unit of money on the charts
RECOVERY_LEGEND = (
    pN_("report document", "To recover"),
    pN_("report document", "Recovered to date"),
)
TREND_LEGEND = (
    pN_("report document", "Recovery recommended"),
    pN_("report document", "Recovered"),
)


def million_label(amount_vnd: int, lang: str = "vi") -> str:
    """Money in million đồng for a chart: whole millions from 100 up ("1.921"), one decimal
    below ("12,5", "0,5"), "0" for nothing."""
    million = Decimal(amount_vnd) / 1_000_000
    places = 0 if abs(million) >= 100 or million == 0 else 1
    return str(format_million_vnd(amount_vnd, places, lang))


def nice_ticks(top: int, count: int = 4) -> list[int]:
    """Round axis ticks from 0 covering ``top``: steps of 1, 2, 2.5 or 5 times a power of 10."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    magnitude = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    # The smallest round step that reaches the top in ``count`` steps (2.5 only where it
    # stays a whole number).
    multipliers = (1, 2, 2.5, 5, 10) if magnitude >= 10 else (1, 2, 5, 10)
    step = next(m * magnitude for m in multipliers if m * magnitude >= raw)
    ticks = [0]
    while ticks[-1] < top:
        ticks.append(round(ticks[-1] + step))
    return ticks


def open_svg(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-family="{FONT}" '
        f'font-size="12"><title>{escape(title)}</title>'
    )


def recovery_chart(totals: ReportFigures, lang: str = "vi") -> Markup:
    """Grouped bars per agency: money to recover versus recovered to date (SVG)."""
    legend = tuple(translate(text, lang) for text in RECOVERY_LEGEND)
    unit = translate(MILLION_DONG, lang)
    items = [
        (
            row.name,
            int(row.implementation["to_recover_vnd"]),
            int(row.implementation["recovered_total_vnd"]),
        )
        for row in totals.rows
    ]
    label_w, bar_h, gap, width = 250, 10, 6, 860
    plot_w = width - label_w - 110
    ticks = nice_ticks(max([v for _, a, b in items for v in (a, b)] or [0]) // 1_000_000)
    top = ticks[-1] * 1_000_000 or 1
    height = 60 + len(items) * (2 * bar_h + gap) + 10
    parts = [open_svg(width, height, f"{legend[0]} / {legend[1]} ({unit})")]
    for i, (text, colour) in enumerate(zip(legend, BAR_COLOURS, strict=True)):
        x = label_w + i * 190
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="16">{escape(text)} ({escape(unit)})</text>')
    axis_y = 34
    for tick in ticks:
        tick_x = round(label_w + plot_w * tick * 1_000_000 / top, 1)
        parts.append(
            f'<line x1="{tick_x}" y1="{axis_y}" x2="{tick_x}" y2="{height - 14}" stroke="#ccc"/>'
            f'<text x="{tick_x}" y="{axis_y - 3}" text-anchor="middle" font-size="10">'
            f"{million_label(tick * 1_000_000, lang)}</text>"
        )
    y = axis_y + 6
    for name, target, done in items:
        shown = name if len(name) <= 40 else name[:39] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar_h + 4}" text-anchor="end">{escape(shown)}</text>'
        )
        for j, value in enumerate((target, done)):
            w = round(plot_w * value / top, 1)
            by = y + j * bar_h
            parts.append(
                f'<rect x="{label_w}" y="{by}" width="{w}" height="{bar_h - 2}" '
                f'fill="{BAR_COLOURS[j]}"/>'
            )
            parts.append(
                f'<text x="{label_w + w + 4}" y="{by + bar_h - 2}" font-size="10">'
                f"{million_label(value, lang)}</text>"
            )
        y += 2 * bar_h + gap
    parts.append("</svg>")
    return Markup("".join(parts))


def trend_chart(trend: list[TrendPoint], lang: str = "vi") -> Markup:
    """Lines over the last eight quarters: recovery recommended and money recovered (SVG)."""
    legend = tuple(translate(text, lang) for text in TREND_LEGEND)
    unit = translate(MILLION_DONG, lang)
    width, height, left, bottom, top_pad = 860, 260, 80, 40, 40
    plot_w, plot_h = width - left - 45, height - bottom - top_pad
    series = [
        [point.recommended_vnd for point in trend],
        [point.recovered_vnd for point in trend],
    ]
    ticks = nice_ticks(max([v for values in series for v in values] or [0]) // 1_000_000)
    top = ticks[-1] * 1_000_000 or 1
    step = plot_w / max(len(trend) - 1, 1)

    def y_of(value: int) -> float:
        return round(top_pad + plot_h - plot_h * value / top, 1)

    parts = [open_svg(width, height, f"{legend[0]} / {legend[1]} ({unit})")]
    for tick in ticks:
        y = y_of(tick * 1_000_000)
        parts.append(
            f'<line x1="{left}" y1="{y}" x2="{left + plot_w}" y2="{y}" stroke="#ccc"/>'
            f'<text x="{left - 6}" y="{y + 4}" text-anchor="end" font-size="10">'
            f"{million_label(tick * 1_000_000, lang)}</text>"
        )
    parts.append(
        f'<text x="{left - 6}" y="{top_pad - 14}" text-anchor="end" font-size="10" '
        f'font-style="italic">{escape(unit)}</text>'
    )
    for i, (text, colour) in enumerate(zip(legend, BAR_COLOURS, strict=True)):
        x = left + 40 + i * 220
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="16">{escape(text)}</text>')
    for values, colour in zip(series, BAR_COLOURS, strict=True):
        points = " ".join(f"{round(left + i * step, 1)},{y_of(v)}" for i, v in enumerate(values))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'
        )
        for i, v in enumerate(values):
            parts.append(
                f'<circle cx="{round(left + i * step, 1)}" cy="{y_of(v)}" r="3" fill="{colour}"/>'
            )
    for i, point in enumerate(trend):
        label = parse_period(point.period).short_label(lang)
        parts.append(
            f'<text x="{round(left + i * step, 1)}" y="{height - 18}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
