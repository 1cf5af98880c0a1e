from tests.privacy.conftest import agency, agency_user  # noqa: F401  (shared fixtures)
