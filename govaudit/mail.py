"""Sending reports by SMTP (STARTTLS, SSL or plain), credentials from environment variables
named in the config, with retries. A failure is returned, never raised: the report stays
on disk and the run records what happened."""

from __future__ import annotations

import os
import smtplib
import ssl
import time
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from govaudit.config import MailOptions

_TYPES = {".html": ("text", "html"), ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
          ".json": ("application", "json"),
          ".docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")}


def build_message(options: MailOptions, subject: str, html: str, attachments: list[Path], *,
                  to: tuple[str, ...] | None = None, cc: tuple[str, ...] = ()) -> EmailMessage:
    """To the office ([mail] recipients) unless `to` names others; `cc` copied."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = options.sender
    message["To"] = ", ".join(to if to is not None else options.recipients)
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="govaudit")
    message.set_content("本邮件为 HTML 格式，请使用支持 HTML 的邮件客户端查看；报告见附件。")
    message.add_alternative(html, subtype="html")
    for path in attachments:
        maintype, subtype = _TYPES.get(path.suffix, ("application", "octet-stream"))
        message.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)
    return message


def send(options: MailOptions, message: EmailMessage, *, backoff_s: float = 2.0) -> str | None:
    """Send with retries; None when sent, else the last error in Chinese."""
    error = None
    for attempt in range(max(1, options.retries)):
        try:
            _send_once(options, message)
            return None
        except (smtplib.SMTPException, OSError) as exc:
            error = f"邮件发送失败（第 {attempt + 1} 次）：{type(exc).__name__}: {exc}"
            time.sleep(backoff_s * (2 ** attempt))
    return error


def _send_once(options: MailOptions, message: EmailMessage) -> None:
    context = ssl.create_default_context()
    if options.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(options.host, options.port, timeout=options.timeout_s, context=context)
    else:
        client = smtplib.SMTP(options.host, options.port, timeout=options.timeout_s)
    with client:
        if options.security == "starttls":
            client.starttls(context=context)
        user = os.environ.get(options.username_env, "") if options.username_env else ""
        password = os.environ.get(options.password_env, "") if options.password_env else ""
        if user:
            client.login(user, password)
        client.send_message(message)
