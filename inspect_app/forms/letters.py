"""The reminder letter's form: dates typed dd/mm/yyyy, the signer, a note, the chosen rows."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from inspect_app.domain.letters import default_dates
from inspect_app.forms.common import date_or_none, date_text, id_list
from inspect_app.services.agency_documents import FrameSettings
from inspect_app.services.reminder_letters import LetterForm

TEXT_FIELDS = ("signer_name", "signer_title", "signing_form", "note")
MSG_DATE = "Enter a date as dd/mm/yyyy."


def default_values(settings: FrameSettings, today: date) -> dict[str, Any]:
    """The form as it opens: dated today, the agency's default signer."""
    dates = default_dates(today)
    return {
        "issued_on": date_text(dates.issued_on),
        "report_by": date_text(dates.report_by),
        "signer_name": settings.signer_name or "",
        "signer_title": settings.signer_title or "",
        "signing_form": settings.signing_form or "direct",
        "note": "",
        "confirm_repeat": False,
    }


def letter_form(
    data: Mapping[str, Any],
) -> tuple[LetterForm | None, dict[str, str], dict[str, Any]]:
    """The posted form as a LetterForm, the problems of its fields, and the values to show
    again when it comes back."""
    raw_ids = data.get("measure_id")
    ids = id_list(raw_ids if isinstance(raw_ids, list) else [raw_ids] if raw_ids else [])
    values: dict[str, Any] = {key: str(data.get(key) or "") for key in TEXT_FIELDS}
    values["issued_on"] = str(data.get("issued_on") or "").strip()
    values["report_by"] = str(data.get("report_by") or "").strip()
    values["confirm_repeat"] = bool(data.get("confirm_repeat"))
    errors: dict[str, str] = {}
    issued_on = date_or_none(values["issued_on"])
    report_by = date_or_none(values["report_by"])
    if issued_on is None:
        errors["issued_on"] = MSG_DATE
    if report_by is None:
        errors["report_by"] = MSG_DATE
    if issued_on is None or report_by is None:
        return None, errors, {**values, "measure_ids": ids}
    form = LetterForm(
        measure_ids=tuple(ids),
        issued_on=issued_on,
        report_by=report_by,
        signer_name=" ".join(values["signer_name"].split()),
        signer_title=" ".join(values["signer_title"].split()),
        signing_form=values["signing_form"].strip() or "direct",
        note=values["note"].replace("\r\n", "\n"),
        confirm_repeat=values["confirm_repeat"],
    )
    return form, errors, {**values, "measure_ids": ids}
