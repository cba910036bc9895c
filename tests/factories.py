"""Helpers that build records for tests: agencies, users with tokens, subjects, cases.

Records that carry rules (cases, findings, measures) are made through the services, so a
test starts from data the application itself could have written.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec

from inspect_app.principal import Principal
from inspect_app.schemas.cases import FindingCreate, MeasureCreate
from inspect_app.schemas.cases import Measure as MeasureOut
from inspect_app.security import new_api_token
from inspect_app.services import findings, inspections, measures
from inspect_app.services.catalogues import ensure_catalogues
from inspect_app.services.follow_ups import Deadline
from inspect_app.services.subjects import search_text_of
from models.tables import Agency, ApiToken, AppUser, Inspection, Subject

_seq = itertools.count(1)


@dataclass(frozen=True)
class Actor:
    """A user as services see them (``principal``) and as the API sees them (``headers``)."""

    principal: Principal
    token: str

    @property
    def id(self) -> int:
        """The user's id."""
        return self.principal.id

    @property
    def headers(self) -> dict[str, str]:
        """The bearer header for API calls."""
        return {"Authorization": f"Bearer {self.token}"}


async def make_agency(code: str, name: str, parent: dict[str, Any] | None = None) -> dict:
    """An agency under ``parent`` (or a root) with its materialised path."""
    rows = await Agency.insert(
        Agency(
            code=code,
            name=name,
            kind="department" if parent else "province_inspectorate",
            parent=parent["id"] if parent else None,
            depth=parent["depth"] + 1 if parent else 0,
        )
    ).returning(Agency.id)
    agency_id = rows[0]["id"]
    path = f"{parent['path'] if parent else '/'}{agency_id}/"
    await Agency.update({Agency.path: path}).where(Agency.id == agency_id)
    return {"id": agency_id, "path": path, "depth": parent["depth"] + 1 if parent else 0}


async def make_tree() -> dict[str, dict[str, Any]]:
    """P (province) > A (department) > A1 (division); B is A's sibling, outside A's scope."""
    await ensure_catalogues()
    province = await make_agency("P", "Thanh tra tỉnh")
    a = await make_agency("A", "Sở Tài nguyên và Môi trường", province)
    a1 = await make_agency("A1", "Phòng Đất đai", a)
    b = await make_agency("B", "Sở Xây dựng", province)
    return {"P": province, "A": a, "A1": a1, "B": b}


async def make_user(agency: dict[str, Any], role: str = "inspector", name: str = "") -> Actor:
    """An active user of ``agency`` with ``role`` and a bearer token."""
    n = next(_seq)
    username = f"{role}{n}"
    rows = await AppUser.insert(
        AppUser(
            username=username,
            full_name=name or f"Cán bộ {n}",
            role=role,
            agency=agency["id"],
            password_changed_at=datetime.now(UTC),
        )
    ).returning(AppUser.id)
    user_id = rows[0]["id"]
    token, digest, prefix = new_api_token()
    await ApiToken.insert(ApiToken(user=user_id, name="test", token_hash=digest, prefix=prefix))
    principal = Principal(
        id=user_id,
        username=username,
        full_name=name or f"Cán bộ {n}",
        role=role,
        agency_id=agency["id"],
        agency_path=agency["path"],
        language="en",
    )
    return Actor(principal=principal, token=token)


async def make_subject(
    name: str = "Công ty TNHH Hà Nam", tax_code: str | None = None, kind: str = "enterprise"
) -> int:
    """A subject (an enterprise gets a fresh tax code unless one is given)."""
    if kind == "enterprise" and tax_code is None:
        tax_code = f"{next(_seq):010d}"
    rows = await Subject.insert(
        Subject(
            kind=kind,
            name=name,
            tax_code=tax_code,
            address="Hà Nội",
            search_text=search_text_of(name, tax_code, "Hà Nội"),
        )
    ).returning(Subject.id)
    return int(rows[0]["id"])


async def make_inspection(actor: Actor, subject_ids: list[int], **fields: Any) -> dict:
    """A draft case of the actor's agency through the service."""
    data: dict[str, Any] = {
        "title": "Thanh tra việc quản lý, sử dụng đất",
        "subject_ids": subject_ids,
        "decision_no": "15/QĐ-TTr",
        "decision_date": date(2026, 1, 5),
    }
    data.update(fields)
    return plain(await inspections.create_inspection(actor.principal, data))


