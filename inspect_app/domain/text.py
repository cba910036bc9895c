"""Text rules: accent-insensitive matching of Vietnamese, and the control characters that
input may not hold and files cannot hold.

People type names with or without diacritics ("Hà Nam", "Ha Nam", "HA NAM"); search compares
folded forms on both sides so that they all match.
"""

from __future__ import annotations

import re
import unicodedata

# đ is a letter of its own, not d plus a combining mark, so NFD leaves it alone.
_D_WITH_STROKE = str.maketrans({"đ": "d", "Đ": "d"})


def fold_vietnamese(s: str) -> str:
    """Lowercase ``s`` without diacritics and with single spaces: "Hà  Nam" -> "ha nam"."""
    decomposed = unicodedata.normalize("NFD", s.translate(_D_WITH_STROKE))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


def search_terms(q: str) -> list[str]:
    """The distinct folded words of a search query, in the order typed."""
    return list(dict.fromkeys(fold_vietnamese(q).split()))


_NUMBER_PUNCTUATION = re.compile(r"[/\\\-.,:;_()]+")


def searchable_number(number: str) -> str:
    """A document number as written and again with its punctuation as spaces.

    "43/QĐ-TTr" -> "43/QĐ-TTr 43 QĐ TTr": searching "43/QD-TTr" matches the first form (once
    both are folded), "43 QD TTr" the words of the second. The number itself is kept as text
    and never interpreted ("TTr" may mean "Tờ trình" or "Thanh tra").
    """
    spaced = " ".join(_NUMBER_PUNCTUATION.sub(" ", number).split())
    return number if spaced == number else f"{number} {spaced}"


# C0 control characters (and DEL). Tab, line feed and carriage return are ordinary in free
# text; the others have no place in what people type, and XML-based files (XLSX, DOCX) and
# HTML cannot hold them at all. U+FFFE/U+FFFF and lone surrogates are not characters either.
_FREE_TEXT_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_FORBIDDEN = re.compile("[\x00-\x1f\x7f]")
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def has_control_characters(value: str, *, single_line: bool) -> bool:
    """True when ``value`` holds a control character its kind of field may not hold.

    Names, codes and titles (``single_line``) may hold none, not even a tab or a line
    break; free text may hold tabs and line breaks but no other C0 control character.
    """
    pattern = _LINE_FORBIDDEN if single_line else _FREE_TEXT_FORBIDDEN
    return pattern.search(value) is not None


def printable(value: str) -> str:
    """``value`` with what a file format cannot hold (C0 controls other than tab and line
    breaks, DEL, non-characters, lone surrogates) replaced by a space; tabs and line breaks
    are kept. Stored text from before input was checked goes through this on its way into
    a report or an export, so that one odd name never breaks a file."""
    return _UNPRINTABLE.sub(" ", value)


def ascii_digits(text: str) -> bool:
    """True for a non-empty run of ASCII digits only: ``str.isdigit`` also says yes to "²"
    and "٣", which ``int()`` refuses (and a 500 would follow)."""
    return text.isascii() and text.isdigit()
