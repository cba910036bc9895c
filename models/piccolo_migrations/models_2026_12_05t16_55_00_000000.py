"""The rules of reminder letters: one letter per register number, positive numbers.

Hand-written and reviewed. A reminder letter takes its number from the issuing agency's
document register (``document_number`` is already UNIQUE per agency, year and number); the
letter itself carries the same UNIQUE (agency, year, number) as a second guard. On
PostgreSQL the number and the amounts left also get CHECKs; SQLite cannot add a CHECK to an
existing table, and there the service writes only what it has validated.

The SQL is spelled out here, not imported from application code, so that this migration
means the same thing forever.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-05T16:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "reminder letter uniqueness and checks"

FORWARDS_BOTH = [
    "CREATE UNIQUE INDEX IF NOT EXISTS reminder_letter_agency_year_number_key "
    'ON "reminder_letter" ("agency", "year", "number")',
]
FORWARDS_POSTGRES = [
    'ALTER TABLE "reminder_letter" ADD CONSTRAINT reminder_letter_number_check '
    "CHECK (number >= 1)",
    'ALTER TABLE "reminder_item" ADD CONSTRAINT reminder_item_left_check '
    "CHECK (left_vnd >= 0 AND left_m2 >= 0 AND left_count >= 0)",
]
BACKWARDS_POSTGRES = [
    'ALTER TABLE "reminder_item" DROP CONSTRAINT IF EXISTS reminder_item_left_check',
    'ALTER TABLE "reminder_letter" DROP CONSTRAINT IF EXISTS reminder_letter_number_check',
]
BACKWARDS_BOTH = [
    "DROP INDEX IF EXISTS reminder_letter_agency_year_number_key",
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
