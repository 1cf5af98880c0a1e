import pytest

from tests.helpers.mail import make_applicants, make_template
from tests.helpers.workers import shared_database  # noqa: F401 (a fixture test_pipeline uses)


@pytest.fixture
def template(employer):
    return make_template(employer)


@pytest.fixture
def applicants(employer):
    return make_applicants(employer)
