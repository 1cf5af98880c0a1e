"""The journey over HTTP for each vendor kind, with deliveries written from the vendor's documented
schema (tests/helpers/ats_payloads.py): the admin adds the integration in the workspace page (or
the API), the vendor's signed POST is accepted (202), the worker pools the person with job, stage,
reason and rejection date and learns the reason; once the admin maps it to 「2営業日後の10時」, the
next rejection is a send delivered at that time over real SMTP with the relay link. A bad signature
is 401 and stores nothing; the same delivery twice is one applicant and one send.

Lever names only the opportunity: the worker reads it from a real local HTTP server playing
Lever's API (LEVER_API_URL); an error that passes is retried later, one that needs the employer
fails with a message they see, and a replay a week later is not refused by Lever's signature window.
"""

import re
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from careerrelay.integrations.models import AtsApplication, Delivery, Integration, ReasonMapping
from careerrelay.organisations.services import create_api_key
from careerrelay.outbox.models import OutboundEmail
from careerrelay.sends.models import Send
from careerrelay.talent.models import Applicant
from careerrelay.talent.services import rejection_reasons_for
from tests.helpers import ats_payloads as ats
from tests.integrations.helpers import template

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "vendor-signing-secret-0001"
LEVER_KEY = "lever-key"
RELAY_LINK = re.compile(r"http://testserver/c/[\w-]+/")


def japan(*args):
    return timezone.make_aware(datetime(*args))


def at(moment):
    return freeze_time(moment, real_asyncio=True)


def worker(periodic=False):
    call_command("worker", burst=True, no_periodic=not periodic)


@pytest.fixture(autouse=True)
def _database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def hook(integration):
    return f"/hooks/ats/{integration.public_id}/"


def add_in_page(owner_client, kind, **extra):
    response = owner_client.post(
        reverse("employer:integration_create"), {"kind": kind, "name": f"{kind} 本番", "secret": SECRET, **extra}
    )
    assert response.status_code == 302, response.content
    integration = Integration.objects.get(kind=kind)
    page = owner_client.get(response["Location"]).text
    assert f"http://testserver/hooks/ats/{integration.public_id}/" in page
    assert SECRET not in page
    return integration, page


def map_to_auto_send(owner_client, employer, integration, ats_reason):
    mapping = ReasonMapping.objects.get(integration=integration, ats_reason=ats_reason)
    response = owner_client.post(
        reverse("employer:integration_mapping", args=[integration.pk, mapping.pk]),
        {
            "reason": rejection_reasons_for(employer).get(kind="skills_gap").pk,
            "action": "auto_send",
            "template": template(employer).pk,
            "delay_business_days": "2",
            "send_hour": "10",
            "auto_send": "on",
        },
    )
    assert response.status_code == 302


def assert_delivered_on_tuesday(smtp_server, to, greeting):
    """Posted on Friday the 4th: 2 business days later is Tuesday the 8th at 10:00 Japan time."""
    message = OutboundEmail.objects.get()
    assert message.due_at == japan(2026, 12, 8, 10, 0)
    with at(japan(2026, 12, 7, 10, 5)):
        worker(periodic=True)
    assert smtp_server.sink.messages == []
    with at(japan(2026, 12, 8, 10, 5)):
        worker(periodic=True)
    received = smtp_server.sink.wait_for(1)
    assert [r.rcpt_tos for r in received] == [[to]]
    text = received[0].text()
    assert text.startswith(f"{greeting} 様")
    assert RELAY_LINK.search(text)
    assert OutboundEmail.objects.get().state == "sent"


# Greenhouse -----------------------------------------------------------------------------------


def gh_post(client, integration, body, secret=SECRET):
    return client.post(
        hook(integration), body, content_type="application/json", headers=ats.sign_greenhouse(secret, body)
    )


