import pytest

from careerrelay.rejections.models import RejectionTemplate
from tests.helpers.mail import TEXT, make_applicants

SURVEY_PARAGRAPH = "選考についてのご感想をお聞かせください（1分・匿名）\n{{survey_link}}\n"


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
