"""Reminder letters (công văn đôn đốc) issued from the follow-up board.

A lead or head picks recommendations on the board (or every one of a responsible unit) and
issues a letter to the unit that must carry them out. Recommendations of several units make
one letter per unit, each with its own number. Issuing is one unit of work: the numbers are
taken from the agency's register, the letters and their items written, a "reminded" row
appended to each recommendation's history, and the responsible unit's users notified, all
committed together; the notices are e-mailed after the commit.

A recommendation reminded less than ``REMINDER_REPEAT_DAYS`` ago is only reminded again
when the form says so (``confirm_repeat``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from inspect_app.domain import documents as doc
from inspect_app.domain import letters
from inspect_app.domain.formatting import format_date
from inspect_app.domain.messages import N_, bound
from inspect_app.domain.text import has_control_characters
from inspect_app.errors import InvalidInput, NotFound
from inspect_app.i18n import N_plural, translate
from inspect_app.principal import Principal
from inspect_app.services import audit, notifications
from inspect_app.services.agency_documents import FrameSettings, frame_settings
from inspect_app.services.casework import stored_day
from inspect_app.services.document_register import take_number
from inspect_app.services.follow_ups import (
    BoardFilter,
    Deadline,
    UnitGroup,
    board_condition,
    deadline_branch_sql,
    deadline_of,
    ladders,
)
from inspect_app.services.inspections import refresh_search_text
from inspect_app.services.report_document import signer_of
from inspect_app.services.unit_of_work import unit_of_work
from inspect_app.settings import get_settings
from models.tables import AppUser, Inspection, Measure, ReminderItem, ReminderLetter

NOTICE_KIND = "letter"
NOTICE_TITLE = N_plural(
    "Reminder letter {number} from {issuer}: {count} recommendation to carry out.",
    "Reminder letter {number} from {issuer}: {count} recommendations to carry out.",
    count="count",
)
MSG_CHOOSE = N_("Choose at least one open recommendation on the board.")
MSG_TOO_MANY = N_("A letter lists at most 200 recommendations; filter the board first.")
MSG_GONE = N_(
    "Some of the chosen recommendations are no longer open or not in your scope; "
    "choose them again on the board."
)
MSG_CONFIRM = N_(
    "Some recommendations were reminded less than {days} days ago; tick the box to remind "
    "them again."
)


@dataclass
class LetterDraft:
    """The letter that would go to one responsible unit, and its items."""

    addressee_agency_id: int | None
    addressee: str
    items: list[Deadline] = field(default_factory=list)

    @property
    def recent(self) -> list[Deadline]:
        """Items reminded too recently to be reminded again without confirmation."""
        return [item for item in self.items if item.reminded_recently]


@dataclass(frozen=True)
class LetterForm:
    """What the issuing form says: the items, the dates, the signer and a note."""

    measure_ids: tuple[int, ...]
    issued_on: date
    report_by: date
    signer_name: str = ""
    signer_title: str = ""
    signing_form: str = ""
    note: str = ""
    confirm_repeat: bool = False


# --------------------------------------------------------------------------- reading


async def reminder_stats(measure_ids: list[int]) -> dict[int, tuple[int, date]]:
    """How many letters named each recommendation, and the date of the last one."""
    if not measure_ids:
        return {}
    rows = await ReminderItem.raw(
        "SELECT ri.measure AS measure, COUNT(*) AS letters, MAX(rl.issued_on) AS last_on"
        " FROM reminder_item ri JOIN reminder_letter rl ON rl.id = ri.letter"
        f" WHERE ri.measure IN ({', '.join('{}' for _ in measure_ids)})"
        " GROUP BY ri.measure",
        *measure_ids,
    )
    stats: dict[int, tuple[int, date]] = {}
    for row in rows:
        last = row["last_on"]
        stats[int(row["measure"])] = (
            int(row["letters"]),
            date.fromisoformat(last[:10]) if isinstance(last, str) else last,
        )
    return stats


async def with_reminder_stats(groups: list[UnitGroup]) -> list[UnitGroup]:
    """The board's groups with ``reminded_count`` and ``last_reminded_on`` on the rows of
    their recommendations (one statement for the page)."""
    stats = await reminder_stats(
        [row.entity_id for group in groups for row in group.rows if row.progress]
    )

    def reminded(row: Deadline) -> Deadline:
        if row.progress is None or row.entity_id not in stats:
            return row
        count, last = stats[row.entity_id]
        return replace(row, reminded_count=count, last_reminded_on=last)

    return [replace(group, rows=tuple(map(reminded, group.rows))) for group in groups]


def _check_ids(measure_ids: list[int]) -> list[int]:
    ids = sorted({i for i in measure_ids if 1 <= i <= 2**31 - 1})
    if not ids or len(ids) != len(set(measure_ids)):
        raise InvalidInput({"measure_id": MSG_CHOOSE})
    if len(ids) > letters.MAX_ITEMS:
        raise InvalidInput({"measure_id": MSG_TOO_MANY})
    return ids


async def _open_items(principal: Principal, ids: list[int], today: date) -> list[Deadline]:
    """The open recommendations among ``ids`` in the caller's scope, board order, with the
    letters that already named them."""
    marks = ", ".join("{}" for _ in ids)
    rows = await Inspection.raw(
        f"SELECT * FROM ({deadline_branch_sql('measure')}) d"
        f" WHERE d.agency_path LIKE {{}} AND d.entity_id IN ({marks})"
        " ORDER BY d.unit_name, d.due_on, d.entity_id",
        principal.scope_pattern,
        *ids,
    )
    stats = await reminder_stats([int(row["entity_id"]) for row in rows])
    repeat_days = get_settings().reminder_repeat_days
    window = (await ladders())["measure"].soon_window_days
    items = []
    for row in rows:
        count, last = stats.get(int(row["entity_id"]), (0, None))
        items.append(
            replace(
                deadline_of(row, today, window),
                reminded_count=count,
                last_reminded_on=last,
                reminded_recently=letters.reminded_recently(last, today, repeat_days),
            )
        )
    return items


def _drafts(items: list[Deadline]) -> list[LetterDraft]:
    """One letter per responsible unit: the agency named, else the free text of the row."""
    drafts: dict[tuple[str, str], LetterDraft] = {}
    for item in items:
        if item.unit_id is not None:
            key = ("agency", str(item.unit_id))
            name = item.unit_name
        else:
            name = " ".join(item.addressee.split())
            key = ("text", name.lower())
        drafts.setdefault(key, LetterDraft(item.unit_id, name)).items.append(item)
    return list(drafts.values())


async def drafts(principal: Principal, measure_ids: list[int], today: date) -> list[LetterDraft]:
    """The letters that the chosen recommendations would make (nothing is written)."""
    ids = _check_ids(measure_ids)
    items = await _open_items(principal, ids, today)
    if not items:
        raise InvalidInput({"measure_id": MSG_CHOOSE})
    return _drafts(items)


async def unit_measure_ids(
    principal: Principal, board: BoardFilter, unit_id: int, today: date
) -> list[int]:
    """The open recommendations of one responsible unit under a board filter."""
    condition, args = await board_condition(principal, board, today)
    rows = await Inspection.raw(
        f"SELECT d.entity_id AS id FROM ({deadline_branch_sql('measure')}) d"
        f" WHERE {condition} AND d.unit_id = {{}} ORDER BY d.due_on, d.entity_id LIMIT {{}}",
        *args,
        unit_id,
        letters.MAX_ITEMS + 1,
    )
    return [int(row["id"]) for row in rows]


# --------------------------------------------------------------------------- issuing


def _item_row(letter_id: int, position: int, item: Deadline) -> ReminderItem:
    progress = item.progress
    assert progress is not None  # the items are recommendations (see _open_items)
    unit, left = progress.unit, progress.left
    return ReminderItem(
        letter=letter_id,
        measure=item.entity_id,
        position=position,
        inspection_code=item.inspection_code,
        inspection_title=item.inspection_title,
        description=item.description,
        due_on=item.due_on,
        measure_type=str(item.measure_type),
        unit=unit,
        left_vnd=int(left) if unit == "vnd" else 0,
        left_m2=Decimal(left) if unit == "m2" else Decimal("0.00"),
        left_count=int(left) if unit == "count" else 0,
        collectives=progress.collectives if progress.discipline else 0,
        individuals=progress.individuals if progress.discipline else 0,
    )


@dataclass(frozen=True)
class LetterFrame:
    """What a letter says around its list, fixed when it is issued and stored with it (a
    JSON column): heading, number, date, addressee, signer and copies."""

    parent_body: str
    agency_name: str
    issuer: str
    national_name: str
    motto: str
    number: int
    number_line: str
    summary: str
    date_line: str
    recipients: tuple[str, ...]
    distribution: tuple[str, ...]
    signer_lines: tuple[str, ...]
    signer_name: str

    @property
    def reference(self) -> str:
        """The letter's number as it is quoted: "05/CV-TTr"."""
        return self.number_line.removeprefix("Số: ")

    @classmethod
    def stored(cls, data: Mapping[str, Any]) -> LetterFrame:
        """The frame as the letter's JSON column keeps it."""

        def lines(key: str) -> tuple[str, ...]:
            return tuple(str(line) for line in data.get(key) or ())

        return cls(
            parent_body=str(data.get("parent_body") or ""),
            agency_name=str(data.get("agency_name") or ""),
            issuer=str(data.get("issuer") or ""),
            national_name=str(data.get("national_name") or ""),
            motto=str(data.get("motto") or ""),
            number=int(data.get("number") or 0),
            number_line=str(data.get("number_line") or ""),
            summary=str(data.get("summary") or ""),
            date_line=str(data.get("date_line") or ""),
            recipients=lines("recipients"),
            distribution=lines("distribution"),
            signer_lines=lines("signer_lines"),
            signer_name=str(data.get("signer_name") or ""),
        )

    def to_stored(self) -> dict[str, object]:
        """The frame as the letter's JSON column keeps it (lists for the lines)."""
        return {
            key: list(value) if isinstance(value, tuple) else value
            for key, value in vars(self).items()
        }


