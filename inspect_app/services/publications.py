"""The public version of conclusions and the public portal that shows them.

By law an inspection's conclusion is published in full except state, banking or business
secrets, on the agency's portal, for at least 15 consecutive days, within 10 days of its
signing. Here an officer prepares the public version on the case (summary, public text, a
PDF with the secret parts left out); the case's publish event refuses to run without one and
puts it on ``/public/conclusions``; a head may take it down after the legal minimum, with a
reason, audited. The portal reads this table only: the case's own records, its signed
file and its attachments are never reachable from a public address.

The portal's pages are cached per process under the ``publications`` reference version,
which a trigger bumps on any change to the table (migration 2026-12-05T12:45:00).
"""

from __future__ import annotations

import hashlib
import os
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from inspect_app import clock
from inspect_app.db import is_postgres, write_transaction
from inspect_app.domain.formatting import format_date
from inspect_app.domain.messages import N_, bound
from inspect_app.domain.text import fold_vietnamese, searchable_number
from inspect_app.errors import Conflict, Forbidden, InvalidInput, NotFound
from inspect_app.principal import Principal
from inspect_app.services import audit, reference_cache
from inspect_app.services.attachments import clean_filename, detect_type
from inspect_app.services.case_access import ensure_case_write
from inspect_app.services.casework import Errors, text
from inspect_app.settings import get_settings
from models.tables import Agency, Inspection, InspectionSubject, Publication

MIN_DAYS_DEFAULT = 15
PAGE_SIZE = 20
CACHE_NAME = "publications"

MSG_NOT_CONCLUDED = N_("A conclusion can be published once the case is concluded.")
MSG_NOTHING_PUBLIC = N_("Give the public text or a PDF of the public version.")
MSG_PDF_ONLY = N_("The public version's file is a PDF.")
MSG_NO_PUBLIC_VERSION = N_(
    "Prepare the public version of the conclusion (summary and text or PDF, without state,"
    " banking or business secrets) before publishing it."
)
MSG_TOO_EARLY = N_(
    "A published conclusion stays on the portal at least {days} days: it may be taken down"
    " from {date}."
)
MSG_NOT_PUBLISHED = N_("This conclusion is not on the portal.")
MSG_STALE = N_("Someone else changed the public version meanwhile; the page shows it as it is now.")


def min_days() -> int:
    """The legal minimum on the portal (PUBLICATION_MIN_DAYS, 15 by default)."""
    raw = os.environ.get("PUBLICATION_MIN_DAYS", "").strip()
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= 3650 else MIN_DAYS_DEFAULT


def _file_dir() -> Path:
    return get_settings().upload_dir / "public"


# --------------------------------------------------------------------------- staff side


async def _case(principal: Principal, inspection_id: int) -> dict[str, Any]:
    from inspect_app.services.inspections import visible_case

    return await visible_case(principal, inspection_id)


async def get_publication(principal: Principal, inspection_id: int) -> dict[str, Any] | None:
    """The public version of a case in scope, if prepared."""
    await _case(principal, inspection_id)
    return await publication_of(inspection_id)


async def publication_of(inspection_id: int) -> dict[str, Any] | None:
    """The public version of a case whose scope the caller has checked."""
    return await Publication.select().where(Publication.inspection == inspection_id).first()


