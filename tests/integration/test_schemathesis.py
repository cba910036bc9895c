"""Property-based run of the case API against the app's own OpenAPI schema.

Schemathesis generates valid and invalid requests for every operation of the subjects,
plans, inspections, findings, measures, executions and attachments API, sends them to the
live server with a head's bearer token, and fails on any 5xx answer.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from tests.authz.world import World, build_world

CASE_API = r"^/api/(subjects|plans|inspections|findings|measures|attachments)"


@pytest.fixture(scope="module")
def matrix_world(migrated_database: str) -> World:
    """The authorization world (records inside and outside scope), committed for the server."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(build_world())).result()


@pytest.fixture(scope="module")
def case_api(live_server: str, matrix_world: World) -> schemathesis.BaseSchema:
    """The served schema, narrowed to the case operations."""
    schema = schemathesis.openapi.from_url(f"{live_server}/schema/openapi.json")
    return schema.include(path_regex=CASE_API)


# Examples per operation and generation mode: the whole run stays within a few minutes.
EXAMPLES = 15


@pytest.mark.slow
def test_case_api_never_answers_5xx(
    case_api: schemathesis.BaseSchema, live_server: str, matrix_world: World
) -> None:
    headers = {"Authorization": f"Bearer {matrix_world.bearer['head']}"}
    operations = [result.ok() for result in case_api.get_all_operations()]
    assert len(operations) >= 20, [op.label for op in operations]
    failures: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def call(case: schemathesis.Case) -> None:
                response = case.call(base_url=live_server, headers=headers, timeout=30)
                case.validate_response(response, checks=[not_a_server_error])

            try:
                call()
            except Exception as exc:  # one line per failing operation, all reported at the end
                failures.append(f"{operation.label} ({mode.value}): {exc}"[:2000])
    assert failures == []
