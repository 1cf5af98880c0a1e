"""The webhook endpoint's rules for every delivery: signature, size, unknown integration, ping,
the same event twice, and what the worker makes of it (immediate tasks: run after the commit)."""

import json
from datetime import datetime

import pytest
from django.utils import timezone

from careerrelay.audit.models import AuditEvent
from careerrelay.integrations import services
from careerrelay.integrations.models import AtsApplication, Delivery, ReasonMapping
from careerrelay.outbox.models import OutboundEmail
from careerrelay.sends.models import Send
from careerrelay.talent.models import Applicant, Application
from tests.helpers.generic_ats import post, rejection, signed
from tests.integrations.helpers import generic_integration, template

pytestmark = pytest.mark.django_db


@pytest.fixture
def integration(employer):
    return generic_integration(employer)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """POST a delivery and let the (immediate) task run after the commit."""

    def _run(client, integration, payload, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post(client, integration, payload, **kwargs)

    return _run


def _auto_send(integration, ats_reason="経験不足", days=2, hour=10):
    mapping = services.learn_reason(integration, ats_reason)
    mapping.action, mapping.template, mapping.auto_send, mapping.mapped = (
        "auto_send",
        template(integration.organisation),
        True,
        True,
    )
    mapping.delay_business_days, mapping.send_hour = days, hour
    mapping.save()
    return mapping


def test_a_bad_signature_is_401_and_stores_nothing(client, integration):
    response = post(client, integration, rejection(), secret="not-the-secret")
    assert response.status_code == 401
    body, _headers = signed(rejection())
    missing = client.post(f"/hooks/ats/{integration.public_id}/", body, content_type="application/json")
    assert missing.status_code == 401
    assert Delivery.objects.count() == Applicant.objects.count() == ReasonMapping.objects.count() == 0


def test_an_unknown_or_stopped_integration_is_404(client, integration):
    integration.active = False
    integration.save()
    assert post(client, integration, rejection()).status_code == 404
    body, headers = signed(rejection())
    assert client.post("/hooks/ats/nope/", body, content_type="application/json", headers=headers).status_code == 404
    assert Delivery.objects.count() == 0


def test_a_body_over_1_mb_is_refused_with_413_before_anything_is_stored(client, integration):
    payload = rejection()
    payload["padding"] = "x" * (1024 * 1024)
    response = post(client, integration, payload)
    assert response.status_code == 413
    assert Delivery.objects.count() == 0


def test_ping_is_answered_and_not_stored(client, integration):
    response = post(client, integration, {"event_id": "p-1", "type": "ping"})
    assert response.status_code == 200
    assert Delivery.objects.count() == 0


def test_the_same_delivery_twice_changes_nothing(client, integration, run):
    _auto_send(integration)
    assert run(client, integration, rejection()).status_code == 202
    before = (
        list(Applicant.objects.values_list("pk", "updated_at")),
        Application.objects.count(),
        Send.objects.count(),
        OutboundEmail.objects.count(),
        AuditEvent.objects.count(),
    )
    assert run(client, integration, rejection()).status_code == 200  # a vendor's retry
    after = (
        list(Applicant.objects.values_list("pk", "updated_at")),
        Application.objects.count(),
        Send.objects.count(),
        OutboundEmail.objects.count(),
        AuditEvent.objects.count(),
    )
    assert before == after
    assert Delivery.objects.count() == 1
    assert (Send.objects.count(), OutboundEmail.objects.count()) == (1, 1)


def test_the_same_rejection_in_a_second_event_updates_but_never_mails_twice(client, integration, run):
    _auto_send(integration)
    run(client, integration, rejection(event_id="e-1"))
    run(client, integration, rejection(event_id="e-2", occurred_at="2026-12-04T10:00:00+09:00"))
    assert Applicant.objects.count() == 1
    assert Application.objects.count() == 1
    assert OutboundEmail.objects.count() == 1
    assert list(Delivery.objects.values_list("outcome", flat=True)) == ["processed", "processed"]


def test_an_older_delivery_does_not_overwrite_newer_data(client, integration, run):
    run(client, integration, rejection(event_id="new", stage="最終面接", occurred_at="2026-12-04T12:00:00+09:00"))
    run(client, integration, rejection(event_id="old", stage="書類選考", occurred_at="2026-12-04T08:00:00+09:00"))
    applicant = Applicant.objects.get()
    assert applicant.stage == "final_interview"
    old = Delivery.objects.get(event_id="old")
    assert (old.outcome, old.counts["stale"]) == ("processed", 1)
    assert AtsApplication.objects.get().occurred_at == timezone.make_aware(datetime(2026, 12, 4, 12, 0))


def test_a_known_person_is_found_by_ats_id_then_by_email(client, integration, employer, run):
    run(client, integration, rejection(event_id="e-1", email="old@example.jp"))
    run(
        client,
        integration,
        rejection(event_id="e-2", email="new@example.jp", application_id="a-9", job_title="経理", occurred_at=""),
    )
    applicant = Applicant.objects.get()
    assert applicant.email == "new@example.jp"
    assert list(applicant.applications.values_list("ats_id", flat=True)) == ["a-1", "a-9"]  # history kept
    Applicant.objects.create(
        organisation=employer, family_name="鈴木", email="suzuki@example.jp", email_normalized="suzuki@example.jp"
    )
    run(
        client, integration, rejection(event_id="e-3", person_id="c-3", email="Suzuki@example.jp", application_id="a-3")
    )
    suzuki = Applicant.objects.get(email_normalized="suzuki@example.jp")
    assert suzuki.ats_id == "c-3"
    assert Applicant.objects.count() == 2


def test_an_unknown_reason_is_learned_and_only_pools_until_mapped(client, integration, run):
    run(client, integration, rejection(reason="カルチャーフィット"))
    mapping = ReasonMapping.objects.get()
    assert (mapping.ats_reason, mapping.mapped, mapping.action, mapping.seen_count) == (
        "カルチャーフィット",
        False,
        "pool_only",
        1,
    )
    assert Applicant.objects.count() == 1
    assert OutboundEmail.objects.count() == 0


def test_do_not_send_creates_the_applicant_only(client, integration, run):
    mapping = _auto_send(integration, "辞退")
    mapping.action = "do_not_send"
    mapping.save()
    run(client, integration, rejection(reason="辞退"))
    assert Applicant.objects.count() == 1
    assert OutboundEmail.objects.count() == 0


def test_a_person_without_email_needs_attention_and_can_be_replayed(
    client, integration, run, owner_client, django_capture_on_commit_callbacks
):
    response = run(client, integration, rejection(email=""))
    assert response.status_code == 202
    delivery = Delivery.objects.get()
    assert delivery.outcome == "failed"
    assert "メールアドレスがない" in delivery.message and "c-1" in delivery.message
    assert not delivery.body_redacted  # kept for a replay
    assert Applicant.objects.count() == 0
    page = owner_client.get(f"/employer/integrations/{integration.pk}/deliveries/?outcome=failed").text
    assert "メールアドレスがない" in page and "再処理" in page

    # Fixed on our side meanwhile: the person is in the pool with that ATS id, so the replay finds them.
    Applicant.objects.create(
        organisation=integration.organisation,
        family_name="山田",
        email="y@example.jp",
        email_normalized="y@example.jp",
        ats_id="c-1",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/employer/integrations/{integration.pk}/deliveries/{delivery.pk}/replay/")
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.outcome, delivery.body_redacted) == ("processed", True)
    assert Applicant.objects.get().applications.get().ats_id == "a-1"


def test_a_replayed_processed_delivery_changes_nothing(client, integration, run, owner_client):
    run(client, integration, rejection())
    delivery = Delivery.objects.get()
    response = owner_client.post(f"/employer/integrations/{integration.pk}/deliveries/{delivery.pk}/replay/")
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.outcome == "processed"
    assert Applicant.objects.count() == 1


def test_an_unreadable_signed_body_is_400_and_kept_as_failed(client, integration):
    response = post(client, integration, b"not json")
    assert response.status_code == 400
    assert Delivery.objects.get().outcome == "failed"


def test_failed_bodies_are_redacted_after_their_retention(client, integration, run, settings):
    run(client, integration, rejection(email=""))
    delivery = Delivery.objects.get()
    assert b"\xe5\xb1\xb1\xe7\x94\xb0" in bytes(delivery.body)
    later = timezone.now() + timezone.timedelta(days=settings.INTEGRATIONS_FAILED_BODY_DAYS + 1)
    assert services.sweep_deliveries(now=later)["redacted"] == 1
    delivery.refresh_from_db()
    assert delivery.body_redacted
    body = json.loads(bytes(delivery.body))
    assert body["candidate"]["family_name"] == "[redacted]"
    assert body["application"]["reason"] == "経験不足"


def test_a_delivery_costs_one_lookup_and_one_insert(client, integration, django_assert_max_num_queries):
    # The integration, then the insert inside its savepoint; the task is enqueued after the commit.
    with django_assert_max_num_queries(4):
        assert post(client, integration, rejection()).status_code == 202


def test_an_auto_send_is_an_ordinary_send_cancelled_in_the_sends_page_and_not_queued_again(
    client, integration, run, owner_client
):
    _auto_send(integration, days=2, hour=14)
    run(client, integration, rejection(event_id="e-1", rejected_on="2026-12-04"))
    send = Send.objects.get()
    message = OutboundEmail.objects.get()
    # Friday 4 December + 2 business days = Tuesday 8 December, at the mapping's hour.
    assert message.due_at == timezone.make_aware(datetime(2026, 12, 8, 14, 0))
    assert "ATS自動送信" in owner_client.get(f"/employer/sends/{send.pk}/").text
    assert owner_client.post(f"/employer/sends/{send.pk}/cancel/").status_code == 302
    message.refresh_from_db()
    assert message.state == "cancelled"
    run(client, integration, rejection(event_id="e-2", occurred_at="2026-12-04T11:00:00+09:00"))
    assert (Send.objects.count(), OutboundEmail.objects.count()) == (1, 1)  # cancelled stays cancelled


def test_a_company_that_may_not_send_still_gets_the_person_in_its_pool(client, integration, run, employer):
    _auto_send(integration)
    employer.status = employer.Status.PENDING
    employer.save()
    run(client, integration, rejection())
    assert Applicant.objects.count() == 1
    assert OutboundEmail.objects.count() == 0
    delivery = Delivery.objects.get()
    assert delivery.outcome == "failed"
    assert "不採用メールを予約できませんでした" in delivery.message
    assert AtsApplication.objects.get().send_decided_at is None  # a replay after approval sends it
