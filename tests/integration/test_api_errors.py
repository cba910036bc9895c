"""Malformed API requests get a 4xx naming the field in the user's language (Vietnamese by
default), never a 500, and store nothing."""

from __future__ import annotations

from typing import Any

from models.tables import Report
from tests.factories import make_tree, make_user, row_count


async def test_missing_and_mistyped_fields_are_named(db: str, client: Any) -> None:
    tree = await make_tree()
    head = await make_user(tree["P"], role="head")
    headers = {"Authorization": f"Bearer {head.token}"}

    missing = await client.post("/api/reports", json={"period": "2026-Q1"}, headers=headers)
    assert missing.status_code == 400
    assert missing.json()["errors"] == [
        {"field": "agency_id", "message": "Trường này là bắt buộc."}
    ]

    mistyped = await client.post(
        "/api/reports", json={"agency_id": "P", "period": "2026-Q1"}, headers=headers
    )
    assert mistyped.status_code == 400
    assert mistyped.json()["errors"] == [{"field": "agency_id", "message": "Nhập một số nguyên."}]

    malformed = await client.post(
        "/api/reports",
        content=b"{not json",
        headers={**headers, "content-type": "application/json"},
    )
    assert malformed.status_code == 400
    assert malformed.json()["errors"] == [
        {"field": "body", "message": "Nội dung yêu cầu không phải JSON hợp lệ."}
    ]
    assert await row_count(Report) == 0
