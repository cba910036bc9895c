"""Message ids in pure code: markers the catalogue extraction sees, translated later.

Message ids are the English text. Pure code (this package, label tables, the errors services
raise) holds ids, not translations; the web layer and the jobs translate them with
:func:`inspect_app.i18n.translate` in the reader's language. The markers cost nothing at run
time: they exist so that ``pybabel extract`` (see babel.cfg) finds every id, and so that an id
can carry how it is translated: with a plural form, in a context, or as a value of another
message.
"""

from __future__ import annotations

from collections.abc import Mapping


class MessageId(str):
    """A message id with what gettext needs besides its text.

    ``context`` tells apart two uses of the same English words that other languages say
    differently ("Open" as a measure status is "Chưa thực hiện", as a button "Mở");
    ``plural`` is the id's plural form, and ``count_key`` names the value holding the number
    that chooses between the forms (Vietnamese has one form, English two). Given as a value
    of another message, a ``MessageId`` is translated before it is filled in (see ``lazy``).
    """

    context: str | None
    plural: str | None
    count_key: str
    # Values bound to the id where it was raised (see ``bound``); translate fills them in.
    values: dict[str, object] = {}

    def __new__(
        cls,
        message: str,
        *,
        context: str | None = None,
        plural: str | None = None,
        count: str = "count",
    ) -> MessageId:
        instance = super().__new__(cls, message)
        instance.context = context
        instance.plural = plural
        instance.count_key = count
        return instance

    def __reduce__(self) -> tuple[object, ...]:
        return (_message_id, (str(self), self.context, self.plural, self.count_key))


def _message_id(message: str, context: str | None, plural: str | None, count: str) -> MessageId:
    return MessageId(message, context=context, plural=plural, count=count)


def bound(message: str, **values: object) -> MessageId:
    """``message`` carrying the values it names, for a field error raised far from where it
    is translated: ``errors["date"] = bound("Must be on or after {date}.", date="05/12/2026")``
    reads "Phải từ 05/12/2026 trở đi." on the form and in the API's answer."""
    instance = MessageId(message) if not isinstance(message, MessageId) else message
    copy = MessageId(
        str(instance),
        context=instance.context,
        plural=instance.plural,
        count=instance.count_key,
    )
    copy.values = dict(values)
    return copy


def lazy(message: str) -> MessageId:
    """A message id given as a value of another message: translated before it is filled in.

    ``translate("Recorded: {event}.", lang, event=lazy("Extend"))`` shows the event in the
    reader's language, not in English.
    """
    return message if isinstance(message, MessageId) else MessageId(message)


def N_(message: str) -> str:
    """Mark ``message`` as a message id translated later (a no-op at run time)."""
    return message


def pN_(context: str, message: str) -> MessageId:
    """Mark a message id used in ``context`` (gettext's msgctxt)."""
    return MessageId(message, context=context)


def N_plural(singular: str, plural: str, count: str = "count") -> MessageId:
    """Mark a message id with a plural form; ``count`` names the value holding the number."""
    return MessageId(singular, plural=plural, count=count)


def in_english(message: str, values: Mapping[str, object]) -> str:
    """The message filled in without a catalogue: English, the language of the ids.

    For logs and exception texts; people read :func:`inspect_app.i18n.translate`'s output.
    """
    text = str(message)
    if isinstance(message, MessageId) and message.plural and values.get(message.count_key) != 1:
        text = message.plural
    return text.format(**values) if values else text