def test_greenhouse_from_the_page_to_a_timed_rejection_email(owner_client, client, employer, smtp_server):
    integration, page = add_in_page(owner_client, "greenhouse")
    assert "Dev Center" in page and "Candidate or Prospect rejected" in page  # the set-up steps

    # Saving the web hook in Greenhouse pings it: answered 200, nothing stored.
    ping = gh_post(client, integration, ats.greenhouse_ping())
    assert (ping.status_code, ping.json()["status"]) == (200, "pong")
    takahashi = ats.greenhouse_rejection(
        application_id=5001,
        candidate_id=7001,
        first_name="花子",
        last_name="髙橋",
        emails=[("hanako.takahashi@example.jp", "personal")],
        job_names=["営業職"],
        stage="一次面接",
        rejected_at="2026-12-04T03:00:00Z",
        reason="スキル不足",
    )
    assert gh_post(client, integration, takahashi, secret="not-the-secret").status_code == 401
    assert client.post(hook(integration), takahashi, content_type="application/json").status_code == 401
    assert Delivery.objects.count() == 0

    with at(japan(2026, 12, 4, 12, 0)):
        assert gh_post(client, integration, takahashi).status_code == 202
        assert Applicant.objects.count() == 0  # the request only stored it
        worker()
    hanako = Applicant.objects.get(organisation=employer)
    application = hanako.applications.get()
    assert (hanako.family_name, hanako.given_name, hanako.email, hanako.ats_id) == (
        "髙橋",
        "花子",
        "hanako.takahashi@example.jp",
        "7001",
    )
    assert (application.job_title, application.stage, application.rejection_reason, application.ats_id) == (
        "営業職",
        "first_interview",
        "スキル不足",
        "5001",
    )
    assert application.rejected_on == datetime(2026, 12, 4).date()
    assert Delivery.objects.get().outcome == "processed"
    assert OutboundEmail.objects.count() == 0  # an unmapped reason: pool only
    assert "スキル不足" in owner_client.get(reverse("employer:integration_detail", args=[integration.pk])).text

    map_to_auto_send(owner_client, employer, integration, "スキル不足")
    yamazaki = ats.greenhouse_rejection(
        application_id=5002,
        candidate_id=7002,
        first_name="太郎",
        last_name="山﨑",
        emails=[("taro.yamazaki@example.jp", "personal")],
        rejected_at="2026-12-04T06:00:00Z",
        reason="スキル不足",
    )
    with at(japan(2026, 12, 4, 15, 0)):
        assert gh_post(client, integration, yamazaki).status_code == 202
        worker()
        # Greenhouse retries a delivery it did not see answered: the same body again.
        again = gh_post(client, integration, yamazaki)
        assert (again.status_code, again.json()["status"]) == (200, "duplicate")
        worker()
    taro = Applicant.objects.get(ats_id="7002")
    assert (taro.family_name, taro.given_name) == ("山﨑", "太郎")
    assert Applicant.objects.count() == 2 and Send.objects.count() == 1 and Delivery.objects.count() == 2
    assert AtsApplication.objects.get(ats_person_id="7002").send == Send.objects.get()
    assert_delivered_on_tuesday(smtp_server, "taro.yamazaki@example.jp", "山﨑 太郎")


def test_greenhouse_can_email_false_is_pooled_and_never_mailed(owner_client, client, employer):
    integration, _page = add_in_page(owner_client, "greenhouse")
    first = ats.greenhouse_rejection(candidate_id=1, application_id=11, reason="スキル不足")
    with at(japan(2026, 12, 4, 12, 0)):
        assert gh_post(client, integration, first).status_code == 202
        worker()
    map_to_auto_send(owner_client, employer, integration, "スキル不足")
    opted_out = ats.greenhouse_rejection(
        candidate_id=2,
        application_id=22,
        first_name="花子",
        last_name="山﨑",
        emails=[("hanako.yamazaki@example.jp", "personal")],
        reason="スキル不足",
        can_email=False,
    )
    with at(japan(2026, 12, 4, 15, 0)):
        assert gh_post(client, integration, opted_out).status_code == 202
        worker()
    hanako = Applicant.objects.get(ats_id="2")
    assert (hanako.family_name, hanako.recontact_ok) == ("山﨑", False)
    assert Send.objects.count() == OutboundEmail.objects.count() == 0
    delivery = Delivery.objects.get(outcome="processed", counts__not_mailed=1)
    assert delivery.counts["sends"] == 0
    log = owner_client.get(reverse("employer:integration_deliveries", args=[integration.pk])).text
    assert "ATSでメール不可のため送信対象外1件" in log


# Workable -------------------------------------------------------------------------------------


def wk_post(client, integration, body, secret=SECRET):
    return client.post(
        hook(integration), body, content_type="application/json", headers=ats.sign_workable(secret, body)
    )


