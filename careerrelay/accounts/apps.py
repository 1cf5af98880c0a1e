from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "careerrelay.accounts"

    def ready(self):
        from careerrelay.accounts import services  # noqa: F401 (connects the sign-in receiver)
