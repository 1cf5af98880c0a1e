from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "careerrelay.outbox"
    # The app was called "mailings" before the bulk sends moved out of it; the label names its
    # tables (mailings_outboundemail, mailings_suppression), its migration history, its admin
    # URLs and the object types already written to the audit log, so it stays.
    label = "mailings"

    def ready(self):
        # django-anymail's tracking signal: the providers' bounce, complaint and delivery events.
        from careerrelay.outbox import events  # noqa: F401
