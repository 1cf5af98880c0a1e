from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "careerrelay.agencies"
