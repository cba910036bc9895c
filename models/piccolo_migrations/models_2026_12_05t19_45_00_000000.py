"""The rules of corrections without erasing and of four-eyes approvals.

Hand-written and reviewed.

- An execution either records what was done (every amount >= 0, ``reverses`` empty) or
  cancels one earlier entry (``reverses`` names it, every amount <= 0). A UNIQUE index on
  ``reverses`` lets an entry be cancelled once; on PostgreSQL a foreign key ties it to the
  entry it cancels, and the old all-non-negative CHECK becomes the two-sided one.
- One pending approval per kind and target: a partial UNIQUE index, so two people asking at
  the same moment give one request, whatever the race. Approvals of a case are listed by
  (inspection, status). On PostgreSQL the kind and status are CHECKed; SQLite cannot add a
  CHECK to an existing table, and the services validate the same values before writing.

The SQL is spelled out here, not imported from application code, so that this migration
means the same thing forever.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-05T19:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "execution reversals and approval rules"

FORWARDS_BOTH = [
    "CREATE UNIQUE INDEX IF NOT EXISTS execution_reverses_key "
    'ON "execution" ("reverses") WHERE reverses IS NOT NULL',
    'CREATE INDEX IF NOT EXISTS approval_inspection_status_idx ON "approval" '
    '("inspection", "status")',
]
FORWARDS_SQLITE = [
    "CREATE UNIQUE INDEX IF NOT EXISTS approval_pending_key "
    """ON "approval" ("kind", "target_id") WHERE status = 'pending'""",
]
FORWARDS_POSTGRES = [
    # Written as PostgreSQL prints it back (pg_indexes), which the bulk loader compares.
    "CREATE UNIQUE INDEX IF NOT EXISTS approval_pending_key "
    """ON "approval" ("kind", "target_id") WHERE ((status)::text = 'pending'::text)""",
    'ALTER TABLE "execution" DROP CONSTRAINT IF EXISTS execution_non_negative_check',
    'ALTER TABLE "execution" ADD CONSTRAINT execution_sign_check CHECK ('
    "(reverses IS NULL AND amount_vnd >= 0 AND land_m2 >= 0 AND quantity >= 0) OR "
    "(reverses IS NOT NULL AND amount_vnd <= 0 AND land_m2 <= 0 AND quantity <= 0))",
    'ALTER TABLE "execution" ADD CONSTRAINT execution_reverses_fkey FOREIGN KEY (reverses) '
    'REFERENCES "execution" (id) ON DELETE CASCADE',
    'ALTER TABLE "approval" ADD CONSTRAINT approval_kind_check CHECK (kind IN '
    "('case_close', 'measure_create', 'measure_update', 'measure_write_off', "
    "'execution_reversal'))",
    'ALTER TABLE "approval" ADD CONSTRAINT approval_status_check CHECK (status IN '
    "('pending', 'approved', 'rejected', 'withdrawn'))",
    'ALTER TABLE "agency" ADD CONSTRAINT agency_fine_approval_check '
    "CHECK (fine_approval_vnd >= 0)",
]
BACKWARDS_POSTGRES = [
    'ALTER TABLE "agency" DROP CONSTRAINT IF EXISTS agency_fine_approval_check',
    'ALTER TABLE "approval" DROP CONSTRAINT IF EXISTS approval_status_check',
    'ALTER TABLE "approval" DROP CONSTRAINT IF EXISTS approval_kind_check',
    'ALTER TABLE "execution" DROP CONSTRAINT IF EXISTS execution_reverses_fkey',
    'ALTER TABLE "execution" DROP CONSTRAINT IF EXISTS execution_sign_check',
    'ALTER TABLE "execution" ADD CONSTRAINT execution_non_negative_check '
    "CHECK (amount_vnd >= 0 AND land_m2 >= 0 AND quantity >= 0)",
]
BACKWARDS_BOTH = [
    "DROP INDEX IF EXISTS approval_pending_key",
    "DROP INDEX IF EXISTS approval_inspection_status_idx",
    "DROP INDEX IF EXISTS execution_reverses_key",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="models", description=DESCRIPTION)

    async def run_forwards():
        engine = engine_finder()
        postgres = engine.engine_type in ("postgres", "cockroach")
        for statement in FORWARDS_BOTH + (FORWARDS_POSTGRES if postgres else FORWARDS_SQLITE):
            await engine.run_ddl(statement)

    async def run_backwards():
        engine = engine_finder()
        postgres = engine.engine_type in ("postgres", "cockroach")
        for statement in (BACKWARDS_POSTGRES if postgres else []) + BACKWARDS_BOTH:
            await engine.run_ddl(statement)

    manager.add_raw(run_forwards)
    manager.add_raw_backwards(run_backwards)
    return manager
