"""The committed migrations build the schema of models.tables, once, on both engines."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from collections.abc import Iterator

import asyncpg
import pytest

from tests import services

pytestmark = pytest.mark.storage

# Runs Piccolo's forwards for app "models" in a child process, so that the scratch database
# gets its own piccolo_conf engine while this session's engine stays on the test database.
FORWARDS = (
    "import asyncio, sys\n"
    "from piccolo.apps.migrations.commands.forwards import run_forwards\n"
    "sys.exit(0 if asyncio.run(run_forwards('models')).success else 1)\n"
)
PICCOLO_MIGRATION_TABLE = "migration"

Snapshot = list[tuple[object, ...]]


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


async def _forwards(url: str) -> tuple[int, str]:
    env = os.environ | {"DATABASE_URL": url}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        FORWARDS,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return process.returncode or 0, output.decode(errors="replace")


async def _snapshot(url: str) -> tuple[set[str], Snapshot]:
    """The table names and a full description of the schema (and the migrations ledger)."""
    if _is_sqlite(url):
        with sqlite3.connect(url[len("sqlite:///") :]) as conn:
            schema: Snapshot = conn.execute(
                "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
            ).fetchall()
            ledger = conn.execute(f'SELECT name, app_name FROM "{PICCOLO_MIGRATION_TABLE}"')
            schema += sorted(ledger.fetchall())
        conn.close()
        tables = {str(row[1]) for row in schema if row[0] == "table"}
        return tables, schema
    conn = await asyncpg.connect(url)
    try:
        columns = await conn.fetch(
            "SELECT table_name, column_name, data_type, is_nullable, column_default "
            "FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2"
        )
        indexes = await conn.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1"
        )
        constraints = await conn.fetch(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2"
        )
        ledger = await conn.fetch(
            f'SELECT name, app_name FROM "{PICCOLO_MIGRATION_TABLE}" ORDER BY 1'
        )
    finally:
        await conn.close()
    schema = [tuple(row) for row in [*columns, *indexes, *constraints, *ledger]]
    return {str(row[0]) for row in columns}, schema


@pytest.fixture(scope="module")
def migrated_scratch_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of its own, empty, then migrated forwards once."""
    test_url = os.environ["DATABASE_URL"]
    if _is_sqlite(test_url):
        url = f"sqlite:///{tmp_path_factory.mktemp('migrations') / 'scratch_test.sqlite3'}"
        server_url = name = ""
    else:
        server_url = services.database_url(test_url, "postgres")
        name = f"inspect_test_migrations_{os.getpid()}"
        services.drop_database(server_url, name)
        url = services.create_database(server_url, name)
    try:
        code, output = asyncio.run(_forwards(url))
        assert code == 0, f"migrations forwards failed on an empty database:\n{output}"
        yield url
    finally:
        if server_url:
            services.drop_database(server_url, name)


async def test_forwards_on_empty_database_creates_every_table(migrated_scratch_url: str) -> None:
    from models.tables import ALL_TABLES

    tables, _ = await _snapshot(migrated_scratch_url)
    expected = {table._meta.tablename for table in ALL_TABLES}
    assert expected - tables == set(), "tables missing after migrations"
    assert PICCOLO_MIGRATION_TABLE in tables


async def test_forwards_again_changes_nothing(migrated_scratch_url: str) -> None:
    _, before = await _snapshot(migrated_scratch_url)
    code, output = await _forwards(migrated_scratch_url)
    _, after = await _snapshot(migrated_scratch_url)
    assert code == 0, output
    assert "No migrations need to be run" in output
    assert after == before


async def test_no_auto_migration_is_pending() -> None:
    """models/tables.py and the committed migrations describe the same schema."""
    from piccolo.apps.migrations.commands.new import AutoMigrationManager
    from piccolo.conf.apps import Finder

    app_config = Finder().get_app_config(app_name="models")
    alter_statements = await AutoMigrationManager(auto_input="n").get_alter_statements(
        app_config=app_config
    )
    pending = [statement for group in alter_statements for statement in group.statements]
    assert pending == [], (
        "models/tables.py differs from the migrations: run "
        "`piccolo migrations new models --auto`, review and commit the file"
    )
