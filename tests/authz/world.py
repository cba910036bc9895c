"""A small world for the authorization matrix, built with direct inserts.

Agency tree::

    P  (province; nobody works here)
    ├── A   (every role has one user here: their scope is A and A1)
    │   └── A1   ("inside": one record of every kind)
    └── B   ("outside": one record of every kind, invisible to every user of A)

Every outside record carries ``OUTSIDE_MARK`` in its name, title or text, so a response
that shows it is a leak whatever the route (subjects excepted: they are shared reference
data). Per-user records (API tokens, notifications) exist once per role user ("inside"
means the caller's own) and once for the user of B.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from inspect_app.db import engine
from inspect_app.security import hash_password, new_api_token
from inspect_app.services.audit import record as audit_record
from inspect_app.services.catalogues import ensure_catalogues
from inspect_app.settings import get_settings
from models.tables import (
    ALL_TABLES,
    Agency,
    AgencyTotals,
    ApiToken,
    Approval,
    AppUser,
    Attachment,
    Execution,
    Finding,
    ImportRun,
    Inspection,
    InspectionEvent,
    InspectionExtension,
    InspectionMember,
    InspectionSubject,
    InspectionSuspension,
    JobState,
    LoginAttempt,
    Measure,
    Notification,
    Plan,
    ReminderLetter,
    Report,
    ReportSubmission,
    Subject,
    Tip,
    WebSession,
)
from tests.authz.spec import ROLES

OUTSIDE_MARK = "ZZOUTSIDEZZ"
WORLD_PASSWORD = "matrix-password-1"
SIDES = ("inside", "outside")
# Kinds whose "inside" record belongs to the caller rather than to agency A1.
PER_USER_KINDS = ("token", "notification")
ATTACHMENT_BYTES = b"%PDF-1.4\n% authz matrix attachment\n"


@cache
def _password_hash() -> str:
    # One argon2 hash for every world user: hashing per user would cost seconds per rebuild.
    return hash_password(WORLD_PASSWORD)


@dataclass
class World:
    """Ids of everything inserted, and a bearer token for every role."""

    agencies: dict[str, int]  # "P", "A", "A1", "B"
    users: dict[str, int]  # role -> id of that role's user in A
    usernames: dict[str, str]  # role -> username
    bearer: dict[str, str]  # role -> bearer token text (also "outside" for the user of B)
    ids: dict[str, dict[str, int]]  # kind -> {"inside": id, "outside": id}
    own: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> role -> id

    def agency(self, side: str) -> int:
        """The agency holding the side's records: A1 inside, B outside."""
        return self.agencies["A1" if side == "inside" else "B"]

    def id_of(self, kind: str, side: str, role: str | None = None) -> int:
        """The id that fills a route's path parameter for ``kind`` on ``side``."""
        if kind in PER_USER_KINDS and side == "inside" and role in self.own.get(kind, {}):
            return self.own[kind][role]
        return self.ids[kind][side]


async def _empty_tables() -> None:
    # DELETE in reverse dependency order: ten times faster than TRUNCATE on small tables, and
    # the world is rebuilt many times per run. Ids keep counting, which no test relies on.
    for table in reversed(ALL_TABLES):
        if table is Agency:
            await Agency.update({Agency.parent: None}, force=True)
        await table.delete(force=True)


async def _insert(row: Any) -> int:
    rows = await type(row).insert(row).returning(type(row).id)
    return int(rows[0]["id"])


async def _agency(code: str, name: str, parent: dict[str, Any] | None, kind: str) -> dict[str, Any]:
    agency_id = await _insert(
        Agency(
            code=code,
            name=name,
            kind=kind,
            parent=parent["id"] if parent else None,
            depth=parent["depth"] + 1 if parent else 0,
        )
    )
    path = f"{parent['path'] if parent else '/'}{agency_id}/"
    await Agency.update({Agency.path: path}).where(Agency.id == agency_id)
    return {"id": agency_id, "path": path, "depth": parent["depth"] + 1 if parent else 0}


async def _user(username: str, full_name: str, role: str, agency_id: int) -> int:
    return await _insert(
        AppUser(
            username=username,
            full_name=full_name,
            role=role,
            agency=agency_id,
            password_hash=_password_hash(),
            password_changed_at=datetime.now(UTC),
        )
    )


