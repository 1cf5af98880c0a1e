from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from careerrelay.ops import periodic, worker_log


class Command(BaseCommand):
    help = "Run the task worker for the configured backend: RQ when REDIS_URL is set, else the database."

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="Process what is queued, then exit.")
        parser.add_argument("--no-periodic", action="store_true", help="Do not run the periodic mail jobs here.")

    def handle(self, *args, burst=False, no_periodic=False, **options):
        # The periodic jobs (careerrelay/ops/periodic.py: sends that came due, messages left in
        # `sending` by a dead worker, retention, expiries): once before a burst, else in a loop
        # beside the worker.
        batches = worker_log.log_batches()

        if burst and not no_periodic:
            periodic.run_once()
        elif not no_periodic:
            periodic.start_periodic_thread()
        backend = settings.TASKS["default"]["BACKEND"]
        if backend.startswith("django_tasks_rq"):
            # SimpleWorker runs each job in this process. RQ's default worker forks a child per
            # job, and a fork taken while the periodic thread (or the batch log's) holds a lock
            # leaves the child waiting on it for ever: tests/scaleout caught a child stuck opening
            # its SQLite connection. Jobs still time out (SIGALRM in the main thread).
            rq_args = ["default", "--with-scheduler", "--worker-class", "rq.worker.SimpleWorker"]
            if burst:
                rq_args.append("--burst")
            call_command("rqworker", *rq_args)
        else:
            db_options = {"queue_name": "*", "reload": False}
            if burst:
                db_options["batch"] = True
            call_command("db_worker", **db_options)
        batches.flush()  # the last batch of a --burst run
