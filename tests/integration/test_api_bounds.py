"""Input bounds at the edge: ids past the columns, long lists and texts, deep or huge bodies,
NUL, and a schema that declares what the server answers (docs/security.md, "Input")."""

from __future__ import annotations

import json
from typing import Any

import pytest

from inspect_app.request_bounds import MAX_BODY_BYTES, MAX_JSON_DEPTH
from inspect_app.schemas.bounds import MAX_ID, MAX_LIST
from models.tables import Inspection, Subject
from tests.factories import make_inspection, make_subject, make_user

pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.storage]


@pytest.fixture
async def world(people: dict[str, Any]) -> dict[str, Any]:
    tree = people["tree"]
    return {
        **people,
        "admin": await make_user(tree["P"], "admin"),
        "head": await make_user(tree["A"], "head"),
        "subject": await make_subject("Công ty TNHH Minh Phát", "0101234568"),
    }


def _case(world: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = {
        "title": "Thanh tra việc quản lý đất đai",
        "subject_ids": [world["subject"]],
        "lead_user_id": world["lead"].id,
        "decision_no": "15/QĐ-TTr",
        "decision_date": "2026-01-05",
    }
    body.update(fields)
    return body


@pytest.mark.parametrize("record_id", [0, MAX_ID + 1, 2**63, 10**30])
async def test_a_path_id_no_column_can_hold_is_404_on_the_api_and_the_pages(
    client: Any, world: dict[str, Any], record_id: int
) -> None:
    headers = world["admin"].headers
    for path in (
        f"/api/agencies/{record_id}",
        f"/api/users/{record_id}",
        f"/api/inspections/{record_id}",
        f"/api/reports/{record_id}/file.pdf",
    ):
        response = await client.get(path, headers=headers)
        assert response.status_code == 404, (path, response.text[:300])
        assert response.json()["detail"] == "Không tìm thấy."
    unlock = await client.post(f"/api/users/{record_id}/unlock", headers=headers)
    assert unlock.status_code == 404


async def test_the_largest_id_is_looked_up_and_simply_not_found(
    client: Any, world: dict[str, Any]
) -> None:
    response = await client.get(f"/api/agencies/{MAX_ID}", headers=world["admin"].headers)
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (f"agency_id={MAX_ID + 1}", "agency_id"),
        ("agency_id=0", "agency_id"),
        ("year=1989", "year"),
        ("year=2101", "year"),
        ("limit=201", "limit"),
        ("limit=0", "limit"),
    ],
)
async def test_query_numbers_outside_their_bounds_are_refused_naming_the_field(
    client: Any, world: dict[str, Any], query: str, field: str
) -> None:
    response = await client.get(f"/api/inspections?{query}", headers=world["head"].headers)
    assert response.status_code == 422, response.text[:300]
    [error] = response.json()["errors"]
    assert error == {"field": field, "message": "Số này nằm ngoài khoảng cho phép."}


async def test_query_numbers_at_their_bounds_are_accepted(
    client: Any, world: dict[str, Any]
) -> None:
    for query in ("year=1990", "year=2100", "limit=1", "limit=200", f"subject_id={MAX_ID}"):
        response = await client.get(f"/api/inspections?{query}", headers=world["head"].headers)
        assert response.status_code == 200, (query, response.text[:300])


async def test_a_list_of_subjects_is_bounded_and_the_error_names_it(
    client: Any, world: dict[str, Any]
) -> None:
    headers = world["inspector"].headers
    too_many = [world["subject"]] * (MAX_LIST + 1)
    response = await client.post(
        "/api/inspections", json=_case(world, subject_ids=too_many), headers=headers
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "subject_ids", "message": "Danh sách này có quá nhiều mục."}
    ]
    beyond = await client.post(
        "/api/inspections", json=_case(world, subject_ids=[MAX_ID + 1]), headers=headers
    )
    assert beyond.status_code == 422
    assert beyond.json()["errors"][0]["field"] == "subject_ids[0]"
    assert await Inspection.count() == 0


async def test_a_text_past_its_column_is_refused_before_any_service_runs(
    client: Any, world: dict[str, Any]
) -> None:
    headers = world["inspector"].headers
    response = await client.post(
        "/api/subjects",
        json={"kind": "organization", "name": "x" * 256},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "name", "message": "Văn bản này quá dài."}]
    at_limit = await client.post(
        "/api/subjects", json={"kind": "organization", "name": "x" * 255}, headers=headers
    )
    assert at_limit.status_code == 201, at_limit.text[:300]
    assert await Subject.count() == 2  # the fixture's subject and the one at the limit


