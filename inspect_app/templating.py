"""The Jinja engine: gettext (see ``i18n.install_gettext``), filters for đồng, m², dates and
labels, all in the language of the request being rendered."""

from __future__ import annotations

import hashlib
import logging
import sys
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import Environment, FileSystemBytecodeCache, pass_context
from jinja2.bccache import Bucket
from jinja2.runtime import Context
from litestar.plugins.jinja import JinjaTemplateEngine as Engine
from litestar.template.config import TemplateConfig

from inspect_app.audit_labels import ENTITY_LABELS, ApprovalAsked, approval_summary, readable_entry
from inspect_app.domain import formatting
from inspect_app.domain.approvals import KIND_LABELS as APPROVAL_KIND_LABELS
from inspect_app.domain.approvals import STATUS_LABELS as APPROVAL_STATUS_LABELS
from inspect_app.domain.lifecycle import EVENT_LABELS, STATUS_LABELS
from inspect_app.domain.measures import MEASURE_TYPE_LABELS
from inspect_app.domain.permissions import ROLE_LABELS
from inspect_app.i18n import LANGUAGE_NAMES, translate
from inspect_app.i18n.jinja import install_gettext
from inspect_app.i18n.jinja import render_language as _lang
from inspect_app.paths import template_dir
from inspect_app.schemas.admin import AuditEntry
from inspect_app.settings import get_settings

TEMPLATE_DIR = template_dir()
logger = logging.getLogger(__name__)


class TemplateCache(FileSystemBytecodeCache):
    """Compiled templates kept on disk (``VAR_DIR/template-cache``), so that a new process
    loads them instead of compiling all of them again (0.6–0.8 s for the 69 templates,
    against about 25 ms read back; docs/performance.md).

    A file is written whole, then renamed. Its name holds the template's name and the
    ``fingerprint`` of what compiling depends on besides the source (:func:`compile_fingerprint`:
    the Jinja and Python versions, the environment's options, filters and tests), and Jinja
    checks the source's checksum on load: processes, hosts and releases may share the
    directory, and a release with another Jinja or other options compiles afresh. A cache
    that cannot be read or written is skipped: the template is compiled as without one."""

    def __init__(self, directory: str, fingerprint: str = "") -> None:
        super().__init__(directory, pattern=f"__jinja2_{fingerprint}_%s.cache")
        self._warned = False

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a truncated or foreign file: compile instead
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError as exc:
            if not self._warned:  # once per process, not once per template
                self._warned = True
                logger.warning("compiled templates not kept: %s", exc)


def compile_fingerprint(env: Environment) -> str:
    """What the code Jinja compiles a template into depends on, besides its source."""
    autoescape = env.autoescape
    parts = (
        jinja2.__version__,
        sys.version,
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        env.optimized,
        getattr(autoescape, "__qualname__", autoescape),
        sorted(env.extensions),
        getattr(env, "newstyle_gettext", None),
        sorted(env.filters),
        sorted(env.tests),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def template_cache(directory: Path, fingerprint: str = "") -> TemplateCache | None:
    """The on-disk cache of compiled templates in ``directory``; None when it cannot be
    made (a read-only disk): templates are then compiled once per process, in memory."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        logger.warning("no cache of compiled templates in %s: %s", directory, exc)
        return None
    return TemplateCache(str(directory), fingerprint)


@pass_context
def _vnd(context: Context, amount: int | None) -> str:
    return formatting.format_vnd(amount, _lang(context))


@pass_context
def _number(context: Context, value: int | None) -> str:
    return formatting.format_count(value, _lang(context))


@pass_context
def _m2(context: Context, value: Decimal | None) -> str:
    return "" if value is None else formatting.format_m2(Decimal(value), _lang(context))


@pass_context
def _date(context: Context, value: Any) -> str:
    return formatting.format_date(value, _lang(context))


@pass_context
def _datetime(context: Context, value: Any) -> str:
    return "" if value is None else formatting.format_datetime(value, _lang(context))


@pass_context
def _history_entry(context: Context, row: AuditEntry) -> dict[str, Any]:
    return readable_entry(row, _lang(context))


@pass_context
def _approval_summary(context: Context, row: ApprovalAsked) -> str:
    return approval_summary(row, _lang(context))


def _label(table: Mapping[str, str]) -> Any:
    @pass_context
    def label(context: Context, key: str | None) -> str:
        if key is None:
            return ""
        return translate(table[key], _lang(context)) if key in table else key

    return label


def configure_environment(engine: Engine) -> None:
    """Register gettext, filters and globals on the Jinja environment."""
    env = engine.engine
    install_gettext(env)
    env.globals["language_names"] = LANGUAGE_NAMES
    env.filters.update(
        {
            "vnd": _vnd,
            "m2": _m2,
            "number": _number,
            "date": _date,
            "datetime": _datetime,
            "status_label": _label(STATUS_LABELS),
            "event_label": _label(EVENT_LABELS),
            "measure_type_label": _label(MEASURE_TYPE_LABELS),
            "role_label": _label(ROLE_LABELS),
            "history_entry": _history_entry,
            "approval_summary": _approval_summary,
            "approval_kind_label": _label(APPROVAL_KIND_LABELS),
            "entity_label": _label(ENTITY_LABELS),
            "approval_status_label": _label(APPROVAL_STATUS_LABELS),
        }
    )
    env.trim_blocks = True
    env.lstrip_blocks = True
    # Templates are compiled once per process and kept; only a developer (DEBUG) has them
    # checked against their files on every render (a stat per template and include).
    settings = get_settings()
    env.auto_reload = settings.debug
    env.bytecode_cache = template_cache(
        settings.var_dir / "template-cache", compile_fingerprint(env)
    )


def template_config() -> TemplateConfig[Engine]:
    """Template configuration for create_app()."""
    return TemplateConfig(
        directory=TEMPLATE_DIR, engine=Engine, engine_callback=configure_environment
    )
