from django_tasks import task

# The services module enqueues these tasks and imports this module at import time, so each task
# imports the services it runs when it runs (circular otherwise).


@task()
def send_batch(send_id: int) -> dict:
    from careerrelay.sends.services import run_send_batch

    return run_send_batch(send_id)


@task()
def prepare_send(send_id: int) -> int:
    from careerrelay.sends.services import run_prepare_send

    return run_prepare_send(send_id)
