"""E-mail over SMTP (the standard library's smtplib, in a worker thread): one message with one PDF attached.
STARTTLS or TLS from the start, and a login, as the municipality's mail server wants them."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from typing import Literal

Security = Literal["starttls", "tls", "none"]


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    text: str = field(repr=False)
    attachment_name: str
    attachment: bytes = field(repr=False)
    message_id: str


@dataclass(frozen=True)
class SmtpSender:
    host: str
    port: int
    sender: str
    security: Security = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0

    async def send(self, message: Message) -> None:
        """Hand the message to the mail server; raises smtplib.SMTPException or OSError when it is not taken."""
        await asyncio.to_thread(self._send, self._email(message))

    def _email(self, m: Message) -> EmailMessage:
        email = EmailMessage()
        email["From"], email["To"], email["Subject"] = self.sender, m.to, m.subject
        email["Date"], email["Message-ID"] = formatdate(localtime=True), m.message_id
        email.set_content(m.text)
        email.add_attachment(m.attachment, maintype="application", subtype="pdf", filename=m.attachment_name)
        return email

    def _send(self, email: EmailMessage) -> None:
        context = ssl.create_default_context()
        smtp = (smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
                if self.security == "tls" else smtplib.SMTP(self.host, self.port, timeout=self.timeout))
        with smtp:
            if self.security == "starttls":
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(email)
