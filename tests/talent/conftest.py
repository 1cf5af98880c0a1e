import pytest

from careerrelay.talent import services
from tests.helpers.talent import SYSTEM


@pytest.fixture
def applicant(employer):
    return services.create_applicant(
        actor=SYSTEM,
        organisation=employer,
        data={
            "family_name": "髙橋",
            "given_name": "花子",
            "family_name_kana": "タカハシ",
            "given_name_kana": "ハナコ",
            "email": "hanako.takahashi@example.jp",
            "job_title": "法人営業",
            "stage": "first_interview",
            "rejection_reason": "今回は経験年数が要件に届きませんでした。",
            "notes": "受け答えが丁寧。半年後に再アプローチしたい。",
            "source": "doda",
            "recontact_ok": True,
        },
    )
