from datetime import date

import pytest

from careerrelay.rejections.models import RejectionTemplate
from tests.helpers.mail import TEXT, make_applicant


@pytest.fixture
def template(employer):
    return RejectionTemplate.objects.create(
        organisation=employer,
        name="中途・丁寧",
        language="ja",
        subject="{{company_name}} 選考結果のご連絡（{{applicant_name}} 様）",
        body=TEXT,
    )


@pytest.fixture
def applicants(employer):
    return [
        make_applicant(employer, "髙橋", "花子", "hanako.takahashi@example.jp"),
        make_applicant(
            employer, "山﨑", "太郎", "taro.yamasaki@example.jp", job_title="エンジニア", stage="final_interview"
        ),
        make_applicant(employer, "佐藤", "次郎", "jiro.sato@example.jp", rejected_on=date(2026, 10, 1)),
    ]
