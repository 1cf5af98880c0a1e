from django_tasks import task

from careerrelay.sends import services


@task()
def send_batch(send_id: int) -> dict:
    return services.run_send_batch(send_id)


@task()
def prepare_send(send_id: int) -> int:
    return services.run_prepare_send(send_id)
