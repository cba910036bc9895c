"""The portal's cache version and search index.

Hand-written and reviewed. Each process caches the public portal's pages and feeds; the
``publications`` row of ``reference_version`` is bumped by a trigger on any change to
``publication`` (the same function and pattern as migration 2026-12-05T10:30:00), so a
publication or an unpublishing is seen by every process on its next request. On
PostgreSQL a trigram index on the folded search text serves the portal's search box
(``pg_trgm`` was created by the second migration); SQLite scans, as for other searches.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-05T12:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "publication cache version and search index"

NAME, TABLE = "publications", "publication"


async def install() -> None:
    engine = engine_finder()
    postgres = engine.engine_type in ("postgres", "cockroach")
    await engine.run_querystring(
        QueryString(
            "INSERT INTO reference_version (name, version, token) VALUES ({}, 1, {})"
            " ON CONFLICT (name) DO NOTHING",
            NAME,
            "initial",
        )
    )
    if postgres:
        statements = [
            f'CREATE TRIGGER {TABLE}_reference_version AFTER INSERT OR UPDATE OR DELETE OR'
            f' TRUNCATE ON "{TABLE}" FOR EACH STATEMENT EXECUTE FUNCTION'
            f" bump_reference_version('{NAME}')",
            f'CREATE INDEX publication_search_trgm ON "{TABLE}" USING gin'
            " (search_text gin_trgm_ops)",
            f'CREATE INDEX publication_listed ON "{TABLE}" (published_on DESC, id DESC)'
            " WHERE published_on IS NOT NULL AND unpublished_at IS NULL",
        ]
    else:
        statements = [
            f'CREATE TRIGGER {TABLE}_reference_version_{event.lower()} AFTER {event} ON "{TABLE}"'
            f" BEGIN UPDATE reference_version SET version = version + 1,"
            f" token = lower(hex(randomblob(16))) WHERE name = '{NAME}'; END"
            for event in ("INSERT", "UPDATE", "DELETE")
        ]
    for statement in statements:
        await engine.run_querystring(QueryString(statement))


async def remove() -> None:
    engine = engine_finder()
    postgres = engine.engine_type in ("postgres", "cockroach")
    if postgres:
        statements = [
            f'DROP TRIGGER IF EXISTS {TABLE}_reference_version ON "{TABLE}"',
            "DROP INDEX IF EXISTS publication_search_trgm",
            "DROP INDEX IF EXISTS publication_listed",
        ]
    else:
        statements = [
            f"DROP TRIGGER IF EXISTS {TABLE}_reference_version_{event}"
            for event in ("insert", "update", "delete")
        ]
    for statement in statements:
        await engine.run_querystring(QueryString(statement))
    await engine.run_querystring(
        QueryString("DELETE FROM reference_version WHERE name = {}", NAME)
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="models", description=DESCRIPTION)
    manager.add_raw(install)
    manager.add_raw_backwards(remove)
    return manager
