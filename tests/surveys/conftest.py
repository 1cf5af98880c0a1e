import pytest
from freezegun import freeze_time

from careerrelay.rejections.models import RejectionTemplate
from tests.helpers.mail import TEXT, make_applicants
from tests.surveys.helpers import SURVEY_PARAGRAPH


@pytest.fixture
def survey_template(employer):
    return RejectionTemplate.objects.create(
        organisation=employer,
        name="アンケート付き",
        language="ja",
        subject="{{company_name}} 選考結果のご連絡",
        body=TEXT + "\n" + SURVEY_PARAGRAPH,
    )


@pytest.fixture
def applicants(employer):
    return make_applicants(employer)


@pytest.fixture(autouse=True)
def _mid_january_2027():
    """The employer's figures show a month once the month after it has ended: these tests read
    October and November 2026 from here (the helpers' answers are given in their own month)."""
    with freeze_time("2027-01-15 01:00:00", tick=True):  # 10:00 in Japan
        yield
