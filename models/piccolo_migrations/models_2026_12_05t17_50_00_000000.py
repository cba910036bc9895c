"""An index for the follow-up board's page of units: open recommendations by the agency
responsible for them, in due order.

Hand-written and reviewed. The board shows a page of responsible units with the first ten
deadlines of each; on PostgreSQL each agency's open recommendations are read in due order
and cut at ten (services.follow_ups._page_deadlines), which needs this partial index to be
a short index walk per agency rather than a pass over every open recommendation of the
country. Both engines take the index; the columns and the condition are spelled out here,
not imported from application code, so that this migration means the same thing forever.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-05T17:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "open recommendations by responsible agency and due day"

FORWARDS = [
    "CREATE INDEX IF NOT EXISTS measure_open_responsible_due_idx"
    ' ON "measure" ("responsible_agency", "due_on", "id")'
    " WHERE deleted_at IS NULL AND status IN ('open', 'partial') AND due_on IS NOT NULL",
]
BACKWARDS = ["DROP INDEX IF EXISTS measure_open_responsible_due_idx"]


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
