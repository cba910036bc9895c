"""The reminder letter (công văn đôn đốc): what it says and when a repeat needs a second look.

A lead or head reminds the unit responsible for overdue recommendations with an official
letter. Like every administrative document it carries a number of the issuing agency's
register, but a letter (công văn) has no kind code in it: "Số: 12/TTr", not "12/BC-TTr",
and its summary (trích yếu) sits under the number as "V/v …". The letter is always written
in Vietnamese, whatever the reader's interface language: it leaves the building.

The rules here are plain functions: the wording of the body, what is left of an item in
words, which dates a letter may carry, and whether an item was reminded too recently to be
reminded again without confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from inspect_app.domain.formatting import format_date, format_m2, format_vnd
from inspect_app.domain.messages import N_

# The register's kind for letters (DocumentNumber.kind); reports use "BC".
LETTER_KIND = "CV"
LETTER_SUMMARY = "V/v đôn đốc thực hiện kiến nghị sau thanh tra"
# The unit is asked to report back this many days after the letter, unless the form says.
DEFAULT_REPORT_DAYS = 15
# A letter may be dated this many days back (registered after it was signed on paper).
MAX_BACKDATE_DAYS = 30
MAX_REPORT_DAYS = 365
# One letter lists at most this many recommendations; a larger unit is filtered first.
MAX_ITEMS = 200
NOTE_MAX = 2000


@dataclass(frozen=True)
class LetterDates:
    """The letter's date and the day by which the unit reports back."""

    issued_on: date
    report_by: date


def default_dates(today: date) -> LetterDates:
    """Dated today; the results reported within DEFAULT_REPORT_DAYS."""
    return LetterDates(today, today + timedelta(days=DEFAULT_REPORT_DAYS))


def date_errors(issued_on: date, report_by: date, today: date) -> dict[str, str]:
    """Field → problem (message id) of the letter's dates.

    The letter is dated today or up to MAX_BACKDATE_DAYS before (never in the future); the
    report-back day falls after it and within MAX_REPORT_DAYS.
    """
    errors: dict[str, str] = {}
    if issued_on > today:
        errors["issued_on"] = N_("A letter cannot be dated in the future.")
    elif (today - issued_on).days > MAX_BACKDATE_DAYS:
        errors["issued_on"] = N_("A letter can be dated at most 30 days back.")
    if report_by <= issued_on:
        errors["report_by"] = N_("The day to report back falls after the letter's date.")
    elif (report_by - issued_on).days > MAX_REPORT_DAYS:  # no date arithmetic to overflow
        errors["report_by"] = N_("The day to report back is at most a year after the letter.")
    return errors


def reminded_recently(last_reminded_on: date | None, today: date, repeat_days: int) -> bool:
    """True when the last letter about an item is less than ``repeat_days`` old.

    With 7 days, an item reminded on the 1st asks for confirmation until the 7th and not
    from the 8th; 0 never asks.
    """
    if last_reminded_on is None:
        return False
    return (today - last_reminded_on).days < repeat_days


def left_text(unit: str, left: int | Decimal, collectives: int = 0, individuals: int = 0) -> str:
    """What is left of an item, as the letter writes it: "500.000.000 ₫", "120,5 m²",
    "1 tập thể, 2 cá nhân" (discipline), "3" (other counts), "" (nothing to count)."""
    if unit == "vnd":
        return format_vnd(int(left), "vi")
    if unit == "m2":
        return format_m2(Decimal(left), "vi")
    if unit == "count":
        if collectives or individuals:
            return f"{collectives} tập thể, {individuals} cá nhân"
        return str(int(left))
    return ""


def body_paragraphs(
    issuer: str, addressee: str, count: int, report_by: date, note: str = ""
) -> tuple[list[str], list[str]]:
    """The letter's paragraphs before the list of items, and after it (the note, if any,
    then the day to report back)."""
    opening = (
        "Thực hiện chức năng theo dõi, đôn đốc, kiểm tra việc thực hiện kết luận thanh tra, "
        f"{issuer} đề nghị {addressee} khẩn trương tổ chức thực hiện {count} kiến nghị "
        "đã quá hạn hoặc chưa thực hiện xong sau đây:"
    )
    closing = (
        f"Đề nghị {addressee} báo cáo kết quả thực hiện (kèm hồ sơ, chứng từ chứng minh) "
        f"về {issuer} trước ngày {format_date(report_by, 'vi')}. Quá thời hạn trên, "
        f"{issuer} sẽ báo cáo cấp có thẩm quyền xem xét, xử lý theo quy định."
    )
    after = [note.strip()] if note.strip() else []
    return [opening], [*after, closing]
