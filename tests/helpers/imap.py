"""A real IMAP server for tests: pymap (an asyncio IMAP4rev1 server) with its in-memory backend, in
a subprocess on a free loopback port. Its demo user is `demouser` / `demopass`; its demo mailbox
already holds a few unread messages (none of them an unsubscribe request)."""

import imaplib
import socket
import subprocess
import sys
import time
from pathlib import Path

USER, PASSWORD = "demouser", "demopass"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class IMAPServer:
    def __init__(self):
        self.port = _free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"imap://{USER}:{PASSWORD}@127.0.0.1:{self.port}/INBOX"

    def __enter__(self):
        pymap = Path(sys.executable).with_name("pymap")
        self.process = subprocess.Popen(
            [str(pymap), "--host", "127.0.0.1", "--port", str(self.port), "--no-tls", "dict", "--demo-data"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.__exit__()
                    raise RuntimeError("pymap did not start") from None
                time.sleep(0.1)

    def __exit__(self, *exc):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port)
        client.login(USER, PASSWORD)
        return client

    def deliver(self, raw: bytes) -> None:
        """Puts a message into INBOX, unread, as the mail server in front of the mailbox would."""
        client = self.client()
        try:
            client.append("INBOX", None, None, raw)
        finally:
            client.logout()

    def unseen(self) -> list[bytes]:
        client = self.client()
        try:
            client.select('"INBOX"')
            _status, data = client.uid("SEARCH", None, "UNSEEN")
            return data[0].split() if data and data[0] else []
        finally:
            client.logout()
