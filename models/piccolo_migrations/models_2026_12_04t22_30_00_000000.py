"""The rules of the document register and of the agencies' signing form.

Hand-written and reviewed. A document number is taken by incrementing the counter row of an
agency and year (INSERT … ON CONFLICT DO UPDATE, which needs a UNIQUE index on the pair to
infer); the register of numbers given carries a UNIQUE (agency, year, number) as a second
guard, so that no bug can ever issue one number twice. On PostgreSQL the numbers and the
signing form also get CHECKs; SQLite cannot add a CHECK to an existing table, and there the
services validate the same rules before writing.

The SQL is spelled out here, not imported from application code, so that this migration
means the same thing forever.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T22:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "document register uniqueness and signing form check"

FORWARDS_BOTH = [
    "CREATE UNIQUE INDEX IF NOT EXISTS document_counter_agency_year_key "
    'ON "document_counter" ("agency", "year")',
    "CREATE UNIQUE INDEX IF NOT EXISTS document_number_agency_year_number_key "
    'ON "document_number" ("agency", "year", "number")',
]
FORWARDS_POSTGRES = [
    'ALTER TABLE "document_counter" ADD CONSTRAINT document_counter_last_number_check '
    "CHECK (last_number >= 0)",
    'ALTER TABLE "document_number" ADD CONSTRAINT document_number_number_check '
    "CHECK (number >= 1)",
    'ALTER TABLE "agency" ADD CONSTRAINT agency_signing_form_check '
    "CHECK (signing_form IN ('direct', 'kt', 'tl'))",
]
BACKWARDS_POSTGRES = [
    'ALTER TABLE "agency" DROP CONSTRAINT IF EXISTS agency_signing_form_check',
    'ALTER TABLE "document_number" DROP CONSTRAINT IF EXISTS document_number_number_check',
    'ALTER TABLE "document_counter" DROP CONSTRAINT IF EXISTS document_counter_last_number_check',
]
BACKWARDS_BOTH = [
    "DROP INDEX IF EXISTS document_number_agency_year_number_key",
    "DROP INDEX IF EXISTS document_counter_agency_year_key",
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
