from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


def _sync_presets(sender, apps=global_apps, **kwargs):
    # apps.py is imported while the app registry is still loading, before any model may be
    from careerrelay.rejections.services import sync_presets

    try:
        # The model as the migrations left it, like the one migration 0003 uses (`flush` sends
        # no migration state: then it is the current model).
        model = apps.get_model("rejections", "RejectionTemplate")
    except LookupError:
        return  # migrated back to before the table existed
    sync_presets(model)


class RejectionsConfig(AppConfig):
    name = "careerrelay.rejections"

    def ready(self):
        # The built-in presets follow presets.py after every deploy's `migrate` (and after a test
        # database is created or flushed), so no page has to write them. A hook into the framework's
        # migrate command, not domain behaviour: services never rely on signals.
        post_migrate.connect(_sync_presets, sender=self, dispatch_uid="rejections_sync_presets")
