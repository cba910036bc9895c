"""The indexes of the import ledger.

Hand-written and reviewed. ``import_record_key`` makes a record's natural key within its
agency the one entry of the ledger, so that two imports of the same workbook can never both
create the record (the second finds the first's entry, or fails on the index and rolls
back). ``import_record_entity`` finds a record's entry from the record: the case's history
shows where an imported record came from.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-05T12:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes of the import ledger"

FORWARDS = [
    'CREATE UNIQUE INDEX import_record_key ON "imported_record" ("agency", "kind", "key")',
    'CREATE INDEX import_record_entity ON "imported_record" ("kind", "entity_id")',
]
BACKWARDS = [
    "DROP INDEX IF EXISTS import_record_entity",
    "DROP INDEX IF EXISTS import_record_key",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="models", description=DESCRIPTION)

    async def run_forwards() -> None:
        engine = engine_finder()
        for statement in FORWARDS:
            await engine.run_ddl(statement)

    async def run_backwards() -> None:
        engine = engine_finder()
        for statement in BACKWARDS:
            await engine.run_ddl(statement)

    manager.add_raw(run_forwards)
    manager.add_raw_backwards(run_backwards)
    return manager
