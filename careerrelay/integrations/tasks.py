from django_tasks import task

# services enqueues this task and imports this module at import time, so the task imports the
# services it runs when it runs (circular otherwise).


@task()
def process_delivery(delivery_id: int) -> str:
    from careerrelay.integrations.services import run_delivery

    return run_delivery(delivery_id)
