"""Covering indexes for the open measures of a scope (dashboard and follow-up summaries).

Hand-written and reviewed. The dashboard sums the open measures of the user's scope (how
many, how many overdue, money still to recover). For the whole country that read 337,646
open measures through a bitmap heap scan of the wide measure rows and joined all live
inspections by a sequential scan: about 1 s on the national data set. Two partial indexes
let PostgreSQL answer it from indexes alone (about 0.2 s, docs/performance.md):

- the open measures by inspection, carrying the columns the summaries read;
- the live inspections by id with their agency, to reach the scope without the heap.

SQLite has no INCLUDE: there the carried columns are trailing key columns, which serves the
same queries. The SQL is spelled out here, not imported from application code, so that this
migration means the same thing forever.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "covering indexes of open measures and live inspections"

# On PostgreSQL the predicate is written the way PostgreSQL prints it back (text = ANY of a
# text array): the bulk loader drops and recreates indexes from pg_indexes and checks that
# the definitions come back identical, which a varchar IN list does not.
FORWARDS_POSTGRES = [
    'CREATE INDEX IF NOT EXISTS measure_open_cover_idx ON "measure" ("inspection") '
    'INCLUDE ("due_on", "type", "amount_vnd", "done_vnd") '
    """WHERE "deleted_at" IS NULL AND "status"::text IN ('open', 'partial')""",
]
FORWARDS_SQLITE = [
    'CREATE INDEX IF NOT EXISTS measure_open_cover_idx ON "measure" '
    '("inspection", "due_on", "type", "amount_vnd", "done_vnd") '
    """WHERE "deleted_at" IS NULL AND "status" IN ('open', 'partial')""",
]
FORWARDS_BOTH = [
    'CREATE INDEX IF NOT EXISTS inspection_live_id_agency_idx ON "inspection" '
    '("id", "agency") WHERE "deleted_at" IS NULL',
]
BACKWARDS = [
    "DROP INDEX IF EXISTS measure_open_cover_idx",
    "DROP INDEX IF EXISTS inspection_live_id_agency_idx",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="models", description=DESCRIPTION)

    async def run_forwards():
        engine = engine_finder()
        postgres = engine.engine_type in ("postgres", "cockroach")
        for statement in (FORWARDS_POSTGRES if postgres else FORWARDS_SQLITE) + FORWARDS_BOTH:
            await engine.run_ddl(statement)

    async def run_backwards():
        engine = engine_finder()
        for statement in BACKWARDS:
            await engine.run_ddl(statement)

    manager.add_raw(run_forwards)
    manager.add_raw_backwards(run_backwards)
    return manager
