from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class RelayConfig(AppConfig):
    name = "careerrelay.relay"

    def ready(self):
        from careerrelay.organisations.models import Organisation
        from careerrelay.relay import lookup
        from careerrelay.relay.models import RelayCampaign

        # The landing page keeps its lookups per process (relay/lookup.py): any saved or deleted
        # campaign or employer makes every process look its links up again.
        def changed(sender, **kwargs):
            lookup.changed()

        for model in (RelayCampaign, Organisation):
            post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"relay-lookup-{model.__name__}")
            post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"relay-lookup-del-{model.__name__}")
