"""The dashboard's two charts, drawn on the server as SVG (no script, nothing from a CDN).

- Money recommended for recovery and money recovered, per quarter over the last two years,
  for the reader's subtree: read from the totals table (one query), the quarters it lacks
  computed live in one batch; drawn by the report's own trend chart, so the dashboard and
  the report show the same figures the same way ("Quý II/2024", "triệu đồng").
- Overdue deadlines per responsible unit (the ten with the most, from the follow-up figures
  kept per agency, services.follow_up_figures); each bar leads to the board filtered to
  that unit.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from markupsafe import Markup

from inspect_app.domain.periods import current_quarter, last_quarters
from inspect_app.i18n import N_, translate
from inspect_app.principal import Principal
from inspect_app.services import totals
from inspect_app.services.dashboard import OverdueUnit
from inspect_app.services.follow_ups import UNIDENTIFIED_UNIT
from inspect_app.services.report_charts import BAR_COLOURS, nice_ticks, open_svg, trend_chart
from inspect_app.services.report_runner import quarter_trend

TREND_QUARTERS = 8
OVERDUE_TITLE = N_("Overdue deadlines per responsible unit")


async def recovery_trend(principal: Principal, today: date, lang: str) -> Markup:
    """Recommended and recovered money per quarter, the last eight quarters (SVG)."""
    quarters = last_quarters(current_quarter(today), TREND_QUARTERS)
    figures = await totals.quarter_figures(principal.agency_id, quarters)
    # The report's own trend points, over the reader's subtree (one "agency" per quarter).
    by_period = {code: {principal.agency_id: counters} for code, counters in figures.items()}
    return trend_chart(quarter_trend(quarters, by_period), lang)


def overdue_chart(units: list[OverdueUnit], lang: str) -> Markup:
    """Horizontal bars of overdue deadlines per unit, each a link to the board (SVG)."""
    title = translate(OVERDUE_TITLE, lang)
    label_w, bar_h, gap, width = 260, 16, 8, 860
    plot_w = width - label_w - 60
    ticks = nice_ticks(max([unit.overdue for unit in units] or [0]))
    top = ticks[-1] or 1
    height = 30 + len(units) * (bar_h + gap) + 10
    parts = [open_svg(width, height, title)]
    for tick in ticks:
        x = round(label_w + plot_w * tick / top, 1)
        parts.append(
            f'<line x1="{x}" y1="20" x2="{x}" y2="{height - 6}" stroke="#ccc"/>'
            f'<text x="{x}" y="16" text-anchor="middle" font-size="10">{tick}</text>'
        )
    y = 26
    for unit in units:
        name = unit.unit_name or translate(UNIDENTIFIED_UNIT, lang)
        shown = name if len(name) <= 42 else name[:41] + "…"
        query = {"state": "overdue"}
        if unit.unit_name:
            query["responsible"] = unit.unit_name
        w = round(plot_w * unit.overdue / top, 1)
        parts.append(
            f'<a href="/follow-ups?{escape(urlencode(query))}">'
            f'<text x="{label_w - 6}" y="{y + bar_h - 4}" text-anchor="end">{escape(shown)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" fill="{BAR_COLOURS[1]}"/>'
            f'<text x="{label_w + w + 4}" y="{y + bar_h - 4}">{unit.overdue}</text></a>'
        )
        y += bar_h + gap
    parts.append("</svg>")
    return Markup("".join(parts))
