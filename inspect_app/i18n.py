"""Message catalogues: Vietnamese (default) and English.

Message ids are the English text. ``locale/<lang>/*.json`` files map ids to translations and
are merged at start-up, one file per area so that catalogues stay small and reviewable. An id
missing from the Vietnamese catalogue is a bug: ``tests/unit/test_i18n.py`` finds every
``_("...")`` in templates and code and checks that it is translated.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGUAGES = ("vi", "en")
LOCALE_DIR = Path(__file__).parent / "locale"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """All translations of one language, merged from its JSON files."""
    merged: dict[str, str] = {}
    folder = LOCALE_DIR / lang
    if folder.is_dir():
        for path in sorted(folder.glob("*.json")):
            merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def translate(message: str, lang: str, **values: object) -> str:
    """The message in ``lang`` (English id when untranslated), with ``{name}`` filled in."""
    text = catalogue(lang).get(message, message)
    return text.format(**values) if values else text


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
