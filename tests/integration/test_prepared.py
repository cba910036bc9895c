"""A prepared select (inspect_app.prepared) answers what its query built afresh answers, with
new values on every run, in the caller's transaction, counted like any statement."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from inspect_app.db import counting_statements, engine, write_transaction
from inspect_app.prepared import Param, PreparedSelect
from inspect_app.services.cases.records import scope_where
from models.tables import Inspection
from tests.factories import make_inspection, make_subject, make_tree, make_user

pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.storage]

FIELDS = (Inspection.id, Inspection.code, Inspection.title, Inspection.decision_date)


def _fresh(case_id: int, pattern: str) -> Any:
    return (
        Inspection.select(*FIELDS)
        .where((Inspection.id == case_id) & scope_where(pattern))
        .order_by(Inspection.id)
    )


def _prepared(builds: list[int] | None = None) -> PreparedSelect:
    def build() -> Any:
        if builds is not None:
            builds.append(1)
        return _fresh(Param("id"), Param("scope"))  # type: ignore[arg-type]

    return PreparedSelect(Inspection, build)


@pytest.fixture
async def world() -> dict[str, Any]:
    tree = await make_tree()
    a_lead = await make_user(tree["A"], "lead")
    b_lead = await make_user(tree["B"], "lead")
    subject = await make_subject()
    in_a = await make_inspection(a_lead, [subject], title="Vụ của Sở Tài nguyên")
    in_b = await make_inspection(b_lead, [subject], title="Vụ của Sở Xây dựng")
    return {"tree": tree, "a": a_lead, "b": b_lead, "in_a": in_a, "in_b": in_b}


async def test_each_run_binds_its_own_values_and_answers_as_the_query_built_afresh(
    world: dict[str, Any],
) -> None:
    builds: list[int] = []
    read = _prepared(builds)
    a_scope = world["a"].principal.scope_pattern
    b_scope = world["b"].principal.scope_pattern
    province = f"{world['tree']['P']['path']}%"
    cases = (world["in_a"]["id"], world["in_b"]["id"])
    for case_id in cases:
        for pattern in (a_scope, b_scope, province):
            got = await read.rows(id=case_id, scope=pattern)
            assert got == await _fresh(case_id, pattern)
    # In scope, out of scope, and the parent's scope: the values were not baked in.
    assert [r["title"] for r in await read.rows(id=cases[0], scope=a_scope)] == [
        "Vụ của Sở Tài nguyên"
    ]
    assert await read.rows(id=cases[0], scope=b_scope) == []
    assert await read.first(id=cases[1], scope=province) is not None
    assert await read.first(id=cases[1], scope=a_scope) is None
    # Built and compiled once for all those runs.
    assert builds == [1]


async def test_a_deleted_case_is_not_read(world: dict[str, Any]) -> None:
    read = _prepared()
    case_id = world["in_a"]["id"]
    scope = world["a"].principal.scope_pattern
    assert await read.first(id=case_id, scope=scope) is not None
    await Inspection.update({Inspection.deleted_at: datetime.now(UTC)}).where(
        Inspection.id == case_id
    )
    assert await read.first(id=case_id, scope=scope) is None


async def test_it_runs_in_the_callers_transaction_and_is_counted(world: dict[str, Any]) -> None:
    read = _prepared()
    case_id = world["in_a"]["id"]
    scope = world["a"].principal.scope_pattern

    class Undo(Exception):
        pass

    with pytest.raises(Undo):
        async with write_transaction():
            await Inspection.update({Inspection.title: "Chưa lưu"}).where(Inspection.id == case_id)
            # The uncommitted title: the read went through the transaction's connection.
            assert (await read.first(id=case_id, scope=scope) or {})["title"] == "Chưa lưu"
            raise Undo
    assert (await read.first(id=case_id, scope=scope) or {})["title"] == "Vụ của Sở Tài nguyên"

    with counting_statements(keep_texts=True) as tally:
        await read.first(id=case_id, scope=scope)
    assert tally.count == 1
    assert tally.texts == [read.sql(engine().engine_type)]
    assert "inspection" in (tally.texts or [""])[0]


async def test_what_it_cannot_answer_as_plain_rows_is_refused_when_built() -> None:
    as_json = PreparedSelect(
        Inspection, lambda: Inspection.select(Inspection.id).output(as_json=True)
    )
    with pytest.raises(TypeError):
        await as_json.rows()
    first = PreparedSelect(Inspection, lambda: Inspection.select(Inspection.id).first())
    with pytest.raises(TypeError):
        await first.rows()


async def test_every_parameter_must_be_given_and_no_other(world: dict[str, Any]) -> None:
    read = _prepared()
    with pytest.raises(TypeError):
        await read.rows(id=world["in_a"]["id"])
    with pytest.raises(TypeError):
        await read.rows(id=world["in_a"]["id"], scope="/%", agency=1)


async def test_a_param_used_twice_gets_its_value_in_both_places(world: dict[str, Any]) -> None:
    from piccolo.columns.combination import WhereRaw

    case_id = world["in_a"]["id"]
    scope = world["a"].principal.scope_pattern
    # The id twice, and a constant that reads like a Param: bound as the text it is.
    read = PreparedSelect(
        Inspection,
        lambda: (
            Inspection.select(Inspection.id)
            .where(scope_where(Param("scope")))
            .where((Inspection.id == Param("id")) & Inspection.id.is_in([Param("id"), -1]))
            .where(WhereRaw("{} <> 'x'", "%prepared-id%"))
        ),
    )
    assert await read.rows(id=case_id, scope=scope) == [{"id": case_id}]
    assert await read.rows(id=world["in_b"]["id"], scope=scope) == []


async def test_a_param_written_into_the_text_is_refused() -> None:
    from piccolo.columns.combination import WhereRaw

    inlined = PreparedSelect(
        Inspection,
        lambda: Inspection.select(Inspection.id).where(WhereRaw(f"code = '{Param('code')}'")),
    )
    with pytest.raises(TypeError):
        await inlined.rows(code="TT-01")