async def event(actor: Actor, case: dict[str, Any], type_: str, on: date, **fields: Any) -> dict:
    """Record a lifecycle event on ``case`` (its current version) through the service."""
    current = await inspections.get_inspection(actor.principal, case["id"])
    data = {"type": type_, "date": on, "version": current.version, **fields}
    return plain(await inspections.record_event(actor.principal, case["id"], data))


async def concluded_case(lead: Actor, subject_ids: list[int], **fields: Any) -> dict[str, Any]:
    """A case announced on 12/01/2026, on-site ended 20/02, concluded 10/03/2026 (``fields``
    as for make_inspection, e.g. the team: ``member_user_ids``)."""
    case = await make_inspection(lead, subject_ids, **fields)
    await event(lead, case, "announce", date(2026, 1, 12))
    await event(lead, case, "end_onsite", date(2026, 2, 20))
    return await event(lead, case, "conclude", date(2026, 3, 10), conclusion_no="25/KL-TTr")


def plain(record: msgspec.Struct) -> dict[str, Any]:
    """A service's answer as the tests read it: a dict (nested answers too, also in lists)."""
    return {key: _plain_value(value) for key, value in msgspec.structs.asdict(record).items()}


def _plain_value(value: Any) -> Any:
    if isinstance(value, msgspec.Struct):
        return plain(value)
    if isinstance(value, list):
        return [_plain_value(item) for item in value]
    return value


def measure_as_shown(**fields: Any) -> MeasureOut:
    """A measure as the services return it, open and untouched unless ``fields`` say."""
    shown: dict[str, Any] = {
        "id": 1,
        "inspection_id": 1,
        "finding_id": None,
        "type": "recover_money",
        "description": "",
        "amount_vnd": 0,
        "land_m2": "0.00",
        "collectives": 0,
        "individuals": 0,
        "cases": 0,
        "persons": 0,
        "decision_no": None,
        "decision_date": None,
        "responsible": "",
        "responsible_agency_id": None,
        "due_on": None,
        "status": "open",
        "done_vnd": 0,
        "done_m2": "0.00",
        "done_count": 0,
        "written_off_reason": "",
        "completed_on": None,
        "unit": "vnd",
        "remaining": "0",
        "overdue": False,
        "version": 1,
    }
    return MeasureOut(**{**shown, **fields})


def deadline_as_shown(**fields: Any) -> Deadline:
    """A board row (an overdue recommendation by default) with ``fields`` changed."""
    values: dict[str, Any] = {
        "entity_type": "measure",
        "entity_id": 1,
        "inspection_id": 1,
        "deadline_type": "measure",
        "type_rank": 4,
        "due_on": date(2026, 3, 14),
        "inspection_code": "TT-01",
        "inspection_title": "Thanh tra việc quản lý đất đai",
        "agency_id": 1,
        "agency_name": "Thanh tra tỉnh",
        "unit_id": 2,
        "unit_name": "UBND huyện A",
        "addressee": "",
        "description": "Thu hồi tiền",
        "former_agency_name": "",
        "measure_type": "policy",
        "measure_status": "open",
        "left_vnd": 0,
        "left_cm2": 0,
        "days_left": -3,
        "state": "overdue",
        "progress": None,
    }
    return Deadline(**{**values, **fields})


async def make_finding(actor: Actor, case: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A finding about the case's first subject."""
    data = {
        "subject_id": case["subject_ids"][0],
        "description": "Sử dụng đất sai mục đích",
        "amount_vnd": 500_000_000,
        "land_m2": "1250.50",
        **fields,
    }
    return plain(await findings.create_finding(actor.principal, case["id"], FindingCreate(**data)))


async def make_measure(actor: Actor, case: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A measure recovering 100.000.000 đồng unless told otherwise, with a description and,
    on a concluded case, a deadline 90 days after the conclusion."""
    data = {
        "type": "recover_money",
        "amount_vnd": 100_000_000,
        "description": "Thu hồi về ngân sách nhà nước",
        **fields,
    }
    if "due_on" not in data:
        stored = await Inspection.select(Inspection.concluded_on).where(Inspection.id == case["id"])
        concluded_on = stored[0]["concluded_on"] if stored else None
        data["due_on"] = concluded_on + timedelta(days=90) if concluded_on else None
    return plain(await measures.create_measure(actor.principal, case["id"], MeasureCreate(**data)))


async def row_count(table: Any) -> int:
    """Rows in a table (raw SQL: Execution has a column that hides Table.count)."""
    rows = await table.raw(f'SELECT COUNT(*) AS n FROM "{table._meta.tablename}"')
    return int(rows[0]["n"])