def test_workable_from_the_page_to_a_timed_rejection_email(owner_client, client, employer, smtp_server):
    integration, page = add_in_page(owner_client, "workable")
    assert "candidate_moved" in page
    first = ats.workable_candidate_moved(
        candidate_id="wk1",
        firstname="花子",
        lastname="髙橋",
        email="hanako.takahashi@example.jp",
        job_title="経理",
        stage="最終面接",
        disqualification_reason="経験不足",
        disqualified_at="2026-12-04T03:00:00Z",
    )
    assert wk_post(client, integration, first, secret="wrong-token").status_code == 401
    assert Delivery.objects.count() == 0
    with at(japan(2026, 12, 4, 12, 0)):
        assert wk_post(client, integration, first).status_code == 202
        worker()
    hanako = Applicant.objects.get(ats_id="wk1")
    application = hanako.applications.get()
    assert (hanako.family_name, hanako.given_name) == ("髙橋", "花子")
    assert (application.job_title, application.stage, application.rejection_reason, application.rejected_on) == (
        "経理",
        "final_interview",
        "経験不足",
        datetime(2026, 12, 4).date(),
    )
    map_to_auto_send(owner_client, employer, integration, "経験不足")
    second = ats.workable_candidate_moved(
        candidate_id="wk2",
        firstname="太郎",
        lastname="山﨑",
        email="taro.yamazaki@example.jp",
        disqualification_reason="経験不足",
        disqualified_at="2026-12-04T06:00:00Z",
    )
    with at(japan(2026, 12, 4, 15, 0)):
        assert wk_post(client, integration, second).status_code == 202
        # Workable sends again until it sees a 200; a retry may carry a later updated_at.
        retry = ats.workable_candidate_moved(
            candidate_id="wk2",
            firstname="太郎",
            lastname="山﨑",
            email="taro.yamazaki@example.jp",
            disqualification_reason="経験不足",
            disqualified_at="2026-12-04T06:00:00Z",
            updated_at="2026-12-04T06:01:00Z",
        )
        assert wk_post(client, integration, retry).json()["status"] == "duplicate"
        worker()
    assert Applicant.objects.count() == 2 and Send.objects.count() == 1
    assert_delivered_on_tuesday(smtp_server, "taro.yamazaki@example.jp", "山﨑 太郎")


# Lever ----------------------------------------------------------------------------------------


OPPORTUNITY = "250d8f03-738a-4bba-a671-8a3d73477145"
REASON_ID = "63dd55b2-a99f-4e7b-985f-22c7bf80ab42"
POSTING = "f2f01e16-27f8-4711-a728-7d49499795a0"


def lever_routes(opportunity=OPPORTUNITY, name="山﨑 太郎", email="taro.yamazaki@example.jp", contact="ct-1"):
    return {
        f"/v1/opportunities/{opportunity}": (
            200,
            ats.lever_opportunity(
                opportunity_id=opportunity,
                contact_id=contact,
                name=name,
                emails=[email],
                stage="二次面接",
                archived_at=int(datetime(2026, 12, 4, 3, 0, tzinfo=UTC).timestamp() * 1000),
            ),
        ),
        f"/v1/archive_reasons/{REASON_ID}": (200, ats.lever_archive_reason(text="Underqualified")),
        f"/v1/postings/{POSTING}": (200, ats.lever_posting(text="バックエンドエンジニア")),
    }


def lever_post(client, integration, opportunity=OPPORTUNITY, event_id="ev-1", secret=SECRET):
    body = ats.sign_lever(secret, ats.lever_archive_change(opportunity_id=opportunity, event_id=event_id))
    return client.post(hook(integration), body, content_type="application/json")


