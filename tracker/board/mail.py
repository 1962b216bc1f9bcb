"""Sending e-mail: SMTP settings from the app's configuration, and messages with a plain and an HTML part.

Settings (tracker/config.py, overridden by instance/config.py or the environment): MAIL_SERVER
(SMTP_HOST), MAIL_PORT, MAIL_USE_TLS (STARTTLS), MAIL_USERNAME, MAIL_PASSWORD, MAIL_DEFAULT_SENDER and
MAIL_TIMEOUT.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any


class MailNotConfigured(ValueError):
    """A mail setting cannot be used (a port that is not a number)."""


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    use_tls: bool
    username: str
    password: str
    sender: str
    timeout: float = 30

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings:
        """Read the MAIL_* settings; refuse a port that is not a whole number from 1 to 65535."""
        try:
            port = int(config.get("MAIL_PORT", 25))
        except (TypeError, ValueError):
            raise MailNotConfigured(f"MAIL_PORT must be a port number, not {config.get('MAIL_PORT')!r}.") from None
        if not 0 < port < 65536:
            raise MailNotConfigured(f"MAIL_PORT must be from 1 to 65535, not {port}.")
        use_tls = config.get("MAIL_USE_TLS", False)
        return cls(
            host=str(config.get("MAIL_SERVER") or config.get("SMTP_HOST") or "localhost"),
            port=port,
            use_tls=use_tls if isinstance(use_tls, bool) else str(use_tls).strip().lower() in ("1", "true", "yes"),
            username=str(config.get("MAIL_USERNAME") or ""),
            password=str(config.get("MAIL_PASSWORD") or ""),
            sender=str(config.get("MAIL_DEFAULT_SENDER") or "tracker@localhost"),
            timeout=float(config.get("MAIL_TIMEOUT") or 30),
        )


def build_message(sender: str, to: str, subject: str, text: str, html: str) -> EmailMessage:
    """Return a message with a plain-text body and an HTML alternative."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


@contextmanager
def smtp_connection(settings: MailSettings) -> Iterator[smtplib.SMTP]:
    """Open one SMTP connection (STARTTLS and login when configured) for a batch of messages."""
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
        smtp.ehlo()
        if settings.use_tls:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if settings.username:
            smtp.login(settings.username, settings.password)
        yield smtp
