from tests.helpers.workers import shared_database  # noqa: F401 (a fixture the tests here use)