async def _case_copy(inspection_id: int) -> dict[str, Any]:
    """What the portal shows of the case, copied at saving and publishing."""
    case = (
        await Inspection.select(
            Inspection.agency,
            Inspection.title,
            Inspection.code,
            Inspection.decision_no,
            Inspection.conclusion_no,
            Inspection.concluded_on,
        )
        .where(Inspection.id == inspection_id)
        .first()
    )
    assert case is not None
    subjects = await InspectionSubject.select(
        InspectionSubject.subject.name.as_alias("name"),
        InspectionSubject.subject.tax_code.as_alias("tax_code"),
    ).where(InspectionSubject.inspection == inspection_id)
    names = [row["name"] for row in subjects]
    codes = [row["tax_code"] for row in subjects if row["tax_code"]]
    numbers = [n for n in (case["conclusion_no"], case["decision_no"]) if n]
    return {
        "agency": case["agency"],
        "title": case["title"],
        "conclusion_no": case["conclusion_no"] or "",
        "concluded_on": case["concluded_on"],
        "year": case["concluded_on"].year if case["concluded_on"] else None,
        "subject_names": "; ".join(names),
        "subject_tax_codes": " ".join(codes)[:500],
        "numbers": numbers,
    }


def _copied_columns(copy: dict[str, Any], summary: str) -> dict[Any, Any]:
    """The case's fields as the publication keeps them, and the folded search text."""
    return {
        Publication.agency: copy["agency"],
        Publication.title: copy["title"],
        Publication.conclusion_no: copy["conclusion_no"],
        Publication.concluded_on: copy["concluded_on"],
        Publication.year: copy["year"],
        Publication.subject_names: copy["subject_names"],
        Publication.subject_tax_codes: copy["subject_tax_codes"],
        Publication.search_text: _search_text(copy, summary),
    }


def _search_text(copy: dict[str, Any], summary: str) -> str:
    parts = [copy["title"], copy["subject_names"], copy["subject_tax_codes"], summary]
    parts += [searchable_number(number) for number in copy["numbers"]]
    return fold_vietnamese(" ".join(p for p in parts if p))


async def save_publication(
    principal: Principal,
    inspection_id: int,
    data: dict[str, Any],
    upload: tuple[str, bytes] | None,
    ip: str = "",
) -> dict[str, Any]:
    """Prepare or correct the public version of a concluded case's conclusion."""
    if not principal.can("inspection.edit"):
        raise Forbidden()
    case = await _case(principal, inspection_id)
    await ensure_case_write(principal, case, "inspection.edit")
    if case["concluded_on"] is None or case["status"] not in ("concluded", "closed"):
        raise Conflict(MSG_NOT_CONCLUDED, code="not_concluded")
    current = await Publication.select().where(Publication.inspection == inspection_id).first()
    errors = Errors()
    summary = text(data, "summary", errors, max_length=5_000, required=True) or ""
    public_text = text(data, "public_text", errors, max_length=500_000) or ""
    content = upload[1] if upload and upload[1] else None
    if content is not None and detect_type(content) != "pdf":
        errors["file"] = MSG_PDF_ONLY
    has_file = content is not None or bool(current and current["file_storage"])
    if "public_text" not in errors and not public_text and not has_file:
        errors["public_text"] = MSG_NOTHING_PUBLIC
    version = data.get("version")
    errors.raise_if_any()
    if current is not None and str(version or "") not in ("", str(current["version"])):
        raise Conflict(MSG_STALE, code="stale")
    values: dict[Any, Any] = {
        **_copied_columns(await _case_copy(inspection_id), summary),
        Publication.summary: summary,
        Publication.public_text: public_text,
        Publication.prepared_by: principal.id,
        Publication.updated_at: datetime.now(UTC),
    }
    if content is not None and upload is not None:
        storage = uuid.uuid4().hex
        path = _file_dir() / storage
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        values.update(
            {
                Publication.file_name: clean_filename(upload[0]),
                Publication.file_storage: storage,
                Publication.file_size: len(content),
                Publication.file_sha256: hashlib.sha256(content).hexdigest(),
            }
        )
    async with write_transaction():
        if current is None:
            named = {column._meta.name: value for column, value in values.items()}
            await Publication.insert(Publication(inspection=inspection_id, **named))
        else:
            changed = (
                await Publication.update({**values, Publication.version: current["version"] + 1})
                .where(
                    (Publication.id == current["id"]) & (Publication.version == current["version"])
                )
                .returning(Publication.id)
            )
            if not changed:
                raise Conflict(MSG_STALE, code="stale")
        await audit.record(
            "publication_save",
            actor=principal,
            entity_type="inspection",
            entity_id=inspection_id,
            agency_id=values[Publication.agency],
            after={"summary": summary, "file": values.get(Publication.file_name, "")},
            ip=ip,
        )
    found = await get_publication(principal, inspection_id)
    assert found is not None
    return found