async def _token(user_id: int, name: str) -> tuple[int, str]:
    token, digest, prefix = new_api_token()
    token_id = await _insert(ApiToken(user=user_id, name=name, token_hash=digest, prefix=prefix))
    return token_id, token


async def _notification(user_id: int, title: str, inspection_id: int) -> int:
    return await _insert(
        Notification(
            user=user_id,
            kind="reminder",
            entity_type="inspection",
            entity_id=inspection_id,
            deadline_type="onsite",
            rung="due_in_5",
            due_on=date(2026, 3, 1),
            title=title,
            body=title,
            link=f"/inspections/{inspection_id}",
        )
    )


async def _side_records(
    side: str, agency_id: int, member_user_id: int, creator_id: int
) -> dict[str, int]:
    """One record of every case kind in ``agency_id``; returns kind -> id."""
    mark = f"{OUTSIDE_MARK} " if side == "outside" else ""
    suffix = "A1" if side == "inside" else "B"
    ids: dict[str, int] = {}
    # Subjects are shared reference data (any user may find any subject), so the outside one
    # carries no mark: seeing it is not a leak. What was done to it elsewhere is.
    ids["subject"] = await _insert(
        Subject(
            kind="enterprise",
            name=f"Công ty TNHH {suffix}",
            tax_code=f"01000000{len(suffix)}{'1' if side == 'inside' else '2'}",
            address=f"Số 1, phố {suffix}",
            sector="Xây dựng",
            search_text=f"cong ty tnhh {suffix.lower()}",
            created_by_agency=agency_id,
        )
    )
    ids["plan"] = await _insert(
        Plan(
            agency=agency_id,
            year=2026,
            title=f"{mark}Kế hoạch thanh tra năm 2026 {suffix}",
            decision_no=f"1/QĐ-{suffix}",
            decision_date=date(2025, 12, 10),
            status="approved",
        )
    )
    ids["inspection"] = await _insert(
        Inspection(
            code=f"TT-2026-{suffix}",
            agency=agency_id,
            plan=ids["plan"],
            origin="scheduled",
            kind="inspection",
            title=f"{mark}Thanh tra việc quản lý đất đai {suffix}",
            scope="2024-2025",
            period_from=date(2024, 1, 1),
            period_to=date(2025, 12, 31),
            lead_user=member_user_id,
            decision_no=f"15/QĐ-{suffix}",
            decision_date=date(2026, 1, 5),
            duration_days=45,
            announced_on=date(2026, 1, 12),
            status="onsite",
            onsite_due=date(2026, 2, 26),
            search_text=f"{mark.lower()}thanh tra viec quan ly dat dai {suffix.lower()}",
            created_by=creator_id,
        )
    )
    inspection_id = ids["inspection"]
    await _insert(InspectionSubject(inspection=inspection_id, subject=ids["subject"]))
    await _insert(InspectionMember(inspection=inspection_id, user=member_user_id, role="lead"))
    await _insert(
        InspectionExtension(
            inspection=inspection_id,
            days=10,
            decision_no=f"20/QĐ-{suffix}",
            decided_on=date(2026, 2, 20),
            note=f"{mark}gia hạn",
        )
    )
    await _insert(
        InspectionSuspension(
            inspection=inspection_id,
            start_on=date(2026, 2, 1),
            end_on=date(2026, 2, 5),
            decision_no=f"18/QĐ-{suffix}",
            reason=f"{mark}tạm dừng",
        )
    )
    await _insert(
        InspectionEvent(
            inspection=inspection_id,
            type="announce",
            date=date(2026, 1, 12),
            document_no=f"15/QĐ-{suffix}",
            payload=json.dumps({"note": f"{mark}công bố"}),
            user=creator_id,
        )
    )
    ids["finding"] = await _insert(
        Finding(
            inspection=inspection_id,
            subject=ids["subject"],
            category="land",
            description=f"{mark}Sử dụng đất sai mục đích {suffix}",
            legal_basis="Luật Đất đai 2024",
            amount_vnd=100_000_000,
            land_m2=Decimal("250.50"),
        )
    )
    ids["measure"] = await _insert(
        Measure(
            inspection=inspection_id,
            finding=ids["finding"],
            type="recover_money",
            description=f"{mark}Thu hồi về ngân sách {suffix}",
            amount_vnd=100_000_000,
            responsible=f"{mark}Công ty TNHH {suffix}",
            responsible_agency=agency_id,
            due_on=date(2026, 6, 30),
            status="partial",
            done_vnd=10_000_000,
        )
    )
    ids["execution"] = await _insert(
        Execution(
            measure=ids["measure"],
            executed_on=date(2026, 3, 2),
            amount_vnd=10_000_000,
            document_no=f"GNT-{suffix}",
            note=f"{mark}nộp lần 1",
            created_by=creator_id,
        )
    )
    # A write-off asked by the case's lead, waiting for a second person.
    ids["approval"] = await _insert(
        Approval(
            agency=agency_id,
            inspection=inspection_id,
            kind="measure_write_off",
            target_id=ids["measure"],
            target_version=1,
            payload=json.dumps({"status": "written_off", "written_off_reason": "Giải thể"}),
            summary=json.dumps({"changes": {}, "status": "written_off"}),
            reason=f"{mark}Doanh nghiệp giải thể {suffix}",
            requested_by=member_user_id,
        )
    )
    storage_name = f"matrix-{suffix.lower()}-{secrets.token_hex(8)}.pdf"
    upload_dir = get_settings().upload_dir
    upload_dir.mkdir(parents=True, exist_ok=True)
    (upload_dir / storage_name).write_bytes(ATTACHMENT_BYTES)
    ids["attachment"] = await _insert(
        Attachment(
            entity_type="inspection",
            entity_id=inspection_id,
            filename=f"{mark}quyet-dinh-{suffix}.pdf",
            content_type="application/pdf",
            size=len(ATTACHMENT_BYTES),
            sha256="0" * 64,
            storage_name=storage_name,
            uploaded_by=creator_id,
            agency=agency_id,
        )
    )
    ids["report"] = await _insert(
        Report(
            agency=agency_id,
            period="2026-Q1",
            status="done",
            progress=100,
            totals=json.dumps({"inspections": {"total": 1}}),
            narrative=f"{mark}Báo cáo quý I {suffix}",
            requested_by=creator_id,
            finished_at=datetime.now(UTC),
        )
    )
    # The side's report submitted to the agency above (A1 to A, B to P).
    above = await Agency.select(Agency.parent).where(Agency.id == agency_id).first()
    assert above is not None
    ids["submission"] = await _insert(
        ReportSubmission(
            agency=agency_id,
            parent=above["parent"],
            period="2026-Q1",
            report=ids["report"],
            due_on=date(2026, 3, 20),
            submitted_on=date(2026, 3, 18),
            submitted_by=creator_id,
        )
    )
    ids["tip"] = await _insert(
        Tip(
            code=f"TIP{'IN' if side == 'inside' else 'OUT'}23456"[:10],
            agency=agency_id,
            channel="hotline",
            kind="feedback",
            content=f"{mark}Phản ánh {suffix}",
            anonymous=False,
            contact_name=f"{mark}Người gửi {suffix}",
            received_on=date(2026, 3, 1),
            due_on=date(2026, 3, 11),
        )
    )
    ids["reminder_letter"] = await _insert(
        ReminderLetter(
            agency=agency_id,
            year=2026,
            number=1,
            issued_on=date(2026, 3, 2),
            report_by=date(2026, 3, 17),
            addressee=f"{mark}Sở Tài chính {suffix}",
            frame=json.dumps(
                {
                    "parent_body": "UBND TỈNH",
                    "agency_name": f"THANH TRA {suffix}".upper(),
                    "issuer": f"Thanh tra {suffix}",
                    "national_name": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                    "motto": "Độc lập - Tự do - Hạnh phúc",
                    "number": 1,
                    "number_line": "Số: 01/TTr",
                    "summary": "V/v đôn đốc thực hiện kiến nghị sau thanh tra",
                    "date_line": "ngày 02 tháng 3 năm 2026",
                    "recipients": [f"{mark}Sở Tài chính {suffix}."],
                    "distribution": ["- Như trên;", "- Lưu: VT."],
                    "signer_lines": ["CHÁNH THANH TRA"],
                    "signer_name": "",
                }
            ),
            created_by=creator_id,
        )
    )
    ids["import_run"] = await _insert(
        ImportRun(
            agency=agency_id,
            user=creator_id,
            file_name=f"{mark}so-lieu-{suffix}.xlsx",
            file_sha256="0" * 64,
            status="checked",
            rows_total=1,
            rows_checked=1,
        )
    )
    await _insert(
        AgencyTotals(
            agency=agency_id,
            period="2026-Q1",
            scope="subtree",
            data=json.dumps({"inspections": {"total": 1}}),
        )
    )
    # History rows, so that audit views have something in and out of scope.
    await audit_record(
        "create",
        username="matrix",
        entity_type="inspection",
        entity_id=inspection_id,
        agency_id=agency_id,
        after={"title": f"{mark}Thanh tra {suffix}"},
    )
    await audit_record(
        "create",
        username="matrix",
        entity_type="agency",
        entity_id=agency_id,
        agency_id=agency_id,
        after={"name": f"{mark}Cơ quan {suffix}"},
    )
    return ids


