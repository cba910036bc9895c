"""The reminder ladders' cache version.

Hand-written and reviewed. Each process caches the reminder ladders (read by the follow-up
board, its figures and the deadline watch; services/follow_ups.py ``ladders``); the
``ladders`` row of ``reference_version`` is bumped by a trigger on any change to
``deadline_ladder`` (the function and pattern of migration 2026-12-05T10:30:00), whoever
makes it, so an edited ladder is used by every process on its next read.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-07T08:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "ladders cache version"

NAME, TABLE = "ladders", "deadline_ladder"
EVENTS = ("INSERT", "UPDATE", "DELETE")


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
            f'DROP TRIGGER IF EXISTS {TABLE}_reference_version ON "{TABLE}"',
            f"CREATE TRIGGER {TABLE}_reference_version AFTER INSERT OR UPDATE OR DELETE OR"
            f' TRUNCATE ON "{TABLE}" FOR EACH STATEMENT EXECUTE FUNCTION'
            f" bump_reference_version('{NAME}')",
        ]
    else:
        statements = []
        for event in EVENTS:
            trigger = f"{TABLE}_reference_version_{event.lower()}"
            statements += [
                f"DROP TRIGGER IF EXISTS {trigger}",
                f'CREATE TRIGGER {trigger} AFTER {event} ON "{TABLE}"'
                f" BEGIN UPDATE reference_version SET version = version + 1,"
                f" token = lower(hex(randomblob(16))) WHERE name = '{NAME}'; END",
            ]
    for statement in statements:
        await engine.run_querystring(QueryString(statement))


async def remove() -> None:
    engine = engine_finder()
    postgres = engine.engine_type in ("postgres", "cockroach")
    if postgres:
        statements = [f'DROP TRIGGER IF EXISTS {TABLE}_reference_version ON "{TABLE}"']
    else:
        statements = [
            f"DROP TRIGGER IF EXISTS {TABLE}_reference_version_{event.lower()}"
            for event in EVENTS
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
