from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the task worker for the configured backend: RQ when REDIS_URL is set, else the database."

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="Process what is queued, then exit.")

    def handle(self, *args, burst=False, **options):
        backend = settings.TASKS["default"]["BACKEND"]
        if backend.startswith("django_tasks_rq"):
            rq_args = ["default", "--with-scheduler"]
            if burst:
                rq_args.append("--burst")
            call_command("rqworker", *rq_args)
        else:
            db_options = {"queue_name": "*", "reload": False}
            if burst:
                db_options["batch"] = True
            call_command("db_worker", **db_options)