def add_lever_by_api(client, employer, owner):
    from careerrelay.audit.actor import Actor, ActorKind

    _key, key = create_api_key(organisation=employer, name="Lever", actor=Actor.for_user(owner, ActorKind.EMPLOYER))
    response = client.post(
        "/api/v1/integrations",
        {"kind": "lever", "name": "Lever", "secret": SECRET, "api_key": LEVER_KEY},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 201, response.content
    integration = Integration.objects.get(pk=response.json()["id"])
    assert response.json()["webhook_url"] == f"http://testserver{hook(integration)}"
    return integration


def test_lever_from_the_api_to_a_timed_rejection_email(client, owner_client, employer, owner, smtp_server, settings):
    integration = add_lever_by_api(client, employer, owner)
    routes = lever_routes()
    with ats.lever_api(routes, api_key=LEVER_KEY) as lever:
        settings.LEVER_API_URL = lever["base_url"]
        with at(japan(2026, 12, 4, 12, 0)):
            assert lever_post(client, integration, secret="wrong-token").status_code == 401
            assert Delivery.objects.count() == 0
            assert lever_post(client, integration).status_code == 202
            worker()
        assert any(path == f"/v1/opportunities/{OPPORTUNITY}" for path, _q, _a in lever["requests"])
    taro = Applicant.objects.get(organisation=employer)
    application = taro.applications.get()
    assert (taro.family_name, taro.given_name, taro.email, taro.ats_id) == (
        "山﨑",
        "太郎",
        "taro.yamazaki@example.jp",
        "ct-1",
    )
    assert (application.job_title, application.stage, application.rejection_reason, application.rejected_on) == (
        "バックエンドエンジニア",
        "second_interview",
        "Underqualified",
        datetime(2026, 12, 4).date(),
    )
    map_to_auto_send(owner_client, employer, integration, "Underqualified")

    other = "9a1b2c3d-0000-4000-8000-000000000002"
    routes.update(
        lever_routes(opportunity=other, name="髙橋 花子", email="hanako.takahashi@example.jp", contact="ct-2")
    )
    with ats.lever_api(routes, api_key=LEVER_KEY) as lever:
        settings.LEVER_API_URL = lever["base_url"]
        with at(japan(2026, 12, 4, 15, 0)):
            assert lever_post(client, integration, opportunity=other, event_id="ev-2").status_code == 202
            assert lever_post(client, integration, opportunity=other, event_id="ev-2").json()["status"] == "duplicate"
            worker()
    hanako = Applicant.objects.get(ats_id="ct-2")
    assert (hanako.family_name, hanako.given_name) == ("髙橋", "花子")
    assert Applicant.objects.count() == 2 and Send.objects.count() == 1
    assert_delivered_on_tuesday(smtp_server, "hanako.takahashi@example.jp", "髙橋 花子")


def test_lever_unreachable_or_busy_is_retried_later_not_failed(client, employer, owner, settings):
    integration = add_lever_by_api(client, employer, owner)
    routes = {f"/v1/opportunities/{OPPORTUNITY}": (503, {"code": "ServiceUnavailable"})}
    with ats.lever_api(routes, api_key=LEVER_KEY) as lever:
        settings.LEVER_API_URL = lever["base_url"]
        with at(japan(2026, 12, 4, 12, 0)):
            assert lever_post(client, integration).status_code == 202
            worker()
        delivery = Delivery.objects.get()
        assert delivery.outcome == "pending"  # not failed for good
        assert "自動で再試行します" in delivery.message
        assert delivery.retry_at == japan(2026, 12, 4, 12, 1)
        with at(japan(2026, 12, 4, 12, 0, 30)):
            worker(periodic=True)  # not due yet
        assert Delivery.objects.get().attempts == 1
        routes.update(lever_routes())  # Lever is back
        with at(japan(2026, 12, 4, 12, 2)):
            worker(periodic=True)  # the sweep enqueues it again, the worker runs it
    delivery = Delivery.objects.get()
    assert (delivery.outcome, delivery.attempts, delivery.message) == ("processed", 2, "")
    assert Applicant.objects.get().family_name == "山﨑"


def test_lever_refusing_the_key_fails_with_a_message_the_employer_sees(client, owner_client, employer, owner, settings):
    integration = add_lever_by_api(client, employer, owner)
    with ats.lever_api(lever_routes(), api_key="another-key") as lever:  # our key is refused: 401
        settings.LEVER_API_URL = lever["base_url"]
        with at(japan(2026, 12, 4, 12, 0)):
            assert lever_post(client, integration).status_code == 202
            worker()
    delivery = Delivery.objects.get()
    assert delivery.outcome == "failed"
    assert "APIキー" in delivery.message and "401" in delivery.message
    page = owner_client.get(reverse("employer:integration_deliveries", args=[integration.pk])).text
    assert "Lever が APIキーを受け付けませんでした（401）" in page
    assert Applicant.objects.count() == 0


def test_a_lever_replay_a_week_later_is_not_refused_by_the_signature_window(
    client, owner_client, employer, owner, settings
):
    integration = add_lever_by_api(client, employer, owner)
    routes = {}  # the opportunity is not readable yet: 404
    with ats.lever_api(routes, api_key=LEVER_KEY) as lever:
        settings.LEVER_API_URL = lever["base_url"]
        with at(japan(2026, 12, 4, 12, 0)):
            assert lever_post(client, integration).status_code == 202
            worker()
        delivery = Delivery.objects.get()
        assert delivery.outcome == "failed" and "見つかりません" in delivery.message
        routes.update(lever_routes())
        # A week later, past lever.verify's 3-day window for triggeredAt: the replay only parses.
        with at(japan(2026, 12, 11, 12, 0)):
            response = owner_client.post(reverse("employer:integration_replay", args=[integration.pk, delivery.pk]))
            assert response.status_code == 302
            worker()
    assert Delivery.objects.get().outcome == "processed"
    assert Applicant.objects.get().email == "taro.yamazaki@example.jp"
