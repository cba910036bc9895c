"""Report forms: the request form (agency and a period from the list), the sign-off form."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from inspect_app.domain.periods import Period, period_choices
from inspect_app.i18n import translate
from inspect_app.schemas.bounds import MAX_ID


def optional_int(raw: str | None) -> int | None:
    """A whole number typed in a form or query string; None when empty, not a number or
    beyond what a database id or version holds (ids past 2^31 name nothing)."""
    try:
        value = int(raw) if raw not in (None, "") and str(raw).isascii() else None
    except ValueError:
        return None
    return value if value is not None and -MAX_ID <= value <= MAX_ID else None


def report_request(data: Mapping[str, str]) -> tuple[int | None, str, str, dict[str, Any]]:
    """The agency, period ("2026-Q1", chosen from the list) and source of the units' rows
    ("live" or "submitted") asked for, and the form as it is shown back."""
    period = data.get("period", "").strip()
    source = data.get("source", "").strip() or "live"
    shown = {"agency_id": data.get("agency_id", ""), "period": period, "source": source}
    return optional_int(data.get("agency_id")), period, source, shown


def request_errors(errors: Mapping[str, str]) -> dict[str, str]:
    """The service's errors placed on the form: a period not on the list is one to choose."""
    placed = dict(errors)
    if "period" in placed:
        placed["period"] = "Choose a reporting period from the list."
    return placed


def period_option(period: Period, lang: str) -> str:
    """A period as a list offers it: "Quý I năm 2026 (15/12/2025 – 14/03/2026)"."""
    return f"{period.label(lang)} ({period.date_range_label})"


def period_options(
    today: date, lang: str, years: int = 5
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The periods a report can be made for, grouped by report year, newest first, each
    with its dates: ("Năm báo cáo 2026", [("2026-Q1", "Quý I năm 2026 (15/12/2025 –
    14/03/2026)"), …])."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for period in period_choices(today, years):
        running = period.start <= today <= period.end
        label = period_option(period, lang)
        if running:
            label += " – " + translate("under way", lang)
        group = f"{translate('Report year', lang)} {period.year}"
        groups.setdefault(group, []).append((period.code, label))
    return list(groups.items())


def signer_form(data: Mapping[str, str]) -> dict[str, str]:
    """The signer typed on the sign-off form (empty fields: the agency's default)."""
    return {
        key: " ".join(str(data.get(key) or "").split())
        for key in ("signer_name", "signer_title", "signing_form")
    }
