"""Directive 20: an enterprise inspected or checked at most once a calendar year.

The case's subjects and team links, and the overlap look-up, read query by query for a
page of cases or as JSON columns of one statement for one case (services.json_lists)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from inspect_app import clock
from inspect_app.i18n import translate
from inspect_app.principal import Principal
from inspect_app.services.cases.records import OVERLAP_MESSAGE, OVERLAP_WARNING, _load, _out
from inspect_app.services.casework import (
    MAX_ID,
)
from inspect_app.services.json_lists import Field, JsonList
from inspect_app.settings import get_settings
from models.tables import (
    InspectionSubject,
    Subject,
)


def _reference_date(row: dict[str, Any]) -> date:
    """The date that places a case in a year: announcement, else decision, else registration."""
    if row.get("announced_on"):
        return row["announced_on"]  # type: ignore[no-any-return]
    if row.get("decision_date"):
        return row["decision_date"]  # type: ignore[no-any-return]
    created = row.get("created_at")
    if isinstance(created, datetime):
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
    rows: list[dict[str, Any]],
    subjects: dict[int, list[int]],
    tax_codes: dict[int, str] | None = None,
) -> dict[int, list[dict[str, Any]]]:
    """Directive 20 warnings of each case: its enterprises inspected elsewhere the same year.

    Looks across every agency (the rule is about the enterprise, not who inspects it); one
    query for a whole page of cases when the subjects' ``tax_codes`` are known (read with
    the links), two otherwise (a case not saved yet).
    """
    result: dict[int, list[dict[str, Any]]] = {row["id"]: [] for row in rows}
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
    return overlap_from(principal, rows, subjects, tax_codes, others)


def overlap_from(
    principal: Principal,
    rows: list[dict[str, Any]],
    subjects: dict[int, list[int]],
    tax_codes: dict[int, str],
    others: list[dict[str, Any]],
) -> dict[int, list[dict[str, Any]]]:
    """The warnings of :func:`overlap_warnings` from what it reads: the cases' subjects and
    their tax codes, and every live case link of an enterprise with one of those codes."""
    result: dict[int, list[dict[str, Any]]] = {row["id"]: [] for row in rows}
    lang = principal.language
    for row in rows:
        year = _reference_date(row).year
        overridden = bool(row.get("overlap_override_reason"))
        for subject_id in subjects.get(row["id"], []):
            tax_code = tax_codes.get(subject_id)
            if tax_code is None:
                continue
            codes = sorted(
                {
                    other["code"]
                    for other in others
                    if other["tax_code"] == tax_code
                    and other["inspection_id"] != row["id"]
                    and _reference_date(other).year == year
                }
            )
            if codes:
                result[row["id"]].append(
                    {
                        "code": OVERLAP_WARNING,
                        "subject_id": subject_id,
                        "tax_code": tax_code,
                        "year": year,
                        "inspection_codes": codes,
                        "overridden": overridden,
                        "message": translate(OVERLAP_MESSAGE, lang, codes=", ".join(codes)),
                    }
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
    principal: Principal, row: dict[str, Any], got: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    """A case read with :func:`case_lists` as the API and pages show it."""
    subject_ids = [link["subject"] for link in got["subject_links"]]
    tax_codes = {
        link["subject"]: link["tax_code"] for link in got["subject_links"] if link["tax_code"]
    }
    subjects = {row["id"]: subject_ids}
    warnings = (
        overlap_from(principal, [row], subjects, tax_codes, got["overlap_others"])
        if tax_codes
        else {row["id"]: []}
    )
    member_ids = [link["user"] for link in got["member_links"]]
    return _out(row, subject_ids, member_ids, warnings[row["id"]], clock.today())


async def _shown(principal: Principal, row: dict[str, Any], links: CaseLinks) -> dict[str, Any]:
    """A stored case row with its links (read before) and its overlap warnings."""
    warnings = await overlap_warnings(principal, [row], links.subjects, links.tax_codes)
    case_id = row["id"]
    return _out(
        row, links.subjects[case_id], links.members[case_id], warnings[case_id], clock.today()
    )


async def preview_overlap(
    principal: Principal,
    subject_ids: list[int],
    decision_date: date | None = None,
    inspection_id: int | None = None,
) -> list[dict[str, Any]]:
    """The Directive 20 warnings a case with these subjects would get, before it is saved.

    ``inspection_id`` names the case being edited (its own record is not an overlap).
    """
    row: dict[str, Any] = {
        "id": inspection_id or 0,
        "announced_on": None,
        "decision_date": decision_date,
        "created_at": None,
        "overlap_override_reason": "",
    }
    if inspection_id is not None:
        stored = await _load(principal, inspection_id)
        row["announced_on"] = stored["announced_on"]
        row["created_at"] = stored["created_at"]
    ids = [s for s in subject_ids if 1 <= s <= MAX_ID]
    return (await overlap_warnings(principal, [row], {row["id"]: ids}))[row["id"]]
