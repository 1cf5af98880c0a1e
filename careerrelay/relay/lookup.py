"""Which campaign an open relay link shows, without a database round trip per view.

Each process keeps what it looked up (campaign and the employer's name, brand and active flag),
tagged with the lookup "generation" it read *before* the lookup. Every change to a campaign or an
employer (a save or deletion, a company suspended or reactivated: relay/apps.py, organisations'
services) bumps the generation at once and again when its transaction commits; a process sees its
entry is stale as soon as the generation differs and looks the link up again. So a disabled link, a
deactivated employer or a new name shows at once in every process, and a lookup that raced a
change cannot keep the old row (it carries the generation from before the change's commit).

The generation is a random token (never a counter: a lost Redis key or file must not come back
to a value an old entry carries).

- With Redis (the default cache is Redis): the generation is a Redis key, checked in the same
  script that counts the view (one round trip per view).
- Without Redis: a small file in VAR_DIR, one read per view, shared by every process on the
  machine. A deployment without Redis runs on one machine; several machines need Redis. If the
  file cannot be read or written, nothing is kept (every view looks its link up): a disabled link
  is never served from a stale entry for longer than another process's LOOKUP_MAX_AGE.

An entry is never used for longer than LOOKUP_MAX_AGE seconds, in case a row is changed behind the
application's back (SQL by hand) without the generation being bumped.
"""

import logging
import os
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from redis.exceptions import RedisError

from careerrelay.relay import counting
from careerrelay.relay.counting import redis_client, redis_key

log = logging.getLogger(__name__)

LOOKUP_MAX_AGE = 60.0
_SIZE = 1024  # links per process; unknown codes are remembered too, so probing cannot grow it
_GENERATION_KEY = "relay:lookup-generation"
_entries: OrderedDict[str, tuple[bytes, float, Any]] = OrderedDict()
_lock = threading.Lock()
_paths: dict[object, str] = {}


def _generation_file() -> Path:
    return Path(settings.VAR_DIR) / "relay-lookup-generation"


def _generation_path() -> str:
    var_dir = settings.VAR_DIR
    cached = _paths.get(var_dir)
    if cached is None:
        cached = _paths[var_dir] = str(_generation_file())
    return cached


def generation() -> bytes | None:
    """The current lookup generation; None if it cannot be known (the file cannot be read or
    written): then nothing is kept, every view looks its link up."""
    client = redis_client()
    if client is not None:
        key = redis_key(_GENERATION_KEY)
        current = client.get(key)
        if current is None:  # lost (restart without persistence, FLUSHDB): a new token, never "0"
            client.set(key, secrets.token_hex(16), nx=True)
            current = client.get(key)
        return current
    for _ in range(2):  # missing (first run, deleted): a new token, then read again
        try:
            with open(_generation_path(), "rb") as f:
                current = f.read()
            if current:
                return current
        except FileNotFoundError:
            pass
        except OSError:
            log.critical("relay link lookups not kept: cannot read %s", _generation_path(), exc_info=True)
            return None
        if not _write_generation_file():
            return None
    return None


_unwritable_until = 0.0  # monotonic: this process keeps nothing until then (the file could not be written)


def _write_generation_file() -> bool:
    global _unwritable_until
    path = _generation_file()
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(secrets.token_bytes(16))
        os.replace(temporary, path)  # atomic: a reader sees the old token or the new one
    except OSError:
        # The change itself goes ahead (it may already be committed). This process stops keeping
        # lookups for LOOKUP_MAX_AGE; other processes' entries are used LOOKUP_MAX_AGE at most.
        log.critical("VAR_DIR not writable: relay link lookups not told of a change (%s)", path, exc_info=True)
        _unwritable_until = time.monotonic() + LOOKUP_MAX_AGE
        return False
    return True


def _bump() -> None:
    client = redis_client()
    if client is not None:
        try:
            # A random token, not INCR: a lost key must not count up to a value an entry carries.
            client.set(redis_key(_GENERATION_KEY), secrets.token_hex(16))
        except RedisError:
            # The change itself goes ahead; entries kept from before are used LOOKUP_MAX_AGE at most.
            log.exception("Redis unavailable: relay link lookups not told of a change")
        return
    _write_generation_file()


def changed() -> None:
    """A campaign or an employer changed: every process looks its links up again, now and once
    more after the change is committed."""
    _bump()
    transaction.on_commit(_bump)


def open_and_count(code: str, load: Callable[[str], Any], *, count: bool = True) -> Any:
    """load(code) — the open campaign or None — or what this process loaded for `code` under the
    current generation; an open campaign's view is counted (relay/counting.py) unless `count` is
    False (a registration POST: the view was counted when the form was shown). With Redis the
    usual view is one round trip: the generation check and the count in one script."""
    try:
        return _open_and_count(code, load, count)
    except RedisError:
        # Redis is down: the page still opens, from the database, and the view is counted in this
        # process's buffer (added to the table within a second, as without Redis).
        log.warning("Redis unavailable: relay link looked up in the database")
        campaign = load(code)
        if campaign is not None and count:
            counting.buffer_view(campaign.pk)
        return campaign


def _open_and_count(code: str, load: Callable[[str], Any], count: bool) -> Any:
    now = time.monotonic()
    with _lock:
        entry = _entries.get(code)
    client = redis_client()
    current = None
    if entry is not None and now - entry[1] < LOOKUP_MAX_AGE:
        campaign = entry[2]
        if client is not None:
            current = counting.count_view_if_current(
                client, redis_key(_GENERATION_KEY), entry[0], campaign.pk if campaign is not None and count else None
            )
            if current == entry[0]:
                return campaign  # counted by the script
        else:
            current = generation()
            if current == entry[0] and now >= _unwritable_until:
                if campaign is not None and count:
                    counting.count_view(campaign.pk)
                return campaign
    if current is None:
        current = generation()
    campaign = load(code)  # read after the generation: a change committed meanwhile bumps it again
    if current is None or time.monotonic() < _unwritable_until:
        # The generation cannot be known: nothing is kept, so a disabled link is never served.
        if campaign is not None and count:
            counting.count_view(campaign.pk)
        return campaign
    with _lock:
        _entries[code] = (current, now, campaign)
        _entries.move_to_end(code)
        while len(_entries) > _SIZE:
            _entries.popitem(last=False)
    if campaign is not None and count:
        counting.count_view(campaign.pk)
    return campaign


def forget() -> None:
    """Drops this process's entries, and forgets a failed write of the generation file (tests)."""
    global _unwritable_until
    with _lock:
        _entries.clear()
    _unwritable_until = 0.0
