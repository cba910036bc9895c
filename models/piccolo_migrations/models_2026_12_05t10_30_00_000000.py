"""Bump the version of reference data whenever it changes, in the database itself.

Hand-written and reviewed. Each process caches reference data (the agency tree for now,
inspect_app/services/reference_cache.py) and checks one row of ``reference_version`` per
use; these triggers bump that row on any insert, update or delete of the data, whoever
makes the change (the app, a migration, a script, an administrator with psql), so a cache
is never stale after the change commits. PostgreSQL runs one statement-level trigger per
change (TRUNCATE included); SQLite, which has only row triggers, one per changed row. Each
bump writes a new random ``token`` beside the counter (see ReferenceVersion).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-05T10:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "reference version triggers"

# (name of the reference data, table whose changes bump it)
WATCHED = [("agencies", "agency"), ("case_kinds", "case_kind")]

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION bump_reference_version() RETURNS trigger AS $$
BEGIN
  INSERT INTO reference_version (name, version, token)
  VALUES (TG_ARGV[0], 1, md5(random()::text || clock_timestamp()::text))
  ON CONFLICT (name) DO UPDATE
    SET version = reference_version.version + 1, token = EXCLUDED.token;
  RETURN NULL;
END
$$ LANGUAGE plpgsql
"""


def _postgres_trigger(name: str, table: str) -> list[str]:
    trigger = f"{table}_reference_version"
    return [
        f'DROP TRIGGER IF EXISTS {trigger} ON "{table}"',
        f'CREATE TRIGGER {trigger} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}"'
        f" FOR EACH STATEMENT EXECUTE FUNCTION bump_reference_version('{name}')",
    ]


def _sqlite_triggers(name: str, table: str) -> list[str]:
    statements = []
    for event in ("INSERT", "UPDATE", "DELETE"):
        trigger = f"{table}_reference_version_{event.lower()}"
        statements += [
            f"DROP TRIGGER IF EXISTS {trigger}",
            f'CREATE TRIGGER {trigger} AFTER {event} ON "{table}" BEGIN'
            f" UPDATE reference_version SET version = version + 1,"
            f" token = lower(hex(randomblob(16))) WHERE name = '{name}'; END",
        ]
    return statements


async def install() -> None:
    """Create the first rows and the triggers (idempotent)."""
    engine = engine_finder()
    postgres = engine.engine_type in ("postgres", "cockroach")
    for name, _ in WATCHED:
        await engine.run_querystring(
            QueryString(
                "INSERT INTO reference_version (name, version, token) VALUES ({}, 1, {})"
                " ON CONFLICT (name) DO NOTHING",
                name,
                "initial",
            )
        )
    statements = [POSTGRES_FUNCTION] if postgres else []
    for name, table in WATCHED:
        statements += _postgres_trigger(name, table) if postgres else _sqlite_triggers(name, table)
    for statement in statements:
        await engine.run_querystring(QueryString(statement))


async def remove() -> None:
    engine = engine_finder()
    postgres = engine.engine_type in ("postgres", "cockroach")
    for _, table in WATCHED:
        if postgres:
            await engine.run_querystring(
                QueryString(f'DROP TRIGGER IF EXISTS {table}_reference_version ON "{table}"')
            )
        else:
            for event in ("insert", "update", "delete"):
                await engine.run_querystring(
                    QueryString(f"DROP TRIGGER IF EXISTS {table}_reference_version_{event}")
                )
    if postgres:
        await engine.run_querystring(QueryString("DROP FUNCTION IF EXISTS bump_reference_version()"))


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="models", description=DESCRIPTION)
    manager.add_raw(install)
    manager.add_raw_backwards(remove)
    return manager
