"""Bulk data for benchmarks: a national tree of agencies and ten years of cases.

Scales (rows are approximate, see docs/performance.md for measured figures):

    national  ~1,000 agencies, 100,000 subjects, 200,000 inspections, 1,000,000 findings,
              1,500,000 measures, ~1,000,000 executions
    province  a tenth of national (6 provinces)
    tiny      a thousandth of national, for the test suite only

Output is byte-identical for a given scale, seed and anchor date: every value comes from
``random.Random(seed)`` in a fixed order, ids are handed out by the generator, and timestamps
are derived from the generated dates, never from the clock.

Loading: on PostgreSQL, ``COPY`` through asyncpg's ``copy_records_to_table`` in one
transaction, in chunks of at most about 50,000 rows streamed from the generator, while a worker
thread already draws the next chunk. Every index and constraint stays in place (checked while
loading). On SQLite, ``executemany`` inserts; national scale is refused there.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import itemgetter
from typing import Any, Protocol

from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from inspect_app.db import engine, refresh_statistics
from inspect_app.domain.text import fold_vietnamese
from inspect_app.security import hash_password
from inspect_app.seed import names
from inspect_app.seed.cases import CaseRows, CaseSpec, Numbering, Sequences, SubjectRef, at
from inspect_app.seed.cases import build_case as build_case_rows
from inspect_app.seed.demo import DEMO_PASSWORD
from inspect_app.services.catalogues import LAW_2025_IN_FORCE, ensure_catalogues
from models.tables import ALL_TABLES, Agency

ANCHOR = date(2026, 11, 15)  # "today" of the generated data, fixed so that runs are identical
YEARS = 10
CHUNK_ROWS = 50_000  # the most rows of one table held in memory and sent in one COPY


@dataclass(frozen=True)
class BulkScale:
    """How big the generated country is."""

    provinces: int
    districts_per_province: int
    subjects: int
    inspections: int
    findings_mean: float  # tuned so that findings come to about five per inspection


SCALES: dict[str, BulkScale] = {
    "national": BulkScale(63, 5, 100_000, 200_000, 5.4),
    "province": BulkScale(6, 5, 10_000, 20_000, 5.4),
    "tiny": BulkScale(1, 2, 100, 200, 5.4),  # tests only: not offered by the CLI
}

# Columns sent for each table, in the order of the generated tuples. Columns left out take
# their database default (deleted_at NULL, version 1).
COLUMNS: dict[str, tuple[str, ...]] = {
    "agency": (
        "id",
        "code",
        "name",
        "kind",
        "parent",
        "path",
        "depth",
        "active",
        "created_at",
        "updated_at",
    ),
    "app_user": (
        "id",
        "username",
        "full_name",
        "email",
        "password_hash",
        "role",
        "agency",
        "active",
        "language",
        "created_at",
        "updated_at",
    ),
    "subject": (
        "id",
        "kind",
        "name",
        "tax_code",
        "address",
        "sector",
        "search_text",
        "created_by_agency",
        "created_at",
        "updated_at",
    ),
    "plan": (
        "id",
        "agency",
        "year",
        "title",
        "decision_no",
        "decision_date",
        "status",
        "note",
        "created_at",
        "updated_at",
    ),
    "inspection": (
        "id",
        "code",
        "agency",
        "plan",
        "origin",
        "origin_source",
        "origin_ref",
        "kind",
        "title",
        "scope",
        "period_from",
        "period_to",
        "lead_user",
        "decision_no",
        "decision_date",
        "duration_days",
        "working_days",
        "announced_on",
        "onsite_ended_on",
        "report_on",
        "conclusion_no",
        "concluded_on",
        "published_on",
        "directive_on",
        "closed_on",
        "cancelled_on",
        "cancel_reason",
        "status",
        "onsite_due",
        "report_due",
        "conclusion_due",
        "publication_due",
        "directive_due",
        "overlap_override_reason",
        "overlap_override_by",
        "search_text",
        "created_by",
        "created_at",
        "updated_at",
    ),
    "inspection_subject": ("id", "inspection", "subject"),
    "inspection_member": ("id", "inspection", "user", "role"),
    "inspection_extension": ("id", "inspection", "days", "decision_no", "decided_on", "note"),
    "inspection_suspension": ("id", "inspection", "start_on", "end_on", "decision_no", "reason"),
    "inspection_event": (
        "id",
        "inspection",
        "type",
        "date",
        "document_no",
        "payload",
        "user",
        "created_at",
    ),
    "finding": (
        "id",
        "inspection",
        "subject",
        "category",
        "description",
        "legal_basis",
        "amount_vnd",
        "land_m2",
        "created_at",
        "updated_at",
    ),
    "measure": (
        "id",
        "inspection",
        "finding",
        "type",
        "description",
        "amount_vnd",
        "land_m2",
        "collectives",
        "individuals",
        "cases",
        "persons",
        "decision_no",
        "decision_date",
        "responsible",
        "responsible_agency",
        "due_on",
        "status",
        "done_vnd",
        "done_m2",
        "done_count",
        "written_off_reason",
        "completed_on",
        "created_at",
        "updated_at",
    ),
    "execution": (
        "id",
        "measure",
        "executed_on",
        "amount_vnd",
        "land_m2",
        "quantity",
        "document_no",
        "note",
        "created_by",
        "created_at",
    ),
}
# Children of an inspection, in an order that respects the foreign keys.
CASE_TABLES = (
    "inspection",
    "inspection_subject",
    "inspection_member",
    "inspection_extension",
    "inspection_suspension",
    "inspection_event",
    "finding",
    "measure",
    "execution",
)
_AS_TUPLE = {table: itemgetter(*columns) for table, columns in COLUMNS.items()}

Row = tuple[Any, ...]
Chunk = dict[str, list[Row]]


class BulkRefused(RuntimeError):
    """Generation cannot run here: the database is not empty, or the scale is too big for it."""


# --------------------------------------------------------------------------- the country


@dataclass
class _Unit:
    """An agency that runs cases, with the people who work there."""

    id: int
    code: str
    kind: str  # province_inspectorate | division | department | sub_department | district | other
    issuer: str
    plan_owner: int  # the agency whose annual plan lists its cases
    scope: str  # numbering scope: the province code, or "TW" for the Government Inspectorate
    check_themes: str  # key of names.CHECK_THEMES for departments
    users: list[int] = field(default_factory=list)
    province: _Province | None = None


@dataclass
class _Province:
    index: int
    code: str
    name: str
    inspectorate_id: int
    head_user: int = 0
    divisions: list[_Unit] = field(default_factory=list)
    departments: list[_Unit] = field(default_factory=list)
    districts: list[_Unit] = field(default_factory=list)
    # First and last subject id of each kind; kinds are contiguous blocks per province.
    subjects: dict[str, tuple[int, int]] = field(default_factory=dict)
    inspectors: list[int] = field(default_factory=list)


@dataclass
class _Country:
    agencies: list[dict[str, Any]] = field(default_factory=list)
    users: list[dict[str, Any]] = field(default_factory=list)
    provinces: list[_Province] = field(default_factory=list)
    central: list[_Unit] = field(default_factory=list)
    units: list[_Unit] = field(default_factory=list)


SUBJECT_KIND_SHARES = (
    ("state_body", 0.25),
    ("enterprise", 0.65),
    ("organization", 0.04),
    ("individual", 0.06),
)
CENTRAL_UNITS = [
    ("TTCP-KV1", "Cục Thanh tra khu vực 1"),
    ("TTCP-KV2", "Cục Thanh tra khu vực 2"),
    ("TTCP-KV3", "Cục Thanh tra khu vực 3"),
    ("TTCP-PCTN", "Cục Phòng, chống tham nhũng, tiêu cực"),
]
PROVINCE_DEPARTMENTS = ("STC", "SXD", "SNNMT", "SYT", "SCT", "SNV")
PROVINCE_SUB_UNITS = {"SYT": "CCATVSTP", "SCT": "QLTT"}


class _Generator:
    """Draws the country, its subjects and its cases from one seeded random stream."""

    def __init__(self, scale: BulkScale, seed: int, today: date, password_hash: str) -> None:
        self.scale = scale
        self.rng = random.Random(seed)
        self.today = today
        self.ids = Sequences()
        self.numbers = Numbering()
        self.password_hash = password_hash
        self.country = _Country()
        self.subject_names: list[str] = [""]  # by id; index 0 unused
        self.subject_kinds: list[str] = [""]
        self.plans: dict[tuple[int, int], int] = {}
        self.inspected: set[tuple[int, int]] = set()  # (subject, year) of taxed subjects
        self.first_day = today - timedelta(days=365 * YEARS)
        self.created = at(self.first_day - timedelta(days=30), 8)

    # ----------------------------------------------------------------- agencies and users

    def _agency(
        self, code: str, name: str, kind: str, parent: dict[str, Any] | None, active: bool = True
    ) -> dict[str, Any]:
        agency_id = self.ids.next("agency")
        path = f"{parent['path'] if parent else '/'}{agency_id}/"
        row = {
            "id": agency_id,
            "code": code,
            "name": name,
            "kind": kind,
            "parent": parent["id"] if parent else None,
            "path": path,
            "depth": path.count("/") - 2,
            "active": active,
            "created_at": self.created,
            "updated_at": self.created,
        }
        self.country.agencies.append(row)
        return row

    def _user(self, username: str, role: str, agency_id: int, active: bool = True) -> int:
        user_id = self.ids.next("app_user")
        self.country.users.append(
            {
                "id": user_id,
                "username": username,
                "full_name": names.person_name(self.rng),
                "email": f"{username}@thanhtra.example",
                "password_hash": self.password_hash,
                "role": role,
                "agency": agency_id,
                "active": active,
                "language": "vi",
                "created_at": self.created,
                "updated_at": self.created,
            }
        )
        return user_id

    def _unit(
        self, row: dict[str, Any], issuer: str, plan_owner: int, scope: str, check_themes: str = "*"
    ) -> _Unit:
        unit = _Unit(row["id"], row["code"], row["kind"], issuer, plan_owner, scope, check_themes)
        self.country.units.append(unit)
        return unit

    def build_country(self) -> _Country:
        """The agency tree and its users: the Government Inspectorate, then every province."""
        country = self.country
        root = self._agency("TTCP", "Thanh tra Chính phủ", "other", None)
        self._user("ttcp.admin", "admin", root["id"])
        self._user("ttcp.tongthanhtra", "head", root["id"])
        for code, name in CENTRAL_UNITS:
            unit = self._unit(self._agency(code, name, "division", root), "TTCP", root["id"], "TW")
            login = code.lower().replace("ttcp-", "ttcp.")
            unit.users = [
                self._user(f"{login}.truongdoan", "lead", unit.id),
                self._user(f"{login}.thanhtra", "inspector", unit.id),
            ]
            country.central.append(unit)
        for index in range(1, self.scale.provinces + 1):
            country.provinces.append(self._province(index, root))
        return country

    def _province(self, index: int, root: dict[str, Any]) -> _Province:
        province_name = names.PROVINCES[(index - 1) % len(names.PROVINCES)]
        label = names.province_label(province_name)
        code = f"T{index:02d}"
        login = code.lower()
        top = self._agency(code, f"Thanh tra {label}", "province_inspectorate", root)
        province = _Province(index, code, province_name, top["id"])
        self._user(f"{login}.admin", "admin", top["id"])
        province.head_user = self._user(f"{login}.chanhthanhtra", "head", top["id"])
        self._user(f"{login}.lanhdao", "viewer", top["id"])
        for n, (suffix, name) in enumerate(names.INSPECTORATE_DIVISIONS[:3], start=1):
            row = self._agency(f"{code}-{suffix}", name, "division", top)
            unit = self._unit(row, "TTr", top["id"], code)
            unit.users = [
                self._user(f"{login}.truongphong{n}", "lead", unit.id),
                self._user(f"{login}.thanhtra{n}", "inspector", unit.id),
            ]
            province.inspectors.append(unit.users[1])
            province.divisions.append(unit)
        departments = {d[0]: d for d in names.DEPARTMENTS}
        for dept_code in PROVINCE_DEPARTMENTS:
            _, name, issuer, _, sub_units = departments[dept_code]
            row = self._agency(f"{code}-{dept_code}", f"{name} {label}", "department", top)
            unit = self._unit(row, issuer, row["id"], code, dept_code)
            unit.users = [self._user(f"{login}.{dept_code.lower()}", "lead", unit.id)]
            province.departments.append(unit)
            wanted = PROVINCE_SUB_UNITS.get(dept_code)
            for sub_code, sub_name, sub_issuer in sub_units:
                if sub_code != wanted:
                    continue
                sub_row = self._agency(
                    f"{code}-{sub_code}", f"{sub_name} {label}", "sub_department", row
                )
                sub = self._unit(sub_row, sub_issuer, sub_row["id"], code, sub_code)
                sub.users = [self._user(f"{login}.{sub_code.lower()}", "lead", sub.id)]
                province.departments.append(sub)
        district_names = self.rng.sample(names.DISTRICT_NAMES, self.scale.districts_per_province)
        for n, district in enumerate(district_names, start=1):
            # District inspectorates were abolished on 1 July 2025; their records remain.
            row = self._agency(
                f"{code}-H{n:02d}", f"Thanh tra huyện {district}", "district", top, active=False
            )
            unit = self._unit(row, "TTrH", row["id"], f"{code}H{n}")
            unit.users = [self._user(f"{login}.huyen{n}", "lead", unit.id, active=False)]
            province.districts.append(unit)
        for unit in province.divisions + province.departments + province.districts:
            unit.province = province
        return province

    # ----------------------------------------------------------------- subjects

    def subject_rows(self) -> Iterator[dict[str, Any]]:
        """Subjects province by province, each province's kinds in contiguous id blocks."""
        provinces = self.country.provinces
        per_province = max(len(SUBJECT_KIND_SHARES), self.scale.subjects // len(provinces))
        for province in provinces:
            for kind, share in SUBJECT_KIND_SHARES:
                count = max(1, round(per_province * share))
                first = self.ids.last("subject") + 1
                for k in range(count):
                    yield self._subject(province, kind, first + k)
                province.subjects[kind] = (first, self.ids.last("subject"))

    def _subject(self, province: _Province, kind: str, expected_id: int) -> dict[str, Any]:
        rng = self.rng
        subject_id = self.ids.next("subject")
        assert subject_id == expected_id
        place = rng.choice(names.DISTRICT_NAMES)
        commune = f"xã {rng.choice(names.COMMUNE_NAMES)}"
        district = f"huyện {place}"
        tax_code: str | None = None
        if kind == "enterprise":
            name, sector = names.enterprise_name(rng)
            name = f"{name} {place}" if rng.random() < 0.5 else name
        elif kind == "state_body":
            template, sector = rng.choice(names.STATE_BODY_KINDS)
            name = template.format(
                commune=f"{commune}, {district}", place=district, commune_short=commune[3:]
            )
        elif kind == "organization":
            template, sector = rng.choice(names.ORGANIZATION_KINDS)
            name = template.format(province=province.name)
        else:
            template, sector = rng.choice(names.INDIVIDUAL_TRADES)
            name = template.format(
                name=names.person_name(rng), brand=rng.choice(names.ENTERPRISE_BRANDS)
            )
        if kind != "state_body" and not name.startswith(("Ông", "Bà")):
            # Unique by construction: province prefix, then the id scrambled by a number prime
            # to 10^8 (no two ids below 10^8 give the same eight digits).
            tax_code = f"{province.index:02d}{(subject_id * 48271 + 12345) % 10**8:08d}"
        self.subject_names.append(name)
        self.subject_kinds.append(kind)
        address = names.street_address(rng, commune, district, province.name)
        return {
            "id": subject_id,
            "kind": kind,
            "name": name,
            "tax_code": tax_code,
            "address": address,
            "sector": sector,
            "search_text": fold_vietnamese(f"{name} {tax_code or ''}"),
            "created_by_agency": province.inspectorate_id,
            "created_at": self.created,
            "updated_at": self.created,
        }

    # ----------------------------------------------------------------- plans

    def plan_rows(self) -> Iterator[dict[str, Any]]:
        """One approved plan per agency that runs cases and year it existed in."""
        owners: dict[int, _Unit] = {}
        for unit in self.country.units:
            owners.setdefault(unit.plan_owner, unit)
        for year in range(self.first_day.year, self.today.year + 1):
            for owner_id, unit in owners.items():
                if unit.kind == "district" and year > LAW_2025_IN_FORCE.year:
                    continue
                issued = date(year - 1, 12, self.rng.randint(10, 20))
                division = unit.kind == "division"
                issuer = unit.issuer
                if division and unit.scope != "TW":
                    issuer = "UBND" if issued < LAW_2025_IN_FORCE else "TTr"
                number = self.numbers.next(unit.scope + issuer, issued.year, "QĐ")
                plan_id = self.ids.next("plan")
                self.plans[(owner_id, year)] = plan_id
                yield {
                    "id": plan_id,
                    "agency": owner_id,
                    "year": year,
                    "title": f"Kế hoạch thanh tra, kiểm tra năm {year}",
                    "decision_no": names.document_number(number, "QĐ", issuer),
                    "decision_date": issued,
                    "status": "approved",
                    "note": "",
                    "created_at": at(issued - timedelta(days=20), 9),
                    "updated_at": at(issued, 16),
                }

    # ----------------------------------------------------------------- cases

    def case_chunk(self, count: int) -> Chunk:
        """The next ``count`` cases with every child row, as tuples per table."""
        chunk: dict[str, list[Row]] = {table: [] for table in CASE_TABLES}
        for _ in range(count):
            rows = self._case()
            chunk["inspection"].append(_AS_TUPLE["inspection"](rows.inspection))
            for table, items in (
                ("inspection_subject", rows.subjects),
                ("inspection_member", rows.members),
                ("inspection_extension", rows.extensions),
                ("inspection_suspension", rows.suspensions),
                ("inspection_event", rows.events),
                ("finding", rows.findings),
                ("measure", rows.measures),
                ("execution", rows.executions),
            ):
                if items:
                    as_tuple = _AS_TUPLE[table]
                    chunk[table] += [as_tuple(item) for item in items]
        return chunk

    def _case(self) -> CaseRows:
        rng = self.rng
        decided_on = self.today - timedelta(days=rng.randint(1, 365 * YEARS - 1))
        new_law = decided_on >= LAW_2025_IN_FORCE
        province = rng.choice(self.country.provinces)
        r = rng.random()
        if r < 0.02:
            unit = rng.choice(self.country.central)
        elif r < 0.47 or (r >= 0.82 and new_law):
            unit = rng.choice(province.divisions)
        elif r < 0.82:
            unit = rng.choice(province.departments)
        else:
            unit = rng.choice(province.districts)
        subject_province = unit.province or province
        if unit.kind == "department" or unit.kind == "sub_department":
            kind = "check" if new_law or rng.random() < 0.5 else "specialised_inspection"
            theme = rng.choice(names.CHECK_THEMES.get(unit.check_themes, names.CHECK_THEMES["*"]))
            subject_kind = "individual" if rng.random() < 0.12 else "enterprise"
            duration = 30
        else:
            kind = "inspection" if new_law else "admin_inspection"
            on_enterprise = unit.kind != "district" and rng.random() < 0.3
            subject_kind = "enterprise" if on_enterprise else "state_body"
            theme = rng.choice(
                names.THEMES_ENTERPRISE if on_enterprise else names.THEMES_STATE_BODY
            )
            if unit.kind == "district":
                duration = 45 if rng.random() < 0.1 else 30  # remote areas get 45
            else:
                duration = 70 if rng.random() < 0.15 else 45  # complex cases get 70
        how_many = 1 if rng.random() < 0.85 else rng.choice((2, 2, 3))
        subjects, override = self._pick_subjects(
            subject_province, subject_kind, how_many, decided_on.year
        )
        ad_hoc = rng.random() < 0.3
        lead = unit.users[0]
        members = rng.sample(unit.users, rng.randint(1, len(unit.users)))
        if unit.province is not None and rng.random() < 0.3:
            members.append(rng.choice(unit.province.inspectors))
        spec = CaseSpec(
            agency_id=unit.id,
            agency_code=unit.code,
            issuer=unit.issuer,
            kind=kind,
            origin="ad_hoc" if ad_hoc else "scheduled",
            plan_id=None if ad_hoc else self.plans.get((unit.plan_owner, decided_on.year)),
            decided_on=decided_on,
            duration_days=duration,
            working_days=rng.random() < 0.2,
            theme=theme,
            subjects=subjects,
            lead_user_id=lead,
            member_ids=members,
            origin_source=rng.choices(names.ORIGIN_SOURCES, names.ORIGIN_SOURCE_WEIGHTS)[0]
            if ad_hoc
            else None,
            overlap_override_reason=override,
            overlap_override_by=subject_province.head_user if override else None,
            findings_mean=self.scale.findings_mean,
            numbering_scope=unit.scope,
        )
        return build_case_rows(rng, spec, self.today, self.ids, self.numbers)

    def _pick_subjects(
        self, province: _Province, kind: str, count: int, year: int
    ) -> tuple[list[SubjectRef], str]:
        """Distinct subjects; enterprises avoid a second case in a year unless a head overrode."""
        rng = self.rng
        first, last = province.subjects[kind]
        taxed = kind in ("enterprise", "individual")
        chosen: dict[int, None] = {}
        override = ""
        for _ in range(count):
            subject_id = rng.randint(first, last)
            if taxed:
                for _attempt in range(3):
                    if (subject_id, year) not in self.inspected:
                        break
                    subject_id = rng.randint(first, last)
                else:
                    override = "Kiểm tra đột xuất theo chỉ đạo của cấp có thẩm quyền"
                self.inspected.add((subject_id, year))
            chosen[subject_id] = None
        return [
            SubjectRef(s, self.subject_names[s], self.subject_kinds[s]) for s in chosen
        ], override


# --------------------------------------------------------------------------- loaders


class _Loader(Protocol):
    async def load(self, table: str, rows: Sequence[Row]) -> None: ...

    async def rebuild_indexes(self) -> int: ...

    async def restore_foreign_keys(self) -> int: ...

    async def finish(self, last_ids: dict[str, int]) -> None: ...

    async def rollback(self) -> None: ...


# Plain secondary indexes of the loaded tables: not the ones behind a primary key or a UNIQUE
# constraint, which must check the rows as they arrive.
SECONDARY_INDEXES_SQL = """
SELECT i.indexname, i.indexdef
FROM pg_indexes i
JOIN pg_class c ON c.relname = i.indexname AND c.relkind = 'i'
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = i.schemaname
WHERE i.schemaname = current_schema()
  AND i.tablename = ANY($1::text[])
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)
ORDER BY i.tablename, i.indexname
"""


# Foreign keys of the loaded tables, with their exact definitions.
FOREIGN_KEYS_SQL = """
SELECT t.relname AS tablename, k.conname, pg_get_constraintdef(k.oid) AS definition
FROM pg_constraint k
JOIN pg_class t ON t.oid = k.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE k.contype = 'f' AND n.nspname = current_schema() AND t.relname = ANY($1::text[])
ORDER BY t.relname, k.conname
"""


class _PostgresLoader:
    """COPY into PostgreSQL through one raw asyncpg connection, in one transaction.

    Maintaining a dozen secondary indexes row by row (the trigram ones above all) costs more
    than building them once from the loaded rows, so they are dropped inside the transaction
    and recreated from their exact definitions before it commits; the definitions are
    compared afterwards. Foreign keys are handled the same way: checked row by row they cost
    a look-up and a row lock on the parent per reference (a measure has three), so they are
    dropped and added again from their definitions before the commit, which checks every
    loaded row against its parent in one join per key; a row without its parent fails the
    load and the transaction rolls back, as it did row by row. Primary keys, UNIQUE and CHECK
    constraints stay and check every row as it arrives.
    """

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.transaction = connection.transaction()
        self.indexes: list[tuple[str, str]] = []
        self.foreign_keys: list[tuple[str, str, str]] = []

    @classmethod
    async def open(cls, dsn: str) -> _PostgresLoader:
        import asyncpg

        connection = await asyncpg.connect(dsn=dsn)
        loader = cls(connection)
        await loader.transaction.start()
        # Session settings only: memory for sorting while the indexes are rebuilt.
        await connection.execute("SET LOCAL maintenance_work_mem = '512MB'")
        rows = await connection.fetch(SECONDARY_INDEXES_SQL, list(COLUMNS))
        loader.indexes = [(row["indexname"], row["indexdef"]) for row in rows]
        for name, _ in loader.indexes:
            await connection.execute(f'DROP INDEX "{name}"')
        loader.foreign_keys = await loader._foreign_keys()
        for table, name, _ in loader.foreign_keys:
            await connection.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        return loader

    async def _foreign_keys(self) -> list[tuple[str, str, str]]:
        rows = await self.connection.fetch(FOREIGN_KEYS_SQL, list(COLUMNS))
        return [(row["tablename"], row["conname"], row["definition"]) for row in rows]

    async def restore_foreign_keys(self) -> int:
        """Add the dropped foreign keys again, each checking every row; how many."""
        by_table: dict[str, list[str]] = {}
        for table, name, definition in self.foreign_keys:
            by_table.setdefault(table, []).append(f'ADD CONSTRAINT "{name}" {definition}')
        for table, clauses in by_table.items():
            await self.connection.execute(f'ALTER TABLE "{table}" ' + ", ".join(clauses))
        if await self._foreign_keys() != self.foreign_keys:
            raise RuntimeError("The foreign keys differ from those before loading.")
        return len(self.foreign_keys)

    async def rebuild_indexes(self) -> int:
        """Recreate the dropped indexes exactly as they were; how many."""
        for _, definition in self.indexes:
            await self.connection.execute(definition)
        rows = await self.connection.fetch(SECONDARY_INDEXES_SQL, list(COLUMNS))
        if [(row["indexname"], row["indexdef"]) for row in rows] != self.indexes:
            raise RuntimeError("The secondary indexes differ from those before loading.")
        return len(self.indexes)

    async def load(self, table: str, rows: Sequence[Row]) -> None:
        await self.connection.copy_records_to_table(table, records=rows, columns=COLUMNS[table])

    async def finish(self, last_ids: dict[str, int]) -> None:
        for table in last_ids:
            # Ids were given explicitly: move each serial sequence past them.
            await self.connection.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM "{table}"'
            )
        await self.transaction.commit()
        await self.connection.close()

    async def rollback(self) -> None:
        await self.transaction.rollback()
        await self.connection.close()


