from django.core.management.base import BaseCommand

from careerrelay.talent.importing import UPLOAD_TTL, sweep_uploads


class Command(BaseCommand):
    help = f"Delete CSV uploads of applicants left unimported for longer than {UPLOAD_TTL} (run daily)."

    def handle(self, *args, **options):
        deleted = sweep_uploads()
        self.stdout.write(f"Deleted {deleted} expired applicant upload(s).")
