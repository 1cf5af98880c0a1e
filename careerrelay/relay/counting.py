"""Landing-page views, counted outside the request's database round trip, and folded into
RelayCampaign.landing_views later — exactly: every view counted once, none lost, none twice.

- With Redis (REDIS_URL, the default cache is Redis): one `HINCRBY` per view into one hash shared
  by every web process and machine; `flush_views()` takes the whole hash atomically (a Lua script:
  HGETALL and DEL in one step, so a view counted meanwhile lands in the next flush) and adds it to
  the table, one autocommitted UPDATE per campaign (no transaction holds several campaigns' rows,
  so a flush cannot deadlock with a registration moving between two links, and never waits on all
  of them at once). Should an UPDATE fail, only the counts not yet added go back into Redis.
- Without Redis: an in-process buffer (campaign id → views). The web process flushes it at most a
  second after a view (a daemon thread, started by `flush_in_background()` from wsgi.py, i.e. in
  gunicorn's workers and runserver), and when the process exits (atexit; gunicorn's graceful
  stop). A forked child starts with an empty buffer (the parent flushes its own).

Readers of the figure drain first where it matters (flush_views(): the worker's periodic job, the
daily analytics snapshot, the employer's and the operators' funnel). With the in-process buffer a
reader can only drain its own process's buffer, so a figure read elsewhere trails the web
processes by at most about a second (docs/operations.md, "Landing-page views").
"""

import atexit
import logging
import os
import secrets
import threading
import time
from collections import Counter

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection, transaction
from django.db.models import F
from redis.exceptions import RedisError

from careerrelay.relay.models import RelayCampaign

log = logging.getLogger(__name__)

FLUSH_SECONDS = 1.0
_REDIS_KEY = "relay:landing-views"
# Takes the pending counts and empties the hash in one atomic step.
_DRAIN = "local v = redis.call('HGETALL', KEYS[1]) redis.call('DEL', KEYS[1]) return v"

_lock = threading.Lock()
# Held around taking the buffer and adding it, so the exit handler waits for a flush the daemon
# thread is in the middle of (it has taken the buffer) instead of exiting under it.
_flush_lock = threading.Lock()
EXIT_WAIT_SECONDS = 10.0
_pending: Counter[int] = Counter()
_pid = os.getpid()
_background = False
_thread: threading.Thread | None = None
_atexit_pid: int | None = None


def redis_client():
    """The default cache's Redis connection when the cache is Redis (REDIS_URL), else None."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    return backend._cache.get_client(write=True)


def redis_key(name: str) -> str:
    """`name` in the default cache's namespace (KEY_PREFIX, VERSION)."""
    return caches["default"].make_key(name)


def _redis_key() -> str:
    return redis_key(_REDIS_KEY)


# One round trip for the usual view: the lookup generation is still the one this process's entry
# was loaded under (relay/lookup.py), and then the view is counted; returns the generation.
# A lost generation key (Redis restarted without persistence, FLUSHDB) is set to a new random
# token (ARGV[3]), never back to a value an entry could still carry.
_COUNT_IF_CURRENT = (
    "local g = redis.call('GET', KEYS[1]) "
    "if not g then g = ARGV[3] redis.call('SET', KEYS[1], g) end "
    "if g == ARGV[1] and ARGV[2] ~= '' then redis.call('HINCRBY', KEYS[2], ARGV[2], 1) end "
    "return g"
)
_scripts: dict[int, object] = {}


def count_view_if_current(client, generation_key: str, generation: bytes, campaign_id: int | None) -> bytes:
    """Redis: counts the view (if campaign_id) only if `generation_key` still holds `generation`,
    atomically; returns what it holds."""
    script = _scripts.get(id(client.connection_pool))
    if script is None:
        script = _scripts[id(client.connection_pool)] = client.register_script(_COUNT_IF_CURRENT)
    args = [generation, campaign_id or "", secrets.token_hex(16)]
    current = script(keys=[generation_key, _redis_key()], args=args, client=client)  # type: ignore[operator]
    return current if isinstance(current, bytes) else str(current).encode()


