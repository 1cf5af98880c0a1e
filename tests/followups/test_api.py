"""GET /api/v1/followups and PATCH /api/v1/followups/<id> with a real API key."""

from datetime import timedelta

import pytest

from careerrelay.audit.services import Actor, ActorKind
from careerrelay.followups import services as followups
from careerrelay.organisations.services import create_api_key
from careerrelay.rejections.models import RejectionTemplate
from tests.factories import EmployerFactory
from tests.followups.helpers import TODAY, rejected

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth(employer, owner):
    _key, secret = create_api_key(organisation=employer, name="ATS", actor=Actor.for_user(owner, ActorKind.EMPLOYER))
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def patch(client, auth, step_id, body):
    return client.patch(f"/api/v1/followups/{step_id}", body, content_type="application/json", **auth)


def test_it_lists_the_two_default_steps_with_counts(client, auth, employer):
    rejected(employer, "later@example.jp", rejected_on=TODAY - timedelta(days=10))
    response = client.get("/api/v1/followups", **auth)
    assert response.status_code == 200
    body = response.json()
    presets = dict(RejectionTemplate.objects.filter(organisation=None).values_list("preset_key", "pk"))
    assert [{k: v for k, v in step.items() if k != "id"} for step in body] == [
        {
            "name": "6ヶ月後の再チャレンジ案内",
            "delay_days": 182,
            "template_id": presets["ja_followup_6_months"],
            "active": False,
            "counts": {"upcoming": 1, "sent": 0, "skipped": 0},
        },
        {
            "name": "1年後の再チャレンジ案内",
            "delay_days": 365,
            "template_id": presets["ja_followup_12_months"],
            "active": False,
            "counts": {"upcoming": 1, "sent": 0, "skipped": 0},
        },
    ]


def test_patch_turns_a_step_on_and_changes_delay_and_template(client, auth, employer):
    step = followups.steps_for(employer).get(default_key="6_months")
    own = RejectionTemplate.objects.create(organisation=employer, name="自社版", subject="s", body="{{relay_link}}")
    response = patch(client, auth, step.pk, {"active": True, "delay_days": 180, "template_id": own.pk})
    assert response.status_code == 200
    assert {k: response.json()[k] for k in ("active", "delay_days", "template_id")} == {
        "active": True,
        "delay_days": 180,
        "template_id": own.pk,
    }
    step.refresh_from_db()
    assert (step.active, step.delay_days, step.template) == (True, 180, own)
    response = patch(client, auth, step.pk, {"active": False})
    assert response.json()["active"] is False
    step.refresh_from_db()
    assert (step.active, step.delay_days) == (False, 180)


def test_another_companys_template_is_a_422_and_changes_nothing(client, auth, employer):
    step = followups.steps_for(employer).get(default_key="6_months")
    theirs = RejectionTemplate.objects.create(organisation=EmployerFactory(), name="よその", subject="s", body="b")
    response = patch(client, auth, step.pk, {"active": True, "template_id": theirs.pk})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unknown_template"
    step.refresh_from_db()
    assert (step.active, step.template.preset_key) == (False, "ja_followup_6_months")


def test_another_companys_step_is_a_404(client, auth, employer):
    other = EmployerFactory()
    theirs = followups.steps_for(other).first()
    response = patch(client, auth, theirs.pk, {"active": True})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    theirs.refresh_from_db()
    assert not theirs.active
    ids = {step["id"] for step in client.get("/api/v1/followups", **auth).json()}
    assert theirs.pk not in ids


@pytest.mark.parametrize(
    "body",
    [
        {"delay_days": 0},
        {"delay_days": 100000},
        {"delay_days": "182"},
        {"delay_days": 1.5},
        {"active": "yes"},
        {"active": None},
        {"template_id": None},
        {"template_id": -1},
        {"template_id": 2**70},
    ],
)
def test_bad_values_are_json_errors(client, auth, employer, body):
    step = followups.steps_for(employer).get(default_key="6_months")
    response = patch(client, auth, step.pk, body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
    step.refresh_from_db()
    assert (step.active, step.delay_days) == (False, 182)


def test_without_a_key_it_is_a_401(client, employer):
    assert client.get("/api/v1/followups").status_code == 401
    step = followups.steps_for(employer).first()
    response = client.patch(f"/api/v1/followups/{step.pk}", {"active": True}, content_type="application/json")
    assert response.status_code == 401
    step.refresh_from_db()
    assert not step.active
