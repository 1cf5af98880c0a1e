from django_tasks import task


@task()
def deliver_webhook(delivery_id: int) -> str:
    # circular: the services module enqueues this task, so it imports this module at import time
    from careerrelay.webhooks.services import deliver

    return deliver(delivery_id)