def count_view(campaign_id: int) -> None:
    """One view of an open campaign's landing page."""
    client = redis_client()
    if client is not None:
        try:
            client.hincrby(_redis_key(), str(campaign_id), 1)
            return
        except RedisError:
            log.warning("Redis unavailable: a landing-page view buffered in this process instead")
    buffer_view(campaign_id)


def buffer_view(campaign_id: int) -> None:
    """Counts a view in this process's buffer (without Redis, or while Redis is unavailable)."""
    global _pid, _thread, _atexit_pid
    with _lock:
        if _pid != os.getpid():  # a forked child: what is pending is its parent's to flush
            _pid, _thread = os.getpid(), None
            _pending.clear()
        _pending[campaign_id] += 1
        if _atexit_pid != _pid:
            atexit.register(_flush_at_exit)
            _atexit_pid = _pid
        if _background and _thread is None:
            _thread = threading.Thread(target=_flush_loop, name="relay-view-counts", daemon=True)
            _thread.start()


def flush_in_background() -> None:
    """Web processes: flush the buffer a second after views came in (wsgi.py calls this; with
    Redis the buffer only holds views counted while Redis was unavailable)."""
    global _background
    _background = True


def _flush_loop() -> None:
    me = os.getpid()
    while os.getpid() == me:
        time.sleep(FLUSH_SECONDS)
        if not _pending:
            continue
        try:
            _flush_buffer()
        except Exception:
            log.exception("could not add the buffered landing-page views; trying again")
        finally:
            connection.close()  # this thread's own connection: none is kept open between flushes


def _flush_at_exit() -> None:
    if _pid != os.getpid():
        return
    # A flush running in the daemon thread holds the buffer it took: wait for it (bounded).
    if not _flush_lock.acquire(timeout=EXIT_WAIT_SECONDS):
        log.error("landing-page views may be lost at exit: a flush did not finish in %ss", EXIT_WAIT_SECONDS)
        return
    try:
        _flush_buffer(locked=True)
    except Exception:
        log.exception("landing-page views lost at exit: %s", dict(_pending))
    finally:
        _flush_lock.release()


def _take_buffer() -> Counter[int]:
    with _lock:
        if _pid != os.getpid():
            return Counter()
        taken = Counter(_pending)
        _pending.clear()
    return taken


def _flush_buffer(*, locked: bool = False) -> int:
    if not locked:
        with _flush_lock:
            return _flush_buffer(locked=True)
    counts = _take_buffer()
    total = sum(counts.values())
    try:
        _add(counts)
    except Exception:
        with _lock:
            _pending.update(counts)  # only what was not added
        raise
    return total


def _flush_redis(client) -> int:
    raw = client.eval(_DRAIN, 1, _redis_key())
    counts = Counter({int(raw[i]): int(raw[i + 1]) for i in range(0, len(raw), 2)})
    total = sum(counts.values())
    try:
        _add(counts)
    except Exception:
        with client.pipeline() as pipe:
            for campaign_id, n in counts.items():
                pipe.hincrby(_redis_key(), str(campaign_id), n)
            pipe.execute()  # only what was not added
        raise
    return total


def flush_views() -> int:
    """Adds the pending views (Redis, and this process's buffer) to RelayCampaign.landing_views;
    returns how many. Safe to call from several processes at once."""
    added = _flush_buffer() if _pending else 0
    client = redis_client()
    if client is not None:
        try:
            added += _flush_redis(client)
        except RedisError:
            log.exception("Redis unavailable: its landing-page views stay there until the next flush")
    return added


def discard() -> None:
    """Forgets this process's buffer without adding it (tests: a rolled-back test's views)."""
    with _lock:
        _pending.clear()


def _add(counts: Counter[int]) -> None:
    """Adds `counts`, one campaign at a time, removing each from `counts` once added; what is left
    in `counts` if this raises was not added. Each UPDATE is its own transaction (a savepoint when
    called inside one): a flush never holds one campaign's row while waiting for another's, which
    deadlocked with a registration moving between two links (relay.services.move_registration)."""
    for campaign_id in sorted(counts):
        with transaction.atomic():
            RelayCampaign.objects.filter(pk=campaign_id).update(landing_views=F("landing_views") + counts[campaign_id])
        del counts[campaign_id]
