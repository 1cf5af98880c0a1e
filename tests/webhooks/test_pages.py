"""From the workspace: an admin registers an endpoint, copies its secret (shown once), sends a test
event that a real local server receives signed; failures are retried with back-off, shown with the
server's answer, redelivered by hand; an endpoint failing for days is turned off and the admins told."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from careerrelay.audit.actor import Actor, ActorKind
from careerrelay.audit.models import AuditEvent
from careerrelay.ops.periodic import run_once
from careerrelay.organisations.models import Membership
from careerrelay.webhooks import services as webhooks
from careerrelay.webhooks.models import Attempt, Delivery, Endpoint, Event
from tests.factories import MembershipFactory, UserFactory
from tests.helpers.agencies import make_agency
from tests.webhooks.helpers import Receiver, shown_secret, signature_is_valid

pytestmark = pytest.mark.django_db

ALL_EVENTS = ["credit.earned", "introduction.stage_changed", "followup.sent"]


def register(client, url, events=ALL_EVENTS, description="自社ATS"):
    response = client.post(
        reverse("employer:webhook_new"), {"url": url, "description": description, "event_types": events}
    )
    assert response.status_code == 302, response.text
    endpoint = Endpoint.objects.latest("pk")
    assert response["Location"] == reverse("employer:webhook", args=[endpoint.pk])
    return endpoint, shown_secret(client.get(response["Location"]).text)


def send_test(client, endpoint, capture):
    with capture(execute=True):
        response = client.post(reverse("employer:webhook_test", args=[endpoint.pk]))
    assert response.status_code == 302
    return Delivery.objects.filter(endpoint=endpoint).latest("pk")


def test_an_admin_registers_an_endpoint_and_a_signed_test_event_arrives(
    owner_client, employer, receiver, django_capture_on_commit_callbacks
):
    assert "送信先はまだありません" in owner_client.get(reverse("employer:webhooks")).text
    endpoint, secret = register(owner_client, receiver.url)
    assert endpoint.organisation == employer
    assert endpoint.event_types == ALL_EVENTS
    assert secret == endpoint.secret
    # Shown once: the next visit has no secret on it.
    again = owner_client.get(reverse("employer:webhook", args=[endpoint.pk])).text
    assert secret not in again and 'id="new-secret"' not in again
    assert AuditEvent.objects.filter(organisation=employer, detail__event="webhook_created").count() == 1

    delivery = send_test(owner_client, endpoint, django_capture_on_commit_callbacks)
    [received] = receiver.received
    assert received.path == "/hooks/careerrelay"
    assert signature_is_valid(secret, received)
    assert received.headers["Signature"].startswith("sha256 ")
    assert received.headers["User-Agent"].startswith("CareerRelay")
    assert received.headers["Content-Type"].startswith("application/json")
    assert re.fullmatch(r"\d{10}", received.headers["Webhook-Timestamp"])
    body = received.json
    assert body["type"] == "ping"
    assert received.headers["Webhook-Id"] == body["id"] == delivery.event.webhook_id
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SUCCEEDED
    page = owner_client.get(reverse("employer:webhook", args=[endpoint.pk])).text
    assert "HTTP 200" in page and "{&quot;ok&quot;: true}" in page


def test_a_bad_url_or_no_event_is_a_field_error_and_keeps_the_input(owner_client):
    response = owner_client.post(
        reverse("employer:webhook_new"), {"url": "ftp://files.example.jp/in", "description": "メモ"}
    )
    assert response.status_code == 200
    assert 'id="id_event_types_error"' in response.text
    assert 'value="ftp://files.example.jp/in"' in response.text and 'value="メモ"' in response.text
    response = owner_client.post(
        reverse("employer:webhook_new"), {"url": "ftp://files.example.jp/in", "event_types": ["credit.earned"]}
    )
    assert 'id="id_url_error"' in response.text and "https://" in response.text
    assert Endpoint.objects.count() == 0


def test_a_failing_server_is_retried_with_back_off_until_it_answers(owner_client, django_capture_on_commit_callbacks):
    with Receiver(statuses=[500, 503, 200], answer=b"x" * 5000) as server:
        endpoint, secret = register(owner_client, server.url)
        delivery = send_test(owner_client, endpoint, django_capture_on_commit_callbacks)
        delivery.refresh_from_db()
        assert delivery.state == Delivery.State.RETRYING
        first_retry = delivery.next_attempt_at
        assert first_retry - timezone.now() <= timedelta(minutes=1)
        assert first_retry - timezone.now() > timedelta(seconds=30)
        # Not before its time.
        assert webhooks.send_due_retries(now=first_retry - timedelta(seconds=1)) == 0
        assert webhooks.send_due_retries(now=first_retry) == 1
        delivery.refresh_from_db()
        assert delivery.state == Delivery.State.RETRYING
        assert delivery.next_attempt_at - timezone.now() > timedelta(minutes=4)  # the back-off grows
        assert webhooks.send_due_retries(now=delivery.next_attempt_at) == 1
        assert webhooks.send_due_retries(now=delivery.next_attempt_at) == 0  # taken once
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SUCCEEDED
    assert [a.status_code for a in Attempt.objects.filter(delivery=delivery)] == [500, 503, 200]
    # The same event each time: one Webhook-Id for the receiver to recognise a repeat by.
    assert len({r.headers["Webhook-Id"] for r in server.received}) == 1
    assert all(signature_is_valid(secret, r) for r in server.received)
    # The answer is kept only up to 1 KB.
    assert {len(a.response_excerpt) for a in Attempt.objects.all()} == {1024}
    page = owner_client.get(reverse("employer:webhook", args=[endpoint.pk])).text
    assert "HTTP 500" in page and "HTTP 503" in page and "HTTP 200" in page


def test_the_attempts_are_bounded(owner_client, django_capture_on_commit_callbacks):
    with Receiver(statuses=[500]) as server:
        endpoint, _secret = register(owner_client, server.url)
        delivery = send_test(owner_client, endpoint, django_capture_on_commit_callbacks)
        for _ in range(10):
            delivery.refresh_from_db()
            if delivery.next_attempt_at is None:
                break
            webhooks.send_due_retries(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.FAILED
    assert delivery.attempts == webhooks.MAX_ATTEMPTS == len(server.received)


def test_a_server_that_does_not_answer_in_time_is_a_failed_attempt(
    owner_client, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.5
    with Receiver(statuses=[None]) as server:
        endpoint, _secret = register(owner_client, server.url)
        delivery = send_test(owner_client, endpoint, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.RETRYING
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code is None
    assert "timeout" in attempt.error
    assert "timeout" in owner_client.get(reverse("employer:webhook", args=[endpoint.pk])).text


def test_redirects_are_not_followed(owner_client, django_capture_on_commit_callbacks):
    with Receiver(statuses=[302]) as server:
        endpoint, _secret = register(owner_client, server.url)
        delivery = send_test(owner_client, endpoint, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.RETRYING
    assert len(server.received) == 1


def test_an_admin_redelivers_by_hand(owner_client, django_capture_on_commit_callbacks):
    with Receiver(statuses=[500, 200]) as server:
        endpoint, _secret = register(owner_client, server.url)
        delivery = send_test(owner_client, endpoint, django_capture_on_commit_callbacks)
        page = owner_client.get(reverse("employer:webhook", args=[endpoint.pk])).text
        assert reverse("employer:webhook_redeliver", args=[delivery.pk]) in page
        with django_capture_on_commit_callbacks(execute=True):
            response = owner_client.post(reverse("employer:webhook_redeliver", args=[delivery.pk]))
        assert response["Location"] == reverse("employer:webhook", args=[endpoint.pk])
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SUCCEEDED
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 200]
    assert len(server.received) == 2


def test_rotating_the_secret_shows_the_new_one_once_and_signs_with_it(
    owner_client, receiver, django_capture_on_commit_callbacks
):
    endpoint, old = register(owner_client, receiver.url)
    response = owner_client.post(reverse("employer:webhook_rotate", args=[endpoint.pk]))
    new = shown_secret(owner_client.get(response["Location"]).text)
    assert new != old
    send_test(owner_client, endpoint, django_capture_on_commit_callbacks)
    assert signature_is_valid(new, receiver.received[0])
    assert not signature_is_valid(old, receiver.received[0])


def _emit(employer, capture):
    with capture(execute=True), transaction.atomic():
        return webhooks.emit(employer, "credit.earned", {"counted_referrals": 10})


def test_a_turned_off_endpoint_gets_nothing_and_a_deleted_one_is_gone(
    owner_client, employer, receiver, django_capture_on_commit_callbacks
):
    endpoint, _secret = register(owner_client, receiver.url)
    response = owner_client.post(
        reverse("employer:webhook_edit", args=[endpoint.pk]),
        {"url": receiver.url, "event_types": ["credit.earned"], "description": ""},  # `active` unticked
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.active is False
    assert "停止中" in owner_client.get(reverse("employer:webhooks")).text
    assert _emit(employer, django_capture_on_commit_callbacks) is None
    assert receiver.received == [] and Event.objects.count() == 0
    owner_client.post(reverse("employer:webhook_delete", args=[endpoint.pk]))
    assert not Endpoint.objects.exists()


def test_an_endpoint_failing_for_days_is_turned_off_and_the_admins_told(
    owner_client, owner, member, employer, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_DISABLE_AFTER_FAILURES = 3
    settings.WEBHOOKS_DISABLE_AFTER_DAYS = 2
    with Receiver(statuses=[500]) as server:
        endpoint, _secret = register(owner_client, server.url, events=["credit.earned"])
        mail.outbox.clear()
        for _ in range(3):
            _emit(employer, django_capture_on_commit_callbacks)
        endpoint.refresh_from_db()
        assert (endpoint.active, endpoint.consecutive_failures) == (True, 3)  # many failures, but not for days
        Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now() - timedelta(days=2, minutes=1))
        _emit(employer, django_capture_on_commit_callbacks)
        endpoint.refresh_from_db()
        assert endpoint.active is False and endpoint.disabled_reason == "failing"
        # Off: the next event and the pending retries go nowhere.
        assert _emit(employer, django_capture_on_commit_callbacks) is None
        webhooks.send_due_retries(now=timezone.now() + timedelta(days=3))
        assert len(server.received) == 4
    assert [m.to for m in mail.outbox] == [[owner.email]]  # the admin, not the recruiter
    assert server.url in mail.outbox[0].body
    assert "失敗が続いたため停止" in owner_client.get(reverse("employer:webhooks")).text
    # Turned on again by a person, it starts with a clean record.
    owner_client.post(
        reverse("employer:webhook_edit", args=[endpoint.pk]),
        {"url": server.url, "event_types": ["credit.earned"], "active": "on"},
    )
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.consecutive_failures, endpoint.disabled_reason) == (True, 0, "")


def test_a_success_clears_the_failure_count(owner_client, employer, django_capture_on_commit_callbacks):
    with Receiver(statuses=[500, 500, 200]) as server:
        endpoint, _secret = register(owner_client, server.url, events=["credit.earned"])
        for _ in range(3):
            _emit(employer, django_capture_on_commit_callbacks)
    endpoint.refresh_from_db()
    assert (endpoint.consecutive_failures, endpoint.failing_since) == (0, None)


# --- Who may do what -----------------------------------------------------------------------------


@pytest.fixture
def endpoint(employer, owner, receiver):
    return webhooks.create_endpoint(
        organisation=employer,
        url=receiver.url,
        description="山﨑の基幹システム",
        event_types=["credit.earned"],
        actor=Actor.for_user(owner, ActorKind.EMPLOYER),
    )[0]


@pytest.fixture
def delivery(endpoint, employer, django_capture_on_commit_callbacks):
    event = _emit(employer, django_capture_on_commit_callbacks)
    return Delivery.objects.get(event=event)


ADMIN_ACTIONS = [
    ("employer:webhook_edit", "endpoint", {"url": "http://127.0.0.1:9/x", "event_types": ["credit.earned"]}),
    ("employer:webhook_delete", "endpoint", {}),
    ("employer:webhook_rotate", "endpoint", {}),
    ("employer:webhook_test", "endpoint", {}),
    ("employer:webhook_redeliver", "delivery", {}),
]


def _snapshot(employer):
    return sorted(
        Endpoint.objects.filter(organisation=employer).values_list("url", "secret", "active", "event_types")
    ), Delivery.objects.filter(endpoint__organisation=employer).count()


def test_a_member_reads_the_endpoints_and_deliveries_but_changes_nothing(member_client, endpoint, delivery, employer):
    listing = member_client.get(reverse("employer:webhooks")).text
    assert "山﨑の基幹システム" in listing and "送信先を追加" not in listing
    detail = member_client.get(reverse("employer:webhook", args=[endpoint.pk])).text
    assert "HTTP 200" in detail
    assert endpoint.secret not in detail and "再送" not in detail and "テスト送信" not in detail
    before = _snapshot(employer)
    assert member_client.get(reverse("employer:webhook_new")).status_code == 403
    for name, obj, data in ADMIN_ACTIONS:
        target = endpoint if obj == "endpoint" else delivery
        response = member_client.post(reverse(name, args=[target.pk]), data)
        assert response.status_code == 403, name
        assert "管理者のみ利用できます" in response.text
    assert _snapshot(employer) == before


def test_an_outsider_finds_nothing_of_another_company(outsider_client, endpoint, delivery, employer):
    listing = outsider_client.get(reverse("employer:webhooks")).text
    assert "株式会社よそ" in listing and "山﨑の基幹システム" not in listing and endpoint.url not in listing
    before = _snapshot(employer)
    assert outsider_client.get(reverse("employer:webhook", args=[endpoint.pk])).status_code == 404
    assert outsider_client.get(reverse("employer:webhook_edit", args=[endpoint.pk])).status_code == 404
    for name, obj, data in ADMIN_ACTIONS:
        target = endpoint if obj == "endpoint" else delivery
        response = outsider_client.post(reverse(name, args=[target.pk]), data)
        assert response.status_code == 404, name
        assert "株式会社山﨑製作所" not in response.text
    assert _snapshot(employer) == before


def test_anonymous_visitors_are_sent_to_sign_in(client, endpoint, delivery):
    for url in (reverse("employer:webhooks"), reverse("employer:webhook", args=[endpoint.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    for name, obj, data in ADMIN_ACTIONS:
        target = endpoint if obj == "endpoint" else delivery
        response = client.post(reverse(name, args=[target.pk]), data)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_the_log_is_deleted_after_thirty_days_by_the_worker_loop(
    owner_client, receiver, django_capture_on_commit_callbacks
):
    endpoint, _secret = register(owner_client, receiver.url)
    old = send_test(owner_client, endpoint, django_capture_on_commit_callbacks)
    recent = send_test(owner_client, endpoint, django_capture_on_commit_callbacks)
    Event.objects.filter(pk=old.event_id).update(created_at=timezone.now() - timedelta(days=31))
    assert run_once()["webhook_log_deleted"] == 1
    assert list(Delivery.objects.values_list("pk", flat=True)) == [recent.pk]
    assert Attempt.objects.filter(delivery=old.pk).count() == 0


# --- The agency's side ---------------------------------------------------------------------------


def test_an_agencys_admin_adds_an_endpoint_its_advisors_read_and_other_agencies_find_nothing(
    client, receiver, django_capture_on_commit_callbacks
):
    agency, admin = make_agency("株式会社みらい人材", "13-ユ-400001", "owner@mirai.example")
    advisor = MembershipFactory(
        organisation=agency, role=Membership.Role.RECRUITER, user=UserFactory(email="advisor@mirai.example")
    ).user
    _other, other_admin = make_agency("株式会社よその紹介", "27-ユ-400002", "owner@yoso-shokai.example")
    _pending, pending_admin = make_agency("株式会社まだ審査中", "14-ユ-400003", "owner@pending.example", approve=False)

    client.force_login(admin)
    form = client.get(reverse("agency:webhook_new")).text
    assert 'value="introduction.stage_changed"' in form and 'value="credit.earned"' not in form
    refused = client.post(reverse("agency:webhook_new"), {"url": receiver.url, "event_types": ["credit.earned"]})
    assert 'id="id_event_types_error"' in refused.text
    response = client.post(
        reverse("agency:webhook_new"), {"url": receiver.url, "event_types": ["introduction.stage_changed"]}
    )
    endpoint = Endpoint.objects.get(organisation=agency)
    secret = shown_secret(client.get(response["Location"]).text)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("agency:webhook_test", args=[endpoint.pk]))
    assert signature_is_valid(secret, receiver.received[0])

    client.force_login(advisor)
    assert receiver.url in client.get(reverse("agency:webhooks")).text
    assert client.post(reverse("agency:webhook_rotate", args=[endpoint.pk])).status_code == 403
    client.force_login(other_admin)
    assert receiver.url not in client.get(reverse("agency:webhooks")).text
    assert client.get(reverse("agency:webhook", args=[endpoint.pk])).status_code == 404
    assert client.post(reverse("agency:webhook_delete", args=[endpoint.pk])).status_code == 404
    client.force_login(pending_admin)
    assert client.get(reverse("agency:webhooks")).status_code == 403
    assert Endpoint.objects.get().secret == secret
