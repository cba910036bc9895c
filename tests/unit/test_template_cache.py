"""Compiled templates kept on disk (inspect_app.templating.TemplateCache): a second process
reads them instead of compiling, a changed template is compiled again, and a cache that
cannot be read or written never stops a page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jinja2 import DictLoader, Environment

from inspect_app.templating import compile_fingerprint, template_cache


class CountingEnvironment(Environment):
    """An environment that counts what it compiles."""

    compiled: int = 0

    def compile(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        self.compiled += 1
        return super().compile(*args, **kwargs)


def _environment(
    directory: Path, source: str = "Xin chào {{ name }}", **options: Any
) -> CountingEnvironment:
    """An environment with one template, keeping its compiled code in ``directory`` as the
    app does (the cache named by the environment's fingerprint)."""
    env = CountingEnvironment(
        loader=DictLoader({"page.html": source, "other.html": "{{ name }}!"}), **options
    )
    env.bytecode_cache = template_cache(directory, compile_fingerprint(env))
    return env


def _render(env: Any) -> str:
    return str(env.get_template("page.html").render(name="Ninh Bình"))


def test_a_second_process_reads_the_compiled_template(tmp_path: Path) -> None:
    first = _environment(tmp_path / "template-cache")
    assert _render(first) == "Xin chào Ninh Bình"
    assert first.compiled == 1
    assert len(list((tmp_path / "template-cache").iterdir())) == 1

    second = _environment(tmp_path / "template-cache")
    assert _render(second) == "Xin chào Ninh Bình"
    assert second.compiled == 0


def test_a_changed_template_is_compiled_again(tmp_path: Path) -> None:
    _render(_environment(tmp_path))
    changed = _environment(tmp_path, source="Chào {{ name }}")
    assert _render(changed) == "Chào Ninh Bình"
    assert changed.compiled == 1


def test_other_compile_options_compile_afresh(tmp_path: Path) -> None:
    # The same source compiles to other code with other options (or another Jinja): the
    # checksum of the source alone would serve the old code.
    _render(_environment(tmp_path))
    trimmed = _environment(tmp_path, trim_blocks=True)
    assert _render(trimmed) == "Xin chào Ninh Bình"
    assert trimmed.compiled == 1
    again = _environment(tmp_path, trim_blocks=True)
    _render(again)
    assert again.compiled == 0


def test_a_damaged_file_is_compiled_instead(tmp_path: Path) -> None:
    _render(_environment(tmp_path))
    (kept,) = tmp_path.iterdir()
    kept.write_bytes(kept.read_bytes()[:20])  # the magic header, then nothing
    env = _environment(tmp_path)
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
    env = _environment(directory)
    directory.rmdir()  # gone after start-up (a volume unmounted, say)
    assert _render(env) == "Xin chào Ninh Bình"
    assert env.get_template("other.html").render(name="Hà Nam") == "Hà Nam!"
    warnings = [r for r in caplog.records if "compiled templates not kept" in r.getMessage()]
    assert len(warnings) == 1  # once per process, not once per template
