"""A reminder's subject comes from a case title: it must fit on one header line."""

from __future__ import annotations

import dataclasses

from inspect_app.services.mailer import Mail, _message
from inspect_app.settings import get_settings


def test_line_breaks_and_control_characters_in_a_subject_become_spaces() -> None:
    settings = dataclasses.replace(get_settings(), smtp_from="thanhtra@example.gov.vn")
    mail = Mail(to="an@example.gov.vn", subject="Sắp đến hạn:\nThanh tra\x0bđất đai", body="…")
    assert _message(settings, mail)["Subject"] == "Sắp đến hạn: Thanh tra đất đai"
