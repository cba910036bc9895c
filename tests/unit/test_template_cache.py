"""Compiled templates kept on disk (inspect_app.templating.TemplateCache): a second process
reads them instead of compiling, a changed template is compiled again, and a cache that
cannot be read or written never stops a page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jinja2 import DictLoader, Environment

from inspect_app.templating import TemplateCache, template_cache


class CountingEnvironment(Environment):
    """An environment that counts what it compiles."""

    compiled: int = 0

    def compile(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        self.compiled += 1
        return super().compile(*args, **kwargs)


def _environment(cache: TemplateCache | None, source: str = "Xin chào {{ name }}") -> Any:
    return CountingEnvironment(loader=DictLoader({"page.html": source}), bytecode_cache=cache)


def _render(env: Any) -> str:
    return str(env.get_template("page.html").render(name="Ninh Bình"))


def test_a_second_process_reads_the_compiled_template(tmp_path: Path) -> None:
    cache = template_cache(tmp_path / "template-cache")
    assert cache is not None
    first = _environment(cache)
    assert _render(first) == "Xin chào Ninh Bình"
    assert first.compiled == 1
    assert len(list((tmp_path / "template-cache").iterdir())) == 1

    second = _environment(template_cache(tmp_path / "template-cache"))
    assert _render(second) == "Xin chào Ninh Bình"
    assert second.compiled == 0


def test_a_changed_template_is_compiled_again(tmp_path: Path) -> None:
    _render(_environment(template_cache(tmp_path)))
    changed = _environment(template_cache(tmp_path), source="Chào {{ name }}")
    assert _render(changed) == "Chào Ninh Bình"
    assert changed.compiled == 1


def test_a_damaged_file_is_compiled_instead(tmp_path: Path) -> None:
    _render(_environment(template_cache(tmp_path)))
    (kept,) = tmp_path.iterdir()
    kept.write_bytes(kept.read_bytes()[:20])  # the magic header, then nothing
    env = _environment(template_cache(tmp_path))
    assert _render(env) == "Xin chào Ninh Bình"
    assert env.compiled == 1


def test_a_directory_that_cannot_be_made_means_no_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert template_cache(blocker / "template-cache") is None


def test_a_cache_that_cannot_be_written_does_not_stop_the_page(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    directory = tmp_path / "template-cache"
    cache = template_cache(directory)
    directory.rmdir()  # gone after start-up (a volume unmounted, say)
    env = _environment(cache)
    assert _render(env) == "Xin chào Ninh Bình"
    assert "compiled template not kept" in caplog.text
