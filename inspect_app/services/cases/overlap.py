"""Directive 20: an enterprise inspected or checked at most once a calendar year.

The case's subjects and team links, and the overlap look-up, read query by query for a
page of cases or as JSON columns of one statement for one case (services.json_lists)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from inspect_app import clock
from inspect_app.i18n import translate
from inspect_app.principal import Principal
from inspect_app.schemas.cases import CaseWarning
from inspect_app.schemas.cases import Inspection as InspectionOut
from inspect_app.services.case_context import StoredCase
from inspect_app.services.cases.records import OVERLAP_MESSAGE, OVERLAP_WARNING, _load, _out
from inspect_app.services.casework import MAX_ID, stored_day, stored_instant
from inspect_app.services.json_lists import Field, JsonList, JsonRow
from inspect_app.settings import get_settings
from models.tables import (
    InspectionSubject,
    Subject,
)


@dataclass(frozen=True, slots=True)
class OverlapCase:
    """What the Directive 20 rule reads of a case: the dates that place it in a year, and
    whether a head overrode the rule for it (a case not saved yet has id 0)."""

    id: int
    announced_on: date | None
    decision_date: date | None
    created_at: datetime | None
    overlap_override_reason: str = ""

    @classmethod
    def of(cls, case: StoredCase) -> OverlapCase:
        """The rule's view of a stored case."""
        return cls(
            id=case.id,
            announced_on=case.announced_on,
            decision_date=case.decision_date,
            created_at=case.created_at,
            overlap_override_reason=case.overlap_override_reason,
        )


@dataclass(frozen=True, slots=True)
class OverlapOther:
    """A live case link of an enterprise: the case, its code and dates, the tax code."""

    inspection_id: int
    code: str
    announced_on: date | None
    decision_date: date | None
    created_at: datetime | None
    tax_code: str

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> OverlapOther:
        """A row of the look-up (:func:`overlap_warnings`'s query or ``overlap_others``)."""
        return cls(
            inspection_id=int(row["inspection_id"]),
            code=str(row["code"]),
            announced_on=stored_day(row["announced_on"]),
            decision_date=stored_day(row["decision_date"]),
            created_at=stored_instant(row["created_at"]),
            tax_code=str(row["tax_code"]),
        )


def _reference_date(case: OverlapCase | OverlapOther) -> date:
    """The date that places a case in a year: announcement, else decision, else registration."""
    if case.announced_on:
        return case.announced_on
    if case.decision_date:
        return case.decision_date
    created = case.created_at
    if created is not None:
        aware = created if created.tzinfo else created.replace(tzinfo=UTC)
        return aware.astimezone(ZoneInfo(get_settings().time_zone)).date()
    return clock.today()


@dataclass(frozen=True, slots=True)
class CaseLinks:
    """The subjects and team members of some cases, and the tax codes of those subjects."""

    subjects: dict[int, list[int]]
    members: dict[int, list[int]]
    tax_codes: dict[int, str]


async def _links(ids: list[int]) -> CaseLinks:
    subjects: dict[int, list[int]] = {i: [] for i in ids}
    members: dict[int, list[int]] = {i: [] for i in ids}
    tax_codes: dict[int, str] = {}
    if not ids:
        return CaseLinks(subjects, members, tax_codes)
    # Both links and the subjects' tax codes (for the overlap warnings) in one statement;
    # ids are ints (the caller's own rows), never user text.
    listed = ", ".join(str(int(i)) for i in ids)
    rows = await InspectionSubject.raw(
        "SELECT 's' AS link, l.inspection, l.subject AS ref, l.id, s.tax_code"
        " FROM inspection_subject l JOIN subject s ON s.id = l.subject"
        f" WHERE l.inspection IN ({listed})"
        " UNION ALL SELECT 'm', inspection, \"user\", id, NULL FROM inspection_member"
        f" WHERE inspection IN ({listed})"
        " ORDER BY link, id"
    )
    for row in rows:
        (subjects if row["link"] == "s" else members)[row["inspection"]].append(row["ref"])
        if row["tax_code"]:
            tax_codes[row["ref"]] = row["tax_code"]
    return CaseLinks(subjects, members, tax_codes)


async def overlap_warnings(
    principal: Principal,
    cases: Sequence[OverlapCase],
    subjects: dict[int, list[int]],
    tax_codes: dict[int, str] | None = None,
) -> dict[int, list[CaseWarning]]:
    """Directive 20 warnings of each case: its enterprises inspected elsewhere the same year.

    Looks across every agency (the rule is about the enterprise, not who inspects it); one
    query for a whole page of cases when the subjects' ``tax_codes`` are known (read with
    the links), two otherwise (a case not saved yet).
    """
    result: dict[int, list[CaseWarning]] = {case.id: [] for case in cases}
    all_subjects = {s for ids in subjects.values() for s in ids}
    if not all_subjects:
        return result
    if tax_codes is None:
        tax_codes = {
            row["id"]: row["tax_code"]
            for row in await Subject.select(Subject.id, Subject.tax_code).where(
                Subject.id.is_in(list(all_subjects)) & Subject.tax_code.is_not_null()
            )
            if row["tax_code"]
        }
    if not tax_codes:
        return result
    others = await InspectionSubject.select(
        InspectionSubject.inspection.id.as_alias("inspection_id"),
        InspectionSubject.inspection.code.as_alias("code"),
        InspectionSubject.inspection.announced_on.as_alias("announced_on"),
        InspectionSubject.inspection.decision_date.as_alias("decision_date"),
        InspectionSubject.inspection.created_at.as_alias("created_at"),
        InspectionSubject.subject.tax_code.as_alias("tax_code"),
    ).where(
        InspectionSubject.subject.tax_code.is_in(sorted(set(tax_codes.values())))
        & InspectionSubject.inspection.deleted_at.is_null()
        & (InspectionSubject.inspection.status != "cancelled")
    )
    return overlap_from(
        principal, cases, subjects, tax_codes, [OverlapOther.of(other) for other in others]
    )


