from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "careerrelay.search"
    verbose_name = "検索"
