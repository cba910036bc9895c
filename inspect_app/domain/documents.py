"""The frame of an administrative document (Decree 30/2020/NĐ-CP on clerical work).

A report leaves the inspectorate as an administrative document: top left the parent body
(upper case) and the issuing agency (upper case, bold) with "Số: 12/BC-TTr"; top right the
national heading "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" over the motto "Độc lập - Tự do - Hạnh
phúc", then "<place>, ngày 15 tháng 3 năm 2026"; the kind and summary of the document;
"Kính gửi: …"; the body; the signer's title and name; "Nơi nhận:" bottom left. This module
holds the rules of those lines as plain functions: how the date and the number are written,
what the signer's block says for each signing form, how the recipients are listed, and what
the agency settings behind them may contain.

Facts of the decree used here:

- the day is written with two digits below 10, the month with two digits for January and
  February only ("ngày 05 tháng 01 năm 2026", "ngày 15 tháng 3 năm 2026");
- document numbers run from 01 on 1 January to 31 December of each year, in Arabic numerals,
  below 10 with a leading zero; the symbol is "<kind>-<agency symbol>" ("12/BC-TTr");
- a deputy signing for the head writes "KT." (ký thay) before the head's title and their own
  title below it; signing by order of the head, "TL." (thừa lệnh) likewise;
- recipients after "Kính gửi:" are one line when there is one, else one line each starting
  with "-" and ending with ";" (the last with "."); "Nơi nhận:" lists likewise and ends with
  the archive copy ("Lưu: VT, …").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from inspect_app.domain.messages import N_
from inspect_app.domain.text import has_control_characters

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
REPORT_KIND_CODE = "BC"  # báo cáo
REPORT_KIND_NAME = "BÁO CÁO"
ARCHIVE_LINE = "Lưu: VT"

SigningForm = Literal["direct", "kt", "tl"]
SIGNING_FORMS: tuple[SigningForm, ...] = ("direct", "kt", "tl")
# The prefix each form puts before the head's title.
SIGNING_PREFIX: dict[str, str] = {"direct": "", "kt": "KT. ", "tl": "TL. "}
# Message ids of the signing forms, as forms and the record history name them.
SIGNING_FORM_LABELS = {
    "direct": N_("The head signs"),
    "kt": N_("KT. – a deputy signs for the head"),
    "tl": N_("TL. – signed by order of the head"),
}

# The head's title when the agency settings leave it empty, by kind of agency.
DEFAULT_HEAD_TITLES: dict[str, str] = {
    "province_inspectorate": "CHÁNH THANH TRA",
    "division": "TRƯỞNG PHÒNG",
    "department": "GIÁM ĐỐC",
    "sub_department": "CHI CỤC TRƯỞNG",
    "district": "CHỦ TỊCH",
    "commune": "CHỦ TỊCH",
    "other": "THỦ TRƯỞNG CƠ QUAN",
}

# The agency settings behind the frame, as API and form fields (and Agency columns).
SETTING_TEXT_FIELDS = (
    "doc_symbol",
    "parent_body",
    "place_name",
    "head_title",
    "signer_name",
    "signer_title",
    "signing_form",
)
SETTING_LIST_FIELDS = ("recipients", "distribution")  # one item a line in forms

SYMBOL_MAX = 20
PLACE_MAX = 100
TITLE_MAX = 100
NAME_MAX = 255
LIST_MAX_ITEMS = 20
LIST_ITEM_MAX = 255
# Letters (Vietnamese included, e.g. "SGDĐT"), digits, and "." or "-" between them.
_SYMBOL = re.compile(r"[^\W_]+(?:[.\-][^\W_]+)*")
_BLANK_DAY = "     "  # the room left for a hand-written day or month on a draft


def date_line(place: str, issued_on: date | None, year: int | None = None) -> str:
    """ "Hạ Long, ngày 15 tháng 3 năm 2026"; a draft (no date yet) leaves day and month blank.

    ``year`` is printed on a draft ("ngày      tháng      năm 2026"); without it the year is
    left blank as well.
    """
    prefix = f"{place.strip()}, " if place.strip() else ""
    if issued_on is None:
        year_text = str(year) if year is not None else _BLANK_DAY
        return f"{prefix}ngày{_BLANK_DAY}tháng{_BLANK_DAY}năm {year_text}"
    day = f"{issued_on.day:02d}"
    month = f"{issued_on.month:02d}" if issued_on.month <= 2 else str(issued_on.month)
    return f"{prefix}ngày {day} tháng {month} năm {issued_on.year}"


def number_line(number: int | None, symbol: str, kind_code: str = REPORT_KIND_CODE) -> str:
    """ "Số: 12/BC-TTr" ("Số: 05/BC-TTr" below 10); a draft without a number leaves room.

    A letter passes ``kind_code=""``: "Số: 12/TTr".
    """
    if number is not None and number < 1:
        raise ValueError(f"A document number starts at 1, not {number}.")
    # A letter (công văn) has no kind code: "Số: 12/TTr".
    parts = [part for part in (kind_code.strip(), symbol.strip()) if part]
    suffix = "-".join(parts)
    shown = f"{number:02d}" if number is not None else "      "
    return f"Số: {shown}/{suffix}"


def signer_lines(form: str, head_title: str, signer_title: str = "") -> list[str]:
    """The title lines above the signature, upper case.

    direct: ["CHÁNH THANH TRA"]; kt: ["KT. CHÁNH THANH TRA", "PHÓ CHÁNH THANH TRA"];
    tl: ["TL. CHÁNH THANH TRA", "CHÁNH VĂN PHÒNG"].
    """
    if form not in SIGNING_FORMS:
        raise ValueError(f"Unknown signing form {form!r}: use one of {', '.join(SIGNING_FORMS)}.")
    head = _upper(head_title)
    if not head:
        raise ValueError("The head's title is needed above every signature.")
    if form == "direct":
        return [head]
    own = _upper(signer_title)
    if not own:
        raise ValueError(f"Signing {SIGNING_PREFIX[form].strip()} needs the signer's own title.")
    return [f"{SIGNING_PREFIX[form]}{head}", own]


def recipient_lines(recipients: Sequence[str]) -> list[str]:
    """What follows "Kính gửi:": one recipient on the line itself, several as a dashed list.

    ["Thanh tra Chính phủ"] → ["Thanh tra Chính phủ."];
    ["Thanh tra Chính phủ", "UBND tỉnh"] → ["- Thanh tra Chính phủ;", "- UBND tỉnh."].
    """
    items = [_strip_list_item(r) for r in recipients if _strip_list_item(r)]
    if len(items) == 1:
        return [f"{items[0]}."]
    return [f"- {item}{'.' if i == len(items) - 1 else ';'}" for i, item in enumerate(items)]


def distribution_lines(distribution: Sequence[str]) -> list[str]:
    """The lines under "Nơi nhận:", each "- …;", ending with the archive copy "- Lưu: VT…."

    An archive line ("Lưu: …") the settings already have is moved to the end; without one,
    "Lưu: VT" is added, as every issued document keeps a copy at the clerical office.
    """
    items = [_strip_list_item(d) for d in distribution if _strip_list_item(d)]
    archive = [item for item in items if item.lower().startswith("lưu")]
    others = [item for item in items if not item.lower().startswith("lưu")]
    ordered = [*others, *(archive[:1] or [ARCHIVE_LINE])]
    return [f"- {item}{'.' if i == len(ordered) - 1 else ';'}" for i, item in enumerate(ordered)]


def report_summary(period_label_vi: str) -> str:
    """The summary (trích yếu) of a periodic report: "Kết quả công tác thanh tra quý I năm 2026"."""
    label = period_label_vi.strip()
    return f"Kết quả công tác thanh tra {label[:1].lower()}{label[1:]}"


def split_lines(text: str) -> list[str]:
    """A list typed one item a line (a textarea or an API string) as its non-empty items."""
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


@dataclass(frozen=True)
class DocumentSettings:
    """What an admin sets on an agency for its documents (every field may be empty)."""

    symbol: str = ""
    parent_body: str = ""
    place: str = ""
    head_title: str = ""
    signer_name: str = ""
    signer_title: str = ""
    signing_form: str = "direct"
    recipients: tuple[str, ...] = ()
    distribution: tuple[str, ...] = ()


def validate_settings(settings: DocumentSettings) -> dict[str, str]:
    """Field → problem (English message id) for settings that could not make a document."""
    errors: dict[str, str] = {}
    symbol = settings.symbol.strip()
    if symbol and (len(symbol) > SYMBOL_MAX or not _SYMBOL.fullmatch(symbol)):
        errors["doc_symbol"] = N_(
            "Write the symbol with letters and digits (up to 20), e.g. TTr or SGDĐT."
        )
    if len(settings.parent_body.strip()) > NAME_MAX:
        errors["parent_body"] = N_("The parent body's name is too long (at most 255 characters).")
    if len(settings.place.strip()) > PLACE_MAX:
        errors["place_name"] = N_("The place name is too long (at most 100 characters).")
    if len(settings.head_title.strip()) > TITLE_MAX:
        errors["head_title"] = N_("The title is too long (at most 100 characters).")
    if len(settings.signer_title.strip()) > TITLE_MAX:
        errors["signer_title"] = N_("The title is too long (at most 100 characters).")
    if len(settings.signer_name.strip()) > NAME_MAX:
        errors["signer_name"] = N_("The name is too long (at most 255 characters).")
    if settings.signing_form not in SIGNING_FORMS:
        errors["signing_form"] = N_("Choose how the document is signed from the list.")
    elif settings.signing_form != "direct" and not settings.signer_title.strip():
        errors["signer_title"] = N_("Signing KT. or TL. needs the signer's own title.")
    for field, items in (
        ("recipients", settings.recipients),
        ("distribution", settings.distribution),
    ):
        if len(items) > LIST_MAX_ITEMS:
            errors[field] = N_("At most 20 lines.")
        elif any(len(item) > LIST_ITEM_MAX for item in items):
            errors[field] = N_("A line is too long (at most 255 characters).")
    # Every setting prints on one line of the document (the lists one line per item): no
    # control character at all, as in names.
    for field, value in (
        ("doc_symbol", settings.symbol),
        ("parent_body", settings.parent_body),
        ("place_name", settings.place),
        ("head_title", settings.head_title),
        ("signer_name", settings.signer_name),
        ("signer_title", settings.signer_title),
        ("recipients", "".join(settings.recipients)),
        ("distribution", "".join(settings.distribution)),
    ):
        if field not in errors and has_control_characters(value.strip(), single_line=True):
            errors[field] = N_("Remove the control characters from the text.")
    return errors


def head_title_of(settings: DocumentSettings, agency_kind: str) -> str:
    """The head's title as printed: the setting, else the usual one for the kind of agency."""
    return _upper(settings.head_title) or DEFAULT_HEAD_TITLES.get(
        agency_kind, DEFAULT_HEAD_TITLES["other"]
    )


def inherited_place(chain: Iterable[str]) -> str:
    """The first place name set along an agency's chain (itself first, then its ancestors).

    A department usually sits in the same town as the inspectorate above it, so one setting
    at the top serves the whole province until a unit sets its own.
    """
    return next((place.strip() for place in chain if place and place.strip()), "")


def _upper(text: str) -> str:
    return " ".join(text.split()).upper()


def _strip_list_item(text: str) -> str:
    # People paste lists with their dashes and punctuation; the frame adds its own.
    return text.strip().lstrip("-–•+ ").rstrip(";.,").strip()
