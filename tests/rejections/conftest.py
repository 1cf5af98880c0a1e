import pytest

from tests.helpers.rejections import make_applicant


@pytest.fixture
def applicant(employer):
    return make_applicant(employer, family_name="山﨑", given_name="花子", email="hanako@example.jp")
