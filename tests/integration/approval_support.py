"""Deciding four-eyes requests in tests, through the API as a second person would."""

from __future__ import annotations

from typing import Any


async def decide(
    client: Any, actor: Any, approval_id: int, decision: str = "approve", note: str = ""
) -> Any:
    """POST the decision on a request, with the version it has now; the response."""
    current = await client.get(f"/api/approvals/{approval_id}", headers=actor.headers)
    assert current.status_code == 200, current.text
    return await client.post(
        f"/api/approvals/{approval_id}/decision",
        json={"decision": decision, "version": current.json()["version"], "note": note},
        headers=actor.headers,
    )


async def approve(client: Any, actor: Any, approval_id: int) -> dict[str, Any]:
    """Approve a request; asserts it was approved and returns the request."""
    response = await decide(client, actor, approval_id)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == "approved"
    return body
