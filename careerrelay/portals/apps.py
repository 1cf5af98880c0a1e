from django.apps import AppConfig


class PortalsConfig(AppConfig):
    name = "careerrelay.portals"
