"""Small faults in the counters' SQL, the way a real bug would look.

Python mutation tools see the report counters (the SQL statements of
``inspect_app.services.totals``) as string constants and cannot mutate them meaningfully. This
module writes the faults itself, one at a time, in the SQL text:

=================  ===========================================================================
operator           fault
=================  ===========================================================================
``compare``        ``>=`` ↔ ``>``, ``<=`` ↔ ``<``, ``=`` → ``<>``, ``<>`` → ``=``
``logic``          ``AND`` ↔ ``OR``
``null``           ``IS NULL`` ↔ ``IS NOT NULL``
``deleted``        a ``deleted_at IS NULL`` filter dropped (replaced by ``1 = 1``)
``coalesce``       the two arguments of a ``COALESCE`` swapped
``day``            a period bound compared one day later (``p.p_start`` → ``(p.p_start + 1)``)
``case``           the two branches of a ``CASE WHEN … THEN a ELSE b`` swapped
``aggregate``      ``MIN`` ↔ ``MAX``, ``COUNT(DISTINCT x)`` → ``COUNT(x)``
``join``           ``LEFT JOIN`` → ``JOIN``
``arithmetic``     ``-`` → ``+`` between two terms
=================  ===========================================================================

String literals, ``--`` comments and the ``{placeholders}`` filled in by the service are never
touched. Each mutant has a key that names the statement, the operator, the line of SQL it
changes and which match on that line, so that it stays the same when unrelated SQL moves.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

# Where the counters live, and the dict of their statements (table name -> SQL text).
COUNTER_MODULE = "inspect_app.services.totals"
COUNTER_STATEMENTS = "_SQL"


@dataclass(frozen=True)
class Mutant:
    """One fault in one statement."""

    table: str  # the key of the statement in the counters' dict: inspections, checks, ...
    operator: str
    start: int  # offset of the changed text in the original statement
    end: int
    original: str
    replacement: str
    line: str  # the whole SQL line the change is on, stripped
    occurrence: int  # which change of this operator and text on that line (0, 1, ...)

    @property
    def key(self) -> str:
        """A stable, readable name: table, operator, change, and where."""
        return (
            f"{self.table}|{self.operator}|{self.original} -> {self.replacement}"
            f"|{self.line}|{self.occurrence}"
        )

    @property
    def short_id(self) -> str:
        """A short hash of the key, usable as a pytest parameter id."""
        return hashlib.sha1(self.key.encode()).hexdigest()[:10]

    def apply(self, sql: str) -> str:
        """The statement with this fault."""
        assert sql[self.start : self.end] == self.original, "the SQL changed under the mutant"
        return sql[: self.start] + self.replacement + sql[self.end :]

    def describe(self) -> str:
        """One line for people: the statement, the change and the SQL line it is on."""
        change = f"{self.original!r} -> {self.replacement!r}"
        return f"[{self.table}] {self.operator}: {change} in: {self.line}"


# --------------------------------------------------------------------------- scanning


def _masked(sql: str) -> str:
    """The SQL with string literals, comments and {placeholders} blanked out (same length)."""
    out = list(sql)
    i = 0
    while i < len(sql):
        if sql.startswith("--", i):
            j = sql.find("\n", i)
            j = len(sql) if j < 0 else j
        elif sql[i] == "'":
            j = i + 1
            while j < len(sql):
                if sql[j] == "'" and sql.startswith("''", j):
                    j += 2
                    continue
                if sql[j] == "'":
                    j += 1
                    break
                j += 1
        elif sql[i] == "{":
            j = sql.index("}", i) + 1
        else:
            i += 1
            continue
        for k in range(i, j):
            if out[k] != "\n":
                out[k] = " "
        i = j
    return "".join(out)


def _line_of(sql: str, offset: int) -> str:
    start = sql.rfind("\n", 0, offset) + 1
    end = sql.find("\n", offset)
    return sql[start : len(sql) if end < 0 else end].strip()


Change = tuple[int, int, str]  # start, end, replacement


def _each(pattern: str, masked: str, replace: Callable[[re.Match[str]], str]) -> Iterator[Change]:
    for match in re.finditer(pattern, masked):
        yield match.start(), match.end(), replace(match)


_COMPARE_SWAP = {">=": ">", ">": ">=", "<=": "<", "<": "<=", "=": "<>", "<>": "="}


def _compare(masked: str, sql: str) -> Iterator[Change]:
    pattern = r"(?<![<>!=|])(>=|<=|<>|=|<|>)(?![<>=|])"
    yield from _each(pattern, masked, lambda m: _COMPARE_SWAP[m.group(1)])


def _logic(masked: str, sql: str) -> Iterator[Change]:
    yield from _each(r"\b(AND|OR)\b", masked, lambda m: "OR" if m.group(1) == "AND" else "AND")


def _null(masked: str, sql: str) -> Iterator[Change]:
    pattern = r"\bIS\s+(NOT\s+)?NULL\b"
    yield from _each(pattern, masked, lambda m: "IS NULL" if m.group(1) else "IS NOT NULL")


def _deleted(masked: str, sql: str) -> Iterator[Change]:
    yield from _each(r"\b(?:\w+\.)?deleted_at\s+IS\s+NULL\b", masked, lambda m: "1 = 1")


def _matching_paren(text: str, open_at: int) -> int:
    depth = 0
    for i in range(open_at, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("unbalanced parentheses in the SQL")


def _top_level_commas(text: str) -> list[int]:
    depth, commas = 0, []
    for i, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            commas.append(i)
    return commas


def _coalesce(masked: str, sql: str) -> Iterator[Change]:
    for match in re.finditer(r"\bCOALESCE\(", masked):
        open_at = match.end() - 1
        close_at = _matching_paren(masked, open_at)
        commas = _top_level_commas(masked[open_at + 1 : close_at])
        if len(commas) != 1:
            continue
        first = sql[open_at + 1 : open_at + 1 + commas[0]].strip()
        second = sql[open_at + 1 + commas[0] + 1 : close_at].strip()
        yield open_at + 1, close_at, f"{second}, {first}"


_BOUND = r"(?:\b\w+\.)?\bp_(?:start|end)\b"


def _day(masked: str, sql: str) -> Iterator[Change]:
    # A period bound on either side of a comparison, compared one day later.
    for pattern in (rf"(?<=[<>=])\s*({_BOUND})", rf"({_BOUND})(?=\s*[<>=])"):
        for match in re.finditer(pattern, masked):
            yield match.start(1), match.end(1), f"({match.group(1)} + 1)"


def _case(masked: str, sql: str) -> Iterator[Change]:
    token = r"[A-Za-z_][\w.]*|\d+"
    for match in re.finditer(rf"\bTHEN\s+({token})\s+ELSE\s+({token})\s+END\b", masked):
        a, b = sql[match.start(1) : match.end(1)], sql[match.start(2) : match.end(2)]
        if a != b:
            yield match.start(), match.end(), f"THEN {b} ELSE {a} END"


def _aggregate(masked: str, sql: str) -> Iterator[Change]:
    swap = {"MIN(": "MAX(", "MAX(": "MIN("}
    pattern = r"\b(MIN|MAX)\(|\bCOUNT\(DISTINCT\s+"
    yield from _each(pattern, masked, lambda m: swap.get(m.group(0), "COUNT("))


def _join(masked: str, sql: str) -> Iterator[Change]:
    yield from _each(r"\bLEFT JOIN\b", masked, lambda m: "JOIN")


def _arithmetic(masked: str, sql: str) -> Iterator[Change]:
    yield from _each(r"(?<=[\w)])\s+-\s+(?=[\w(])", masked, lambda m: " + ")


OPERATORS: dict[str, Callable[[str, str], Iterator[Change]]] = {
    "compare": _compare,
    "logic": _logic,
    "null": _null,
    "deleted": _deleted,
    "coalesce": _coalesce,
    "day": _day,
    "case": _case,
    "aggregate": _aggregate,
    "join": _join,
    "arithmetic": _arithmetic,
}


def mutants_of(table: str, sql: str) -> list[Mutant]:
    """Every mutant of one statement, in the order of the text."""
    masked = _masked(sql)
    found: list[Mutant] = []
    seen: dict[tuple[str, str, str, str], int] = {}
    spans: set[tuple[int, int, str]] = set()
    for operator, finder in OPERATORS.items():
        for start, end, replacement in sorted(finder(masked, sql)):
            if (start, end, replacement) in spans:
                continue  # the same change reached by two operators
            spans.add((start, end, replacement))
            original = sql[start:end]
            line = _line_of(sql, start)
            where = (operator, original, replacement, line)
            occurrence = seen.get(where, 0)
            seen[where] = occurrence + 1
            found.append(
                Mutant(table, operator, start, end, original, replacement, line, occurrence)
            )
    return sorted(found, key=lambda m: (m.start, m.operator))


def all_mutants(statements: Mapping[str, str]) -> list[Mutant]:
    """The mutants of every statement, table by table."""
    return [mutant for table, sql in statements.items() for mutant in mutants_of(table, sql)]


def counter_statements() -> dict[str, str]:
    """The live dict of the counters' statements (mutated in place by the plugin)."""
    import importlib

    module = importlib.import_module(COUNTER_MODULE)
    statements: dict[str, str] = getattr(module, COUNTER_STATEMENTS)
    return statements
