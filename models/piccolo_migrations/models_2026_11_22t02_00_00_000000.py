"""Index for counting the cases of a scope by status when the list is filtered by origin.

Hand-written and reviewed. The inspection list shows the number of cases per status for its
filters on every page; filtered by origin (ad hoc or planned) on the national data set that
count read about 60,000 wide inspection rows through a bitmap heap scan (~150 ms). With the
origin first and the agency and status after it, PostgreSQL answers it from the index alone
(an index-only scan joined to the agency subtree). SQLite supports partial indexes too.

The SQL is spelled out here, not imported from application code, so that this migration
means the same thing forever.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T02:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "index of live cases by origin, agency and status"

FORWARDS = [
    'CREATE INDEX IF NOT EXISTS inspection_live_origin_agency_status_idx ON "inspection" '
    '("origin", "agency", "status") WHERE "deleted_at" IS NULL',
]
BACKWARDS = ["DROP INDEX IF EXISTS inspection_live_origin_agency_status_idx"]


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
