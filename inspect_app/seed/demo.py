"""Demo data: one provincial inspectorate with its divisions and departments, a few users for
every role, about sixty subjects and a hundred cases over the last two years in every status.

The province is Ninh Bình as it exists since 1/7/2025: the inspectorates of Hà Nam and Nam
Định merged into it that day, and are kept below it as merged predecessors with the cases
of their last year (services/agency_mergers.py): their closed cases stay theirs, their open
ones moved to the province with their names, and the province's reports compare with last
year across the merger.

The data is drawn from ``random.Random(seed)`` and anchored on today's date in Hà Nội, so the
same seed on the same day gives the same database. It is inserted through Piccolo in one
transaction, with ids handed out by the generator so that rows can reference each other
without a round trip per row.
"""

from __future__ import annotations

import copy
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from piccolo.table import Table

from inspect_app import clock
from inspect_app.db import is_postgres, write_transaction
from inspect_app.domain.lifecycle import STATUSES
from inspect_app.domain.text import fold_vietnamese
from inspect_app.security import hash_password
from inspect_app.seed import names
from inspect_app.seed.cases import (
    CaseRows,
    CaseSpec,
    Numbering,
    Sequences,
    SubjectRef,
    at,
    build_case,
    preview_history,
)
from inspect_app.services.catalogues import LAW_2025_IN_FORCE, ensure_catalogues
from inspect_app.services.inspections import rebuild_search_texts
from models.tables import (
    Agency,
    Approval,
    AppUser,
    Execution,
    Finding,
    Inspection,
    InspectionEvent,
    InspectionExtension,
    InspectionMember,
    InspectionSubject,
    InspectionSuspension,
    Measure,
    Plan,
    Subject,
)

DEMO_PASSWORD = "ThanhTra@2026"
PROVINCE = names.DEMO_PROVINCE
TOP_CODE = "TTT"
TOP_ISSUER = "TTr"

# (username, role, agency code)
DEMO_USERS: list[tuple[str, str, str]] = [
    ("admin", "admin", TOP_CODE),
    ("chanhthanhtra", "head", TOP_CODE),
    ("lanhdao", "viewer", TOP_CODE),
    ("truongphong1", "lead", "TTT-NV1"),
    ("thanhtra1", "inspector", "TTT-NV1"),
    ("thanhtra2", "inspector", "TTT-NV1"),
    ("truongphong2", "lead", "TTT-NV2"),
    ("thanhtra3", "inspector", "TTT-NV2"),
    ("truongphong3", "lead", "TTT-NV3"),
    ("thanhtra4", "inspector", "TTT-NV3"),
    ("gdsoxaydung", "head", "SXD"),
    ("ttvsoxaydung", "inspector", "SXD"),
    ("gdsoyte", "head", "SYT"),
    ("ttvsoyte", "inspector", "SYT"),
]

# Insertion order: parents before children.
TABLES: list[type[Table]] = [
    Agency,
    AppUser,
    Subject,
    Plan,
    Inspection,
    InspectionSubject,
    InspectionMember,
    InspectionExtension,
    InspectionSuspension,
    InspectionEvent,
    Finding,
    Measure,
    Execution,
    Approval,
]
INSERT_CHUNK = 200  # rows per INSERT: far below SQLite's limit on bound parameters

# How many cases each unit runs, and which statuses must be shown whatever today is:
# (status, how many, window of decision dates in days before today).
CASES_PER_DIVISION = 22
CHECKS_PER_DEPARTMENT = 17
FORCED_STATUSES: list[tuple[str, int, tuple[int, int]]] = [
    ("draft", 3, (0, 2)),
    ("onsite", 6, (12, 35)),
    ("suspended", 2, (15, 40)),
    ("onsite_ended", 3, (40, 75)),
    ("reported", 4, (50, 90)),
    ("cancelled", 2, (30, 400)),
    ("concluded", 6, (100, 300)),
    ("closed", 6, (380, 720)),
]
NATURAL_WINDOW = (60, 730)
# Who may override the one-inspection-a-year warning for cases of each unit.
HEADS = {
    "TTT-NV1": "chanhthanhtra",
    "TTT-NV2": "chanhthanhtra",
    "TTT-NV3": "chanhthanhtra",
    "SXD": "gdsoxaydung",
    "SYT": "gdsoyte",
}
OVERLAP_REASONS = [
    "Kiểm tra đột xuất theo chỉ đạo của Chủ tịch UBND tỉnh do có dấu hiệu vi phạm mới",
    "Phối hợp xác minh vụ ngộ độc thực phẩm theo yêu cầu của Bộ Y tế",
]


