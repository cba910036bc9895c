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
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from inspect_app import clock
from inspect_app.db import is_postgres, write_transaction
from inspect_app.domain.formatting import format_date
from inspect_app.domain.messages import N_, bound
from inspect_app.domain.text import ascii_digits, fold_vietnamese, searchable_number
from inspect_app.errors import Conflict, Forbidden, InvalidInput, NotFound
from inspect_app.principal import Principal
from inspect_app.schemas.publications import PublicationSave
from inspect_app.services import audit, reference_cache
from inspect_app.services.attachments import clean_filename, detect_type
from inspect_app.services.case_access import ensure_case_write
from inspect_app.services.case_context import StoredCase
from inspect_app.services.casework import Errors, stored_day, stored_instant, text
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
    return int(raw) if ascii_digits(raw) and 1 <= int(raw) <= 3650 else MIN_DAYS_DEFAULT


def _file_dir() -> Path:
    return get_settings().upload_dir / "public"


# --------------------------------------------------------------------------- staff side


async def _case(principal: Principal, inspection_id: int) -> StoredCase:
    from inspect_app.services.inspections import visible_case

    return await visible_case(principal, inspection_id)


@dataclass(frozen=True)
class PublicVersion:
    """The public version of a case's conclusion, as staff prepare it, and its time on the
    portal (``public_url`` while it is listed there)."""

    id: int
    inspection_id: int
    agency_id: int
    summary: str
    public_text: str
    file_name: str
    has_file: bool
    published_on: date | None
    unpublished_at: datetime | None
    unpublish_reason: str
    version: int

    @property
    def listed(self) -> bool:
        return self.published_on is not None and self.unpublished_at is None

    @property
    def public_url(self) -> str | None:
        return f"/public/conclusions/{self.id}" if self.listed else None


def publication_out(row: Mapping[str, Any]) -> PublicVersion:
    """A stored publication row (or the case page's JSON of it) as a PublicVersion."""
    return PublicVersion(
        id=int(row["id"]),
        inspection_id=int(row["inspection"]),
        agency_id=int(row["agency"]),
        summary=str(row["summary"] or ""),
        public_text=str(row["public_text"] or ""),
        file_name=str(row["file_name"] or ""),
        has_file=bool(row["file_storage"]),
        published_on=stored_day(row["published_on"]),
        unpublished_at=stored_instant(row["unpublished_at"]),
        unpublish_reason=str(row["unpublish_reason"] or ""),
        version=int(row["version"]),
    )


async def get_publication(principal: Principal, inspection_id: int) -> PublicVersion | None:
    """The public version of a case in scope, if prepared."""
    await _case(principal, inspection_id)
    return await publication_of(inspection_id)


async def publication_of(inspection_id: int) -> PublicVersion | None:
    """The public version of a case whose scope the caller has checked."""
    row = await Publication.select().where(Publication.inspection == inspection_id).first()
    return None if row is None else publication_out(row)


