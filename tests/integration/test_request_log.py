"""Every answer carries a request id, an error shows it, and each request logs one line."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest

from tests.factories import make_tree, make_user

pytestmark = [pytest.mark.usefixtures("db")]

GENERATED = re.compile(r"^[0-9a-f]{16}$")


async def test_every_answer_has_an_id_a_trusted_proxy_may_give_it(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspect_app.asgi import create_app
    from inspect_app.settings import get_settings
    from tests.conftest import app_client

    made = await client.get("/health")
    assert GENERATED.match(made.headers["x-request-id"])
    unknown = await client.get("/no/such/page")
    assert unknown.status_code == 404 and GENERATED.match(unknown.headers["x-request-id"])
    # A caller that is not a trusted proxy cannot choose the id, however plain.
    chosen = await client.get("/health", headers={"X-Request-ID": "lb-2026-12-05_0001"})
    assert GENERATED.match(chosen.headers["x-request-id"])

    monkeypatch.setenv("TRUSTED_PROXIES", "10.9.8.7/32")
    get_settings.cache_clear()
    try:
        # The pool is the running client's: a second app without a lifespan of its own.
        proxy_app = create_app()
        async with app_client(
            proxy_app, lifespan=False, client_address=("10.9.8.7", 5000)
        ) as proxied:
            given = await proxied.get("/health", headers={"X-Request-ID": "lb-2026-12-05_0001"})
            assert given.headers["x-request-id"] == "lb-2026-12-05_0001"
            for odd in ("short", "x" * 65, "abc def ghi", "lb-0001\n", "<script>x</script>"):
                answer = await proxied.get("/health", headers={"X-Request-ID": odd})
                assert GENERATED.match(answer.headers["x-request-id"]), odd
    finally:
        get_settings.cache_clear()


async def test_one_json_line_per_request_names_the_route_not_the_ids(
    client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    tree = await make_tree()
    lead = await make_user(tree["A"], "lead")
    caplog.set_level(logging.INFO, logger="inspect_app.requests")
    response = await client.get("/api/inspections/123456", headers=lead.headers)
    assert response.status_code == 404
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "inspect_app.requests"]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == response.headers["x-request-id"]
    assert line["route"] == "/api/inspections/{inspection_id}"
    assert (line["method"], line["status"], line["user_id"]) == ("GET", 404, lead.id)
    assert isinstance(line["ms"], float) and line["ms"] >= 0
    # The token's owner (and its first use written), then the case looked up and not found.
    assert line["statements"] == 3
    unknown = await client.get("/no/such/page")
    assert unknown.status_code == 404
    last = [json.loads(r.getMessage()) for r in caplog.records if r.name == "inspect_app.requests"][
        -1
    ]
    assert last["route"] == "(no route)" and last["statements"] == 0


async def test_an_unexpected_error_gives_the_code_to_quote(client: Any, monkeypatch: Any) -> None:
    from inspect_app.controllers import api_approvals, approval_pages
    from tests.integration.test_case_pages import sign_in

    tree = await make_tree()
    lead = await make_user(tree["A"], "lead")

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("injected")

    monkeypatch.setattr(api_approvals.approvals, "list_approvals", broken)
    monkeypatch.setattr(approval_pages.approvals, "list_approvals", broken)
    api = await client.get("/api/approvals", headers=lead.headers)
    assert api.status_code == 500
    assert api.json()["request_id"] == api.headers["x-request-id"]
    await sign_in(client, lead)
    page = await client.get("/approvals")
    assert page.status_code == 500
    assert page.headers["x-request-id"] in page.text
    assert "RuntimeError" not in page.text and "injected" not in page.text


async def test_each_job_run_logs_one_line_with_its_statements(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from jobs.deadlines import deliver_emails
    from jobs.job_log import logged_job
    from jobs.totals import refresh_dirty_totals

    caplog.set_level(logging.INFO, logger="inspect_app.jobs")
    await refresh_dirty_totals({"job_id": "refresh-1", "job_try": 2})
    await deliver_emails(None)

    @logged_job
    async def breaks(ctx: dict[str, Any] | None) -> None:
        from models.tables import Agency

        await Agency.count()
        raise RuntimeError("injected")

    with pytest.raises(RuntimeError):
        await breaks(None)
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "inspect_app.jobs"]
    assert [(line["job"], line["status"]) for line in lines] == [
        ("refresh_dirty_totals", "ok"),
        ("deliver_emails", "ok"),
        ("breaks", "failed"),
    ]
    assert lines[0]["job_id"] == "refresh-1" and lines[0]["try"] == 2
    assert lines[1]["job_id"] is None and lines[0]["statements"] >= 1
    assert lines[2]["statements"] == 1 and lines[2]["ms"] >= 0
