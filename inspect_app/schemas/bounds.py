"""Bounds every API input carries in its type, so the OpenAPI schema tells the truth.

A client (or a fuzzer) reading the schema learns what the server accepts: ids within the
32-bit columns, list and text lengths, money within BIGINT. msgspec enforces them while
decoding, before any service runs; the messages are translated in inspect_app/exceptions.py.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar.params import Parameter

MAX_ID = 2**31 - 1  # ids are 32-bit SERIALs
MAX_LIST = 500  # subjects or members of one case; far above any real case
MAX_VERSION = 2**31 - 1
MAX_YEAR = 2100
MIN_YEAR = 1990

# Text without control characters (domain/text.py): none at all in names, codes, numbers
# and titles; none but tab and line breaks in free text. In the schema, so a client knows.
SINGLE_LINE_PATTERN = "^[^\\x00-\\x1f\\x7f]*$"
FREE_TEXT_PATTERN = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]*$"

# Body fields.
RecordId = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID, description="Id of a record")]
Version = Annotated[
    int, msgspec.Meta(ge=0, le=MAX_VERSION, description="The version read, for conflict checks")
]
IdList = Annotated[list[RecordId], msgspec.Meta(max_length=MAX_LIST)]
Year = Annotated[int, msgspec.Meta(ge=MIN_YEAR, le=MAX_YEAR)]
Count = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
Days = Annotated[int, msgspec.Meta(ge=1, le=3650)]
ShortText = Annotated[str, msgspec.Meta(max_length=255, pattern=SINGLE_LINE_PATTERN)]
Code = Annotated[str, msgspec.Meta(max_length=64, pattern=SINGLE_LINE_PATTERN)]
LongText = Annotated[str, msgspec.Meta(max_length=20_000, pattern=FREE_TEXT_PATTERN)]

# Query parameters (Litestar's Parameter carries the bounds into the schema and checks them).
QueryId = Annotated[int | None, Parameter(ge=1, le=MAX_ID)]
QueryYear = Annotated[int | None, Parameter(ge=MIN_YEAR, le=MAX_YEAR)]
QueryLimit = Annotated[int | None, Parameter(ge=1, le=200)]
QueryText = Annotated[str | None, Parameter(max_length=200)]
DocumentNumber = Annotated[
    str, msgspec.Meta(max_length=64, pattern=SINGLE_LINE_PATTERN, description='e.g. "43/QĐ-TTr"')
]
TaxCode = Annotated[str, msgspec.Meta(max_length=20, pattern=SINGLE_LINE_PATTERN)]
Heading = Annotated[str, msgspec.Meta(max_length=1000, pattern=SINGLE_LINE_PATTERN)]
Language = Literal["vi", "en"]
PageSize = Annotated[int, Parameter(ge=1, le=200)]

# The vocabularies the API accepts, so that the schema enumerates them. Each mirrors the
# tuple its service or domain module checks against (tests/unit/test_schema_vocabulary.py
# keeps them equal); the pages send the same codes through those services.
SubjectKind = Literal["organization", "enterprise", "individual", "state_body"]
PlanStatus = Literal["draft", "approved", "amended"]
Origin = Literal["scheduled", "ad_hoc"]
OriginSource = Literal[
    "hotline", "feedback_box", "complaint", "denunciation", "directive", "signs", "other"
]
CaseEvent = Literal[
    "announce",
    "extend",
    "suspend",
    "resume",
    "end_onsite",
    "report",
    "conclude",
    "publish",
    "direct",
    "close",
    "cancel",
]
CaseStatus = Literal[
    "draft", "onsite", "suspended", "onsite_ended", "reported", "concluded", "closed", "cancelled"
]
FindingCategory = Literal[
    "land",
    "finance",
    "construction",
    "anti_corruption",
    "food_safety",
    "health",
    "environment",
    "trade",
    "labour",
    "other",
]
MeasureType = Literal[
    "recover_money",
    "other_financial",
    "recover_land",
    "admin_fine",
    "confiscation",
    "discipline",
    "criminal_referral",
    "policy",
]
# What PATCH may set a measure's status to (the others follow from its executions).
MeasureStatusChange = Literal["written_off", "done", "open"]
AttachmentOwner = Literal["inspection", "finding", "measure", "execution"]
# A reporting period: "2026-Q1" … "2026-Q4", "2026-6M", "2026-9M", "2026-Y".
PERIOD_PATTERN = r"^[0-9]{4}-(Q[1-4]|6M|9M|Y)$"
Period = Annotated[str, msgspec.Meta(pattern=PERIOD_PATTERN, examples=["2026-Q1"])]
QueryPeriod = Annotated[str | None, Parameter(pattern=PERIOD_PATTERN)]
QueryCaseStatus = Annotated[CaseStatus | None, Parameter()]
QueryOrigin = Annotated[Origin | None, Parameter()]
QueryAttachmentOwner = Annotated[AttachmentOwner, Parameter()]
RequiredQueryId = Annotated[int, Parameter(ge=1, le=MAX_ID)]
MeasureTypeFilter = Annotated[MeasureType | None, Parameter()]
DeadlineTypeFilter = Annotated[
    Literal["onsite", "conclusion", "publication", "directive", "measure"] | None, Parameter()
]
OverdueDays = Annotated[int | None, Parameter(ge=0, le=3650)]
MinLeftVnd = Annotated[int | None, Parameter(ge=0, le=10**15)]
# Free text of a few lines (tabs and line breaks allowed), at the lengths the services keep.
Address = Annotated[str, msgspec.Meta(max_length=1000, pattern=FREE_TEXT_PATTERN)]
Reason = Annotated[str, msgspec.Meta(max_length=2000, pattern=FREE_TEXT_PATTERN)]
