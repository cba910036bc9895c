"""The board's index of open recommendations by responsible agency, in the form PostgreSQL
keeps (the bulk loader drops and recreates secondary indexes from their stored definitions
and checks that they come back the same).

Hand-written and reviewed. Written as ``status IN ('open', 'partial')`` on a varchar
column, PostgreSQL stores the condition as ``ANY ((ARRAY[...])::text[])`` but re-creates it
from that text as ``ANY (ARRAY[(...)::text, ...])``: not the same definition twice. Written
with text literals from the start, as ``measure_open_cover_idx`` is, it reads back as it was
written. SQLite keeps the index of the previous migration. The SQL is spelled out here, not
imported from application code, so that this migration means the same thing forever.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-05T18:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "open recommendations by responsible agency, in a stable form"

FORWARDS_POSTGRES = [
    "DROP INDEX IF EXISTS measure_open_responsible_due_idx",
    "CREATE INDEX measure_open_responsible_due_idx"
    ' ON "measure" ("responsible_agency", "due_on", "id")'
    " WHERE deleted_at IS NULL AND (status)::text = ANY (ARRAY['open'::text, 'partial'::text])"
    " AND due_on IS NOT NULL",
]
BACKWARDS_POSTGRES = [
    "DROP INDEX IF EXISTS measure_open_responsible_due_idx",
    "CREATE INDEX measure_open_responsible_due_idx"
    ' ON "measure" ("responsible_agency", "due_on", "id")'
    " WHERE deleted_at IS NULL AND status IN ('open', 'partial') AND due_on IS NOT NULL",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="models", description=DESCRIPTION)

    async def run_forwards():
        engine = engine_finder()
        if engine.engine_type in ("postgres", "cockroach"):
            for statement in FORWARDS_POSTGRES:
                await engine.run_ddl(statement)

    async def run_backwards():
        engine = engine_finder()
        if engine.engine_type in ("postgres", "cockroach"):
            for statement in BACKWARDS_POSTGRES:
                await engine.run_ddl(statement)

    manager.add_raw(run_forwards)
    manager.add_raw_backwards(run_backwards)
    return manager
