"""A local HTTP server that answers as a mail provider's sending API documents, so anymail's real
backend (its request building, its response parsing) runs end to end without the internet.
Used for Postmark (https://postmarkapp.com/developer/api/email-api): POST /email answers
{"To", "SubmittedAt", "MessageID", "ErrorCode": 0, "Message": "OK"}, or 422 with an ErrorCode."""

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ProviderAPI:
    def __init__(self):
        self.requests: list[dict] = []
        self.replies: list[tuple[int, dict]] = []  # queued non-default replies
        self.message_ids: list[str] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                api.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                if api.replies:
                    status, reply = api.replies.pop(0)
                else:
                    message_id = str(uuid.uuid4())
                    api.message_ids.append(message_id)
                    status, reply = (
                        200,
                        {
                            "To": body.get("To", ""),
                            "SubmittedAt": "2026-12-04T16:00:00.0000000-05:00",
                            "MessageID": message_id,
                            "ErrorCode": 0,
                            "Message": "OK",
                        },
                    )
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
