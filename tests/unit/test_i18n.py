"""Every message the interface can show has a Vietnamese translation."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from inspect_app.i18n import catalogue, pick_language, translate

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_CALL = re.compile(r"""_\(\s*(["'])(.+?)\1\s*[,)]""")
# Sentences in Python code (error messages, flashes) are message ids: they start with a
# capital letter, contain a space and end with a full stop or question mark.
SENTENCE = re.compile(r"^[A-Z][^\n]* [^\n]*[.?]$")


def template_messages() -> set[str]:
    """Message ids used with _() in the templates."""
    found: set[str] = set()
    for path in (ROOT / "templates").rglob("*.html"):
        for match in TEMPLATE_CALL.finditer(path.read_text(encoding="utf-8")):
            found.add(match.group(2))
    return found


def _docstring_nodes(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def code_messages() -> set[str]:
    """Sentence-like string literals in the application code (not docstrings or logs)."""
    found: set[str] = set()
    for folder in (
        "inspect_app/controllers",
        "inspect_app/forms",
        "inspect_app/services",
        "inspect_app/audit_labels.py",
        "inspect_app/pages.py",
        "inspect_app/exceptions.py",
        "inspect_app/security.py",
    ):
        paths = [ROOT / folder] if folder.endswith(".py") else (ROOT / folder).rglob("*.py")
        for path in paths:
            tree = ast.parse(path.read_text(encoding="utf-8"))
            skip = _docstring_nodes(tree)
            log_args = {
                id(arg)
                for node in ast.walk(tree)
                if isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"debug", "info", "warning", "error", "exception"}
                for arg in node.args
            }
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and id(node) not in skip
                    and id(node) not in log_args
                    and SENTENCE.match(node.value)
                ):
                    found.add(node.value)
    return found


def test_every_template_message_is_translated_to_vietnamese() -> None:
    missing = sorted(template_messages() - catalogue("vi").keys())
    assert missing == [], f"add to inspect_app/locale/vi/*.json: {missing}"


def test_every_code_message_is_translated_to_vietnamese() -> None:
    missing = sorted(code_messages() - catalogue("vi").keys())
    assert missing == [], f"add to inspect_app/locale/vi/*.json: {missing}"


def test_translation_fills_values_and_falls_back_to_the_id_in_english() -> None:
    assert translate("Please sign in.", "vi") == "Vui lòng đăng nhập."
    assert translate("Please sign in.", "en") == "Please sign in."


def test_language_choice_prefers_the_first_supported_candidate() -> None:
    assert pick_language(None, "fr-FR,en;q=0.8") == "en"
    assert pick_language("en", "vi") == "en"
    assert pick_language(None, None) == "vi"


def test_menu_labels_are_translated() -> None:
    from inspect_app.pages import NAV_ITEMS

    missing = [label for _, _, label in NAV_ITEMS if label not in catalogue("vi")]
    assert missing == []