# Where the demo province's bodies sit and whom their reports go to (agency settings).
DEMO_PLACE = "Ninh Bình"
# The provincial inspectorates merged into the demo province, and the day.
MERGED_ON = date(2025, 7, 1)
PREDECESSORS = [("HNA", "Hà Nam"), ("NDI", "Nam Định")]
# What each predecessor's cases of its last year have come to (None: wherever they ended).
PREDECESSOR_TARGETS: list[str | None] = ["closed", "closed", "concluded", None]


def _document_settings(kind: str, issuer: str) -> dict[str, Any]:
    """How a demo agency heads and signs its documents (Decree 30/2020/NĐ-CP)."""
    committee = f"Ủy ban nhân dân tỉnh {PROVINCE}"
    if kind == "province_inspectorate":
        return {
            "doc_symbol": issuer,
            "parent_body": f"UBND tỉnh {PROVINCE}",
            "place_name": DEMO_PLACE,
            "head_title": "Chánh Thanh tra",
            "recipients": f"Thanh tra Chính phủ\n{committee}",
            "distribution": "Như trên\nLãnh đạo Thanh tra tỉnh\nLưu: VT, NV1",
        }
    if kind == "department":
        return {
            "doc_symbol": issuer,
            "parent_body": f"UBND tỉnh {PROVINCE}",
            "recipients": f"Thanh tra tỉnh {PROVINCE}",
            "distribution": "Như trên\nLưu: VT",
        }
    return {"doc_symbol": issuer}


class DemoDataRefused(RuntimeError):
    """The database is not empty, so the demo data would mix with real records."""


@dataclass
class _AgencyDraft:
    id: int
    code: str
    name: str
    kind: str
    parent: _AgencyDraft | None
    issuer: str

    @property
    def path(self) -> str:
        return f"{self.parent.path if self.parent else '/'}{self.id}/"

    @property
    def depth(self) -> int:
        return 0 if self.parent is None else self.parent.depth + 1


@dataclass
class _CasePlan:
    agency: _AgencyDraft
    subject_kind: str
    theme: tuple[str, tuple[str, ...]]
    origin: str
    origin_source: str | None
    duration_days: int
    working_days: bool
    lead: int
    members: list[int]
    subject_count: int
    target: str | None
    window: tuple[int, int]
    decided_on: date = date.min
    sub_seed: int = 0
    subjects: list[SubjectRef] = field(default_factory=list)
    override_reason: str = ""
    override_by: int | None = None


async def load_demo(seed: int = 2026, today: date | None = None) -> None:
    """Load the demo province into an empty database (refuses when agencies exist)."""
    await ensure_catalogues()
    if await Agency.count() > 0:
        raise DemoDataRefused(
            "The database already has agencies: demo data is only loaded into an empty "
            "database. Use a fresh database (or DATABASE_URL pointing elsewhere)."
        )
    today = today or clock.today()
    # Every demo user has the same, published password, so one argon2 hash (about 0.2 s, and
    # computed before taking the write lock) serves them all.
    password_hash = hash_password(DEMO_PASSWORD)
    password_hashes = {username: password_hash for username, _, _ in DEMO_USERS}
    async with write_transaction():
        start = {table._meta.tablename: await _max_id(table) for table in TABLES}
        rows = _DemoBuilder(random.Random(seed), today, Sequences(start), password_hashes).build()
        for table in TABLES:
            batch = rows.get(table._meta.tablename, [])
            for i in range(0, len(batch), INSERT_CHUNK):
                await table.insert(*(table(**row) for row in batch[i : i + INSERT_CHUNK]))
        if is_postgres():
            for table in TABLES:
                await _restart_sequence(table)
        # The builder writes names and codes; the numbers of each case's steps and
        # recommendations are added the way the services add them.
        await rebuild_search_texts()


