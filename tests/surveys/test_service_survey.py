"""CareerRelay's own survey: asked once, after the first accepted introduction; operators see it."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from careerrelay.audit.services import Actor, ActorKind
from careerrelay.matching import services as matching
from careerrelay.outbox.models import OutboundEmail
from careerrelay.surveys.models import SurveyInvitation
from tests.factories import EmployerFactory, OperatorFactory, UserFactory
from tests.helpers.agencies import make_agency
from tests.helpers.matching import make_candidate
from tests.surveys.helpers import answers

pytestmark = pytest.mark.django_db
LINK = re.compile(r"http://testserver(/s/[\w-]+/)")


@pytest.fixture
def agency():
    return make_agency("株式会社みらい人材", "13-ユ-400001", "owner@mirai.example")


def introduce_and_accept(agency, candidate, capture, role):
    organisation, owner = agency
    introduction = matching.propose_introduction(
        agency=organisation,
        actor=Actor.for_user(owner, ActorKind.AGENCY),
        candidate_public_id=candidate.public_id,
        company_name="株式会社クライアント",
        role=role,
    )
    with capture(execute=True):
        matching.respond_to_introduction(
            candidate=candidate, introduction=introduction, accept=True, actor=Actor.for_candidate(candidate)
        )


def test_the_first_accepted_introduction_brings_one_survey_email_and_operators_see_the_answer(
    smtp_server, agency, django_capture_on_commit_callbacks
):
    candidate = make_candidate(family_name="髙橋", email="hanako@example.jp")
    introduce_and_accept(agency, candidate, django_capture_on_commit_callbacks, "営業マネージャー")
    introduce_and_accept(agency, candidate, django_capture_on_commit_callbacks, "営業企画")
    surveys_sent = OutboundEmail.objects.filter(to_email="hanako@example.jp", template="survey_service")
    assert surveys_sent.count() == 1  # once, however many introductions follow
    assert SurveyInvitation.objects.get(kind="service").message == surveys_sent.get()

    delivered = [m for m in smtp_server.sink.wait_for(1) if "アンケート" in str(m.message["Subject"])]
    path = LINK.search(delivered[0].text()).group(1)
    phone = Client()
    page = phone.get(path)
    assert "キャリアリレーを友人や知人に勧めますか？" in page.text
    assert "紹介された求人が希望に合っていた" in page.text
    assert (
        phone.post(path, {"score": "4", "comment": "求人がもっとほしい", "improvements": ["more_jobs"]}).status_code
        == 302
    )

    # An employer's answers are not the service's, and do not show here.
    answers(EmployerFactory(), [10] * 5, comment="企業への感想")
    operator = Client()
    operator.force_login(OperatorFactory(email="operator@careerrelay.example"))
    html = operator.get(reverse("admin:surveys_servicesurveyresponse_changelist")).text
    assert re.search(r'id="service-nps-score">-100\.0<', html)
    assert "回答 1件: 推奨者(9〜10) 0・中立者(7〜8) 0・批判者(0〜6) 1" in html
    assert "求人がもっとほしい" in html
    assert "企業への感想" not in html
    assert "髙橋" not in html and "hanako@example.jp" not in html


def test_a_declined_introduction_asks_nothing(agency, django_capture_on_commit_callbacks):
    organisation, owner = agency
    candidate = make_candidate()
    introduction = matching.propose_introduction(
        agency=organisation,
        actor=Actor.for_user(owner, ActorKind.AGENCY),
        candidate_public_id=candidate.public_id,
        company_name="株式会社クライアント",
        role="営業",
    )
    with django_capture_on_commit_callbacks(execute=True):
        matching.respond_to_introduction(
            candidate=candidate, introduction=introduction, accept=False, actor=Actor.for_candidate(candidate)
        )
    assert not SurveyInvitation.objects.exists()


def test_only_staff_with_a_second_factor_reach_the_page(client):
    url = reverse("admin:surveys_servicesurveyresponse_changelist")
    client.force_login(UserFactory(email="employer@example.jp"))
    assert client.get(url).status_code == 302
    client.force_login(OperatorFactory(email="staff@careerrelay.example", second_factor=False))
    assert client.get(url)["Location"] == reverse("mfa_index")
