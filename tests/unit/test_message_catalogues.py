"""The catalogue checks of make lint (tools/messages.py) catch each kind of mistake, and make
messages brings the catalogues in line with the code."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from tools import messages


def _pot(path: Path, *entries: tuple[object, str | None, str]) -> Path:
    """A template like pybabel extract writes: (id, context, file) per message."""
    template = Catalog()
    for message_id, context, filename in entries:
        template.add(message_id, locations=[(filename, 1)], context=context)
    buffer = io.BytesIO()
    write_po(buffer, template)
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def locale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "locale"
    (folder / "vi" / "LC_MESSAGES").mkdir(parents=True)
    monkeypatch.setattr(messages, "LOCALE_DIR", folder)
    return folder


CODE = (
    ("Save the plan.", None, "inspect_app/services/plans.py"),
    (("{count} case", "{count} cases"), None, "inspect_app/controllers/admin.py"),
    ("Open", "measure status", "inspect_app/domain/measures.py"),
    (("%(num)d day left", "%(num)d days left"), None, "templates/follow_ups/index.html"),
)
VIETNAMESE = {
    "Save the plan.": "Lưu kế hoạch.",
    "{count} case": ("{count} cuộc",),
    "Open": "Chưa thực hiện",
    "%(num)d day left": ("còn %(num)d ngày",),
}


def _translate_all(values: dict[str, object]) -> None:
    for domain in messages.load_domains("vi"):
        for message in messages.entries(domain.catalog):
            message.string = values[messages.key(message)[1]]  # type: ignore[assignment]
            message.flags.discard("fuzzy")
        messages.write_domain(domain)


def _edit(lang: str, singular: str, translation: object, compile_mo: bool = True) -> None:
    for domain in messages.load_domains(lang):
        for message in messages.entries(domain.catalog):
            if messages.key(message)[1] == singular:
                message.string = translation  # type: ignore[assignment]
                if compile_mo:
                    messages.write_domain(domain)
                else:
                    buffer = io.BytesIO()
                    write_po(buffer, domain.catalog, width=0, no_location=True)
                    domain.po_path.write_bytes(buffer.getvalue())


def test_update_adds_ids_by_area_and_check_wants_them_translated(
    locale: Path, tmp_path: Path
) -> None:
    pot = _pot(tmp_path / "messages.pot", *CODE)
    messages.update(pot, None)
    domains = {d.name for d in messages.load_domains("vi")}
    assert domains == {"cases", "admin", "jobs"}  # DOMAIN_RULES by the first file
    english = {
        messages.key(m)[1]: m.string
        for d in messages.load_domains("en")
        for m in messages.entries(d.catalog)
    }
    # English holds only the plurals, in their own words.
    assert english == {
        "{count} case": ("{count} case", "{count} cases"),
        "%(num)d day left": ("%(num)d day left", "%(num)d days left"),
    }
    problems = messages.check(pot)
    assert sum("is not translated" in p for p in problems) == 4

    _translate_all(VIETNAMESE)
    assert messages.check(pot) == []
    assert messages.update(pot, None) == []  # nothing left to change


def test_check_fails_on_each_kind_of_mistake(locale: Path, tmp_path: Path) -> None:
    pot = _pot(tmp_path / "messages.pot", *CODE)
    messages.update(pot, None)
    _translate_all(VIETNAMESE)

    # An id the code uses that no catalogue has.
    grown = _pot(tmp_path / "grown.pot", *CODE, ("Delete the plan?", None, "templates/x.html"))
    assert messages.check(grown) == [
        "vi: missing 'Delete the plan?' (run make messages, then translate)"
    ]
    # An entry nothing uses any more.
    shrunk = _pot(tmp_path / "shrunk.pot", *CODE[1:])
    assert any("'Save the plan.' is not used any more" in p for p in messages.check(shrunk))
    # A value the id does not have; a stray % in a template message.
    _edit("vi", "{count} case", ("{cout} cuộc",))
    assert any("unknown values ['cout']" in p for p in messages.check(pot))
    _edit("vi", "{count} case", ("{count} cuộc",))
    _edit("vi", "%(num)d day left", ("còn %(num)d ngày (100%)",))
    assert any("write a % as %%" in p for p in messages.check(pot))
    _edit("vi", "%(num)d day left", ("còn %(num)d ngày (100%%)",))
    assert messages.check(pot) == []
    # A .po changed without compiling its .mo.
    _edit("vi", "Save the plan.", "Lưu lại kế hoạch.", compile_mo=False)
    assert any("cases.mo is older than" in p for p in messages.check(pot))
    messages.compile_all()
    assert messages.check(pot) == []
    # A fuzzy translation, and the same id in two domains.
    for domain in messages.load_domains("vi"):
        if domain.name == "cases":
            next(iter(messages.entries(domain.catalog))).flags.add("fuzzy")
            domain.catalog.add(("{count} case", "{count} cases"), ("{count} cuộc",))
            messages.write_domain(domain)
    problems = messages.check(pot)
    assert any("is marked fuzzy" in p for p in problems)
    assert any("'{count} case' is also in" in p for p in problems)


def test_a_changed_id_starts_from_the_old_translation_marked_fuzzy(
    locale: Path, tmp_path: Path
) -> None:
    pot = _pot(tmp_path / "messages.pot", *CODE)
    messages.update(pot, None)
    _translate_all(VIETNAMESE)
    reworded = _pot(
        tmp_path / "reworded.pot",
        ("Save this plan.", None, "inspect_app/services/plans.py"),
        *CODE[1:],
    )
    messages.update(reworded, None)
    problems = messages.check(reworded)
    assert problems == [
        "vi/cases.po: 'Save this plan.' is marked fuzzy: check the translation, drop the flag"
    ]
    entry = next(
        m
        for d in messages.load_domains("vi")
        for m in messages.entries(d.catalog)
        if m.id == "Save this plan."
    )
    assert entry.string == "Lưu kế hoạch."


def test_the_domain_can_be_chosen(locale: Path, tmp_path: Path) -> None:
    pot = _pot(tmp_path / "messages.pot", *CODE)
    messages.update(pot, "plans_feature")
    assert {d.name for d in messages.load_domains("vi")} == {"plans_feature"}


def test_translations_from_json_files_fill_the_catalogues(locale: Path, tmp_path: Path) -> None:
    pot = _pot(tmp_path / "messages.pot", *CODE)
    messages.update(pot, None)
    legacy = locale / "vi" / "admin.json"
    legacy.write_text(
        '{"Save the plan.": "Lưu kế hoạch.", "Rename the plan.": "Đổi tên kế hoạch."}',
        encoding="utf-8",
    )
    changes = messages.import_json([legacy])
    assert changes == ["vi: translated 'Save the plan.'", "vi/admin: added 'Rename the plan.'"]
    translated = {
        messages.key(m)[1]: m.string
        for d in messages.load_domains("vi")
        for m in messages.entries(d.catalog)
    }
    assert translated["Save the plan."] == "Lưu kế hoạch."
    assert translated["Rename the plan."] == "Đổi tên kế hoạch."
    assert any("'Rename the plan.' is not used any more" in p for p in messages.check(pot))