async def build_world() -> World:
    """Empty every table and insert the world; returns its ids and tokens."""
    # One transaction: one commit instead of a hundred.
    async with engine().transaction():
        return await _build_world()


async def _build_world() -> World:
    await _empty_tables()
    await ensure_catalogues()
    province = await _agency("P", "Thanh tra tỉnh P", None, "province_inspectorate")
    agency_a = await _agency("A", "Sở A", province, "department")
    agency_a1 = await _agency("A1", "Phòng A1", agency_a, "sub_department")
    agency_b = await _agency("B", f"{OUTSIDE_MARK} Sở B", province, "department")
    users: dict[str, int] = {}
    usernames: dict[str, str] = {}
    bearer: dict[str, str] = {}
    spare_tokens: dict[str, int] = {}
    for role in ROLES:
        username = f"matrix_{role}"
        users[role] = await _user(username, f"Người dùng {role}", role, agency_a["id"])
        usernames[role] = username
        _, bearer[role] = await _token(users[role], f"matrix {role}")
        spare_tokens[role], _ = await _token(users[role], f"spare {role}")
    user_a1 = await _user("matrix_a1", "Cán bộ A1", "inspector", agency_a1["id"])
    user_b = await _user("matrix_b", f"{OUTSIDE_MARK} Cán bộ B", "inspector", agency_b["id"])
    _, bearer["outside"] = await _token(user_b, "matrix outside")
    token_b, _ = await _token(user_b, f"{OUTSIDE_MARK} spare")

    inside = await _side_records("inside", agency_a1["id"], users["inspector"], users["lead"])
    # The case's own roles (docs/security.md): an inspector of A on the inside case's team,
    # and one who is not; the world's inspector leads that case.
    for name, on_team in (("member", True), ("reader", False)):
        users[name] = await _user(
            f"matrix_{name}", f"Thanh tra viên {name}", "inspector", agency_a["id"]
        )
        usernames[name] = f"matrix_{name}"
        _, bearer[name] = await _token(users[name], f"matrix {name}")
        if on_team:
            await _insert(
                InspectionMember(inspection=inside["inspection"], user=users[name], role="member")
            )
    outside = await _side_records("outside", agency_b["id"], user_b, user_b)
    notifications = {
        role: await _notification(users[role], "Sắp đến hạn", inside["inspection"])
        for role in ROLES
    }
    notification_b = await _notification(user_b, f"{OUTSIDE_MARK} hạn", outside["inspection"])

    await _insert(JobState(name="send_reminders", last_status="ok"))
    await _insert(
        WebSession(
            key=secrets.token_hex(32),
            data=json.dumps({"user_id": user_b}),
            user_id=user_b,
            expires_at=datetime.now(UTC) + timedelta(hours=1),
        )
    )
    await _insert(LoginAttempt(username="matrix_b", ip="192.0.2.1", success=True))

    ids: dict[str, dict[str, int]] = {
        "agency": {"inside": agency_a1["id"], "outside": agency_b["id"]},
        "user": {"inside": user_a1, "outside": user_b},
        "token": {"inside": spare_tokens["inspector"], "outside": token_b},
        "notification": {"inside": notifications["inspector"], "outside": notification_b},
    }
    for kind in inside:
        ids[kind] = {"inside": inside[kind], "outside": outside[kind]}
    return World(
        agencies={
            "P": province["id"],
            "A": agency_a["id"],
            "A1": agency_a1["id"],
            "B": agency_b["id"],
        },
        users=users,
        usernames=usernames,
        bearer=bearer,
        ids=ids,
        own={"token": spare_tokens, "notification": notifications},
    )