async def demo_logins() -> list[tuple[str, str, str]]:
    """(username, role, agency name) of the demo users, as stored."""
    usernames = [username for username, _, _ in DEMO_USERS]
    rows = await AppUser.select(
        AppUser.username, AppUser.role, AppUser.agency.name.as_alias("agency_name")
    ).where(AppUser.username.is_in(usernames))
    order = {username: i for i, username in enumerate(usernames)}
    rows.sort(key=lambda row: order[row["username"]])
    return [(row["username"], row["role"], row["agency_name"]) for row in rows]


async def _max_id(table: type[Table]) -> int:
    rows = await table.raw(f'SELECT MAX(id) AS last FROM "{table._meta.tablename}"')
    return int(rows[0]["last"] or 0)


async def _restart_sequence(table: type[Table]) -> None:
    # Ids were given explicitly, so the serial sequence must be moved past them.
    name = table._meta.tablename
    await table.raw(
        f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
        f'COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM "{name}"'
    )


class _DemoBuilder:
    """Draws the whole province in memory; rows are dicts keyed by column name."""

    def __init__(
        self, rng: random.Random, today: date, ids: Sequences, password_hashes: dict[str, str]
    ) -> None:
        self.rng = rng
        self.today = today
        self.ids = ids
        self.numbers = Numbering()
        self.password_hashes = password_hashes
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.agencies: dict[str, _AgencyDraft] = {}
        self.users: dict[str, int] = {}
        self.subjects: dict[str, list[SubjectRef]] = defaultdict(list)
        self.plans: dict[tuple[int, int], int] = {}

    def build(self) -> dict[str, list[dict[str, Any]]]:
        self._agencies()
        self._users()
        self._subjects()
        cases = self._case_plans()
        self._sample_dates(cases)
        cases.sort(key=lambda case: (case.decided_on, case.agency.code))
        self._assign_subjects(cases)
        for case in cases:
            self._add_case(case)
        self._predecessors()
        self._approvals()
        if self.today.month >= 10:
            # Next year's plan is being drafted in the last quarter.
            self._add_plan(self.agencies[TOP_CODE], self.today.year + 1, status="draft")
        statuses = {row["status"] for row in self.rows["inspection"]}
        missing = set(STATUSES) - statuses
        if missing:  # pragma: no cover - the forced statuses make this impossible
            raise RuntimeError(f"demo data lacks statuses {sorted(missing)}")
        return self.rows

    def _approvals(self) -> None:
        """Two changes waiting in /approvals for the chief inspector (four-eyes): the lead of
        division 1 asks to write off one recommendation and to reduce another."""
        unit = self.agencies[f"{TOP_CODE}-NV1"].id
        concluded = {
            row["id"]
            for row in self.rows["inspection"]
            if row["agency"] == unit and row["status"] == "concluded"
        }
        open_money = [
            row
            for row in self.rows["measure"]
            if row["inspection"] in concluded
            and row["type"] == "recover_money"
            and row["status"] in ("open", "partial")
            and row["amount_vnd"] >= 2 * max(int(row["done_vnd"]), 1)
        ]
        requester = self.users["truongphong1"]
        asks: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
            (
                "measure_write_off",
                {"status": "written_off", "written_off_reason": names.WRITE_OFF_REQUEST},
                {"changes": {}, "status": "written_off"},
                names.WRITE_OFF_REQUEST,
            ),
            (
                "measure_update",
                {"amount_vnd": None, "reason": names.CORRECTION_REQUEST},
                {"changes": {"amount_vnd": [None, None]}},
                names.CORRECTION_REQUEST,
            ),
        ]
        for measure, (kind, payload, summary, reason) in zip(open_money, asks, strict=False):
            if kind == "measure_update":
                reduced = int(measure["amount_vnd"]) // 10 * 9
                payload = {**payload, "amount_vnd": reduced}
                summary = {"changes": {"amount_vnd": [measure["amount_vnd"], reduced]}}
            self.rows["approval"].append(
                {
                    "id": self.ids.next("approval"),
                    "agency": unit,
                    "inspection": measure["inspection"],
                    "kind": kind,
                    "target_id": measure["id"],
                    "target_version": 1,
                    "payload": json.dumps(payload, ensure_ascii=False),
                    "summary": json.dumps(summary, ensure_ascii=False),
                    "reason": reason,
                    "status": "pending",
                    "requested_by": requester,
                }
            )

    def _predecessors(self) -> None:
        """The inspectorates merged into the province on 1/7/2025, below it and inactive,
        with cases of their last year: the closed ones stay theirs, the others moved to
        the province keeping their names (as agency_mergers.merge does). Drawn from a
        random generator of their own, so the rest of the demo is the same with or
        without them (they are left out until a month after the merger)."""
        since = (self.today - MERGED_ON).days
        if since < 30:
            return
        top = self.agencies[TOP_CODE]
        rng, self.rng = self.rng, random.Random(self.today.toordinal())
        try:
            plans = []
            for code, province in PREDECESSORS:
                agency = self._agency(
                    code, f"Thanh tra tỉnh {province}", "province_inspectorate", top, TOP_ISSUER
                )
                self.rows["agency"][-1].update(
                    active=False,
                    succeeded_by=top.id,
                    succeeded_on=MERGED_ON,
                    parent_body=f"UBND tỉnh {province}",
                    place_name="",
                    recipients=f"Thanh tra Chính phủ\nỦy ban nhân dân tỉnh {province}",
                )
                for target in PREDECESSOR_TARGETS:
                    plans.append(
                        self._case_plan(
                            agency,
                            "state_body",
                            self.rng.choice(names.THEMES_STATE_BODY),
                            45,
                            self.users["truongphong1"],
                            [self.users["thanhtra1"]],
                            target,
                            (since + 20, since + 330),
                        )
                    )
            self._sample_dates(plans)
            plans.sort(key=lambda case: (case.decided_on, case.agency.code))
            self._assign_subjects(plans)
            first = len(self.rows["inspection"])
            for plan in plans:
                self._add_case(plan)
            for row in self.rows["inspection"][first:]:
                if row["status"] not in ("closed", "cancelled"):
                    row["moved_from"], row["agency"] = row["agency"], top.id
        finally:
            self.rng = rng

    # ----------------------------------------------------------------- organisation

    def _agency(
        self, code: str, name: str, kind: str, parent: _AgencyDraft | None, issuer: str
    ) -> _AgencyDraft:
        agency = _AgencyDraft(self.ids.next("agency"), code, name, kind, parent, issuer)
        self.agencies[code] = agency
        created = at(self.today - timedelta(days=800), 8)
        self.rows["agency"].append(
            {
                "id": agency.id,
                "code": code,
                "name": name,
                "kind": kind,
                "parent": parent.id if parent else None,
                "path": agency.path,
                "depth": agency.depth,
                "active": True,
                **_document_settings(kind, issuer),
                "created_at": created,
                "updated_at": created,
            }
        )
        return agency

    def _agencies(self) -> None:
        top = self._agency(
            TOP_CODE, f"Thanh tra tỉnh {PROVINCE}", "province_inspectorate", None, TOP_ISSUER
        )
        for suffix, name in names.INSPECTORATE_DIVISIONS:
            self._agency(f"{TOP_CODE}-{suffix}", name, "division", top, TOP_ISSUER)
        for code, name, issuer, _, units in names.DEPARTMENTS:
            department = self._agency(code, name, "department", top, issuer)
            for unit_code, unit_name, unit_issuer in units:
                self._agency(
                    f"{code}-{unit_code}", unit_name, "sub_department", department, unit_issuer
                )

    def _users(self) -> None:
        for username, role, agency_code in DEMO_USERS:
            user_id = self.ids.next("app_user")
            self.users[username] = user_id
            full_name = names.person_name(self.rng)
            created = at(self.today - timedelta(days=790), 9)
            self.rows["app_user"].append(
                {
                    "id": user_id,
                    "username": username,
                    "full_name": full_name,
                    "email": f"{username}@thanhtra-ninhbinh.example",
                    "password_hash": self.password_hashes[username],
                    "role": role,
                    "agency": self.agencies[agency_code].id,
                    "active": True,
                    "language": "vi",
                    "created_at": created,
                    "updated_at": created,
                }
            )

    # ----------------------------------------------------------------- subjects

    def _subject(
        self, kind: str, name: str, sector: str, tax_code: str | None, address: str
    ) -> None:
        subject_id = self.ids.next("subject")
        self.subjects[kind].append(SubjectRef(subject_id, name, kind))
        created = at(self.today - timedelta(days=780), 9)
        self.rows["subject"].append(
            {
                "id": subject_id,
                "kind": kind,
                "name": name,
                "tax_code": tax_code,
                "address": address,
                "sector": sector,
                "search_text": fold_vietnamese(f"{name} {tax_code or ''}"),
                "created_by_agency": self.agencies[TOP_CODE].id,
                "created_at": created,
                "updated_at": created,
            }
        )

    def _subjects(self) -> None:
        rng = self.rng
        places = [
            (commune, district)
            for district, communes in names.DEMO_COMMUNES.items()
            for commune in communes
        ]
        used_names: set[str] = set()
        used_codes: set[str] = set()

        def address() -> str:
            commune, district = rng.choice(places)
            return names.street_address(rng, commune, district, PROVINCE)

        def fresh_tax_code() -> str:
            while (code := names.tax_code(rng, 7)) in used_codes:
                pass
            used_codes.add(code)
            return code

        for commune, district in rng.sample(places, 12):
            self._subject(
                "state_body",
                f"Ủy ban nhân dân {commune}",
                "Đất đai",
                None,
                f"{commune}, {district}, tỉnh {PROVINCE}",
            )
        for template, sector in names.STATE_BODY_KINDS[2:]:
            name = template.format(
                place=f"tỉnh {PROVINCE}", commune_short="Lam Hạ", commune="phường Lam Hạ"
            )
            if name not in used_names:
                used_names.add(name)
                self._subject("state_body", name, sector, fresh_tax_code(), address())
        while len(self.subjects["enterprise"]) < 34:
            name, sector = names.enterprise_name(rng)
            if name not in used_names:
                used_names.add(name)
                self._subject("enterprise", name, sector, fresh_tax_code(), address())
        for template, sector in names.ORGANIZATION_KINDS[:4]:
            self._subject(
                "organization",
                template.format(province=PROVINCE),
                sector,
                fresh_tax_code(),
                address(),
            )
        for template, sector in names.INDIVIDUAL_TRADES:
            name = template.format(
                name=names.person_name(rng), brand=rng.choice(names.ENTERPRISE_BRANDS)
            )
            code = fresh_tax_code() if name.startswith(("Hộ", "Nhà")) else None
            self._subject("individual", name, sector, code, address())

    # ----------------------------------------------------------------- cases

    def _case_plans(self) -> list[_CasePlan]:
        rng = self.rng
        targets: list[tuple[str | None, tuple[int, int]]] = [
            (status, window) for status, count, window in FORCED_STATUSES for _ in range(count)
        ]
        total = 3 * CASES_PER_DIVISION + 2 * CHECKS_PER_DEPARTMENT
        targets += [(None, NATURAL_WINDOW)] * (total - len(targets))
        rng.shuffle(targets)
        units = [(f"{TOP_CODE}-NV{n}", f"truongphong{n}") for n in (1, 2, 3)]
        teams = {
            "TTT-NV1": ["thanhtra1", "thanhtra2"],
            "TTT-NV2": ["thanhtra3"],
            "TTT-NV3": ["thanhtra4"],
        }
        plans: list[_CasePlan] = []
        for code, lead in units:
            for _ in range(CASES_PER_DIVISION):
                on_enterprise = rng.random() < 0.3
                kind = "enterprise" if on_enterprise else "state_body"
                theme = rng.choice(
                    names.THEMES_ENTERPRISE if on_enterprise else names.THEMES_STATE_BODY
                )
                members = [
                    self.users[u] for u in rng.sample(teams[code], rng.randint(1, len(teams[code])))
                ]
                target, window = targets.pop()
                plans.append(
                    self._case_plan(
                        self.agencies[code],
                        kind,
                        theme,
                        45 if rng.random() < 0.8 else 70,
                        self.users[lead],
                        members,
                        target,
                        window,
                    )
                )
        for code, inspector in (("SXD", "ttvsoxaydung"), ("SYT", "ttvsoyte")):
            for _ in range(CHECKS_PER_DEPARTMENT):
                kind = "individual" if rng.random() < 0.15 else "enterprise"
                theme = rng.choice(names.CHECK_THEMES[code])
                target, window = targets.pop()
                plans.append(
                    self._case_plan(
                        self.agencies[code],
                        kind,
                        theme,
                        30,
                        self.users[inspector],
                        [],
                        target,
                        window,
                    )
                )
        return plans

    def _case_plan(
        self,
        agency: _AgencyDraft,
        subject_kind: str,
        theme: tuple[str, tuple[str, ...]],
        duration: int,
        lead: int,
        members: list[int],
        target: str | None,
        window: tuple[int, int],
    ) -> _CasePlan:
        rng = self.rng
        ad_hoc = rng.random() < 0.3
        source = rng.choices(names.ORIGIN_SOURCES, names.ORIGIN_SOURCE_WEIGHTS)[0]
        return _CasePlan(
            agency=agency,
            subject_kind=subject_kind,
            theme=theme,
            origin="ad_hoc" if ad_hoc else "scheduled",
            origin_source=source if ad_hoc else None,
            duration_days=duration,
            working_days=rng.random() < 0.2,
            lead=lead,
            members=members,
            subject_count=2 if rng.random() < 0.12 else 1,
            target=target,
            window=window,
        )

    def _spec(self, case: _CasePlan, decided_on: date) -> CaseSpec:
        """The spec handed to build_case; subjects are placeholders until assigned."""
        department = case.agency.kind not in ("division", "province_inspectorate")
        new_law = decided_on >= LAW_2025_IN_FORCE
        if department:
            kind = (
                "check"
                if new_law or case.theme[1][0] != "construction"
                else ("specialised_inspection")
            )
        else:
            kind = "inspection" if new_law else "admin_inspection"
        subjects = case.subjects or [SubjectRef(0, "…", case.subject_kind)] * case.subject_count
        target = case.target
        return CaseSpec(
            agency_id=case.agency.id,
            agency_code=case.agency.code,
            issuer=case.agency.issuer,
            kind=kind,
            origin=case.origin,
            plan_id=None,
            decided_on=decided_on,
            duration_days=case.duration_days,
            working_days=case.working_days,
            theme=case.theme,
            subjects=subjects,
            lead_user_id=case.lead,
            member_ids=case.members,
            origin_source=case.origin_source,
            responsible_agency={
                "recover_land": self.agencies["SNNMT"].id,
                "discipline": self.agencies["SNV"].id,
            }
            if not department
            else {},
            suspend_on=self.today - timedelta(days=self._suspension_days_ago(decided_on))
            if target == "suspended"
            else None,
            cancel=target == "cancelled",
            without_decision=target == "draft" and case.subject_kind == "state_body",
        )

    def _suspension_days_ago(self, decided_on: date) -> int:
        # A suspension that began after the announcement (at most ten days after the decision)
        # and a few days ago, so that it is still running today.
        latest = (self.today - decided_on).days - 11
        return max(1, min(12, latest))

    def _sample_dates(self, cases: list[_CasePlan]) -> None:
        """Give each case a decision date and its own seed so that it ends in its target."""
        for case in cases:
            low, high = case.window
            for _ in range(2000):
                decided_on = self.today - timedelta(days=self.rng.randint(low, high))
                sub_seed = self.rng.randrange(2**32)
                if case.target is None or self._reaches(case, decided_on, sub_seed):
                    case.decided_on, case.sub_seed = decided_on, sub_seed
                    break
            else:  # pragma: no cover - the windows are wide enough
                raise RuntimeError(f"no history reaches {case.target} in {case.window}")

    def _reaches(self, case: _CasePlan, decided_on: date, sub_seed: int) -> bool:
        spec = self._spec(case, decided_on)
        if case.target not in ("concluded", "closed"):
            history = preview_history(random.Random(sub_seed), spec, self.today)
            return history.status == case.target
        # Closing depends on the measures: build the whole case on scratch sequences.
        rows = build_case(
            random.Random(sub_seed), spec, self.today, copy.deepcopy(self.ids), Numbering()
        )
        return bool(rows.inspection["status"] == case.target)

    def _assign_subjects(self, cases: list[_CasePlan]) -> None:
        """Pick subjects so that no enterprise is inspected twice a year, except two on purpose."""
        rng = self.rng
        seen: dict[tuple[int, int], _CasePlan] = {}
        overlaps = 0
        for case in cases:
            pool = self.subjects[case.subject_kind]
            year = case.decided_on.year
            taxed = case.subject_kind in ("enterprise", "individual")
            previous = [c for (s, y), c in seen.items() if y == year and c.agency != case.agency]
            if (
                taxed
                and overlaps < 2
                and previous
                and case.subject_count == 1
                and case.target != "draft"
            ):
                # The same enterprise twice in the year; a head overrode the warning.
                first = rng.choice(previous)
                if first.subjects[0].kind == case.subject_kind:
                    case.subjects = [first.subjects[0]]
                    case.override_reason = OVERLAP_REASONS[overlaps]
                    case.override_by = self.users[HEADS[case.agency.code]]
                    overlaps += 1
                    continue
            free = [s for s in pool if not taxed or (s.id, year) not in seen]
            case.subjects = rng.sample(free or pool, case.subject_count)
            for subject in case.subjects:
                if taxed:
                    seen[(subject.id, year)] = case

    def _plan_id(self, case: _CasePlan) -> int | None:
        if case.origin != "scheduled":
            return None
        owner = case.agency.parent if case.agency.kind == "division" else case.agency
        assert owner is not None
        year = case.decided_on.year
        key = (owner.id, year)
        if key not in self.plans:
            self.plans[key] = self._add_plan(owner, year, status="approved")
        return self.plans[key]

    def _add_plan(self, owner: _AgencyDraft, year: int, status: str) -> int:
        plan_id = self.ids.next("plan")
        issued = date(year - 1, 12, self.rng.randint(10, 20))
        if owner.kind == "province_inspectorate":
            # Until the 2025 law the provincial chairman approved the plan.
            issuer = "UBND" if issued < LAW_2025_IN_FORCE else TOP_ISSUER
            title = f"Kế hoạch thanh tra năm {year} của {owner.name}"
        else:
            issuer = owner.issuer
            title = f"Kế hoạch kiểm tra chuyên ngành năm {year} của {owner.name}"
        approved = status == "approved"
        number = self.numbers.next(issuer, issued.year, "QĐ")
        self.rows["plan"].append(
            {
                "id": plan_id,
                "agency": owner.id,
                "year": year,
                "title": title,
                "decision_no": names.document_number(number, "QĐ", issuer) if approved else None,
                "decision_date": issued if approved else None,
                "status": status,
                "note": "" if approved else "Dự thảo, đang lấy ý kiến các đơn vị",
                "created_at": at(issued - timedelta(days=20), 9),
                "updated_at": at(issued, 16),
            }
        )
        return plan_id

    def _add_case(self, case: _CasePlan) -> None:
        spec = self._spec(case, case.decided_on)
        spec.plan_id = self._plan_id(case)
        spec.overlap_override_reason = case.override_reason
        spec.overlap_override_by = case.override_by
        rows = build_case(random.Random(case.sub_seed), spec, self.today, self.ids, self.numbers)
        self._collect(rows)

    def _collect(self, rows: CaseRows) -> None:
        self.rows["inspection"].append(rows.inspection)
        self.rows["inspection_subject"] += rows.subjects
        self.rows["inspection_member"] += rows.members
        self.rows["inspection_extension"] += rows.extensions
        self.rows["inspection_suspension"] += rows.suspensions
        self.rows["inspection_event"] += rows.events
        self.rows["finding"] += rows.findings
        self.rows["measure"] += rows.measures
        self.rows["execution"] += rows.executions
