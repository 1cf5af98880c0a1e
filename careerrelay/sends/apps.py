from django.apps import AppConfig


class SendsConfig(AppConfig):
    name = "careerrelay.sends"
