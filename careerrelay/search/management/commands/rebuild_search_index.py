import time

from django.core.management.base import BaseCommand

from careerrelay.search.index import rebuild_index, remove_unused_terms


class Command(BaseCommand):
    help = "Drop the agency search index and build it again from the candidates agencies may find."

    def add_arguments(self, parser):
        parser.add_argument(
            "--unused-terms",
            action="store_true",
            help="Only delete the dictionary's terms no document holds (left by index writes that "
            "rolled back), without rebuilding.",
        )

    def handle(self, *args, unused_terms=False, **options):
        started = time.monotonic()
        if unused_terms:
            deleted = remove_unused_terms()
            self.stdout.write(
                self.style.SUCCESS(f"Deleted {deleted} unused terms in {time.monotonic() - started:.1f} s")
            )
            return

        def progress(done, total):
            self.stdout.write(f"{done}/{total}", ending="\r")
            self.stdout.flush()

        written = rebuild_index(progress=progress)
        self.stdout.write(self.style.SUCCESS(f"Indexed {written} candidates in {time.monotonic() - started:.1f} s"))
