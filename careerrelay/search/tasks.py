from django_tasks import task

from careerrelay.search import index


@task()
def index_candidate(candidate_id: int) -> bool:
    """Bring one candidate's search entry up to date (queued after their changes commit)."""
    return index.index_candidate(candidate_id)
