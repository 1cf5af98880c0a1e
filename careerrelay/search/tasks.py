"""The index task, and the one call a service makes when it changed who agencies may find or what
they find about a person.

Services call these explicitly (no signal does it for them): `index_after_commit()` for a change
that may add or update an entry (verification, a grant, a profile edit), `index.remove_candidate()`
inside the transaction of a change that must take the person out at once (a withdrawal, a
deletion)."""

import logging
from functools import partial

from django.db import OperationalError, connection, transaction
from django_tasks import task

from careerrelay.search import index

log = logging.getLogger(__name__)

# PostgreSQL aborts one of two transactions that wait for each other's row locks (two re-indexes,
# each holding a term the other deleted: index._held_term_ids) with deadlock_detected; the
# other goes on. The task's work is one transaction that reads the committed state again, so
# trying it again is safe; the task backends do not retry a failed task themselves.
RETRIED_SQLSTATES = {"40P01", "40001"}  # deadlock_detected, serialization_failure
ATTEMPTS = 3


def _retryable(error: OperationalError) -> bool:
    return getattr(error.__cause__, "sqlstate", None) in RETRIED_SQLSTATES and not connection.in_atomic_block


@task()
def index_candidate(candidate_id: int) -> bool:
    """Bring one candidate's search entry up to date (queued after their changes commit)."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return index.index_candidate(candidate_id)
        except OperationalError as error:
            if attempt == ATTEMPTS or not _retryable(error):
                raise
            log.warning("index_candidate %s: %s; trying again (attempt %d)", candidate_id, error, attempt + 1)
    raise AssertionError("unreachable")


def index_after_commit(candidate_id: int) -> None:
    """Queue index_candidate for when the caller's transaction commits: the task then reads the
    committed state, and a rollback queues nothing."""
    transaction.on_commit(partial(index_candidate.enqueue, candidate_id))
