"""Mutants that survive on purpose, each with the reason it is harmless.

``make mutate`` fails on a survivor not listed here, and (on a full run) on an entry that no
longer survives, so this list and the table in docs/testing.md stay exact. Keys are those
the runners print: for the SQL counters ``table|operator|change|SQL line|occurrence``
(tests/mutation/sql_mutants.py), for the domain the mutant names of mutmut.
"""

from __future__ import annotations

_STARTED_ON_THE_FIRST_DAY = (
    "equivalent: a case started on the period's first day is kept by the other branch of the "
    "WHERE (not concluded, closed nor cancelled before the start), because no step of a case "
    "is dated before its start (record_event refuses a date before the previous step)"
)
_NARROWING = (
    "equivalent: this condition only narrows the rows read to the days of the periods "
    "computed; the join with the periods applies the same bounds again, and the CASE of each "
    "sum gives the other measure types zero"
)

SQL_SURVIVORS: dict[str, str] = {
    (
        "implementation|compare|< -> <=|WHEN e.executed_on < c.concluded_on "
        "THEN c.concluded_on ELSE e.executed_on END|0"
    ): (
        "equivalent: on the conclusion's own day both branches are the same date (the later "
        "of the execution and the conclusion)"
    ),
    "inspections|compare|>= -> >|WHERE c.started_on >= p.p_start|0": _STARTED_ON_THE_FIRST_DAY,
    "inspections|day|p.p_start -> (p.p_start + 1)|WHERE c.started_on >= p.p_start|0": (
        _STARTED_ON_THE_FIRST_DAY
    ),
    "checks|compare|>= -> >|WHERE c.started_on >= p.p_start|0": _STARTED_ON_THE_FIRST_DAY,
    "checks|day|p.p_start -> (p.p_start + 1)|WHERE c.started_on >= p.p_start|0": (
        _STARTED_ON_THE_FIRST_DAY
    ),
    "inspections|compare|> -> >=|AND (closed_on IS NULL OR closed_on > p_end)|0": (
        "equivalent: a case is closed only after its conclusion, so a case closed on the last "
        "day was concluded by then and the conclusion alone already keeps it out of "
        "in_progress"
    ),
    "checks|logic|AND -> OR|AND m.decision_date >= (SELECT MIN(p_start) FROM period)|0": (
        _NARROWING
    ),
    "checks|logic|AND -> OR|AND m.decision_date <= (SELECT MAX(p_end) FROM period)|0": _NARROWING,
    "checks|logic|AND -> OR|AND e.executed_on >= (SELECT MIN(p_start) FROM period)|0": _NARROWING,
    "checks|logic|AND -> OR|AND e.executed_on <= (SELECT MAX(p_end) FROM period)|0": _NARROWING,
    "implementation|logic|AND -> OR|AND e.executed_on <= (SELECT MAX(p_end) FROM period)|0": (
        _NARROWING
    ),
}

_D = "inspect_app.domain."
_ZIP_OF_EQUAL_LENGTHS = (
    "equivalent: both sequences have one item per figure column (fit_table checks that there "
    "is one header per column, and the deficits come from the same zip), so a strict zip "
    "never has anything to refuse"
)
_QUANTIZE_EXPONENT = (
    "equivalent: Decimal.quantize takes only the exponent of its argument, and 2E-3 has the "
    "same exponent as 1E-3"
)

DOMAIN_SURVIVORS: dict[str, str] = {
    _D + "documents.x_split_lines__mutmut_6": (
        "equivalent: a \\r left at the end of a line by not replacing \\r\\n is removed by "
        "the strip() of every line"
    ),
    _D + "formatting.x_format_million_vnd__mutmut_17": _QUANTIZE_EXPONENT,
    _D + "formatting.x_format_million_vnd__mutmut_21": (
        "equivalent: with no decimals the pattern becomes '#,##0.', which Babel formats like "
        "'#,##0' (no decimal mark without digits after it)"
    ),
    _D + "formatting.x_format_million_vnd__mutmut_26": (
        "equivalent: as mutant 21, only for digits = 0"
    ),
    _D + "formatting.x_parse_m2_input__mutmut_24": (
        "equivalent: text with a comma is read at its only comma; with two commas both the "
        "first and the last split leave a part that is not a number, and the input is refused "
        "with the same message"
    ),
    _D + "holidays.x__read__mutmut_3": (
        "equivalent where the app runs: without an encoding Python reads with the locale's, "
        "UTF-8 on Debian and in the Docker image (C.UTF-8; Python also coerces the C locale to "
        "UTF-8)"
    ),
    _D + "holidays.x__read__mutmut_5": "equivalent: 'UTF-8' and 'utf-8' name the same codec",
    _D + "holidays.xǁHolidayCalendarǁadd_working_days__mutmut_6": (
        "equivalent: the direction matters only when n is not 0; for n = 0 the loop does not "
        "run and the start day is returned either way"
    ),
    _D + "holidays.xǁHolidayCalendarǁadd_working_days__mutmut_7": (
        "equivalent: as mutant 6 (n >= 1 differs from n >= 0 only at n = 0)"
    ),
    _D + "periods.x_period_choices__mutmut_20": (
        "equivalent: the periods of the report year after today's all start after today and "
        "are dropped by the start <= today filter"
    ),
    _D + "print_layout.x__spread__mutmut_8": (
        "equivalent: with no slack (0) the share is 0 and nothing is added: the widths come "
        "back unchanged either way"
    ),
    _D + "print_layout.x__spread__mutmut_10": (
        "equivalent: with no figure column there is nothing to grow, and the widths come back "
        "unchanged either way"
    ),
    _D + "print_layout.x__spread__mutmut_24": _ZIP_OF_EQUAL_LENGTHS,
    _D + "print_layout.x__spread__mutmut_26": _ZIP_OF_EQUAL_LENGTHS,
    _D + "print_layout.x__spread__mutmut_47": _ZIP_OF_EQUAL_LENGTHS,
    _D + "print_layout.x__spread__mutmut_49": _ZIP_OF_EQUAL_LENGTHS,
    _D + "print_layout.x__spread__mutmut_38": (
        "equivalent: the share is used only as a factor of the deficits, and when nothing is "
        "wanted every deficit is 0"
    ),
    _D + "print_layout.x_two_line_width__mutmut_12": (
        "equivalent: the whole text on one line only matters for a single word (any split of "
        "two or more words is narrower), and a single word has no separator to change"
    ),
    _D + "print_layout.x_two_line_width__mutmut_15": (
        "equivalent: the extra split before the first word puts the whole text on one line, "
        "which is the starting best already"
    ),
    _D + "print_layout.x_width_for_lines__mutmut_27": (
        "equivalent for the rule: halving until the gap is below 0.5 pt instead of at most "
        "0.5 pt only makes the answer more precise; it stays within 0.5 pt of the narrowest "
        "width, which is what the tests hold it to"
    ),
    _D + "report_layout.x_format_number__mutmut_26": _QUANTIZE_EXPONENT,
}
