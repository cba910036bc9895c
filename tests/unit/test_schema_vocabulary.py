"""The API's enumerated vocabularies equal what the services and the domain check."""

from __future__ import annotations

import re
from typing import get_args

import pytest

from inspect_app.domain.labels import FINDING_CATEGORY_LABELS, PLAN_STATUS_LABELS
from inspect_app.domain.lifecycle import EVENTS, STATUSES
from inspect_app.domain.measures import MEASURE_TYPES
from inspect_app.domain.periods import PERIOD_KINDS
from inspect_app.schemas import bounds
from inspect_app.services.attachments import ENTITY_TYPES
from inspect_app.services.inspections import ORIGIN_SOURCES, ORIGINS
from inspect_app.services.subjects import SUBJECT_KINDS


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        (bounds.SubjectKind, SUBJECT_KINDS),
        (bounds.PlanStatus, tuple(PLAN_STATUS_LABELS)),
        (bounds.Origin, ORIGINS),
        (bounds.OriginSource, ORIGIN_SOURCES),
        (bounds.CaseEvent, EVENTS),
        (bounds.CaseStatus, STATUSES),
        (bounds.FindingCategory, tuple(FINDING_CATEGORY_LABELS)),
        (bounds.MeasureType, MEASURE_TYPES),
        (bounds.AttachmentOwner, ENTITY_TYPES),
    ],
)
def test_each_vocabulary_is_the_one_its_service_checks(literal: object, expected: tuple) -> None:
    assert get_args(literal) == tuple(expected)


@pytest.mark.parametrize("kind", PERIOD_KINDS)
def test_the_period_pattern_takes_every_period_kind(kind: str) -> None:
    assert re.match(bounds.PERIOD_PATTERN, f"2026-{kind}")


@pytest.mark.parametrize("text", ["2026-Q5", "2026-Q0", "26-Q1", "2026-q1", "2026-Q1 ", "2026-H1"])
def test_the_period_pattern_refuses_what_is_not_a_period(text: str) -> None:
    assert re.match(bounds.PERIOD_PATTERN, text) is None