async def ready_for_publishing(inspection_id: int) -> bool:
    """True when the case has a public version to publish."""
    row = (
        await Publication.select(
            Publication.summary, Publication.public_text, Publication.file_storage
        )
        .where(Publication.inspection == inspection_id)
        .first()
    )
    return bool(row and row["summary"] and (row["public_text"] or row["file_storage"]))


async def mark_published(inspection_id: int, on: date, user_id: int) -> None:
    """Put the public version on the portal (inside the publish event's transaction)."""
    row = await Publication.select(Publication.summary).where(
        Publication.inspection == inspection_id
    )
    summary = row[0]["summary"] if row else ""
    await Publication.update(
        {
            **_copied_columns(await _case_copy(inspection_id), summary),
            Publication.published_on: on,
            Publication.published_by: user_id,
            Publication.unpublished_at: None,
            Publication.unpublish_reason: "",
            Publication.version: Publication.version + 1,
        }
    ).where(Publication.inspection == inspection_id)


async def unpublish(
    principal: Principal, inspection_id: int, reason: str, ip: str = ""
) -> dict[str, Any]:
    """Take a conclusion off the portal (heads), with a reason, after the legal minimum."""
    if not principal.can("publication.unpublish"):
        raise Forbidden()
    current = await get_publication(principal, inspection_id)
    if current is None or current["published_on"] is None or current["unpublished_at"]:
        raise Conflict(MSG_NOT_PUBLISHED, code="not_published")
    errors = Errors()
    why = text({"reason": reason}, "reason", errors, max_length=5_000, required=True)
    errors.raise_if_any()
    earliest = current["published_on"] + timedelta(days=min_days())
    if clock.today() < earliest:
        raise InvalidInput(
            {"reason": bound(MSG_TOO_EARLY, days=min_days(), date=format_date(earliest))}
        )
    async with write_transaction():
        await Publication.update(
            {
                Publication.unpublished_at: datetime.now(UTC),
                Publication.unpublish_reason: why,
                Publication.version: Publication.version + 1,
            }
        ).where(Publication.id == current["id"])
        await audit.record(
            "publication_unpublish",
            actor=principal,
            entity_type="inspection",
            entity_id=inspection_id,
            agency_id=current["agency"],
            after={"reason": why},
            ip=ip,
        )
    found = await get_publication(principal, inspection_id)
    assert found is not None
    return found


# --------------------------------------------------------------------------- the portal

LISTED = (Publication.published_on.is_not_null()) & (Publication.unpublished_at.is_null())
PUBLIC_COLUMNS = (
    Publication.id,
    Publication.title,
    Publication.conclusion_no,
    Publication.concluded_on,
    Publication.year,
    Publication.subject_names,
    Publication.subject_tax_codes,
    Publication.summary,
    Publication.published_on,
    Publication.file_name,
    Publication.file_size,
    Publication.agency.name.as_alias("agency_name"),
    Publication.agency.code.as_alias("agency_code"),
)


def clean_filters(
    q: str | None, agency: str | None, year: str | None, tax_code: str | None, page: str | None
) -> dict[str, Any]:
    """The portal's filters as typed, reduced to what can match (nothing raises)."""

    def short(value: str | None, limit: int) -> str:
        value = "".join(ch for ch in (value or "") if ch.isprintable())
        return value.strip()[:limit]

    year_text, page_text = short(year, 4), short(page, 5)
    return {
        "q": short(q, 200),
        "agency": short(agency, 32),
        "year": int(year_text) if year_text.isdigit() and 1990 <= int(year_text) <= 2100 else None,
        "tax_code": "".join(ch for ch in short(tax_code, 14) if ch.isdigit() or ch == "-"),
        "page": max(1, min(int(page_text), 10_000)) if page_text.isdigit() else 1,
    }


