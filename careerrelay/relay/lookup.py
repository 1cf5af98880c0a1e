"""Which campaign an open relay link shows, without a database round trip per view.

Each process keeps what it looked up (campaign and the employer's name, brand and active flag),
tagged with the lookup "generation" it read *before* the lookup. Every change to a campaign or an
employer (a save or deletion, a company suspended or reactivated: relay/apps.py, organisations'
services) bumps the generation at once and again when its transaction commits; a process sees its
entry is stale as soon as the generation differs and looks the link up again. So a disabled link, a
deactivated employer or a new name shows at once in every process, and a lookup that raced a
change cannot keep the old row (it carries the generation from before the change's commit).

- With Redis (the default cache is Redis): the generation is a Redis key, one GET per view.
- Without Redis: a small file in VAR_DIR, one read per view, shared by every process on the
  machine. A deployment without Redis runs on one machine; several machines need Redis.

An entry is never used for longer than LOOKUP_MAX_AGE seconds, in case a row is changed behind the
application's back (SQL by hand) without the generation being bumped.
"""

import os
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction

from careerrelay.relay.counting import redis_client, redis_key

LOOKUP_MAX_AGE = 60.0
_SIZE = 1024  # links per process; unknown codes are remembered too, so probing cannot grow it
_GENERATION_KEY = "relay:lookup-generation"
_entries: OrderedDict[str, tuple[bytes, float, object]] = OrderedDict()
_lock = threading.Lock()


def _generation_file() -> Path:
    return Path(settings.VAR_DIR) / "relay-lookup-generation"


def generation() -> bytes:
    client = redis_client()
    if client is not None:
        return client.get(redis_key(_GENERATION_KEY)) or b"0"
    try:
        with open(_generation_file(), "rb") as f:
            return f.read()
    except FileNotFoundError:
        return b"0"


def _bump() -> None:
    client = redis_client()
    if client is not None:
        client.incr(redis_key(_GENERATION_KEY))
        return
    path = _generation_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}")
    temporary.write_bytes(secrets.token_bytes(16))
    os.replace(temporary, path)  # atomic: a reader sees the old token or the new one


def changed() -> None:
    """A campaign or an employer changed: every process looks its links up again, now and once
    more after the change is committed."""
    _bump()
    transaction.on_commit(_bump)


def cached(code: str, load: Callable[[str], object]) -> object:
    """load(code), or what this process loaded for `code` under the current generation."""
    current = generation()
    now = time.monotonic()
    with _lock:
        entry = _entries.get(code)
    if entry is not None and entry[0] == current and now - entry[1] < LOOKUP_MAX_AGE:
        return entry[2]
    value = load(code)
    with _lock:
        _entries[code] = (current, now, value)
        _entries.move_to_end(code)
        while len(_entries) > _SIZE:
            _entries.popitem(last=False)
    return value


def forget() -> None:
    """Drops this process's entries (tests)."""
    with _lock:
        _entries.clear()
