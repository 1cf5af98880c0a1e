import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _isolated_settings(settings, tmp_path):
    # Each test sends mail through Django's locmem backend (pytest-django) and runs tasks
    # inline, unless the test itself chooses a real SMTP server or a real queue.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "http://testserver"
    cache.clear()
    yield
    cache.clear()
