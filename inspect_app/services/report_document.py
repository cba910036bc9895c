"""The frame of a report as an administrative document: what its heading, addressees,
signature and distribution say.

:func:`build_frame` turns an agency's document settings (with defaults filled,
:func:`inspect_app.services.agency_documents.frame_settings`), the period, the number and
date (once signed) and the signer into the lines the HTML, PDF and XLSX print. A draft has
no number, no date and no signer's name yet; at sign-off the frame is built once more with
them and stored on the report (``Report.document``), and every file of the signed revision
is drawn from that stored frame, so later changes to the settings never alter it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from inspect_app.domain import documents as doc
from inspect_app.domain.periods import Period


def signer_of(
    settings: Mapping[str, Any], chosen: Mapping[str, Any] | None = None
) -> dict[str, str]:
    """The signer: ``chosen`` fields (at sign-off) over the agency's default signer."""
    chosen = chosen or {}

    def pick(key: str, default: str) -> str:
        value = str(chosen.get(key) or "").strip()
        return value or str(settings.get(key) or default).strip()

    return {
        "signing_form": pick("signing_form", "direct"),
        "signer_title": pick("signer_title", ""),
        "signer_name": pick("signer_name", ""),
    }


def build_frame(
    settings: Mapping[str, Any],
    period: Period,
    *,
    preparer: str = "",
    number: int | None = None,
    issued_on: date | None = None,
    signer: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The frame's lines; a signed frame has ``number``, ``issued_on`` and ``signer``.

    Raises ValueError when the signer cannot be written (KT./TL. without the signer's
    title); the settings are validated when saved, so only a bad sign-off request can.
    """
    signed = issued_on is not None
    chosen = signer_of(settings, signer)
    form = chosen["signing_form"]
    lines = doc.signer_lines(form, str(settings["head_title"]), chosen["signer_title"])
    kind_code = doc.REPORT_KIND_CODE
    return {
        "signed": signed,
        "parent_body": " ".join(str(settings.get("parent_body") or "").split()).upper(),
        "agency_name": " ".join(str(settings["agency_name"]).split()).upper(),
        "agency_code": str(settings["agency_code"]),
        "national_name": doc.NATIONAL_NAME,
        "motto": doc.MOTTO,
        "kind_code": kind_code,
        "symbol": str(settings["symbol"]),
        "number": number,
        "number_line": doc.number_line(number, str(settings["symbol"]), kind_code),
        "issued_on": issued_on.isoformat() if issued_on else None,
        "date_line": doc.date_line(str(settings.get("place") or ""), issued_on, period.year),
        "kind": doc.REPORT_KIND_NAME,
        "summary": doc.report_summary(period.label("vi")),
        "recipients": doc.recipient_lines(list(settings.get("recipients") or [])),
        "distribution": doc.distribution_lines(list(settings.get("distribution") or [])),
        "signing_form": form,
        "signer_lines": lines,
        "signer_title": chosen["signer_title"] if form != "direct" else lines[0],
        "signer_name": chosen["signer_name"] if signed else "",
        "preparer": preparer,
    }
