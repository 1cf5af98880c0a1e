"""manage.py aggregate_analytics --from 2026-01-01 --to 2026-03-31: rebuild the stored funnel
figures of a range of Japan days from the raw tables (idempotent: run it again, nothing changes)."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError

from careerrelay.analytics.aggregation import aggregate, today


class Command(BaseCommand):
    help = "Rebuild the employer funnel's daily figures for a range of days (Asia/Tokyo)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", type=date.fromisoformat, help="first day (default: yesterday)")
        parser.add_argument("--to", dest="end", type=date.fromisoformat, help="last day (default: --from)")
        parser.add_argument("--days-per-run", type=int, default=31, help="days counted in one transaction")

    def handle(self, *args, start=None, end=None, days_per_run=31, **options):
        start = start or today() - timedelta(days=1)
        end = end or start
        if end < start:
            raise CommandError("--to is before --from")
        total, chunk_start = 0, start
        while chunk_start <= end:
            chunk_end = min(end, chunk_start + timedelta(days=days_per_run - 1))
            written = aggregate(chunk_start, chunk_end)
            total += written
            self.stdout.write(f"{chunk_start}..{chunk_end}: {written} rows")
            chunk_start = chunk_end + timedelta(days=1)
        self.stdout.write(self.style.SUCCESS(f"aggregated {start}..{end}: {total} rows"))
