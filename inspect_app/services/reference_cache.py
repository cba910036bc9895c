"""Reference data cached per process, checked against its version on every use.

Reference data (the agency tree, the case kinds) changes rarely and is read on almost every
page: the national agency select alone is 1,076 rows. A process keeps what it read, keyed by
the data's row in ``reference_version``, which database triggers bump on every change
(migration 2026-12-05T10:30:00), whoever makes it. Each use costs one indexed read of that
row instead of the data itself, and a change is seen by every process on its next read.
When the row is missing (a database emptied by hand) nothing is cached.
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable, Hashable
from types import MappingProxyType
from typing import Any, TypeVar

from models.tables import ReferenceVersion

T = TypeVar("T")

# (name, key) -> (version, token, value); small: one entry per agency subtree and kind.
_CACHE: dict[tuple[str, Hashable], tuple[int, str, Any]] = {}
MAX_ENTRIES = 4096


async def current_version(name: str) -> tuple[int, str] | None:
    """The version and token of ``name``'s reference data, or None when it has no row."""
    row = (
        await ReferenceVersion.select(ReferenceVersion.version, ReferenceVersion.token)
        .where(ReferenceVersion.name == name)
        .first()
    )
    return None if row is None else (int(row["version"]), str(row["token"]))


async def cached(name: str, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
    """``load()``'s result for ``key`` of ``name``'s data, reused while its version holds.

    Callers get a copy, so that what they change never reaches the cache.
    """
    version = await current_version(name)
    if version is None:
        return await load()
    entry = _CACHE.get((name, key))
    if entry is not None and (entry[0], entry[1]) == version:
        return copy.deepcopy(entry[2])  # type: ignore[no-any-return]
    value = await load()
    if len(_CACHE) >= MAX_ENTRIES:
        _CACHE.clear()
    _CACHE[(name, key)] = (version[0], version[1], copy.deepcopy(value))
    return value


def frozen(value: Any) -> Any:
    """``value`` made read-only all the way down: lists become tuples, dicts read-only
    mappings (Jinja reads ``row.name`` from them as from a dict)."""
    if isinstance(value, dict):
        return MappingProxyType({key: frozen(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(frozen(item) for item in value)
    return value


async def shared(name: str, key: Hashable, load: Callable[[], Awaitable[Any]]) -> Any:
    """As :func:`cached`, but every caller gets the one stored value, frozen (see
    :func:`frozen`) instead of copied: for large data read on every page (the national
    agency tree is 1,076 rows; copying it cost more than the page's queries). A caller that
    tried to change it would get a TypeError, never a changed cache."""
    version = await current_version(name)
    if version is None:
        return frozen(await load())
    entry = _CACHE.get((name, key))
    if entry is not None and (entry[0], entry[1]) == version:
        return entry[2]
    value = frozen(await load())
    if len(_CACHE) >= MAX_ENTRIES:
        _CACHE.clear()
    _CACHE[(name, key)] = (version[0], version[1], value)
    return value


def clear() -> None:
    """Forget everything (tests, and a process that wants to start afresh)."""
    _CACHE.clear()