def letter_frame(
    settings: FrameSettings,
    number: int,
    issued_on: date,
    addressee: str,
    chosen: Mapping[str, str],
) -> LetterFrame:
    """The frame of a letter as issued, from the agency's document settings
    (services.agency_documents.frame_settings) and the signer ``chosen`` on the form."""
    signer = signer_of(settings, chosen)
    lines = doc.signer_lines(signer["signing_form"], settings.head_title, signer["signer_title"])
    return LetterFrame(
        parent_body=" ".join(settings.parent_body.split()).upper(),
        agency_name=" ".join(settings.agency_name.split()).upper(),
        issuer=settings.agency_name,
        national_name=doc.NATIONAL_NAME,
        motto=doc.MOTTO,
        number=number,
        number_line=doc.number_line(number, settings.symbol, kind_code=""),
        summary=letters.LETTER_SUMMARY,
        date_line=doc.date_line(settings.place, issued_on),
        recipients=tuple(doc.recipient_lines([addressee])),
        # The addressee gets the original ("Như trên"), then the agency's usual copies.
        distribution=tuple(doc.distribution_lines(["Như trên", *settings.distribution])),
        signer_lines=tuple(lines),
        signer_name=signer["signer_name"],
    )


def _form_errors(form: LetterForm, today: date) -> dict[str, str]:
    errors = letters.date_errors(form.issued_on, form.report_by, today)
    settings = doc.DocumentSettings(
        signer_name=form.signer_name,
        signer_title=form.signer_title,
        signing_form=form.signing_form or "direct",
    )
    for key, message in doc.validate_settings(settings).items():
        if key in ("signer_name", "signer_title", "signing_form"):
            errors[key] = message
    if len(form.note) > letters.NOTE_MAX:
        errors["note"] = N_("Enter at most 2000 characters.")
    elif has_control_characters(form.note, single_line=False):
        errors["note"] = N_("Remove the control characters from the text.")
    return errors


