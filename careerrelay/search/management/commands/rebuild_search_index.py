import time

from django.core.management.base import BaseCommand

from careerrelay.search.index import rebuild_index


class Command(BaseCommand):
    help = "Drop the agency search index and build it again from the candidates agencies may find."

    def handle(self, *args, **options):
        started = time.monotonic()

        def progress(done, total):
            self.stdout.write(f"{done}/{total}", ending="\r")
            self.stdout.flush()

        written = rebuild_index(progress=progress)
        self.stdout.write(self.style.SUCCESS(f"Indexed {written} candidates in {time.monotonic() - started:.1f} s"))
