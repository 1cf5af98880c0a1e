"""The index task, and the one call a service makes when it changed who agencies may find or what
they find about a person.

Services call these explicitly (no signal does it for them): `index_after_commit()` for a change
that may add or update an entry (verification, a grant, a profile edit), `index.remove_candidate()`
inside the transaction of a change that must take the person out at once (a withdrawal, a
deletion)."""

from functools import partial

from django.db import transaction
from django_tasks import task

from careerrelay.search import index


@task()
def index_candidate(candidate_id: int) -> bool:
    """Bring one candidate's search entry up to date (queued after their changes commit)."""
    return index.index_candidate(candidate_id)


def index_after_commit(candidate_id: int) -> None:
    """Queue index_candidate for when the caller's transaction commits: the task then reads the
    committed state, and a rollback queues nothing."""
    transaction.on_commit(partial(index_candidate.enqueue, candidate_id))
