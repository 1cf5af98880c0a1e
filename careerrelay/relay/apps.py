from django.apps import AppConfig


class RelayConfig(AppConfig):
    name = "careerrelay.relay"
