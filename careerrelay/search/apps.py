from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "careerrelay.search"
    verbose_name = "検索"

    def ready(self):
        from careerrelay.search import signals  # noqa: F401  (connects the index hooks)