async def public_list(filters: dict[str, Any]) -> dict[str, Any]:
    """One page of published conclusions matching the filters, newest first (cached)."""
    key = tuple(sorted(filters.items()))
    return await reference_cache.cached(CACHE_NAME, ("list", key), lambda: _list(filters))


async def _list(filters: dict[str, Any]) -> dict[str, Any]:
    query = Publication.select(*PUBLIC_COLUMNS).where(LISTED)
    if filters["q"]:
        for word in fold_vietnamese(filters["q"]).split()[:8]:
            pattern = f"%{word}%"
            query = query.where(
                Publication.search_text.ilike(pattern)
                if is_postgres()
                else Publication.search_text.like(pattern)
            )
    if filters["agency"]:
        query = query.where(Publication.agency.code == filters["agency"])
    if filters["year"]:
        query = query.where(Publication.year == filters["year"])
    if filters["tax_code"]:
        query = query.where(Publication.subject_tax_codes.like(f"%{filters['tax_code']}%"))
    offset = (filters["page"] - 1) * PAGE_SIZE
    rows = await (
        query.order_by(Publication.published_on, ascending=False)
        .order_by(Publication.id, ascending=False)
        .offset(offset)
        .limit(PAGE_SIZE + 1)
    )
    return {"items": rows[:PAGE_SIZE], "more": len(rows) > PAGE_SIZE, "page": filters["page"]}


async def public_agencies() -> list[dict[str, Any]]:
    """Agencies with a conclusion on the portal, for the filter (cached)."""

    async def load() -> list[dict[str, Any]]:
        rows = await Agency.raw(
            "SELECT a.code, a.name FROM agency a WHERE EXISTS (SELECT 1 FROM publication p"
            " WHERE p.agency = a.id AND p.published_on IS NOT NULL AND p.unpublished_at IS NULL)"
            " ORDER BY a.path"
        )
        return list(rows)

    return await reference_cache.cached(CACHE_NAME, "agencies", load)


async def public_detail(publication_id: int) -> dict[str, Any]:
    """One published conclusion (404 when not on the portal)."""

    async def load() -> dict[str, Any] | None:
        return await (
            Publication.select(*PUBLIC_COLUMNS, Publication.public_text)
            .where((Publication.id == publication_id) & LISTED)
            .first()
        )

    row = await reference_cache.cached(CACHE_NAME, ("detail", publication_id), load)
    if row is None:
        raise NotFound()
    return row


async def public_file(publication_id: int) -> tuple[dict[str, Any], Path]:
    """The PDF of a published conclusion's public version."""
    row = (
        await Publication.select(
            Publication.file_name, Publication.file_storage, Publication.file_size
        )
        .where((Publication.id == publication_id) & LISTED)
        .first()
    )
    if row is None or not row["file_storage"]:
        raise NotFound()
    return row, _file_dir() / row["file_storage"]


async def feed_items(agency_code: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The agency and its latest 50 published conclusions, for its Atom feed."""
    agency = (
        await Agency.select(Agency.id, Agency.code, Agency.name)
        .where(Agency.code == agency_code[:32])
        .first()
    )
    if agency is None:
        raise NotFound()

    async def load() -> list[dict[str, Any]]:
        return list(
            await Publication.select(*PUBLIC_COLUMNS, Publication.updated_at)
            .where(LISTED & (Publication.agency == agency["id"]))
            .order_by(Publication.published_on, ascending=False)
            .order_by(Publication.id, ascending=False)
            .limit(50)
        )

    return agency, await reference_cache.cached(CACHE_NAME, ("feed", agency["id"]), load)
