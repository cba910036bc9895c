"""The servers the test bootstrap hands out answer real queries."""

from __future__ import annotations

import os

import asyncpg
import pytest
import redis.asyncio

from tests import services


async def test_ensure_postgres_answers_select_1() -> None:
    server_url = services.ensure_postgres()
    conn = await asyncpg.connect(server_url)
    try:
        assert await conn.fetchval("SELECT 1") == 1
        assert (await conn.fetchval("SHOW server_version_num")).isdigit()
    finally:
        await conn.close()


async def test_create_and_drop_database_round_trip() -> None:
    server_url = services.ensure_postgres()
    name = "inspect_test_bootstrap_probe"
    url = services.create_database(server_url, name)
    try:
        assert services.create_database(server_url, name) == url  # idempotent
        conn = await asyncpg.connect(url)
        try:
            assert await conn.fetchval("SELECT current_database()") == name
        finally:
            await conn.close()
    finally:
        services.drop_database(server_url, name)
    assert not services.postgres_answers(url)


async def test_ensure_redis_answers_ping() -> None:
    url = os.environ["REDIS_URL"]  # the test run's own database: it may write there
    assert url.startswith(services.ensure_redis())
    client = redis.asyncio.Redis.from_url(url)
    try:
        assert await client.ping() is True
        await client.set("inspect:bootstrap-probe", "1", ex=5)
        assert await client.get("inspect:bootstrap-probe") == b"1"
    finally:
        await client.aclose()


async def test_redis_url_fixture_gives_an_empty_database(redis_url: str) -> None:
    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        assert await client.dbsize() == 0
    finally:
        await client.aclose()


@pytest.mark.storage
async def test_db_fixture_empties_every_table_and_restarts_ids(db: str) -> None:
    from models.tables import ALL_TABLES, Agency, AppUser
    from tests.conftest import _empty_tables

    async def row_counts() -> dict[str, int]:
        # Raw SQL: Execution has a column named `count`, which hides Table.count().
        counts = {}
        for table in ALL_TABLES:
            rows = await table.raw(f'SELECT COUNT(*) AS n FROM "{table._meta.tablename}"')
            counts[table._meta.tablename] = rows[0]["n"]
        return counts

    assert set((await row_counts()).values()) == {0}
    parent = Agency(code="T", name="Thanh tra tỉnh")
    await parent.save()
    await Agency(code="T1", name="Phòng 1", parent=parent.id).save()
    await AppUser(username="an", full_name="Nguyễn Văn An", agency=parent.id).save()

    assert (await row_counts())["agency"] == 2

    await _empty_tables()

    assert set((await row_counts()).values()) == {0}
    again = Agency(code="T", name="Thanh tra tỉnh")
    await again.save()
    assert again.id == 1
