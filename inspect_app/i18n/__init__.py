"""Translations: gettext catalogues for Vietnamese (default) and English.

Message ids are the English text. ``locale/<lang>/LC_MESSAGES/<domain>.po`` holds the
translations of one area of the application (core, admin, cases, ...), compiled to ``.mo``
next to it; the domains of a language are merged into one catalogue at first use. How to
add a message, and what ``make lint`` checks about the catalogues: docs/i18n.md. Templates
translate through :mod:`inspect_app.i18n.jinja`.
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

from babel.support import Translations

from inspect_app.domain.messages import N_, MessageId, N_plural, lazy, pN_

__all__ = [
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "LOCALE_DIR",
    "N_",
    "MessageId",
    "N_plural",
    "lazy",
    "message_ids",
    "pN_",
    "pick_language",
    "translate",
    "translate_plural",
    "translations",
]

LANGUAGES = ("vi", "en")
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
# Each language named in itself, as language pickers show them (never translated).
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """Every domain of ``lang`` merged into one catalogue (read once per process)."""
    merged: Translations | None = None
    for path in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.mo")):
        with path.open("rb") as fp:
            domain = Translations(fp, domain=path.stem)
        merged = domain if merged is None else merged.merge(domain)
    return merged if merged is not None else gettext.NullTranslations()


def message_ids(lang: str) -> frozenset[str]:
    """The ids (without context) that the catalogue of ``lang`` translates."""
    table: dict[object, str] = getattr(translations(lang), "_catalog", {})
    ids = (key[0] if isinstance(key, tuple) else key for key, text in table.items() if text)
    return frozenset(str(i).rpartition("\x04")[2] for i in ids if i)


def _fill(text: str, lang: str, values: dict[str, object]) -> str:
    filled = {
        name: (
            translate(value, lang, **values)
            if isinstance(value, MessageId) and value.plural is not None
            else translate(value, lang)
            if isinstance(value, MessageId)
            else value
        )
        for name, value in values.items()
    }
    return text.format(**filled)


def translate(message: str, lang: str, **values: object) -> str:
    """The message in ``lang`` (the English id when untranslated), with ``{name}`` filled in.

    A :class:`MessageId` is looked up in its context, and one with a plural takes the form
    its count (``values[message.count_key]``) needs; a value that is a :class:`MessageId` (see
    :func:`lazy`) is translated before it is filled in.
    """
    catalogue = translations(lang)
    text: str
    if isinstance(message, MessageId) and message.values:
        values = {**message.values, **values}
    if isinstance(message, MessageId) and message.plural is not None:
        count = values[message.count_key]
        if not isinstance(count, int):
            raise TypeError(f"{message.count_key!r} must be a whole number to choose a plural form")
        if message.context is None:
            text = catalogue.ngettext(str(message), message.plural, count)
        else:
            text = catalogue.npgettext(message.context, str(message), message.plural, count)
    elif isinstance(message, MessageId) and message.context is not None:
        text = catalogue.pgettext(message.context, str(message))
    else:
        text = catalogue.gettext(str(message))
    return _fill(text, lang, values) if values else text


def translate_plural(singular: str, plural: str, count: int, lang: str, **values: object) -> str:
    """The form of a counted message that ``count`` needs in ``lang``, with ``{count}`` and
    the other ``{name}`` values filled in ("1 case" / "2 cases"; "1 cuộc" / "2 cuộc")."""
    return translate(N_plural(singular, plural), lang, count=count, **values)


def pick_language(*candidates: str | None, default: str = "vi") -> str:
    """The first supported language among the candidates (user setting, cookie, header)."""
    for candidate in candidates:
        if not candidate:
            continue
        for part in candidate.split(","):
            code = part.split(";")[0].strip().lower()[:2]
            if code in LANGUAGES:
                return code
    return default
