"""The test suite's settings: the project's own, read with DEBUG=1 as on a developer's laptop
(the development key, no HTTPS redirect). The app itself starts with DEBUG off unless told;
tests/test_settings_deploy.py checks that in fresh processes with production environments.
pytest-django still runs each test with settings.DEBUG False, as Django's test runner does."""

import os

os.environ["DEBUG"] = "1"

from careerrelay.settings import *  # noqa: F403

# The test client's requests come from 127.0.0.1, as from a browser beside `make run`, whatever
# HOST the shell that runs the tests has.
DEV_SERVER_HOST = "127.0.0.1"

# Hashing a password the production way costs a large fraction of a second by design, and most
# tests make two or three staff users: the fastest hasher keeps the suite's time for the tests.
# tests/test_settings_deploy.py checks the production settings, which keep Django's default.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
