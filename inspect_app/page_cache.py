"""Page parts rendered once and reused by every reader who would get the same bytes.

The follow-up board of a province reads every open deadline of its units and renders some
160 rows: about 75 ms of the two cores for each view, while the same board is opened again
and again between two writes. :func:`kept` keeps the rendered part under a key that names
everything it depends on (the reader's scope and role, the language, the day, the query)
and the data version (:mod:`inspect_app.data_version`) it was made under, and serves it
until either changes or ``PAGE_CACHE_SECONDS`` have passed.

What is kept is per process and bounded in bytes (MAX_BYTES, oldest out first). Only parts without
anything personal go in: no CSRF token, no flash message, no name of the reader (the page
around them is rendered for each request as before).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable

from markupsafe import Markup

from inspect_app import data_version
from inspect_app.data_version import Version
from inspect_app.settings import get_settings

MAX_BYTES = 48 * 1024 * 1024


def _size(text: str) -> int:
    """What a kept text weighs: its UTF-8 length (Vietnamese takes 2-3 bytes a letter)."""
    return len(text.encode())


class _Kept:
    """Rendered parts by key: (data version, monotonic time kept, text)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.entries: OrderedDict[Hashable, tuple[Version, float, str]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, version: Version, max_age: float) -> str | None:
        entry = self.entries.get(key)
        if entry is None or entry[0] != version or time.monotonic() - entry[1] > max_age:
            return None
        self.entries.move_to_end(key)
        return entry[2]

    def put(self, key: Hashable, version: Version, text: str) -> None:
        self.drop(key)
        size = _size(text)
        if size > self.max_bytes:
            return
        self.entries[key] = (version, time.monotonic(), text)
        self.size += size
        while self.size > self.max_bytes:
            _, (_, _, oldest) = self.entries.popitem(last=False)
            self.size -= _size(oldest)

    def drop(self, key: Hashable) -> None:
        entry = self.entries.pop(key, None)
        if entry is not None:
            self.size -= _size(entry[2])

    def clear(self) -> None:
        self.entries.clear()
        self.size = 0


_kept = _Kept(MAX_BYTES)


# Renders under way, by (key, version): readers who ask for the same part meanwhile wait for
# it instead of rendering it again (after a write, the ten readers of a busy board would
# otherwise all compute it at once).
_rendering: dict[tuple[Hashable, Version], asyncio.Task[str]] = {}


async def kept(key: Hashable, render: Callable[[], Awaitable[str]]) -> Markup:
    """The part named ``key``: the one kept under the current data version, else
    ``render()`` (kept for the next reader). ``render`` reads the data itself: the version is
    taken before it runs."""
    max_age = get_settings().page_cache_seconds
    version = await data_version.current() if max_age > 0 else None
    if version is None:
        _kept.misses += 1
        return Markup(await render())
    text = _kept.get(key, version, max_age)
    if text is not None:
        _kept.hits += 1
        return Markup(text)
    task = _rendering.get((key, version))
    if task is None:
        _kept.misses += 1
        task = asyncio.ensure_future(_render_and_keep(key, version, render))
        _rendering[(key, version)] = task
        task.add_done_callback(lambda done: _finished(key, version, done))
    else:
        _kept.hits += 1
    # The render is a task of its own, shielded: a reader who goes away (the first one
    # included) does not cancel what the others wait for.
    return Markup(await asyncio.shield(task))


async def _render_and_keep(
    key: Hashable, version: Version, render: Callable[[], Awaitable[str]]
) -> str:
    text = await render()
    _kept.put(key, version, text)
    return text


def _finished(key: Hashable, version: Version, task: asyncio.Task[str]) -> None:
    _rendering.pop((key, version), None)
    if not task.cancelled():
        task.exception()  # seen by every waiter; marked retrieved if nobody waited


def stats() -> dict[str, int]:
    """Hits, misses, parts and bytes kept in this process (for the bench and the tests)."""
    return {
        "hits": _kept.hits,
        "misses": _kept.misses,
        "parts": len(_kept.entries),
        "bytes": _kept.size,
    }


def clear() -> None:
    """Forget every kept part (tests)."""
    _kept.clear()
    _kept.hits = _kept.misses = 0
