"""The rule of the daily digest: each rung of an item is listed once per user.

Hand-written and reviewed. The digest job inserts its entries with ``ON CONFLICT DO
NOTHING`` and lists only the rows it could insert, which needs this UNIQUE index to infer;
on PostgreSQL the rung also gets a CHECK. The default digest ladder (rungs 30, 60, 90 days
after the due day, then every 30 days) is inserted by the application's catalogue step, as
the other ladders are.

The SQL is spelled out here, not imported from application code, so that this migration
means the same thing forever.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-05T17:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "digest entry uniqueness"

FORWARDS_BOTH = [
    "CREATE UNIQUE INDEX IF NOT EXISTS digest_entry_rung_key ON \"digest_entry\" "
    '("user", "entity_type", "entity_id", "deadline_type", "rung")',
]
FORWARDS_POSTGRES = [
    'ALTER TABLE "digest_entry" ADD CONSTRAINT digest_entry_rung_check CHECK (rung >= 1)',
]
BACKWARDS_POSTGRES = [
    'ALTER TABLE "digest_entry" DROP CONSTRAINT IF EXISTS digest_entry_rung_check',
]
BACKWARDS_BOTH = [
    "DROP INDEX IF EXISTS digest_entry_rung_key",
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
