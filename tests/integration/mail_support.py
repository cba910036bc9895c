"""A real SMTP server on loopback (aiosmtpd) for the tests of e-mailed notices.

``smtp_inbox`` (a fixture of tests/integration/conftest.py) starts it and points the app's
SMTP settings at it for one test; every message it receives is kept in ``Inbox.messages``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from inspect_app.settings import get_settings
from tests import services


class Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


def use_env(values: dict[str, str | None]) -> dict[str, str | None]:
    previous = {key: os.environ.get(key) for key in values}
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    get_settings.cache_clear()
    return previous


@pytest.fixture
def smtp_inbox() -> Iterator[Inbox]:
    """A real SMTP server on 127.0.0.1, configured as the app's SMTP_HOST for the test."""
    inbox = Inbox()
    port = services.free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    previous = use_env(
        {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_FROM": "thanhtra@tinh.test"}
    )
    try:
        yield inbox
    finally:
        use_env(previous)
        controller.stop()


def subject_of(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))
