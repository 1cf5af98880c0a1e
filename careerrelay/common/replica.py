"""Reads that may come from the PostgreSQL read replica (DATABASE_REPLICA_URL).

Only code that says so reads from the replica: `with replica_reads():` around read-only work that
can stand a moment's lag (candidate search, the employer dashboard's figures, analytics). Every
write, every read inside a transaction on the primary and every other read goes to the primary,
so a page that saves something and reads it back never sees the replica's past. Without a replica
configured the helper changes nothing.

The lag: a replica applies the primary's changes a moment later (usually well under a second,
longer under heavy writes), so a candidate who has just registered may appear in search a little
later, and a dashboard figure may trail the newest registration by as much."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections

REPLICA = "replica"
PRIMARY = "default"

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


@contextmanager
def replica_reads():
    """Reads in this block go to the replica, when one is configured."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def read_alias() -> str:
    """The database alias a read should use now; raw SQL takes `connections[read_alias()]`."""
    if not _replica_reads.get() or REPLICA not in connections.settings:
        return PRIMARY
    # Inside a transaction on the primary, read what that transaction wrote.
    if connections[PRIMARY].in_atomic_block:
        return PRIMARY
    return REPLICA


class ReplicaRouter:
    """Installed always (settings.DATABASE_ROUTERS); a no-op until a replica is configured."""

    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica copies the primary's schema; `migrate` runs on the primary only.
        return db == PRIMARY
