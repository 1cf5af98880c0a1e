from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "careerrelay.notifications"
