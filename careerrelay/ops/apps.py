from django.apps import AppConfig


class OpsConfig(AppConfig):
    """The top layer that runs the others: the worker process, its periodic jobs and the demo data.

    It may import every domain app; nothing imports it (see the import-linter contract in
    pyproject.toml), so that `common` and the domain apps stay free of it."""

    name = "careerrelay.ops"
