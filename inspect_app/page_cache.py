"""Page parts rendered once and reused by every reader who would get the same bytes.

The follow-up board of a province reads every open deadline of its units and renders some
160 rows: about 75 ms of the two cores for each view, while the same board is opened again
and again between two writes. :func:`kept` keeps the rendered part under a key that names
everything it depends on (the reader's scope and role, the language, the day, the query)
and the data version (:mod:`inspect_app.data_version`) it was made under, and serves it
until either changes or ``PAGE_CACHE_SECONDS`` have passed.

What is kept is per process and bounded in bytes (MAX_BYTES, oldest out first). A part kept for
all readers of a scope (``pages.shared_part_key``) holds nothing personal; a part kept for
one reader (``pages.reader_part_key``, the case page) may, since only that reader gets it.
Neither holds a CSRF token (``pages.render_reader_part`` leaves a slot that each view
fills) or a flash message: the page around a part is rendered for each request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable

from markupsafe import Markup

from inspect_app.data_version import KeptByVersion
from inspect_app.settings import get_settings

MAX_BYTES = 48 * 1024 * 1024


def _size(parts: tuple[str, ...]) -> int:
    """What kept texts weigh: their UTF-8 length (Vietnamese takes 2-3 bytes a letter)."""
    return sum(len(part.encode()) for part in parts)


_kept: KeptByVersion[tuple[str, ...]] = KeptByVersion(MAX_BYTES, _size)


async def kept(key: Hashable, render: Callable[[], Awaitable[str]]) -> Markup:
    """The part named ``key``: the one kept under the current data version, else
    ``render()`` (kept for the next reader; readers who ask meanwhile wait for that one
    render, see ``KeptByVersion.through``). ``render`` reads the data itself: the version
    is taken before it runs."""

    async def one() -> tuple[str, ...]:
        return (await render(),)

    (text,) = await kept_parts(key, one)
    return text


async def kept_parts(
    key: Hashable, render: Callable[[], Awaitable[tuple[str, ...]]]
) -> tuple[Markup, ...]:
    """As :func:`kept`, for a page made of several texts kept together (a title and a body)."""
    parts = await _kept.through(key, get_settings().page_cache_seconds, render)
    return tuple(Markup(part) for part in parts)


def stats() -> dict[str, int]:
    """Hits, misses, parts and bytes kept in this process (for the bench and the tests)."""
    return {
        "hits": _kept.hits,
        "misses": _kept.misses,
        "parts": len(_kept.entries),
        "bytes": _kept.weight,
    }


def clear() -> None:
    """Forget every kept part (tests)."""
    _kept.clear()
