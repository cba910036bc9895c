"""JSON shapes of a conclusion's public version (``/api/inspections/{id}/publication``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from inspect_app.schemas.bounds import FREE_TEXT_PATTERN, LongText

PublicText = Annotated[str, msgspec.Meta(max_length=500_000, pattern=FREE_TEXT_PATTERN)]


class PublicationSave(msgspec.Struct):
    """The public version: a summary, and the text with the secret parts left out (the PDF
    is uploaded on the case page). ``version`` is the one read, to correct it."""

    summary: LongText
    public_text: PublicText = ""
    version: Annotated[int, msgspec.Meta(ge=1, le=2_147_483_647)] | None = None


class Publication(msgspec.Struct):
    """The public version and its time on the portal."""

    id: int
    inspection_id: int
    summary: str
    public_text: str
    file_name: str
    published_on: dt.date | None
    unpublished_at: dt.datetime | None
    unpublish_reason: str
    public_url: str | None
    version: int
