from django_tasks import task


@task()
def deliver_email(message_id: int) -> str:
    # circular: the services module enqueues this task, so it imports this module at import time
    from careerrelay.outbox.services import deliver

    return deliver(message_id)