def publication_request(data: Mapping[str, Any]) -> PublicationSave:
    """The public version's form (summary, text, the version it was read at) as what
    :func:`save_publication` takes. A version that is not a number is one no stored
    version has: the save is refused as stale."""
    raw = str(data.get("version") or "").strip()
    version = (int(raw) if ascii_digits(raw) and len(raw) <= 10 else 0) if raw else None
    return PublicationSave(
        summary=str(data.get("summary") or ""),
        public_text=str(data.get("public_text") or ""),
        version=version,
    )


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
    request: PublicationSave,
    upload: tuple[str, bytes] | None,
    ip: str = "",
) -> PublicVersion:
    """Prepare or correct the public version of a concluded case's conclusion; a request
    read at another version than the stored one is refused as stale."""
    if not principal.can("inspection.edit"):
        raise Forbidden()
    case = await _case(principal, inspection_id)
    await ensure_case_write(principal, case, "inspection.edit")
    if case.concluded_on is None or case.status not in ("concluded", "closed"):
        raise Conflict(MSG_NOT_CONCLUDED, code="not_concluded")
    current = await publication_of(inspection_id)
    errors = Errors()
    data = {"summary": request.summary, "public_text": request.public_text}
    summary = text(data, "summary", errors, max_length=5_000, required=True) or ""
    public_text = text(data, "public_text", errors, max_length=500_000) or ""
    content = upload[1] if upload and upload[1] else None
    if content is not None and detect_type(content) != "pdf":
        errors["file"] = MSG_PDF_ONLY
    has_file = content is not None or bool(current and current.has_file)
    if "public_text" not in errors and not public_text and not has_file:
        errors["public_text"] = MSG_NOTHING_PUBLIC
    errors.raise_if_any()
    if current is not None and request.version not in (None, current.version):
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
                await Publication.update({**values, Publication.version: current.version + 1})
                .where((Publication.id == current.id) & (Publication.version == current.version))
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
) -> PublicVersion:
    """Take a conclusion off the portal (heads), with a reason, after the legal minimum."""
    if not principal.can("publication.unpublish"):
        raise Forbidden()
    current = await get_publication(principal, inspection_id)
    if current is None or current.published_on is None or current.unpublished_at:
        raise Conflict(MSG_NOT_PUBLISHED, code="not_published")
    errors = Errors()
    why = text({"reason": reason}, "reason", errors, max_length=5_000, required=True)
    errors.raise_if_any()
    earliest = current.published_on + timedelta(days=min_days())
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
        ).where(Publication.id == current.id)
        await audit.record(
            "publication_unpublish",
            actor=principal,
            entity_type="inspection",
            entity_id=inspection_id,
            agency_id=current.agency_id,
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


@dataclass(frozen=True)
class PortalFilters:
    """The portal's filters, reduced to what can match (see :func:`clean_filters`)."""

    q: str = ""
    agency: str = ""
    year: int | None = None
    tax_code: str = ""
    page: int = 1

    def query(self) -> dict[str, str | int]:
        """The filters set (the page aside), for a link that keeps them."""
        shown = {"q": self.q, "agency": self.agency, "year": self.year, "tax_code": self.tax_code}
        return {key: value for key, value in shown.items() if value}


@dataclass(frozen=True)
class PortalItem:
    """A published conclusion as the portal shows it (the text with one item, the time of
    its last change with a feed's)."""

    id: int
    title: str
    conclusion_no: str
    concluded_on: date | None
    year: int | None
    subject_names: str
    subject_tax_codes: str
    summary: str
    published_on: date
    file_name: str
    file_size: int
    agency_name: str
    agency_code: str
    public_text: str = ""
    updated_at: datetime | None = None


@dataclass(frozen=True)
class PortalPage:
    """A page of the portal's list, and whether a next one exists."""

    items: list[PortalItem]
    more: bool
    page: int


@dataclass(frozen=True)
class PortalAgency:
    """An agency with conclusions on the portal."""

    code: str
    name: str


@dataclass(frozen=True)
class PortalFile:
    """The PDF of a public version, where it is kept on disk aside."""

    file_name: str
    file_size: int


def clean_filters(
    q: str | None, agency: str | None, year: str | None, tax_code: str | None, page: str | None
) -> PortalFilters:
    """The portal's filters as typed, reduced to what can match (nothing raises)."""

    def short(value: str | None, limit: int) -> str:
        value = "".join(ch for ch in (value or "") if ch.isprintable())
        return value.strip()[:limit]

    year_text, page_text = short(year, 4), short(page, 5)
    return PortalFilters(
        q=short(q, 200),
        agency=short(agency, 32),
        year=int(year_text) if ascii_digits(year_text) and 1990 <= int(year_text) <= 2100 else None,
        tax_code="".join(ch for ch in short(tax_code, 14) if ch.isdigit() or ch == "-"),
        page=max(1, min(int(page_text), 10_000)) if ascii_digits(page_text) else 1,
    )


def _item(row: Mapping[str, Any]) -> PortalItem:
    return PortalItem(
        id=int(row["id"]),
        title=str(row["title"] or ""),
        conclusion_no=str(row["conclusion_no"] or ""),
        concluded_on=stored_day(row["concluded_on"]),
        year=None if row["year"] is None else int(row["year"]),
        subject_names=str(row["subject_names"] or ""),
        subject_tax_codes=str(row["subject_tax_codes"] or ""),
        summary=str(row["summary"] or ""),
        published_on=row["published_on"],
        file_name=str(row["file_name"] or ""),
        file_size=int(row["file_size"] or 0),
        agency_name=str(row["agency_name"]),
        agency_code=str(row["agency_code"]),
        public_text=str(row.get("public_text") or ""),
        updated_at=stored_instant(row.get("updated_at")),
    )


async def public_list(filters: PortalFilters) -> PortalPage:
    """One page of published conclusions matching the filters, newest first (cached)."""
    return await reference_cache.cached(CACHE_NAME, ("list", filters), lambda: _list(filters))


async def _list(filters: PortalFilters) -> PortalPage:
    query = Publication.select(*PUBLIC_COLUMNS).where(LISTED)
    if filters.q:
        for word in fold_vietnamese(filters.q).split()[:8]:
            pattern = f"%{word}%"
            query = query.where(
                Publication.search_text.ilike(pattern)
                if is_postgres()
                else Publication.search_text.like(pattern)
            )
    if filters.agency:
        query = query.where(Publication.agency.code == filters.agency)
    if filters.year:
        query = query.where(Publication.year == filters.year)
    if filters.tax_code:
        query = query.where(Publication.subject_tax_codes.like(f"%{filters.tax_code}%"))
    offset = (filters.page - 1) * PAGE_SIZE
    rows = await (
        query.order_by(Publication.published_on, ascending=False)
        .order_by(Publication.id, ascending=False)
        .offset(offset)
        .limit(PAGE_SIZE + 1)
    )
    return PortalPage([_item(row) for row in rows[:PAGE_SIZE]], len(rows) > PAGE_SIZE, filters.page)


async def public_agencies() -> list[PortalAgency]:
    """Agencies with a conclusion on the portal, for the filter (cached)."""

    async def load() -> list[PortalAgency]:
        rows = await Agency.raw(
            "SELECT a.code, a.name FROM agency a WHERE EXISTS (SELECT 1 FROM publication p"
            " WHERE p.agency = a.id AND p.published_on IS NOT NULL AND p.unpublished_at IS NULL)"
            " ORDER BY a.path"
        )
        return [PortalAgency(str(row["code"]), str(row["name"])) for row in rows]

    return await reference_cache.cached(CACHE_NAME, "agencies", load)


async def public_detail(publication_id: int) -> PortalItem:
    """One published conclusion (404 when not on the portal)."""

    async def load() -> PortalItem | None:
        row = await (
            Publication.select(*PUBLIC_COLUMNS, Publication.public_text)
            .where((Publication.id == publication_id) & LISTED)
            .first()
        )
        return None if row is None else _item(row)

    item = await reference_cache.cached(CACHE_NAME, ("detail", publication_id), load)
    if item is None:
        raise NotFound()
    return item


async def public_file(publication_id: int) -> tuple[PortalFile, Path]:
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
    return PortalFile(str(row["file_name"] or ""), int(row["file_size"] or 0)), _file_dir() / row[
        "file_storage"
    ]


async def feed_items(agency_code: str) -> tuple[PortalAgency, list[PortalItem]]:
    """The agency and its latest 50 published conclusions, for its Atom feed."""
    agency = (
        await Agency.select(Agency.id, Agency.code, Agency.name)
        .where(Agency.code == agency_code[:32])
        .first()
    )
    if agency is None:
        raise NotFound()

    async def load() -> list[PortalItem]:
        rows = (
            await Publication.select(*PUBLIC_COLUMNS, Publication.updated_at)
            .where(LISTED & (Publication.agency == agency["id"]))
            .order_by(Publication.published_on, ascending=False)
            .order_by(Publication.id, ascending=False)
            .limit(50)
        )
        return [_item(row) for row in rows]

    found = PortalAgency(str(agency["code"]), str(agency["name"]))
    return found, await reference_cache.cached(CACHE_NAME, ("feed", agency["id"]), load)