async def _notify(letter_id: int, draft: LetterDraft, frame: LetterFrame, now: datetime) -> None:
    if draft.addressee_agency_id is None:
        return
    users = await AppUser.select(AppUser.id, AppUser.language).where(
        (AppUser.agency == draft.addressee_agency_id) & (AppUser.active == True)  # noqa: E712
    )
    reference = frame.reference
    await notifications.send(
        ((int(user["id"]), str(user["language"] or "vi")) for user in users),
        notifications.Notice(
            kind=NOTICE_KIND,
            entity_type="reminder_letter",
            entity_id=letter_id,
            deadline_type="measure",
            rung=NOTICE_KIND,
            link=f"/reminders/{letter_id}",
            body="\n".join(
                f"- {item.inspection_code}: {item.description}"[:300] for item in draft.items
            ),
            created_at=now,
        ),
        lambda language: translate(
            NOTICE_TITLE, language, number=reference, issuer=frame.issuer, count=len(draft.items)
        ),
    )


async def issue(principal: Principal, form: LetterForm, today: date, ip: str = "") -> list[int]:
    """Issue one letter per responsible unit of the chosen recommendations; their ids.

    InvalidInput names the field at fault (nothing is written): dates, signer, note, a
    recommendation that is no longer open or not in scope, or a repeat not confirmed.
    """
    errors = _form_errors(form, today)
    try:
        ids = _check_ids(list(form.measure_ids))
    except InvalidInput as exc:  # every problem at once, the chosen rows' with the others
        raise InvalidInput({**errors, **exc.errors}) from None
    if errors:
        raise InvalidInput(errors)
    from inspect_app.job_queue import enqueue_email_delivery

    issued: list[int] = []
    async with unit_of_work() as work:
        items = await _open_items(principal, ids, today)
        if len(items) != len(ids):
            raise InvalidInput({"measure_id": MSG_GONE})
        if not form.confirm_repeat and any(item.reminded_recently for item in items):
            days = get_settings().reminder_repeat_days
            raise InvalidInput({"confirm_repeat": bound(MSG_CONFIRM, days=days)})
        settings = await frame_settings(principal.agency_id)
        chosen = {
            "signer_name": form.signer_name,
            "signer_title": form.signer_title,
            "signing_form": form.signing_form,
        }
        now = datetime.now(UTC)
        for draft in _drafts(items):
            number = await take_number(
                principal.agency_id,
                form.issued_on,
                kind=letters.LETTER_KIND,
                symbol=settings.symbol,
                issued_by=principal.id,
            )
            frame = letter_frame(settings, number, form.issued_on, draft.addressee, chosen)
            letter = ReminderLetter(
                agency=principal.agency_id,
                year=form.issued_on.year,
                number=number,
                issued_on=form.issued_on,
                report_by=form.report_by,
                addressee_agency=draft.addressee_agency_id,
                addressee=draft.addressee[:255],
                note=form.note.strip(),
                frame=frame.to_stored(),
                created_by=principal.id,
            )
            await letter.save()
            letter_id = int(letter.id)
            await ReminderItem.insert(
                *(_item_row(letter_id, i, item) for i, item in enumerate(draft.items, start=1))
            )
            # The letter's number finds the cases of its recommendations in the search box.
            measure_ids = [item.entity_id for item in draft.items]
            for case in (
                await Measure.select(Measure.inspection)
                .where(Measure.id.is_in(measure_ids))
                .distinct()
            ):
                await refresh_search_text(int(case["inspection"]))
            reference = frame.reference
            for item in draft.items:
                await audit.record(
                    "reminded",
                    actor=principal,
                    entity_type="measure",
                    entity_id=item.entity_id,
                    agency_id=item.agency_id,
                    after={
                        "letter_number": reference,
                        "issued_on": form.issued_on.isoformat(),
                        "addressee": draft.addressee,
                    },
                    ip=ip,
                )
            await audit.record(
                "reminder_issued",
                actor=principal,
                entity_type="reminder_letter",
                entity_id=letter_id,
                agency_id=principal.agency_id,
                after={
                    "letter_number": reference,
                    "issued_on": form.issued_on.isoformat(),
                    "addressee": draft.addressee,
                    "items": len(draft.items),
                },
                ip=ip,
            )
            await _notify(letter_id, draft, frame, now)
            issued.append(letter_id)
        work.after_commit.append(enqueue_email_delivery)
    return issued


