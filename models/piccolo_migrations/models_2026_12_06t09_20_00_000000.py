"""The rules of report submissions.

Hand-written and reviewed.

- One submission per unit and period: a UNIQUE index on (agency, period), so two people
  submitting the same unit's report at once give one row, whatever the race; a report
  the parent returned is submitted again on the same row.
- The parent's tracker lists its units' submissions of a period: an index on
  (parent, period).
- On PostgreSQL the status is CHECKed; SQLite cannot add a CHECK to an existing table, and
  the service writes only these two values.

The SQL is spelled out here, not imported from application code, so that this migration
means the same thing forever.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T09:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "report submission rules"

FORWARDS_BOTH = [
    "CREATE UNIQUE INDEX IF NOT EXISTS report_submission_agency_period_key "
    'ON "report_submission" ("agency", "period")',
    "CREATE INDEX IF NOT EXISTS report_submission_parent_period_idx "
    'ON "report_submission" ("parent", "period")',
]
FORWARDS_POSTGRES = [
    'ALTER TABLE "report_submission" ADD CONSTRAINT report_submission_status_check '
    "CHECK (status IN ('submitted', 'returned'))",
    'ALTER TABLE "report" ADD CONSTRAINT report_source_check '
    "CHECK (source IN ('live', 'submitted'))",
]
BACKWARDS_POSTGRES = [
    'ALTER TABLE "report" DROP CONSTRAINT IF EXISTS report_source_check',
    'ALTER TABLE "report_submission" DROP CONSTRAINT IF EXISTS report_submission_status_check',
]
BACKWARDS_BOTH = [
    "DROP INDEX IF EXISTS report_submission_parent_period_idx",
    "DROP INDEX IF EXISTS report_submission_agency_period_key",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="models", description=DESCRIPTION)

    async def run_forwards():
        engine = engine_finder()
        postgres = engine.engine_type in ("postgres", "cockroach")
        for statement in FORWARDS_BOTH + (FORWARDS_POSTGRES if postgres else []):
            await engine.run_ddl(statement)

    async def run_backwards():
        engine = engine_finder()
        postgres = engine.engine_type in ("postgres", "cockroach")
        for statement in (BACKWARDS_POSTGRES if postgres else []) + BACKWARDS_BOTH:
            await engine.run_ddl(statement)

    manager.add_raw(run_forwards)
    manager.add_raw_backwards(run_backwards)
    return manager