class _SQLiteLoader:
    """executemany inserts into SQLite on one connection, in one IMMEDIATE transaction."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    @classmethod
    async def open(cls, eng: SQLiteEngine) -> _SQLiteLoader:
        import aiosqlite

        # Piccolo's module registers the date, datetime and Decimal adapters used here too.
        connection = await aiosqlite.connect(eng.path, timeout=30, isolation_level=None)
        await connection.execute("PRAGMA foreign_keys = 1")
        await connection.execute("BEGIN IMMEDIATE")
        return cls(connection)

    async def load(self, table: str, rows: Sequence[Row]) -> None:
        columns = COLUMNS[table]
        quoted = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        await self.connection.executemany(
            f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', rows
        )

    async def rebuild_indexes(self) -> int:
        """None to rebuild: SQLite keeps its indexes during the load."""
        return 0

    async def restore_foreign_keys(self) -> int:
        """None to restore: SQLite checks its foreign keys row by row during the load."""
        return 0

    async def finish(self, last_ids: dict[str, int]) -> None:
        await self.connection.execute("COMMIT")
        await self.connection.close()

    async def rollback(self) -> None:
        await self.connection.execute("ROLLBACK")
        await self.connection.close()


# --------------------------------------------------------------------------- driver


class _Progress:
    """Rows and seconds spent loading, per table, printed as it goes."""

    def __init__(self, echo: Callable[[str], None]) -> None:
        self.echo = echo
        self.started = time.perf_counter()
        self.rows: Counter[str] = Counter()
        self.seconds: dict[str, float] = defaultdict(float)

    def add(self, table: str, rows: int, seconds: float) -> None:
        self.rows[table] += rows
        self.seconds[table] += seconds

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def line(self, text: str) -> None:
        self.echo(f"[{self.elapsed():7.1f}s] {text}")

    def summary(self) -> None:
        self.echo(f"{'table':<24}{'rows':>12}{'load s':>10}")
        for table, seconds in self.seconds.items():
            self.echo(f"{table:<24}{self.rows[table]:>12,}{seconds:>10.1f}")
        self.echo(f"{'total':<24}{sum(self.rows.values()):>12,}{self.elapsed():>10.1f}")


def _print(line: str) -> None:
    print(line, flush=True)


async def generate(
    scale: str, seed: int, today: date = ANCHOR, echo: Callable[[str], None] = _print
) -> None:
    """Generate a country of agencies and ten years of cases, bulk-loaded into the database."""
    if scale not in SCALES:
        raise BulkRefused(f"Unknown scale {scale!r}: choose one of {', '.join(SCALES)}.")
    size = SCALES[scale]
    eng = engine()
    await ensure_catalogues()
    if await Agency.count() > 0:
        raise BulkRefused(
            "The database already has agencies: bulk data is only generated into "
            "an empty database (create a fresh one and run migrate first)."
        )
    if isinstance(eng, SQLiteEngine) and scale == "national":
        raise BulkRefused(
            "National scale needs PostgreSQL (DATABASE_URL=postgresql://...); "
            "on SQLite use --scale province."
        )
    _check_columns()
    loader: _Loader
    if isinstance(eng, PostgresEngine):
        loader = await _PostgresLoader.open(eng.config["dsn"])
    else:
        assert isinstance(eng, SQLiteEngine)
        loader = await _SQLiteLoader.open(eng)
    progress = _Progress(echo)
    progress.line(f"generating scale={scale} seed={seed} today={today:%d/%m/%Y}")
    generator = _Generator(size, seed, today, hash_password(DEMO_PASSWORD))
    try:
        await _load_all(generator, loader, progress)
        started = time.perf_counter()
        if rebuilt := await loader.rebuild_indexes():
            progress.add("(secondary indexes)", 0, time.perf_counter() - started)
            progress.line(f"{rebuilt} secondary indexes rebuilt")
        started = time.perf_counter()
        if restored := await loader.restore_foreign_keys():
            progress.add("(foreign keys)", 0, time.perf_counter() - started)
            progress.line(f"{restored} foreign keys checked and restored")
        started = time.perf_counter()
        await loader.finish({table: generator.ids.last(table) for table in COLUMNS})
    except BaseException:
        await loader.rollback()
        raise
    # Fresh statistics, so that the first queries get sensible plans, and the visibility map
    # set: rows written by COPY are not yet marked all-visible, so until autovacuum comes by
    # every index-only scan (the lists, the board's counts) would still read the table's
    # pages. The same step as after an import (db.refresh_statistics), after the commit.
    await refresh_statistics(COLUMNS)
    progress.add("(commit, analyze)", 0, time.perf_counter() - started)
    progress.line("done")
    progress.summary()


async def _load_all(generator: _Generator, loader: _Loader, progress: _Progress) -> None:
    async def send(table: str, rows: Sequence[Row]) -> None:
        if not rows:
            return
        started = time.perf_counter()
        await loader.load(table, rows)
        progress.add(table, len(rows), time.perf_counter() - started)

    country = generator.build_country()
    await send("agency", [_AS_TUPLE["agency"](row) for row in country.agencies])
    await send("app_user", [_AS_TUPLE["app_user"](row) for row in country.users])
    progress.line(f"agencies {len(country.agencies):,}, users {len(country.users):,}")
    for table, rows in (("subject", generator.subject_rows()), ("plan", generator.plan_rows())):
        for batch in _batched((_AS_TUPLE[table](row) for row in rows), CHUNK_ROWS):
            await send(table, batch)
        progress.line(f"{table} {progress.rows[table]:,}")

    # About seven and a half measures per case: this many cases keep every chunk near 50k rows.
    cases_per_chunk = 5_000
    total = generator.scale.inspections
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed") as pool:
        # Draw chunk k+1 in a worker thread while chunk k is being copied: the database works
        # on the other core meanwhile. Chunks are drawn one after the other, in order, so the
        # output does not depend on timing.
        done = 0
        pending: asyncio.Future[Chunk] | None = loop.run_in_executor(
            pool, generator.case_chunk, min(cases_per_chunk, total)
        )
        while pending is not None:
            chunk = await pending
            done += len(chunk["inspection"])
            left = total - done
            pending = (
                loop.run_in_executor(pool, generator.case_chunk, min(cases_per_chunk, left))
                if left > 0
                else None
            )
            for table in CASE_TABLES:
                await send(table, chunk[table])
            progress.line(f"cases {done:,}/{total:,}")


def _batched(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _check_columns() -> None:
    """Fail early, naming the column, if the model and the generator disagree."""
    tables = {table._meta.tablename: table for table in ALL_TABLES}
    for name, columns in COLUMNS.items():
        known = {c._meta.db_column_name for c in tables[name]._meta.columns}
        unknown = [c for c in columns if c not in known]
        if unknown:
            raise RuntimeError(f"The generator writes {name}.{unknown[0]}, which the model lacks.")
