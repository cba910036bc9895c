"""Accent-insensitive matching of Vietnamese text.

People type names with or without diacritics ("Hà Nam", "Ha Nam", "HA NAM"); search compares
folded forms on both sides so that they all match.
"""

from __future__ import annotations

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
