"""Index for counting the cases of a scope by status (inspection list and dashboard).

Hand-written and reviewed. Every page of the inspection list shows the number of cases per
status for the filters, and the dashboard the same for the whole scope: on the national data
set that is a count over up to 200,000 cases. A partial index on (agency, status) of the live
cases lets PostgreSQL answer the unfiltered count with an index-only scan joined to the agency
subtree, without reading the wide inspection rows. SQLite supports partial indexes too.

The SQL is spelled out here, not imported from application code, so that this migration
means the same thing forever.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T01:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "index of live cases by agency and status"

FORWARDS = [
    'CREATE INDEX IF NOT EXISTS inspection_live_agency_status_idx ON "inspection" '
    '("agency", "status") WHERE "deleted_at" IS NULL',
]
BACKWARDS = ["DROP INDEX IF EXISTS inspection_live_agency_status_idx"]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="models", description=DESCRIPTION)

    async def run_forwards():
        engine = engine_finder()
        for statement in FORWARDS:
            await engine.run_ddl(statement)

    async def run_backwards():
        engine = engine_finder()
        for statement in BACKWARDS:
            await engine.run_ddl(statement)

    manager.add_raw(run_forwards)
    manager.add_raw_backwards(run_backwards)
    return manager
