from django_tasks import task

from careerrelay.outbox import services


@task()
def deliver_email(message_id: int) -> str:
    return services.deliver(message_id)
