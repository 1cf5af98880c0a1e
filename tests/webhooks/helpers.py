"""A real HTTP server on 127.0.0.1 that plays an organisation's system: it records every request
(headers and raw body) and answers with the statuses it is told, one per request, the last one
repeated; a status of None holds the answer past the client's time-out."""

import hashlib
import hmac
import json
import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


class Receiver:
    def __init__(self, statuses=(200,), answer=b'{"ok": true}'):
        self.statuses = list(statuses)
        self.answer = answer
        self.received: list[Received] = []
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append(Received(self.path, dict(self.headers.items()), body))
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                if status is None:
                    receiver.release.wait(10)
                    return
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(receiver.answer)))
                self.end_headers()
                self.wfile.write(receiver.answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/careerrelay"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def bodies(self, event_type=None) -> list[dict]:
        return [r.json for r in self.received if event_type is None or r.json["type"] == event_type]


def signature_is_valid(secret: str, received: Received) -> bool:
    """What docs/webhooks.md tells receivers to do."""
    scheme, _, given = received.headers["Signature"].partition(" ")
    expected = hmac.new(secret.encode(), received.body, hashlib.sha256).hexdigest()
    return scheme == "sha256" and hmac.compare_digest(given, expected)


def shown_secret(html: str) -> str:
    return re.search(r'id="new-secret" class="secret" type="text" readonly value="(whsec_[^"]+)"', html).group(1)
