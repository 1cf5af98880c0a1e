from django.apps import AppConfig


class CreditsConfig(AppConfig):
    name = "careerrelay.credits"
