"""The one place that talks HTTP to an organisation's server, with the guards a server-side
request needs (SSRF): https only (unless WEBHOOKS_ALLOW_HTTP, for development), never an address
on a private, loopback, link-local, multicast or reserved network (unless
WEBHOOKS_ALLOW_PRIVATE_TARGETS, for tests), checked when the URL is saved and again at every
delivery, and the connection made to the very address that was checked, so a DNS answer that
changes in between (DNS rebinding) cannot point a delivery inside our network. Redirects are not
followed (http.client never does), only the first RESPONSE_EXCERPT_BYTES of an answer are read, and
the request and answer end WEBHOOKS_TIMEOUT_SECONDS after connecting however slowly the server answers."""

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

RESPONSE_EXCERPT_BYTES = 1024


class UnsafeTarget(ValueError):
    """The URL may not be called; the message is for the person who entered it."""


@dataclass(frozen=True)
class Response:
    status_code: int | None
    excerpt: str
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _split(url: str):
    parts = urlsplit(url.strip())
    schemes = {"https", "http"} if settings.WEBHOOKS_ALLOW_HTTP else {"https"}
    if parts.scheme not in schemes:
        raise UnsafeTarget(_("https:// で始まるURLを入力してください。"))
    if not parts.hostname:
        raise UnsafeTarget(_("URLにホスト名がありません。"))
    if parts.username or parts.password:
        raise UnsafeTarget(_("URLにユーザー名やパスワードを含めることはできません。"))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeTarget(_("URLのポート番号が正しくありません。")) from None
    return parts, port


# IPv6 prefixes that carry an IPv4 address a gateway may forward to: NAT64's well-known prefix
# (RFC 6052: an IPv6-only host reaches 10.0.0.5 as 64:ff9b::a00:5 through the NAT64 gateway of
# its network) and the deprecated IPv4-compatible form (::a.b.c.d). The embedded address is the
# target and must itself be public; 6to4 and Teredo are unpacked by ipaddress.
NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
# Local-use NAT64 (RFC 8215): whatever the operator's gateway translates it to, never public.
NAT64_LOCAL_USE = ipaddress.IPv6Network("64:ff9b:1::/48")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in NAT64_WELL_KNOWN or ip in IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]  # the client's address
    return None


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in NAT64_LOCAL_USE:
            return False
        ip = _embedded_ipv4(ip) or ip
    # is_global is False for private, loopback, link-local, shared (100.64/10), reserved and
    # unspecified addresses; some multicast ranges count as global, so they are refused by name.
    return ip.is_global and not ip.is_multicast


def vetted_addresses(hostname: str, port: int) -> list[str]:
    """Every address the name resolves to must be public: a name with one public and one
    private address could be answered either way later."""
    try:
        infos = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UnsafeTarget(_("ホスト名を解決できません。")) from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise UnsafeTarget(_("ホスト名を解決できません。"))
    if not settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS and not all(is_public_address(a) for a in addresses):
        raise UnsafeTarget(_("社内ネットワークやループバックなど、公開されていないアドレスには送信できません。"))
    return addresses


def check_url(url: str) -> None:
    """When an endpoint is saved: raises UnsafeTarget with the reason."""
    parts, port = _split(url)
    vetted_addresses(parts.hostname, port)


def _pinned(connection: http.client.HTTPConnection, address: str) -> http.client.HTTPConnection:
    # http.client resolves self.host again when it connects; it is made to connect to the
    # address we checked instead, while the Host header and TLS (SNI and the certificate check)
    # still use the name.
    def create_connection(target, timeout=None, source_address=None):
        return socket.create_connection((address, target[1]), timeout, source_address)

    connection._create_connection = create_connection  # type: ignore[attr-defined]
    return connection


def post(url: str, body: bytes, headers: dict[str, str]) -> Response:
    started = time.monotonic()

    def done(status=None, excerpt="", error=""):
        return Response(status, excerpt, error[:300], int((time.monotonic() - started) * 1000))

    try:
        parts, port = _split(url)
        address = vetted_addresses(parts.hostname, port)[0]
    except UnsafeTarget as refused:
        return done(error=str(refused))
    timeout = settings.WEBHOOKS_TIMEOUT_SECONDS
    if parts.scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            parts.hostname, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, port, timeout=timeout)
    _pinned(connection, address)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    # The socket's time-out bounds each read, not the answer: a server that sends a byte of its
    # headers every few seconds would hold the worker for hours. Once connected, the request and
    # the answer get `timeout` together; then the socket is shut down under the reading thread.
    deadline = _Deadline(connection, timeout)
    try:
        connection.connect()  # bounded by the socket's time-out; the deadline then covers the rest
        deadline.start()
        connection.request("POST", path, body=body, headers=headers)
        answer = connection.getresponse()
        excerpt = answer.read(RESPONSE_EXCERPT_BYTES)
        if deadline.expired:
            return done(error=f"timeout after {timeout} s")
        return done(answer.status, excerpt.decode("utf-8", errors="replace"))
    except TimeoutError:
        return done(error=f"timeout after {timeout} s")
    except ssl.SSLError as error:
        if deadline.expired:
            return done(error=f"timeout after {timeout} s")
        return done(error=f"TLS: {error.reason or error}")
    except (OSError, http.client.HTTPException) as error:
        if deadline.expired:
            return done(error=f"timeout after {timeout} s")
        return done(error=f"{type(error).__name__}: {error}")
    finally:
        deadline.cancel()
        connection.close()


class _Deadline:
    def __init__(self, connection: http.client.HTTPConnection, seconds: float):
        self.connection = connection
        self.expired = False
        self.timer = threading.Timer(seconds, self._cut)
        self.timer.daemon = True

    def start(self) -> None:
        self.timer.start()

    def _cut(self) -> None:
        self.expired = True
        sock = self.connection.sock
        if sock is not None:
            try:
                # socket.socket's own shutdown, not SSLSocket's, which would also drop its SSL
                # object under the thread reading it.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass

    def cancel(self) -> None:
        self.timer.cancel()
