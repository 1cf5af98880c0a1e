import pytest

from tests.helpers.mail import make_applicants, make_template


@pytest.fixture
def template(employer):
    return make_template(employer)


@pytest.fixture
def applicants(employer):
    return make_applicants(employer)
