"""Hot reads whose SQL is built once: a Piccolo select compiled at first use, then only bound.

Building a select's SQL costs Piccolo more than the database takes to answer it on the hot
reads (measured on the case API: four tenths of its time, docs/performance.md). A
:class:`PreparedSelect` builds its query once per engine type, with :class:`Param` where
the values go, and compiles it; each run only puts the values in their places. The text is
the same on every run, so asyncpg's statement cache keeps it prepared on each connection
(SQLite caches it the same way). It still runs through the engine, in the caller's
transaction if there is one and counted for the request log. It answers plain rows, as
dicts: what the same select (without ``output()`` options or M2M columns, refused) run
afresh returns.

Relies on one detail of Piccolo 1.x, covered by tests/integration/test_prepared.py: a
``QueryString`` whose ``_frozen_compiled_strings`` is set is run as given (Piccolo's own
``freeze()`` sets it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from piccolo.columns.m2m import M2MSelect
from piccolo.query.methods.select import Select
from piccolo.query.mixins import Output
from piccolo.querystring import QueryString
from piccolo.table import Table


class Param(str):
    """Where a value goes in a prepared select: ``Inspection.id == Param("id")``.

    A string (with ``%`` in it, so that Piccolo's ``like`` accepts it) told apart from the
    query's own constants by its type; its value is given by name on each run.
    """

    __slots__ = ()

    def __new__(cls, name: str) -> Param:
        return super().__new__(cls, f"%prepared-{name}%")

    @property
    def name(self) -> str:
        return self[len("%prepared-") : -1]


class _Compiled(QueryString):
    """A statement already compiled: the engine runs its text with the bound values."""

    def __init__(self, sql: str, args: list[Any], query: Any) -> None:
        super().__init__("", query_type="select", table=query.table)
        self._frozen_compiled_strings = (sql, args)
        self._sql = sql

    def __str__(self) -> str:
        return self._sql


@dataclass(frozen=True, slots=True)
class _Slot:
    name: str


@dataclass(frozen=True, slots=True)
class _Statement:
    query: Any
    sql: str
    # The query's constants as they are, and a slot for each Param in its place.
    args: tuple[Any, ...]
    names: frozenset[str]


class PreparedSelect:
    """A select on ``table`` built by ``build()`` (with :class:`Param` values) once per
    engine type and run with the values named on each call."""

    def __init__(self, table: type[Table], build: Callable[[], Any]) -> None:
        self._table = table
        self._build = build
        self._statements: dict[str, _Statement] = {}

    def _statement(self, engine_type: str) -> _Statement:
        statement = self._statements.get(engine_type)
        if statement is None:
            query = self._build()
            if not isinstance(query, Select):
                raise TypeError("a prepared select is built from Table.select(...)")
            if query.output_delegate._output != Output() or any(
                isinstance(column, M2MSelect) for column in query.columns_delegate.selected_columns
            ):
                raise TypeError("a prepared select answers plain rows: no output(), no M2M")
            (querystring,) = query.querystrings
            sql, args = querystring.compile_string(engine_type=engine_type)
            slots = tuple(_Slot(a.name) if type(a) is Param else a for a in args)
            names = frozenset(a.name for a in slots if type(a) is _Slot)
            # A Param written into the text (raw SQL, a value Piccolo inlined) would be
            # compared as a literal '%name%': refused here rather than never matching.
            if "%prepared-" in sql:
                raise TypeError("a Param must be a value of the query, not part of its text")
            statement = _Statement(
                query=query,
                sql=sql,
                args=slots,
                names=names,
            )
            self._statements[engine_type] = statement
        return statement

    def sql(self, engine_type: str) -> str:
        """The statement's text on that engine (for tests and EXPLAIN)."""
        return self._statement(engine_type).sql

    async def rows(self, **values: Any) -> list[dict[str, Any]]:
        """The query's rows with these values in place of its parameters."""
        engine = self._table._meta.db
        statement = self._statement(engine.engine_type)
        if values.keys() != statement.names:
            raise TypeError(f"values for {sorted(statement.names)}, given {sorted(values)}")
        args = [values[a.name] if type(a) is _Slot else a for a in statement.args]
        raw = await engine.run_querystring(_Compiled(statement.sql, args, statement.query))
        rows: list[dict[str, Any]] = engine.transform_response_to_dicts(raw) if raw else []
        return rows

    async def first(self, **values: Any) -> dict[str, Any] | None:
        """The first row, or None (the query should say ``.limit(1)``: it is the
        database that stops at one row)."""
        found = await self.rows(**values)
        return found[0] if found else None
