import pytest

from careerrelay.audit.services import Actor, ActorKind
from careerrelay.organisations.services import create_api_key
from careerrelay.outbox.models import OutboundEmail, Suppression
from careerrelay.sends.models import Send
from tests.factories import EmployerFactory
from tests.helpers.mail import make_applicant

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth(employer, owner):
    _key, secret = create_api_key(organisation=employer, name="ATS", actor=Actor.for_user(owner, ActorKind.EMPLOYER))
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def post(client, auth, body):
    return client.post("/api/v1/sends", body, content_type="application/json", **auth)


def test_a_send_goes_out_and_its_counts_show_suppressed_apart_from_sent(
    client, auth, employer, template, applicants, smtp_server, django_capture_on_commit_callbacks
):
    Suppression.objects.create(organisation=employer, email_normalized="jiro.sato@example.jp")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, auth, {"template_id": template.pk, "applicant_ids": [a.pk for a in applicants]})
    assert response.status_code == 201
    send_id = response.json()["id"]
    assert len(smtp_server.sink.wait_for(2)) == 2
    body = client.get(f"/api/v1/sends/{send_id}", **auth).json()
    assert body["state"] == "done"
    assert body["counts"] == {
        "recipients": 3,
        "queued": 0,
        "sent": 2,
        "failed": 0,
        "bounced": 0,
        "cancelled": 0,
        "suppressed": 1,
        "clicked": {"value": None, "below_threshold": True},
    }


def test_send_at_schedules_the_send_for_later(client, auth, employer, template, applicants):
    response = post(
        client,
        auth,
        {"template_id": template.pk, "applicant_ids": [applicants[0].pk], "send_at": "2099-12-01T10:00:00+09:00"},
    )
    assert response.status_code == 201
    assert response.json()["state"] == "scheduled"
    assert response.json()["counts"]["queued"] == 1
    send = Send.objects.get(pk=response.json()["id"])
    assert send.scheduled_at.isoformat() == "2099-12-01T01:00:00+00:00"
    assert OutboundEmail.objects.get(send=send).state == OutboundEmail.State.QUEUED


def test_a_preset_template_can_be_sent(client, auth, applicants):
    from careerrelay.rejections.services import templates_for_organisation

    preset = templates_for_organisation(applicants[0].organisation).filter(organisation=None).first()
    response = post(client, auth, {"template_id": preset.pk, "applicant_ids": [applicants[0].pk]})
    assert response.status_code == 201
    assert response.json()["counts"]["recipients"] == 1
    send = Send.objects.get(pk=response.json()["id"])
    assert (send.template, send.template_name) == (preset, preset.name)
    message = OutboundEmail.objects.get(send=send)
    assert message.to_email == applicants[0].email
    assert applicants[0].organisation.name in message.subject + message.body_text


def test_another_companys_template_is_unknown(client, auth, applicants):
    from careerrelay.rejections.models import RejectionTemplate

    foreign = RejectionTemplate.objects.create(
        organisation=EmployerFactory(), name="x", subject="x", body="{{relay_link}}"
    )
    response = post(client, auth, {"template_id": foreign.pk, "applicant_ids": [applicants[0].pk]})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_template"
    assert Send.objects.count() == 0


def test_unknown_or_foreign_applicants_are_listed_and_nothing_is_sent(client, auth, template, applicants):
    foreign = make_applicant(EmployerFactory(), email="someone@example.jp")
    response = post(client, auth, {"template_id": template.pk, "applicant_ids": [applicants[0].pk, foreign.pk, 999999]})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unknown_applicants"
    assert response.json()["error"]["details"] == [{"applicant_id": foreign.pk}, {"applicant_id": 999999}]
    assert Send.objects.count() == 0


def test_an_empty_list_is_a_validation_error(client, auth, template):
    response = post(client, auth, {"template_id": template.pk, "applicant_ids": []})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_another_companys_send_is_not_found(client, auth, template, applicants):
    from careerrelay.sends.services import create_send

    other = EmployerFactory()
    foreign = create_send(
        organisation=other,
        template=template.__class__.objects.create(organisation=other, name="x", subject="x", body="x"),
        applicants=[make_applicant(other, email="x@example.jp")],
        send_at=None,
    )
    response = client.get(f"/api/v1/sends/{foreign.pk}", **auth)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_sends_need_a_key(client, template):
    for response in (client.get("/api/v1/sends/1"), post(client, {}, {"template_id": template.pk})):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
    assert Send.objects.count() == 0
