"""Constraints and indexes that Piccolo's column API cannot express portably.

Hand-written and reviewed. PostgreSQL (production) gets every CHECK, multi-column UNIQUE,
composite index and the trigram indexes behind accent-insensitive search. SQLite (the
embedded default) cannot add a CHECK to an existing table, so there the UNIQUE rules become
unique indexes and the composite indexes are created too; the services validate the same
rules before writing.

The SQL is spelled out here, not imported from application code, so that this migration
means the same thing forever.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T00:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "constraints and indexes"

CHECKS: list[tuple[str, str, str]] = [
    ("app_user", "app_user_role_check", "role IN ('inspector', 'lead', 'head', 'viewer', 'admin')"),
    (
        "subject",
        "subject_kind_check",
        "kind IN ('organization', 'enterprise', 'individual', 'state_body')",
    ),
    ("plan", "plan_status_check", "status IN ('draft', 'approved', 'amended')"),
    ("inspection", "inspection_origin_check", "origin IN ('scheduled', 'ad_hoc')"),
    (
        "inspection",
        "inspection_status_check",
        "status IN ('draft', 'onsite', 'suspended', 'onsite_ended', 'reported', "
        "'concluded', 'closed', 'cancelled')",
    ),
    ("inspection", "inspection_duration_check", "duration_days > 0"),
    ("inspection_extension", "inspection_extension_days_check", "days > 0"),
    ("finding", "finding_amount_check", "amount_vnd >= 0 AND land_m2 >= 0"),
    (
        "measure",
        "measure_type_check",
        "type IN ('recover_money', 'other_financial', 'recover_land', 'admin_fine', "
        "'confiscation', 'discipline', 'criminal_referral', 'policy')",
    ),
    ("measure", "measure_status_check", "status IN ('open', 'partial', 'done', 'written_off')"),
    (
        "measure",
        "measure_non_negative_check",
        "amount_vnd >= 0 AND land_m2 >= 0 AND collectives >= 0 AND individuals >= 0 "
        "AND cases >= 0 AND persons >= 0 AND done_vnd >= 0 AND done_m2 >= 0 "
        "AND done_count >= 0",
    ),
    # The last line of defence against two executions racing past what remains.
    (
        "measure",
        "measure_not_exceeded_check",
        "done_vnd <= amount_vnd AND done_m2 <= land_m2",
    ),
    (
        "execution",
        "execution_non_negative_check",
        "amount_vnd >= 0 AND land_m2 >= 0 AND quantity >= 0",
    ),
    ("report", "report_status_check", "status IN ('queued', 'running', 'done', 'failed')"),
    ("report", "report_progress_check", "progress BETWEEN 0 AND 100"),
    ("agency_totals", "agency_totals_scope_check", "scope IN ('self', 'subtree')"),
]

UNIQUES: list[tuple[str, str, str]] = [
    ("plan", "plan_agency_year_key", '"agency", "year"'),
    ("inspection_subject", "inspection_subject_key", '"inspection", "subject"'),
    ("inspection_member", "inspection_member_key", '"inspection", "user"'),
    ("agency_totals", "agency_totals_key", '"agency", "period", "scope"'),
    ("report", "report_revision_key", '"agency", "period", "revision"'),
    (
        "notification",
        "notification_rung_key",
        '"user", "entity_type", "entity_id", "deadline_type", "rung", "due_on"',
    ),
]

# Composite indexes for the filters of the API and the follow-up board.
INDEXES: list[tuple[str, str, str]] = [
    ("inspection", "inspection_agency_id_idx", '"agency", "id"'),
    ("inspection", "inspection_status_id_idx", '"status", "id"'),
    ("measure", "measure_open_due_idx", '"status", "due_on"'),
    ("measure", "measure_inspection_type_idx", '"inspection", "type"'),
    ("finding", "finding_inspection_subject_idx", '"inspection", "subject"'),
    ("execution", "execution_measure_date_idx", '"measure", "executed_on"'),
    ("audit_event", "audit_event_entity_idx", '"entity_type", "entity_id", "id"'),
    ("attachment", "attachment_entity_idx", '"entity_type", "entity_id"'),
    ("notification", "notification_user_unread_idx", '"user", "read_at", "id"'),
    ("login_attempt", "login_attempt_lookup_idx", '"username", "ip", "at"'),
    ("subject", "subject_tax_code_idx2", '"tax_code", "id"'),
]

POSTGRES_ONLY = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # Subtree filters are `path LIKE '/1/4/%'`: a pattern-ops index makes them index scans.
    'CREATE INDEX IF NOT EXISTS agency_path_pattern_idx ON "agency" ("path" text_pattern_ops)',
    'CREATE INDEX IF NOT EXISTS inspection_search_trgm_idx ON "inspection" '
    'USING gin ("search_text" gin_trgm_ops)',
    'CREATE INDEX IF NOT EXISTS subject_search_trgm_idx ON "subject" '
    'USING gin ("search_text" gin_trgm_ops)',
]


def _is_postgres() -> bool:
    engine = engine_finder()
    return engine is not None and engine.engine_type in ("postgres", "cockroach")


def _forwards_statements(postgres: bool) -> list[str]:
    statements: list[str] = []
    if postgres:
        statements += [
            f'ALTER TABLE "{table}" ADD CONSTRAINT {name} CHECK ({condition})'
            for table, name, condition in CHECKS
        ]
        statements += [
            f'ALTER TABLE "{table}" ADD CONSTRAINT {name} UNIQUE ({columns})'
            for table, name, columns in UNIQUES
        ]
    else:
        statements += [
            f'CREATE UNIQUE INDEX IF NOT EXISTS {name} ON "{table}" ({columns})'
            for table, name, columns in UNIQUES
        ]
    statements += [
        f'CREATE INDEX IF NOT EXISTS {name} ON "{table}" ({columns})'
        for table, name, columns in INDEXES
    ]
    if postgres:
        statements += POSTGRES_ONLY
    return statements


def _backwards_statements(postgres: bool) -> list[str]:
    statements = [f"DROP INDEX IF EXISTS {name}" for _, name, _ in INDEXES]
    if postgres:
        statements += [
            "DROP INDEX IF EXISTS agency_path_pattern_idx",
            "DROP INDEX IF EXISTS inspection_search_trgm_idx",
            "DROP INDEX IF EXISTS subject_search_trgm_idx",
        ]
        statements += [
            f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS {name}'
            for table, name, _ in CHECKS + UNIQUES
        ]
    else:
        statements += [f"DROP INDEX IF EXISTS {name}" for _, name, _ in UNIQUES]
    return statements


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="models", description=DESCRIPTION)

    async def run_forwards():
        engine = engine_finder()
        for statement in _forwards_statements(_is_postgres()):
            await engine.run_ddl(statement)

    async def run_backwards():
        engine = engine_finder()
        for statement in _backwards_statements(_is_postgres()):
            await engine.run_ddl(statement)

    manager.add_raw(run_forwards)
    manager.add_raw_backwards(run_backwards)
    return manager
