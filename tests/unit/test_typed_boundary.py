"""The guard of the typed service boundary (tools/typed_boundary.py, run by ``make lint``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.typed_boundary import main, untyped_functions

MODULE = """
from typing import Any

def takes(values: dict[str, Any]) -> int: ...
async def answers(case_id: int) -> list[dict[str, Any]] | None: ...
def by_keyword(*, extra: dict[str, Any] | None = None) -> None: ...
def typed(values: dict[str, int]) -> str: ...
def reads(row: "Mapping[str, Any]") -> int: ...
def _private(values: dict[str, Any]) -> dict[str, Any]: ...

class Record:
    def as_dict(self) -> dict[str, Any]: ...
"""


@pytest.fixture
def services(tmp_path: Path) -> Path:
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "writes.py").write_text(MODULE, encoding="utf-8")
    (tmp_path / "clean.py").write_text("def typed(n: int) -> int: ...\n", encoding="utf-8")
    return tmp_path


def test_public_functions_naming_a_dictionary_of_any_are_counted(services: Path) -> None:
    assert sorted(untyped_functions(services)) == [
        ("cases/writes.py", "answers"),
        ("cases/writes.py", "by_keyword"),
        ("cases/writes.py", "takes"),
    ]


def test_check_fails_while_one_is_left_and_passes_at_none(
    services: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--check"], services) == 1
    assert "cases/writes.py: takes, answers, by_keyword" in capsys.readouterr().out
    (services / "cases" / "writes.py").unlink()
    assert main(["--check"], services) == 0
    assert main(["--count"], services) == 0