# --------------------------------------------------------------------------- letters


def _visible(principal: Principal) -> tuple[str, list[Any]]:
    """Letters the caller may read: issued in their scope, or sent to a unit in it."""
    return (
        "(ia.path LIKE {} OR aa.path LIKE {})",
        [principal.scope_pattern, principal.scope_pattern],
    )


_LETTER_SELECT = (
    "SELECT rl.id AS id, rl.agency AS agency_id, ia.name AS agency_name, rl.year AS year,"
    " rl.number AS number, rl.issued_on AS issued_on, rl.report_by AS report_by,"
    " rl.addressee_agency AS addressee_agency_id, rl.addressee AS addressee, rl.note AS note,"
    " rl.frame AS frame, rl.created_at AS created_at, u.full_name AS created_by_name,"
    " (SELECT COUNT(*) FROM reminder_item ri WHERE ri.letter = rl.id) AS item_count"
    " FROM reminder_letter rl JOIN agency ia ON ia.id = rl.agency"
    " LEFT JOIN agency aa ON aa.id = rl.addressee_agency"
    " LEFT JOIN app_user u ON u.id = rl.created_by"
)


@dataclass(frozen=True)
class LetterItem:
    """A recommendation as the letter listed it, with what was left of it that day in its
    own unit (``measure`` None once the recommendation is deleted)."""

    position: int
    measure: int | None
    inspection_code: str
    inspection_title: str
    description: str
    due_on: date | None
    measure_type: str
    unit: str
    left_vnd: int
    left_m2: Decimal
    left_count: int
    collectives: int
    individuals: int

    @property
    def left(self) -> int | Decimal:
        if self.unit == "m2":
            return self.left_m2
        return {"vnd": self.left_vnd, "count": self.left_count}.get(self.unit, 0)

    @property
    def left_text(self) -> str:
        """What was left, as the letter writes it (domain.letters.left_text)."""
        return letters.left_text(self.unit, self.left, self.collectives, self.individuals)

    @property
    def due_text(self) -> str:
        """The due day as the letter prints it (dd/mm/yyyy), empty without one."""
        return format_date(self.due_on, "vi") if self.due_on else ""


