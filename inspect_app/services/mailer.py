"""Sending e-mail through the configured SMTP server (SMTP_HOST and friends).

smtplib runs in a worker thread so that a slow mail server never blocks the event loop.
Without SMTP_HOST nothing is sent: notifications stay in the app.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from inspect_app.domain.text import printable
from inspect_app.settings import Settings, get_settings

log = logging.getLogger(__name__)

SMTP_TIMEOUT_S = 20


@dataclass(frozen=True)
class Mail:
    """One message to one address."""

    to: str
    subject: str
    body: str


def smtp_configured(settings: Settings | None = None) -> bool:
    """True when SMTP_HOST is set."""
    return bool((settings or get_settings()).smtp_host)


def _message(settings: Settings, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = mail.to
    # A header line cannot hold line breaks or other control characters (a case title
    # stored before input was checked might): EmailMessage would refuse the whole message.
    message["Subject"] = " ".join(printable(mail.subject).split())
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or None)
    message.set_content(mail.body)
    return message


def _send_batch(settings: Settings, mails: list[Mail]) -> list[bool]:
    """Send over one SMTP connection; True per message accepted by the server.

    A connection lost half-way keeps what was already accepted, so those are not sent twice.
    """
    sent = [False] * len(mails)
    assert settings.smtp_host is not None
    smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_S)
    try:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        for index, mail in enumerate(mails):
            try:
                smtp.send_message(_message(settings, mail))
            except smtplib.SMTPRecipientsRefused as exc:
                log.warning("SMTP refused %s: %r", mail.to, exc.recipients)
                continue
            except (OSError, smtplib.SMTPException) as exc:
                log.warning("SMTP failed while sending to %s: %r", mail.to, exc)
                break
            sent[index] = True
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return sent


async def send_mails(mails: list[Mail], settings: Settings | None = None) -> list[bool]:
    """Send ``mails``; per message, whether the server accepted it (all False on failure)."""
    settings = settings or get_settings()
    if not mails or not smtp_configured(settings):
        return [False] * len(mails)
    try:
        return await asyncio.to_thread(_send_batch, settings, mails)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning(
            "SMTP server %s:%s unavailable: %r", settings.smtp_host, settings.smtp_port, exc
        )
        return [False] * len(mails)
