from django.apps import AppConfig


class RejectionsConfig(AppConfig):
    name = "careerrelay.rejections"
