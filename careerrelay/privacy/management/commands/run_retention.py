from django.core.management.base import BaseCommand

from careerrelay.privacy.retention import run_retention


class Command(BaseCommand):
    help = (
        "Run the candidate retention job once now (the worker's periodic loop runs it hourly): "
        "reminders, deletions after the grace period, expired provision records."
    )

    def handle(self, *args, **options):
        run = run_retention()
        self.stdout.write(
            f"reminded={run.reminded} deleted={run.deleted} expired_provision_records={run.expired_provision_records}"
        )
