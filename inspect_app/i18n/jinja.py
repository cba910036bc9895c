"""gettext in Jinja templates, in the language of each render.

Templates translate with Jinja's i18n extension: ``_()``, ``ngettext()``, ``pgettext()`` and
``{% trans %}``, "newstyle" (values are filled in as ``%(name)s``, and a literal % is written
%%). One environment renders every request, so the installed functions take the language
from the render context, never from a global.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from inspect_app.i18n import MessageId, translate, translations


def render_language(context: Context) -> str:
    """The language of a render: the request's (``request.state.lang``), else ``lang``."""
    request = context.get("request")
    if request is None:
        return str(context.get("lang", "vi"))
    # The scope's state dict itself: ``request.state`` builds a new State wrapper on every
    # access, and a page translates a thousand texts or more.
    scope = getattr(request, "scope", None)
    state = scope.get("state") if isinstance(scope, dict) else None
    if isinstance(state, dict):
        return str(state.get("lang", "vi"))
    return str(getattr(request.state, "lang", "vi"))


def _text(context: Context, text: str) -> str:
    # Newstyle gettext marks its result safe when autoescaping: escape the translation first,
    # so that a message is always text (an id shown untranslated included), never markup.
    return Markup.escape(text) if context.eval_ctx.autoescape else text


@pass_context
def _gettext(context: Context, message: str) -> str:
    return _text(context, translate(message, render_language(context)))


@pass_context
def _ngettext(context: Context, singular: str, plural: str, count: int) -> str:
    catalogue = translations(render_language(context))
    return _text(context, catalogue.ngettext(singular, plural, count))


@pass_context
def _pgettext(context: Context, message_context: str, message: str) -> str:
    message_id = MessageId(message, context=message_context)
    return _text(context, translate(message_id, render_language(context)))


@pass_context
def _npgettext(
    context: Context, message_context: str, singular: str, plural: str, count: int
) -> str:
    catalogue = translations(render_language(context))
    return _text(context, catalogue.npgettext(message_context, singular, plural, count))


def install_gettext(env: Environment) -> None:
    """Enable ``_()``, ``ngettext()``, ``pgettext()`` and ``{% trans %}`` on ``env``."""
    env.add_extension("jinja2.ext.i18n")
    install: Any = getattr(env, "install_gettext_callables")  # noqa: B009 (added by the extension)
    install(
        gettext=_gettext,
        ngettext=_ngettext,
        newstyle=True,
        pgettext=_pgettext,
        npgettext=_npgettext,
    )
