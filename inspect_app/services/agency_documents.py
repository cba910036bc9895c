"""An agency's document settings: what an admin sets, and the frame a report is drawn with.

The settings (symbol, parent body, place, the head's title, the default signer, recipients
and distribution) are columns of ``agency`` edited with the agency itself
(:mod:`inspect_app.services.agencies` calls in here to validate and store them). Reports read
them through :func:`frame_settings`, which fills what is left empty: the parent body from the
parent agency's name, the place from the nearest ancestor that has one, the head's title from
the kind of agency, the symbol from the agency code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from inspect_app.domain.documents import (
    SETTING_LIST_FIELDS,
    SETTING_TEXT_FIELDS,
    DocumentSettings,
    head_title_of,
    inherited_place,
    split_lines,
    validate_settings,
)
from models.tables import Agency

# API and form field → Agency column. Lists travel as lists and are stored one a line.
TEXT_FIELDS = SETTING_TEXT_FIELDS
LIST_FIELDS = SETTING_LIST_FIELDS
FIELDS = TEXT_FIELDS + LIST_FIELDS
COLUMNS = tuple(getattr(Agency, name) for name in FIELDS)


@dataclass(frozen=True, slots=True)
class FrameSettings:
    """What a report or a letter of an agency prints in its frame, defaults filled in."""

    agency_code: str
    agency_name: str
    parent_body: str
    symbol: str
    place: str
    head_title: str
    # The default signer: name, own title and signing form (direct | kt | tl).
    signer_name: str
    signer_title: str
    signing_form: str
    recipients: list[str]
    distribution: list[str]


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return split_lines(value)
    return [str(item).strip() for item in value if str(item).strip()]


def settings_of(values: Mapping[str, Any]) -> DocumentSettings:
    """The settings held by a row or a request (lists as lists or one a line)."""
    return DocumentSettings(
        symbol=str(values.get("doc_symbol") or ""),
        parent_body=str(values.get("parent_body") or ""),
        place=str(values.get("place_name") or ""),
        head_title=str(values.get("head_title") or ""),
        signer_name=str(values.get("signer_name") or ""),
        signer_title=str(values.get("signer_title") or ""),
        signing_form=str(values.get("signing_form") or "direct"),
        recipients=tuple(_as_list(values.get("recipients"))),
        distribution=tuple(_as_list(values.get("distribution"))),
    )


def validation_errors(data: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, str]:
    """Problems of the settings an agency would have after applying ``data`` to ``current``."""
    if not any(key in data for key in FIELDS):
        return {}
    merged = {**{key: current.get(key) for key in FIELDS}, **data}
    return validate_settings(settings_of(merged))


def column_values(data: Mapping[str, Any]) -> dict[Any, Any]:
    """The Agency columns to write for the settings present in ``data``."""
    values: dict[Any, Any] = {}
    for key in TEXT_FIELDS:
        if key in data:
            text = " ".join(str(data[key] or "").split())
            values[getattr(Agency, key)] = text or ("direct" if key == "signing_form" else "")
    for key in LIST_FIELDS:
        if key in data:
            values[getattr(Agency, key)] = "\n".join(_as_list(data[key]))
    return values


async def frame_settings(agency_id: int) -> FrameSettings:
    """What a report of ``agency_id`` prints in its frame, defaults filled in.

    Reads the agency and its ancestors (one query over the ids of its path).
    """
    agency = await Agency.select(Agency.path).where(Agency.id == agency_id).first()
    if agency is None:
        raise LookupError(f"agency {agency_id} does not exist")
    chain_ids = [int(part) for part in str(agency["path"]).strip("/").split("/") if part]
    rows = await Agency.select(
        Agency.id, Agency.code, Agency.name, Agency.kind, Agency.parent, *COLUMNS
    ).where(Agency.id.is_in(chain_ids))
    by_id = {int(row["id"]): row for row in rows}
    chain = [by_id[i] for i in reversed(chain_ids) if i in by_id]  # the agency first
    own = chain[0]
    settings = settings_of(own)
    parent = by_id.get(int(own["parent"])) if own["parent"] is not None else None
    return FrameSettings(
        agency_code=str(own["code"]),
        agency_name=str(own["name"]),
        parent_body=settings.parent_body.strip() or (str(parent["name"]) if parent else ""),
        symbol=settings.symbol.strip() or str(own["code"]),
        place=inherited_place(str(row["place_name"] or "") for row in chain),
        head_title=head_title_of(settings, str(own["kind"])),
        signer_name=settings.signer_name.strip(),
        signer_title=settings.signer_title.strip(),
        signing_form=settings.signing_form,
        recipients=list(settings.recipients),
        distribution=list(settings.distribution),
    )
