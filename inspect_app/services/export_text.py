"""Stored text on its way into a file: made printable, and the cause logged once per file.

Input is checked for control characters now (:func:`inspect_app.domain.text
.has_control_characters`), but text stored before that check, or written straight into the
database, can still hold characters that XLSX, HTML or a PDF cannot carry (openpyxl refuses
them outright: "… cannot be used in worksheets"). Every export passes its text through a
:class:`PrintableText`, so that a report never fails on a name; what was replaced is
logged, naming the file and the texts, so that the record can be corrected.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from inspect_app.domain.text import printable

log = logging.getLogger(__name__)
# Enough to find the records; a file of thousands of bad rows needs no longer a line.
_LOGGED_EXAMPLES = 5


class PrintableText:
    """Cleans the text of one file (``what`` names it in the log) and remembers the changes."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.changed: dict[str, str] = {}

    def __call__(self, value: Any) -> Any:
        """``value`` with every string in it made printable (dicts, lists and tuples too)."""
        if isinstance(value, str):
            clean = printable(value)
            if clean != value:
                self.changed[value] = clean
            return clean
        if isinstance(value, Mapping):
            return {key: self(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self(item) for item in value)
        return value

    def log(self) -> None:
        """Log (once) which stored texts had to be cleaned for this file, if any."""
        if not self.changed:
            return
        examples = ", ".join(repr(text) for text in list(self.changed)[:_LOGGED_EXAMPLES])
        log.warning(
            "%s: %d stored text(s) held control characters the file cannot hold; they were "
            "replaced by spaces in the file (correct the records): %s",
            self.what,
            len(self.changed),
            examples,
        )
