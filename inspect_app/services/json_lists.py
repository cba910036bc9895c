"""Several lists read with their parent in one statement.

A page about one record shows several lists of its children (a case's timeline, findings,
measures, files…). Read one by one they cost a round trip each; here each list is a column
of the parent's own statement, a JSON array the database builds (``json_agg`` on
PostgreSQL, ``json_group_array`` on SQLite), decoded back into the rows Piccolo would have
returned for the same columns: the same keys and the same Python types (``date``,
``datetime`` in UTC, ``Decimal``, ``bool``; JSON columns as their text, as asyncpg and
SQLite hand them back). So the mappers that shape rows for the API and the pages work on
them unchanged.

Each list is a :class:`JsonList`: its fields, the ``FROM … WHERE …`` that yields its rows
(correlated with the parent's table by name, its own tables aliased), their order and an
optional limit. :func:`list_columns` makes them columns for ``Table.select``, and
:func:`take_lists` decodes them from the row read.
"""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

from piccolo.columns import (
    JSON,
    JSONB,
    BigInt,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    Serial,
    SmallInt,
    Timestamp,
    Timestamptz,
)
from piccolo.querystring import QueryString, Selectable

from inspect_app.db import is_postgres

Kind = Literal["int", "str", "date", "datetime", "decimal", "bool", "text_json"]

# One value of a decoded row, by its field's kind: int, str (also "text_json", a JSON column
# as its text), date, datetime (UTC), decimal, bool; None where the column is NULL.
JsonValue = int | str | date | datetime | Decimal | bool | None
# One decoded row of a list: its fields' keys and values, as Piccolo would key them.
JsonRow = dict[str, JsonValue]


@dataclass(frozen=True, slots=True)
class Field:
    """One value of each row: its key in the row, its SQL expression and its kind."""

    key: str
    sql: str
    kind: Kind


@dataclass(frozen=True, slots=True)
class JsonList:
    """One list: its fields, where its rows come from (``source``, ``FROM … WHERE …`` with
    ``{}`` placeholders for ``args``), their order, and at most ``limit`` of them."""

    fields: tuple[Field, ...]
    source: str
    order_by: str
    args: tuple[Any, ...] = ()
    limit: int | None = None


def kind_of(column: Column) -> Kind:
    """How a Piccolo column's value comes back (its Python type)."""
    if isinstance(column, Boolean):
        return "bool"
    if isinstance(column, (Integer, BigInt, SmallInt, Serial, ForeignKey)):
        return "int"
    if isinstance(column, (Timestamptz, Timestamp)):
        return "datetime"
    if isinstance(column, Date):
        return "date"
    if isinstance(column, Numeric):
        return "decimal"
    if isinstance(column, (JSON, JSONB)):
        return "text_json"
    return "str"


def fields_of(alias: str, *columns: Column) -> tuple[Field, ...]:
    """The fields of plain columns of the table aliased ``alias``, keyed as Piccolo keys
    them (a JSON column is read as its text)."""
    result = []
    for column in columns:
        kind = kind_of(column)
        sql = f'{alias}."{column._meta.db_column_name}"'
        if kind == "text_json":
            sql = f"CAST({sql} AS TEXT)"
        result.append(Field(column._meta.name, sql, kind))
    return tuple(result)


def _sql(item: JsonList, postgres: bool) -> str:
    values = ", ".join(f"{field.sql} AS c{n}" for n, field in enumerate(item.fields))
    refs = ", ".join(f"s.c{n}" for n in range(len(item.fields)))
    limit = f" LIMIT {int(item.limit)}" if item.limit is not None else ""
    if postgres:
        inner = (
            f"SELECT {values}, ROW_NUMBER() OVER (ORDER BY {item.order_by}) AS n"
            f" {item.source} ORDER BY {item.order_by}{limit}"
        )
        return (
            f"(SELECT COALESCE(json_agg(json_build_array({refs}) ORDER BY s.n), '[]'::json)"
            f" FROM ({inner}) s)"
        )
    # SQLite before 3.44 has no ORDER BY inside an aggregate: it takes the rows in the
    # order the ordered subquery yields them.
    inner = f"SELECT {values} {item.source} ORDER BY {item.order_by}{limit}"
    return f"(SELECT COALESCE(json_group_array(json_array({refs})), '[]') FROM ({inner}) s)"


# List columns are named apart from the parent's own columns (a measure has a "finding").
_PREFIX = "list__"


def list_columns(lists: dict[str, JsonList]) -> list[Selectable]:
    """The lists as columns of a ``Table.select`` (take them back with :func:`take_lists`)."""
    return [
        QueryString(_sql(item, is_postgres()), *item.args).as_alias(_PREFIX + name)
        for name, item in lists.items()
    ]


def take_lists(
    lists: dict[str, JsonList], row: MutableMapping[str, Any]
) -> dict[str, list[JsonRow]]:
    """The decoded lists of a row read with :func:`list_columns`, removed from the row (which
    is left with the parent's own columns)."""
    return {name: decode_list(item, row.pop(_PREFIX + name)) for name, item in lists.items()}


def _value(kind: Kind, value: Any) -> JsonValue:
    if value is None:
        return None
    if kind == "int":
        return int(value)
    if kind == "bool":
        return bool(value)
    if kind == "decimal":
        return value if isinstance(value, Decimal) else Decimal(str(value))
    if kind == "date":
        return date.fromisoformat(str(value)[:10])
    if kind == "datetime":
        stamp = datetime.fromisoformat(str(value))
        return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)
    return str(value)


def int_of(value: JsonValue) -> int:
    """The value of an "int" field of a decoded row that cannot be NULL."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise TypeError(f"not an int: {value!r}")


def str_of(value: JsonValue) -> str:
    """The value of a "str" field of a decoded row; NULL as ""."""
    return "" if value is None else str(value)


def decode_list(item: JsonList, raw: str | bytes | list[list[Any]] | None) -> list[JsonRow]:
    """The rows of a list column, as Piccolo would have returned them."""
    if raw is None:
        return []
    arrays = json.loads(raw, parse_float=Decimal) if isinstance(raw, (str, bytes)) else raw
    return [
        {
            field.key: _value(field.kind, value)
            for field, value in zip(item.fields, row, strict=True)
        }
        for row in arrays
    ]
