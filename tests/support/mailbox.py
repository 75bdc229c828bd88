"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import Message

from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@contextmanager
def smtp_server() -> Iterator[tuple[int, Inbox]]:
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


def mail_block(port: int, **extra: str) -> str:
    lines = [f'enabled = true\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nsender = "govaudit@gxq.gov.cn"\n'
             'recipients = ["zwgk@gxq.gov.cn"]\nretries = 2\ntimeout_s = 5']
    lines += [f'{k} = "{v}"' for k, v in extra.items()]
    return "[mail]\n" + "\n".join(lines) + "\n"
