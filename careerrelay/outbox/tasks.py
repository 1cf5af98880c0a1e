from django_tasks import task

from careerrelay.outbox import sends, services


@task()
def deliver_email(message_id: int) -> str:
    return services.deliver(message_id)


@task()
def send_batch(send_id: int) -> dict:
    return sends.run_send_batch(send_id)


@task()
def prepare_send(send_id: int) -> int:
    return sends.run_prepare_send(send_id)