@dataclass(frozen=True)
class Letter:
    """An issued reminder letter; ``items`` are read with one letter, not with a list."""

    id: int
    agency_id: int
    agency_name: str
    year: int
    number: int
    issued_on: date
    report_by: date
    addressee_agency_id: int | None
    addressee: str
    note: str
    frame: LetterFrame
    created_by_name: str
    item_count: int
    items: tuple[LetterItem, ...] = ()

    @property
    def reference(self) -> str:
        return self.frame.reference


def _stored_date(value: Any) -> date:
    day = stored_day(value)
    assert day is not None  # a letter's dates are NOT NULL
    return day


def _letter_out(row: Mapping[str, Any], items: tuple[LetterItem, ...] = ()) -> Letter:
    frame = row["frame"]
    addressee_agency = row["addressee_agency_id"]
    return Letter(
        id=int(row["id"]),
        agency_id=int(row["agency_id"]),
        agency_name=str(row["agency_name"]),
        year=int(row["year"]),
        number=int(row["number"]),
        issued_on=_stored_date(row["issued_on"]),
        report_by=_stored_date(row["report_by"]),
        addressee_agency_id=None if addressee_agency is None else int(addressee_agency),
        addressee=str(row["addressee"]),
        note=str(row["note"] or ""),
        frame=LetterFrame.stored(json.loads(frame) if isinstance(frame, str) else frame),
        created_by_name=str(row["created_by_name"] or ""),
        item_count=int(row["item_count"]),
        items=items,
    )


def _item_out(row: Mapping[str, Any]) -> LetterItem:
    due = row["due_on"]
    return LetterItem(
        position=int(row["position"]),
        measure=None if row["measure"] is None else int(row["measure"]),
        inspection_code=str(row["inspection_code"]),
        inspection_title=str(row["inspection_title"]),
        description=str(row["description"]),
        due_on=stored_day(due),
        measure_type=str(row["measure_type"]),
        unit=str(row["unit"]),
        left_vnd=int(row["left_vnd"]),
        left_m2=Decimal(str(row["left_m2"])),
        left_count=int(row["left_count"]),
        collectives=int(row["collectives"]),
        individuals=int(row["individuals"]),
    )


async def get_letter(principal: Principal, letter_id: int) -> Letter:
    """One letter with its items; NotFound outside the caller's reach."""
    condition, args = _visible(principal)
    rows = await ReminderLetter.raw(
        f"{_LETTER_SELECT} WHERE rl.id = {{}} AND {condition}", letter_id, *args
    )
    if not rows:
        raise NotFound()
    items = (
        await ReminderItem.select()
        .where(ReminderItem.letter == letter_id)
        .order_by(ReminderItem.position)
    )
    return _letter_out(rows[0], tuple(_item_out(item) for item in items))


async def list_letters(
    principal: Principal, before: int | None = None, limit: int = 50
) -> list[Letter]:
    """Letters the caller may read, newest first (keyset before the id ``before``)."""
    condition, args = _visible(principal)
    if before is not None:
        condition += " AND rl.id < {}"
        args.append(before)
    rows = await ReminderLetter.raw(
        f"{_LETTER_SELECT} WHERE {condition} ORDER BY rl.id DESC LIMIT {{}}", *args, limit
    )
    return [_letter_out(row) for row in rows]