def overlap_from(
    principal: Principal,
    cases: Sequence[OverlapCase],
    subjects: dict[int, list[int]],
    tax_codes: dict[int, str],
    others: Sequence[OverlapOther],
) -> dict[int, list[CaseWarning]]:
    """The warnings of :func:`overlap_warnings` from what it reads: the cases' subjects and
    their tax codes, and every live case link of an enterprise with one of those codes."""
    result: dict[int, list[CaseWarning]] = {case.id: [] for case in cases}
    lang = principal.language
    for case in cases:
        year = _reference_date(case).year
        overridden = bool(case.overlap_override_reason)
        for subject_id in subjects.get(case.id, []):
            tax_code = tax_codes.get(subject_id)
            if tax_code is None:
                continue
            codes = sorted(
                {
                    other.code
                    for other in others
                    if other.tax_code == tax_code
                    and other.inspection_id != case.id
                    and _reference_date(other).year == year
                }
            )
            if codes:
                result[case.id].append(
                    CaseWarning(
                        code=OVERLAP_WARNING,
                        subject_id=subject_id,
                        tax_code=tax_code,
                        year=year,
                        inspection_codes=codes,
                        overridden=overridden,
                        message=translate(OVERLAP_MESSAGE, lang, codes=", ".join(codes)),
                    )
                )
    return result


CASE_REF = '"inspection"."id"'


def case_lists(case_ref: str) -> dict[str, JsonList]:
    """What a case is shown with, as lists of one statement (services.json_lists): its
    subjects with their tax codes, its team, and every live case link of an enterprise with
    one of those tax codes (the Directive 20 look-up of :func:`overlap_warnings`)."""
    own_codes = (
        "SELECT cs.tax_code FROM inspection_subject cl JOIN subject cs ON cs.id = cl.subject"
        f" WHERE cl.inspection = {case_ref} AND cs.tax_code IS NOT NULL AND cs.tax_code <> ''"
    )
    return {
        "subject_links": JsonList(
            fields=(
                Field("subject", "l.subject", "int"),
                Field("tax_code", "s.tax_code", "str"),
            ),
            source="FROM inspection_subject l JOIN subject s ON s.id = l.subject"
            f" WHERE l.inspection = {case_ref}",
            order_by="l.id",
        ),
        "member_links": JsonList(
            fields=(Field("user", 'm."user"', "int"),),
            source=f"FROM inspection_member m WHERE m.inspection = {case_ref}",
            order_by="m.id",
        ),
        "overlap_others": JsonList(
            fields=(
                Field("inspection_id", "oi.id", "int"),
                Field("code", "oi.code", "str"),
                Field("announced_on", "oi.announced_on", "date"),
                Field("decision_date", "oi.decision_date", "date"),
                Field("created_at", "oi.created_at", "datetime"),
                Field("tax_code", "osub.tax_code", "str"),
            ),
            source="FROM inspection_subject os JOIN inspection oi ON oi.id = os.inspection"
            " JOIN subject osub ON osub.id = os.subject"
            " WHERE oi.deleted_at IS NULL AND oi.status <> 'cancelled'"
            f" AND osub.tax_code IN ({own_codes})",
            order_by="os.id",
        ),
    }


def case_from_lists(
    principal: Principal, row: StoredCase, got: Mapping[str, list[JsonRow]]
) -> InspectionOut:
    """A case read with :func:`case_lists` as the API and pages show it."""
    subject_ids = [int(str(link["subject"])) for link in got["subject_links"]]
    tax_codes = {
        int(str(link["subject"])): str(link["tax_code"])
        for link in got["subject_links"]
        if link["tax_code"]
    }
    subjects = {row.id: subject_ids}
    warnings = (
        overlap_from(
            principal,
            [OverlapCase.of(row)],
            subjects,
            tax_codes,
            [OverlapOther.of(other) for other in got["overlap_others"]],
        )
        if tax_codes
        else {row.id: []}
    )
    member_ids = [int(str(link["user"])) for link in got["member_links"]]
    return _out(row, subject_ids, member_ids, warnings[row.id], clock.today())


async def _shown(principal: Principal, row: StoredCase, links: CaseLinks) -> InspectionOut:
    """A stored case with its links (read before) and its overlap warnings."""
    warnings = await overlap_warnings(
        principal, [OverlapCase.of(row)], links.subjects, links.tax_codes
    )
    return _out(row, links.subjects[row.id], links.members[row.id], warnings[row.id], clock.today())


async def preview_overlap(
    principal: Principal,
    subject_ids: list[int],
    decision_date: date | None = None,
    inspection_id: int | None = None,
) -> list[CaseWarning]:
    """The Directive 20 warnings a case with these subjects would get, before it is saved.

    ``inspection_id`` names the case being edited (its own record is not an overlap).
    """
    case = OverlapCase(id=0, announced_on=None, decision_date=decision_date, created_at=None)
    if inspection_id is not None:
        stored = await _load(principal, inspection_id)
        case = OverlapCase(
            id=inspection_id,
            announced_on=stored.announced_on,
            decision_date=decision_date,
            created_at=stored.created_at,
        )
    ids = [s for s in subject_ids if 1 <= s <= MAX_ID]
    return (await overlap_warnings(principal, [case], {case.id: ids}))[case.id]
