from django.apps import AppConfig


class TalentConfig(AppConfig):
    name = "careerrelay.talent"
