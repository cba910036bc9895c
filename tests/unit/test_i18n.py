"""Every message the interface can show has a Vietnamese translation, in the catalogues the
application reads; plurals, contexts and per-render languages work in code and templates."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from jinja2 import DictLoader, Environment
from markupsafe import Markup

from inspect_app.domain.lifecycle import IllegalTransition, TransitionContext, next_status
from inspect_app.domain.measures import MEASURE_STATUS_LABELS
from inspect_app.i18n import (
    MessageId,
    N_plural,
    lazy,
    message_ids,
    pick_language,
    pN_,
    translate,
    translate_plural,
    translations,
)
from inspect_app.i18n.jinja import install_gettext
from tools import messages

ROOT = Path(__file__).resolve().parents[2]


@cache
def extracted() -> list[tuple[str, str | None, str | tuple[str, ...]]]:
    """(file, context, id) of every message id pybabel extracts with babel.cfg."""
    with (ROOT / "babel.cfg").open() as fp:
        method_map, options_map = parse_mapping_cfg(fp)
    found = []
    for filename, _, message, _, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=DEFAULT_KEYWORDS
    ):
        found.append((filename, context, message))
    return found


def _untranslated(lang: str) -> list[str]:
    catalogue = translations(lang)
    missing = []
    for filename, context, message in extracted():
        singular = message if isinstance(message, str) else message[0]
        key = singular if context is None else f"{context}\x04{singular}"
        table = catalogue._catalog  # type: ignore[attr-defined]
        if not (table.get(key) or table.get((key, 0))):
            missing.append(f"{filename}: {context or ''} {singular!r}")
    return missing


def test_extraction_sees_templates_code_sentences_and_markers() -> None:
    files = {filename for filename, _, _ in extracted()}
    ids = {message if isinstance(message, str) else message[0] for _, _, message in extracted()}
    # Templates, sentences of services and controllers, InvalidInput values, N_() labels,
    # the lifecycle's reasons and the plural of a job's notice.
    assert {"templates/base.html", "inspect_app/services/cases/events.py"} <= files
    assert "Please sign in." in ids  # exceptions.py, a sentence
    assert "The date cannot be before the previous step of the case." in ids  # InvalidInput
    assert "Hotline" in ids  # domain/labels.py, N_()
    assert "The conclusion has already been published." in ids  # domain/lifecycle.py
    assert "{deadline} of {code} is still not done {days} day after {due}." in ids
    assert "%(num)d day left" in ids  # ngettext in a template
    assert not any(filename.startswith(("tests/", "bench/")) for filename in files)


def test_every_extracted_message_is_translated_to_vietnamese() -> None:
    missing = _untranslated("vi")
    assert missing == [], f"run make messages and translate in inspect_app/locale/vi: {missing}"


def test_the_compiled_catalogues_match_their_sources() -> None:
    for lang in messages.languages():
        for domain in messages.load_domains(lang):
            assert messages.check_compiled(domain) == [], "run make messages"


def test_menu_labels_are_translated() -> None:
    from inspect_app.pages import NAV_ITEMS

    missing = [label for _, _, label in NAV_ITEMS if label not in message_ids("vi")]
    assert missing == []


def test_translation_fills_values_and_falls_back_to_the_id_in_english() -> None:
    assert translate("Please sign in.", "vi") == "Vui lòng đăng nhập."
    assert translate("Please sign in.", "en") == "Please sign in."
    assert translate("Recorded: {event}.", "vi", event="x") == "Đã ghi nhận: x."
    assert translate("Not a message id at all", "vi") == "Not a message id at all"


def test_plural_forms_follow_the_language() -> None:
    singular, plural = (
        "{count} notification marked as read.",
        "{count} notifications marked as read.",
    )
    assert translate_plural(singular, plural, 1, "en") == "1 notification marked as read."
    assert translate_plural(singular, plural, 2, "en") == "2 notifications marked as read."
    assert translate_plural(singular, plural, 0, "en") == "0 notifications marked as read."
    assert translate_plural(singular, plural, 1, "vi") == "Đã đánh dấu đã đọc 1 thông báo."
    assert translate_plural(singular, plural, 7, "vi") == "Đã đánh dấu đã đọc 7 thông báo."
    title = N_plural(
        "{deadline} of {code} is still not done {days} day after {due}.",
        "{deadline} of {code} is still not done {days} days after {due}.",
        count="days",
    )
    values = {"deadline": "Conclusion", "code": "TT-1", "due": "14/03/2026"}
    assert translate(title, "en", days=1, **values).endswith("not done 1 day after 14/03/2026.")
    assert translate(title, "en", days=3, **values).endswith("not done 3 days after 14/03/2026.")
    with pytest.raises(TypeError, match="whole number"):
        translate(title, "en", days="3", **values)


def test_a_context_tells_apart_the_same_english_words() -> None:
    assert translate(MEASURE_STATUS_LABELS["open"], "vi") == "Chưa thực hiện"
    assert translate("Open", "vi") == "Mở"
    assert translate(pN_("case event", "Cancel"), "vi") == "Hủy"
    assert translate("Cancel", "vi") == "Hủy bỏ"
    assert translate(MEASURE_STATUS_LABELS["done"], "en") == "Done"


def test_a_message_id_given_as_a_value_is_translated_with_the_message() -> None:
    assert translate("Recorded: {event}.", "vi", event=lazy("Extend")) == "Đã ghi nhận: Extend."
    assert (
        translate("Recorded: {event}.", "vi", event=pN_("case event", "Extend"))
        == "Đã ghi nhận: Gia hạn."
    )
    with pytest.raises(IllegalTransition) as caught:
        next_status("concluded", "close", TransitionContext(measures_open=3))
    reason = caught.value
    assert isinstance(reason.message, MessageId)
    assert translate(reason.message, "vi", **reason.values) == (
        "Không thể đóng hồ sơ: còn 3 kiến nghị chưa thực hiện xong."
    )


def test_language_choice_prefers_the_first_supported_candidate() -> None:
    assert pick_language(None, "fr-FR,en;q=0.8") == "en"
    assert pick_language("en", "vi") == "en"
    assert pick_language(None, None) == "vi"


def _environment() -> Environment:
    env = Environment(
        loader=DictLoader(
            {
                "page.html": (
                    '{% from "macros.html" import hint with context %}'
                    "{{ _('Please sign in.') }}|"
                    "{{ ngettext('%(num)d day left', '%(num)d days left', days) }}|"
                    "{% trans %}Please correct the fields.{% endtrans %}|"
                    "{{ _(untrusted) }}|{{ hint() }}"
                ),
                "macros.html": "{% macro hint() %}{{ _('Cancel') }}{% endmacro %}",
            }
        ),
        autoescape=True,
    )
    install_gettext(env)
    return env


class _State:
    def __init__(self, lang: str) -> None:
        self.lang = lang


class _Request:
    def __init__(self, lang: str) -> None:
        self.state = _State(lang)


def test_templates_translate_in_the_language_of_each_render() -> None:
    env = _environment()
    page = env.get_template("page.html")
    untrusted = "<b>Open</b>"
    vi = page.render(request=_Request("vi"), days=1, untrusted=untrusted)
    en = page.render(request=_Request("en"), days=1, untrusted=untrusted)
    en_many = page.render(lang="en", days=4, untrusted="Open")
    # One shared environment, three renders, three results: the language is the render's.
    assert vi == (
        "Vui lòng đăng nhập.|còn 1 ngày|Vui lòng sửa các trường bị lỗi.|"
        "&lt;b&gt;Open&lt;/b&gt;|Hủy bỏ"
    )
    assert en == (
        "Please sign in.|1 day left|Please correct the fields.|&lt;b&gt;Open&lt;/b&gt;|Cancel"
    )
    assert en_many == "Please sign in.|4 days left|Please correct the fields.|Open|Cancel"


def test_template_values_are_escaped_and_the_translation_is_text() -> None:
    env = _environment()
    template = env.from_string("{{ _('Show all %(count)d', count=n) }}|{{ _(x, name=y) }}")
    out = template.render(lang="vi", n=5, x="%(name)s & co", y="<i>")
    assert out == "Xem tất cả 5|&lt;i&gt; &amp; co"
    text_env = Environment(autoescape=False)
    install_gettext(text_env)
    plain = text_env.from_string("{{ _('Show all %(count)d', count=n) }} {{ _(x) }}")
    assert plain.render(lang="en", n=2, x="R&D <b>") == "Show all 2 R&D <b>"
    assert not isinstance(plain.render(lang="en", n=2, x=""), Markup)
