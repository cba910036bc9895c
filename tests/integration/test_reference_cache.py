"""Reference data cached per process: served from memory while its version holds, read
again on the next use after any change, whoever made it (triggers bump the version)."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from inspect_app.db import counting_statements
from inspect_app.services import agencies, catalogues, follow_ups, reference_cache
from models.tables import Agency, CaseKind, DeadlineLadder, ReferenceVersion

pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.storage]

TRIGGERS = importlib.import_module("models.piccolo_migrations.models_2026_12_05t10_30_00_000000")
LADDER_TRIGGER = importlib.import_module(
    "models.piccolo_migrations.models_2026_12_07t08_30_00_000000"
)


@pytest.fixture
async def versioned(people: dict[str, Any]) -> dict[str, Any]:
    """The test database was emptied, version rows included: put them back."""
    await TRIGGERS.install()
    await LADDER_TRIGGER.install()
    reference_cache.clear()
    return people


def _names(rows: Any) -> list[str]:
    return [str(row["name"]) for row in rows]


async def test_the_tree_is_served_from_memory_until_an_agency_changes(
    versioned: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    head = versioned["lead"].principal
    first = await agencies.tree_options(head)
    original_select = Agency.select

    def no_database(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the agencies were read again although nothing changed")

    monkeypatch.setattr(Agency, "select", no_database)
    assert await agencies.tree_options(head) == first
    monkeypatch.setattr(Agency, "select", original_select)

    # A change made behind the app's back (plain SQL) is seen on the next use.
    await Agency.raw("UPDATE agency SET name = 'Phòng Nghiệp vụ mới' WHERE id = {}", head.agency_id)
    assert "Phòng Nghiệp vụ mới" in _names(await agencies.tree_options(head))


async def test_a_deactivated_agency_leaves_every_cached_tree_at_once(
    versioned: dict[str, Any],
) -> None:
    lead = versioned["lead"].principal
    tree = versioned["tree"]
    before = await agencies.tree_options(lead)
    assert tree["A1"]["id"] in [row["id"] for row in before]
    await Agency.update({Agency.active: False}).where(Agency.id == tree["A1"]["id"])
    after = await agencies.tree_options(lead)
    assert tree["A1"]["id"] not in [row["id"] for row in after]


async def test_what_a_caller_changes_never_reaches_the_cache(versioned: dict[str, Any]) -> None:
    lead = versioned["lead"].principal
    # The agency tree is shared, read-only: a change is refused, not stored.
    rows = await agencies.tree_options(lead)
    with pytest.raises(TypeError):
        rows[0]["name"] = "sửa tay"  # type: ignore[index]
    with pytest.raises(AttributeError):
        rows.clear()  # type: ignore[attr-defined]
    again = await agencies.tree_options(lead)
    assert again is rows and "sửa tay" not in _names(again)
    # What `cached` hands out is a copy: changing it changes nothing stored.
    copied = await reference_cache.cached("agencies", "copied", lambda: _agency_rows())
    copied[0]["name"] = "sửa tay"
    copied.clear()
    assert "sửa tay" not in _names(await reference_cache.cached("agencies", "copied", _agency_rows))


async def _agency_rows() -> list[dict[str, Any]]:
    return list(await Agency.select(Agency.id, Agency.name))


async def test_without_a_version_row_nothing_is_cached(
    versioned: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    lead = versioned["lead"].principal
    await ReferenceVersion.delete().where(ReferenceVersion.name == "agencies")
    await agencies.tree_options(lead)
    calls: list[int] = []
    original_select = Agency.select

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original_select(*args, **kwargs)

    monkeypatch.setattr(Agency, "select", counting)
    await agencies.tree_options(lead)
    await agencies.tree_options(lead)
    assert len(calls) == 2


async def test_case_kinds_follow_their_edits(versioned: dict[str, Any]) -> None:
    await catalogues.ensure_catalogues()
    kinds = await catalogues.case_kinds()
    code = str(kinds[0]["code"])
    await CaseKind.update({CaseKind.name_vi: "Thanh tra (tên mới)"}).where(CaseKind.code == code)
    renamed = {str(k["code"]): k["name_vi"] for k in await catalogues.case_kinds()}
    assert renamed[code] == "Thanh tra (tên mới)"


async def test_the_ladders_are_read_once_until_one_is_edited(
    versioned: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The board, its figures and the deadline watch read every ladder; each process keeps
    # them and reads one version row per use until a ladder changes, whoever changes it.
    await catalogues.ensure_catalogues()
    first = await follow_ups.ladders()
    original_select = DeadlineLadder.select

    def no_database(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the ladders were read again although none changed")

    monkeypatch.setattr(DeadlineLadder, "select", no_database)
    with counting_statements() as tally:
        assert await follow_ups.ladders() == first
    assert tally.count == 1  # the version row only
    monkeypatch.setattr(DeadlineLadder, "select", original_select)
    assert first["measure"].remind_days != (9, 2)
    await DeadlineLadder.raw(
        "UPDATE deadline_ladder SET remind_days = {} WHERE deadline_type = 'measure'", "[9, 2]"
    )
    with counting_statements() as tally:
        edited = await follow_ups.ladders()
    assert edited["measure"].remind_days == (9, 2)
    assert tally.count == 2  # the version moved: the ladders read again
    # Deleted behind the app's back: the default ladder again, on the next read.
    await DeadlineLadder.raw("DELETE FROM deadline_ladder WHERE deadline_type = 'measure'")
    assert (await follow_ups.ladders())["measure"] == follow_ups.Ladder("measure")
