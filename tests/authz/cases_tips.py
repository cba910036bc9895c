"""Matrix cases of tips: the citizens' pages (public) and the staff's queue and triage."""

from __future__ import annotations

from typing import Any

from tests.authz.spec import RouteCase
from tests.authz.world import World


def _public_tip(world: World, side: str) -> dict[str, Any]:
    # Empty: the form comes back with every problem (nothing stored by the matrix).
    return {"content": ""}


def _intake(world: World, side: str) -> dict[str, Any]:
    return {"agency_id": str(world.agency(side)), "content": ""}


def _version(world: World, side: str) -> dict[str, Any]:
    return {"version": "1"}


def _reject(world: World, side: str) -> dict[str, Any]:
    return {"version": "1", "outcome": "rejected", "reason": ""}


CASES: list[RouteCase] = [
    RouteCase("GET", "/public", None, scoped=False, expect_ok=(200,)),
    RouteCase("GET", "/public/tips/new", None, scoped=False, expect_ok=(200,)),
    RouteCase("GET", "/public/tips/lookup", None, scoped=False, expect_ok=(302,)),
    # "en" is not a code: the same page as for an unknown code.
    RouteCase("GET", "/public/tips/{code:str}", None, scoped=False, expect_ok=(404,)),
    RouteCase(
        "POST", "/public/tips", None, body=_public_tip, form=True, scoped=False, expect_ok=(422,)
    ),
    RouteCase("GET", "/tips", "tip.intake", scoped=False, expect_ok=(200,)),
    RouteCase("GET", "/tips/new", "tip.intake", scoped=False, expect_ok=(200,)),
    RouteCase(
        "POST", "/tips", "tip.intake", body=_intake, form=True, scoped=False, expect_ok=(422,)
    ),
    RouteCase("GET", "/tips/{tip_id:int}", "tip.intake", "tip", expect_ok=(200,)),
    RouteCase(
        "POST",
        "/tips/{tip_id:int}/identity",
        "tip.intake",
        "tip",
        _version,
        form=True,
        expect_ok=(200, 403),
    ),
    RouteCase(
        "POST",
        "/tips/{tip_id:int}/take",
        "tip.triage",
        "tip",
        _version,
        form=True,
        expect_ok=(302, 303),
    ),
    RouteCase(
        "POST",
        "/tips/{tip_id:int}/decide",
        "tip.triage",
        "tip",
        _reject,
        form=True,
        expect_ok=(422,),
    ),
    RouteCase(
        "GET", "/tips/{tip_id:int}/files/{file_id:int}", "tip.intake", "tip", expect_ok=(404,)
    ),
]


def _public_version(world: World, side: str) -> dict[str, Any]:
    return {"summary": "Tóm tắt kết luận.", "public_text": "Toàn văn công khai."}


def _unpublish(world: World, side: str) -> dict[str, Any]:
    return {"reason": "Hết thời hạn công khai."}


# Published conclusions: the world has none, so every id answers 404 to everyone; the
# portal's list and feed answer 200 (the feed of an unknown agency code, "en", 404).
CASES += [
    RouteCase("GET", "/public/conclusions", None, scoped=False, expect_ok=(200,)),
    RouteCase(
        "GET",
        "/public/conclusions/{publication_id:int}",
        None,
        "inspection",
        scoped=False,
        expect_ok=(404,),
    ),
    RouteCase(
        "GET",
        "/public/conclusions/{publication_id:int}/file",
        None,
        "inspection",
        scoped=False,
        expect_ok=(404,),
    ),
    RouteCase("GET", "/public/feeds/{code:str}", None, scoped=False, expect_ok=(404,)),
    RouteCase(
        "GET",
        "/api/inspections/{inspection_id:int}/publication",
        "read",
        "inspection",
        expect_ok=(200, 404),
    ),
    # The world's cases are not concluded: a public version is refused (409).
    RouteCase(
        "PUT",
        "/api/inspections/{inspection_id:int}/publication",
        "inspection.edit",
        "inspection",
        _public_version,
        expect_ok=(409,),
    ),
    RouteCase(
        "POST",
        "/inspections/{inspection_id:int}/publication",
        "inspection.edit",
        "inspection",
        _public_version,
        form=True,
        expect_ok=(302, 303),
    ),
    RouteCase(
        "POST",
        "/inspections/{inspection_id:int}/publication/unpublish",
        "publication.unpublish",
        "inspection",
        _unpublish,
        form=True,
        expect_ok=(302, 303),
    ),
]
