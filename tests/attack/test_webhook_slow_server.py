"""An organisation's server that answers its webhook one byte at a time (each byte inside the
socket's time-out) must not hold the worker: the attempt ends as a time-out and the connection is
closed while the server still has bytes to send."""

import socket
import threading

import pytest
from django.urls import reverse

from careerrelay.webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db


class DrippingServer:
    """Reads the request, then sends a status line and a header that never ends, a byte every
    tenth of a second, until the client hangs up or it has sent `limit` bytes."""

    def __init__(self, limit=600):
        self.limit = limit
        self.sent = 0
        self.client_hung_up = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/hook"

    def _serve(self):
        connection, _address = self.listener.accept()
        with connection:
            connection.settimeout(5)
            connection.recv(65536)
            try:
                connection.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                stop = threading.Event()
                while self.sent < self.limit:
                    connection.sendall(b"a")
                    self.sent += 1
                    if stop.wait(0.1):
                        break
            except OSError:
                self.client_hung_up.set()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.listener.close()
        self.thread.join(timeout=70)


def test_a_server_dripping_its_answer_is_cut_off_as_a_timeout(
    owner_client, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.5
    with DrippingServer() as server:
        response = owner_client.post(
            reverse("employer:webhook_new"), {"url": server.url, "event_types": ["credit.earned"]}
        )
        assert response.status_code == 302
        endpoint = Endpoint.objects.get()
        with django_capture_on_commit_callbacks(execute=True):
            owner_client.post(reverse("employer:webhook_test", args=[endpoint.pk]))
        [attempt] = Delivery.objects.get(endpoint=endpoint).attempt_log.all()
        assert attempt.status_code is None
        assert "timeout" in attempt.error
        assert server.sent < server.limit  # the connection was closed, not read to the end
