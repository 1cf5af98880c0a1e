from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "careerrelay.webhooks"
    verbose_name = "Webhooks"
