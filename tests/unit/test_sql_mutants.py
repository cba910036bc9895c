"""The SQL faults of `make mutate-sql`: where they are made and where never."""

from __future__ import annotations

from collections import Counter

from tests.mutation.sql_mutants import mutants_of

SQL = """
WITH period(code, p_start, p_end) AS (VALUES {periods}),
x AS (
  -- a comment with >= and AND that stays as it is
  SELECT COALESCE(i.announced_on, i.decision_date) AS started_on,
    CASE WHEN m.type = 'a >= b AND c' THEN m.amount_vnd ELSE 0 END AS money,
    COUNT(DISTINCT f.subject) AS units, MAX(m.completed_on) AS last,
    COALESCE(k.total, 0) - COALESCE(k.done, 0) AS rest
  FROM period p JOIN inspection i ON i.concluded_on >= p.p_start AND i.closed_on IS NULL
  LEFT JOIN measure m ON m.inspection = i.id AND m.deleted_at IS NULL
  WHERE i.cancelled_on <= p.p_end OR i.cancelled_on <> i.closed_on {agencies}
)
"""


def test_every_operator_finds_its_faults_and_nothing_in_strings_comments_or_placeholders() -> None:
    mutants = mutants_of("t", SQL)
    changes = {(m.operator, m.original, m.replacement) for m in mutants}
    assert {
        ("compare", ">=", ">"),
        ("compare", "<=", "<"),
        ("compare", "=", "<>"),
        ("compare", "<>", "="),
        ("logic", "AND", "OR"),
        ("logic", "OR", "AND"),
        ("null", "IS NULL", "IS NOT NULL"),
        ("deleted", "m.deleted_at IS NULL", "1 = 1"),
        ("coalesce", "i.announced_on, i.decision_date", "i.decision_date, i.announced_on"),
        ("coalesce", "k.total, 0", "0, k.total"),
        ("day", "p.p_start", "(p.p_start + 1)"),
        ("day", "p.p_end", "(p.p_end + 1)"),
        ("case", "THEN m.amount_vnd ELSE 0 END", "THEN 0 ELSE m.amount_vnd END"),
        ("aggregate", "MAX(", "MIN("),
        ("aggregate", "COUNT(DISTINCT ", "COUNT("),
        ("join", "LEFT JOIN", "JOIN"),
        ("arithmetic", " - ", " + "),
    } <= changes
    for mutant in mutants:
        mutated = mutant.apply(SQL)
        assert "'a >= b AND c'" in mutated
        assert "-- a comment with >= and AND that stays as it is" in mutated
        assert "{periods}" in mutated and "{agencies}" in mutated
    # "p_start" in the period's column list is no comparison: no day mutant there.
    assert Counter(m.operator for m in mutants)["day"] == 2


def test_keys_are_unique_and_name_the_line() -> None:
    mutants = mutants_of("t", SQL)
    assert len({m.key for m in mutants}) == len(mutants)
    assert len({m.short_id for m in mutants}) == len(mutants)
    first_day = next(m for m in mutants if m.operator == "day" and m.original == "p.p_start")
    assert first_day.key == (
        "t|day|p.p_start -> (p.p_start + 1)|FROM period p JOIN inspection i ON "
        "i.concluded_on >= p.p_start AND i.closed_on IS NULL|0"
    )
