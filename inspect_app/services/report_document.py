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

import logging
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import msgspec

from inspect_app.domain import documents as doc
from inspect_app.domain.periods import Period
from inspect_app.services.agency_documents import FrameSettings

logger = logging.getLogger(__name__)


class DocumentFrame(msgspec.Struct, frozen=True):
    """The lines a report prints around its content: heading, addressees, signature and
    distribution. Stored on a signed report (``Report.document``) as its JSON object."""

    signed: bool
    parent_body: str
    agency_name: str
    agency_code: str
    national_name: str
    motto: str
    kind_code: str
    symbol: str
    number: int | None
    number_line: str  # "Số: 12/BC-TTr"
    issued_on: date | None
    date_line: str
    kind: str
    summary: str
    recipients: list[str]
    distribution: list[str]
    signing_form: str  # direct | kt | tl
    signer_lines: list[str]
    signer_title: str
    signer_name: str  # "" until signed
    preparer: str


def stored_frame(value: Any) -> DocumentFrame | None:
    """The frame stored on a report (its JSON object); None when there is none."""
    if not isinstance(value, dict) or not value:
        return None
    try:
        return msgspec.convert(value, DocumentFrame)
    except msgspec.ValidationError as exc:  # one bad row must not take the archive down
        logger.warning("report document frame not readable: %s", exc)
        return None


def to_stored(frame: DocumentFrame) -> dict[str, object]:
    """The frame as the report's JSON column keeps it."""
    stored: dict[str, object] = msgspec.to_builtins(frame)
    return stored


def printable_frame(frame: DocumentFrame, clean: Callable[[Any], Any]) -> DocumentFrame:
    """The frame with ``clean`` (a file's PrintableText) applied to each of its texts."""
    return msgspec.structs.replace(
        frame, **{name: clean(getattr(frame, name)) for name in frame.__struct_fields__}
    )


def signer_of(settings: FrameSettings, chosen: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The signer: ``chosen`` fields (at sign-off, as sent) over the agency's default signer."""
    chosen = chosen or {}

    def pick(key: str, setting: str, default: str) -> str:
        value = str(chosen.get(key) or "").strip()
        return value or (setting or default).strip()

    return {
        "signing_form": pick("signing_form", settings.signing_form, "direct"),
        "signer_title": pick("signer_title", settings.signer_title, ""),
        "signer_name": pick("signer_name", settings.signer_name, ""),
    }


def build_frame(
    settings: FrameSettings,
    period: Period,
    *,
    preparer: str = "",
    number: int | None = None,
    issued_on: date | None = None,
    signer: Mapping[str, Any] | None = None,
) -> DocumentFrame:
    """The frame's lines; a signed frame has ``number``, ``issued_on`` and ``signer``.

    Raises ValueError when the signer cannot be written (KT./TL. without the signer's
    title); the settings are validated when saved, so only a bad sign-off request can.
    """
    signed = issued_on is not None
    chosen = signer_of(settings, signer)
    form = chosen["signing_form"]
    lines = doc.signer_lines(form, settings.head_title, chosen["signer_title"])
    kind_code = doc.REPORT_KIND_CODE
    return DocumentFrame(
        signed=signed,
        parent_body=" ".join(settings.parent_body.split()).upper(),
        agency_name=" ".join(settings.agency_name.split()).upper(),
        agency_code=settings.agency_code,
        national_name=doc.NATIONAL_NAME,
        motto=doc.MOTTO,
        kind_code=kind_code,
        symbol=settings.symbol,
        number=number,
        number_line=doc.number_line(number, settings.symbol, kind_code),
        issued_on=issued_on,
        date_line=doc.date_line(settings.place, issued_on, period.year),
        kind=doc.REPORT_KIND_NAME,
        summary=doc.report_summary(period.label("vi")),
        recipients=doc.recipient_lines(settings.recipients),
        distribution=doc.distribution_lines(settings.distribution),
        signing_form=form,
        signer_lines=lines,
        signer_title=chosen["signer_title"] if form != "direct" else lines[0],
        signer_name=chosen["signer_name"] if signed else "",
        preparer=preparer,
    )