@pytest.mark.parametrize(
    ("depth", "field"), [(MAX_JSON_DEPTH, "name"), (MAX_JSON_DEPTH + 1, "body"), (100_000, "body")]
)
async def test_json_nested_past_the_limit_is_400_naming_the_body(
    client: Any, world: dict[str, Any], depth: int, field: str
) -> None:
    # The object itself is one level; the name field holds the rest.
    nested = "[" * (depth - 1) + "]" * (depth - 1)
    body = '{"kind": "organization", "name": ' + nested + "}"
    response = await client.post(
        "/api/subjects",
        content=body.encode(),
        headers={**world["inspector"].headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text[:300]
    # At the limit the body is read, and its name refused for not being text.
    [error] = response.json()["errors"]
    assert error["field"] == field
    if field == "body":
        assert error["message"] == "Nội dung yêu cầu lồng nhau quá nhiều cấp."
    assert await Subject.count() == 1


async def test_brackets_inside_strings_do_not_count_as_nesting(
    client: Any, world: dict[str, Any]
) -> None:
    name = "[" * 80 + "{" * 80 + ' \\" ' + "]" * 80
    body = json.dumps({"kind": "organization", "name": name})
    response = await client.post(
        "/api/subjects",
        content=body.encode(),
        headers={**world["inspector"].headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text[:300]


async def test_a_body_past_the_size_limit_is_413_and_changes_nothing(
    client: Any, world: dict[str, Any]
) -> None:
    body = json.dumps(_case(world, scope="x" * MAX_BODY_BYTES))
    response = await client.post(
        "/api/inspections",
        content=body.encode(),
        headers={**world["inspector"].headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["errors"] == [{"field": "body", "message": "Yêu cầu quá lớn."}]
    assert await Inspection.count() == 0


@pytest.mark.parametrize("path", ["/api/subjects", "/api/auth/login"])
async def test_nul_in_a_json_string_is_refused_and_an_escaped_backslash_is_not_nul(
    client: Any, world: dict[str, Any], path: str
) -> None:
    headers = {**world["inspector"].headers, "Content-Type": "application/json"}
    body = {
        "kind": "organization",
        "name": "Công ty\u0000A",
        "username": "a\u0000",
        "password": "x",
    }
    response = await client.post(path, content=json.dumps(body).encode(), headers=headers)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "body", "message": "Văn bản không được chứa ký tự NUL (\\u0000)."}
    ]
    if path == "/api/subjects":
        literal = {"kind": "organization", "name": "Công ty \\u0000 A"}  # backslash, u, 0000
        created = await client.post(path, content=json.dumps(literal).encode(), headers=headers)
        assert created.status_code == 201, created.text[:300]
        assert created.json()["name"] == "Công ty \\u0000 A"


async def test_the_schema_declares_the_bounds_and_every_error_status(client: Any) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    [agency] = [p for p in schema["paths"]["/api/agencies/{agency_id}"]["get"]["parameters"]]
    assert (agency["schema"]["minimum"], agency["schema"]["maximum"]) == (1, MAX_ID)
    for path, item in schema["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            declared = set(operation["responses"])
            assert {"400", "401", "403", "404", "422"} <= declared, (method, path)
            if method != "get":
                assert {"409", "413"} <= declared, (method, path)
            error = operation["responses"]["422"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/ErrorResponse"}
    login = schema["paths"]["/api/auth/login"]["post"]["responses"]
    assert "429" in login


@pytest.mark.parametrize(
    ("query", "field"),
    [("q=a%00b", "q"), ("entity_type=%00", "entity_type"), ("%00x=1", "x"), ("=%00", "query")],
)
async def test_nul_in_a_query_parameter_is_400_naming_it(
    client: Any, world: dict[str, Any], query: str, field: str
) -> None:
    for path in ("/api/agencies", "/api/audit"):
        response = await client.get(f"{path}?{query}", headers=world["admin"].headers)
        assert response.status_code == 400, (path, response.text[:300])
        assert response.json()["errors"] == [
            {"field": field, "message": "Văn bản không được chứa ký tự NUL (\\u0000)."}
        ]
    # The same text without NUL is an ordinary filter.
    plain = await client.get("/api/agencies?q=a0b", headers=world["admin"].headers)
    assert plain.status_code == 200


async def test_a_responsible_agency_that_does_not_exist_is_422_not_a_database_error(
    client: Any, world: dict[str, Any]
) -> None:
    case = await make_inspection(world["lead"], [world["subject"]])
    response = await client.post(
        f"/api/inspections/{case['id']}/measures",
        json={
            "type": "recover_money",
            "amount_vnd": 5_000_000,
            "description": "Thu hồi",
            "responsible_agency_id": MAX_ID,
        },
        headers=world["lead"].headers,
    )
    assert response.status_code == 422, response.text[:300]
    assert response.json()["errors"][0]["field"] == "responsible_agency_id"
