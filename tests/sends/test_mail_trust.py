"""CareerRelay is not an open mail relay: each way a company could send what or to whom it
should not, tried and shown to fail.

A company that signed up on the web waits for an operator before anything leaves; an approved one
mails a daily number of recipients that grows with a clean record, the rest waits and goes out by
itself the next day; a suspended company's queued mail is cancelled and the worker refuses it even
when it was queued before; the From display name is the name the operator approved, the address is
ours, and Reply-To is the company's verified address."""

from datetime import timedelta
from email.header import decode_header, make_header
from email.utils import parseaddr

import pytest
from django.urls import reverse
from django.utils import timezone

from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import Actor, ActorKind
from careerrelay.organisations.models import Organisation
from careerrelay.organisations.services import create_api_key, set_reply_to
from careerrelay.outbox.models import OutboundEmail
from careerrelay.sends import services as sends
from careerrelay.sends import trust
from careerrelay.sends.models import Send
from tests.factories import MembershipFactory, OperatorFactory, UserFactory
from tests.helpers.mail import form_data

pytestmark = pytest.mark.django_db
State = OutboundEmail.State


@pytest.fixture
def auth(employer, owner):
    _key, secret = create_api_key(organisation=employer, name="ATS", actor=Actor.for_user(owner, ActorKind.EMPLOYER))
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def pending(employer):
    Organisation.objects.filter(pk=employer.pk).update(status=Organisation.Status.PENDING, approved_at=None)
    employer.refresh_from_db()
    return employer


@pytest.fixture
def operator_client(client):
    client.force_login(OperatorFactory(email="operator@careerrelay.example"))
    return client


def api_send(client, auth, template, applicants, **extra):
    body = {"template_id": template.pk, "applicant_ids": [a.pk for a in applicants], **extra}
    return client.post("/api/v1/sends", body, content_type="application/json", **auth)


def header(message, name):
    return str(make_header(decode_header(message[name])))


# --- Pending approval ---------------------------------------------------------------------------


def test_a_pending_company_gets_403_from_the_api_and_nothing_is_queued(client, auth, pending, template, applicants):
    before = OutboundEmail.objects.count()
    response = api_send(client, auth, template, applicants)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "pending_approval"
    assert "awaiting approval" in response.json()["error"]["message"]
    assert OutboundEmail.objects.count() == before
    assert not Send.objects.exists()


def test_a_pending_company_cannot_send_from_the_web_but_can_preview(owner_client, pending, template, applicants):
    url = reverse("employer:send_create")
    page = owner_client.get(url)
    assert 'id="sending-refused"' in page.text
    assert 'id="pending-approval"' in page.text  # the workspace says what works now and what waits
    confirm = owner_client.post(url, form_data(template, applicants, "preview"))
    assert confirm.status_code == 200
    assert "審査中" in confirm.text
    refused = owner_client.post(url, form_data(template, applicants, "send"))
    assert refused.status_code == 200
    assert "承認されるまでメールは送信されません" in refused.text
    assert not Send.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_a_rejected_company_cannot_send_either(client, auth, employer, template, applicants):
    Organisation.objects.filter(pk=employer.pk).update(status=Organisation.Status.REJECTED)
    response = api_send(client, auth, template, applicants)
    assert response.status_code == 403
    assert not OutboundEmail.objects.exists()


def test_once_the_operator_approves_in_the_console_the_send_goes_out(
    client, operator_client, auth, pending, owner, template, applicants, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(
            reverse("admin:organisations_organisation_changelist"),
            {"action": "approve", "_selected_action": [pending.pk]},
        )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.approved_name) == ("approved", "株式会社山﨑製作所")
    assert AuditEvent.objects.filter(organisation=pending, detail__operation="approve_employer").count() == 1
    assert smtp_server.sink.wait_for(1)[0].rcpt_tos == [owner.email]  # the admin is told
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_send(client, auth, template, applicants[:2])
    assert response.status_code == 201
    assert len(smtp_server.sink.wait_for(3)) == 3
    assert Send.objects.get().state == Send.State.DONE


# --- Daily limit and the cap per send -------------------------------------------------------------


def test_over_the_daily_limit_a_send_is_held_and_resumes_the_next_day(
    client, auth, employer, template, applicants, settings, django_capture_on_commit_callbacks
):
    settings.MAIL_DAILY_LIMIT_START = 2
    with django_capture_on_commit_callbacks(execute=True):
        response = api_send(client, auth, template, applicants)
    assert response.status_code == 201
    send = Send.objects.get()
    assert OutboundEmail.objects.filter(send=send, state=State.SENT).count() == 2
    waiting = OutboundEmail.objects.get(send=send, state=State.QUEUED)  # held, never dropped
    body = client.get(f"/api/v1/sends/{send.pk}", **auth).json()
    tomorrow = trust.next_day_start(timezone.now())
    assert body["held_until"] is not None
    assert body["hold_message"].startswith("本日の送信上限 2 件に達したため、1 件を保留しています。")
    assert body["counts"]["queued"] == 1
    send.refresh_from_db()
    assert (send.held_until, send.next_batch_at) == (tomorrow, tomorrow)

    # Still today: another batch sends nothing.
    assert sends.run_send_batch(send.pk) == {}
    assert OutboundEmail.objects.get(pk=waiting.pk).state == State.QUEUED

    # The next day the allowance is back and the held message goes out by itself.
    assert sends.run_send_batch(send.pk, now=tomorrow + timedelta(minutes=1)) == {"sent": 1}
    send.refresh_from_db()
    assert (send.state, send.held_until) == (Send.State.DONE, None)


def test_the_daily_limit_doubles_with_a_clean_record_and_falls_back_with_bounces(employer, template, settings):
    settings.MAIL_DAILY_LIMIT_START = 10
    settings.MAIL_DAILY_LIMIT_CAP = 35
    settings.MAIL_DAILY_LIMIT_STEP_DAYS = 7
    settings.MAIL_DAILY_LIMIT_STEP_SENT = 5
    now = timezone.now()
    employer.approved_at = now - timedelta(days=15)
    assert trust.daily_limit(employer, now) == 10  # two weeks, but nothing delivered yet
    send = Send.objects.create(organisation=employer, template=template, template_name="t", scheduled_at=now)
    for i in range(12):
        OutboundEmail.objects.create(
            send=send, to_email=f"p{i}@example.jp", subject="s", body_text="b", message_id=f"<{i}@x>",
            state=State.SENT, sent_at=now, claimed_at=now,
        )  # fmt: skip
    assert trust.daily_limit(employer, now) == 35  # 10 → 20 → 40, capped
    employer.approved_at = now - timedelta(days=8)
    assert trust.daily_limit(employer, now) == 20
    OutboundEmail.objects.filter(to_email__in=["p0@example.jp", "p1@example.jp"]).update(state=State.BOUNCED)
    assert trust.daily_limit(employer, now) == 10  # 2 of 12 bounced: back to the start


def test_a_send_over_the_cap_per_send_is_refused_and_nothing_is_queued(
    client, auth, employer, template, applicants, settings
):
    settings.MAIL_MAX_RECIPIENTS_PER_SEND = 2
    response = api_send(client, auth, template, applicants)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "too_many_recipients"
    assert not OutboundEmail.objects.exists()


def test_the_web_form_refuses_a_send_over_the_cap(owner_client, template, applicants, settings):
    settings.MAIL_MAX_RECIPIENTS_PER_SEND = 2
    response = owner_client.post(reverse("employer:send_create"), form_data(template, applicants, "send"))
    assert response.status_code == 200
    assert "1回の送信の宛先は 2 件までです" in response.text
    assert not Send.objects.exists()


# --- Suspension -----------------------------------------------------------------------------------


def test_suspending_cancels_every_queued_message_and_scheduled_send(
    operator_client, auth, employer, owner, template, applicants, django_capture_on_commit_callbacks
):
    later = sends.create_send(
        organisation=employer, template=template, applicants=applicants, send_at=timezone.now() + timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        operator_client.post(
            reverse("admin:organisations_organisation_changelist"),
            {"action": "suspend", "_selected_action": [employer.pk]},
        )
    employer.refresh_from_db()
    later.refresh_from_db()
    assert employer.is_active is False
    assert later.state == Send.State.CANCELLED
    assert set(OutboundEmail.objects.filter(send=later).values_list("state", flat=True)) == {State.CANCELLED}
    assert AuditEvent.objects.filter(organisation=employer, detail__operation="suspend_organisation").exists()
    assert OutboundEmail.objects.filter(to_email=owner.email, template="notify_employer_suspended").exists()
    assert sends.run_send_batch(later.pk, now=timezone.now() + timedelta(days=2)) == {}


@pytest.mark.parametrize("change", [{"is_active": False}, {"status": Organisation.Status.PENDING}])
def test_the_worker_refuses_mail_queued_before_the_company_was_stopped(employer, template, applicants, change):
    send = sends.create_send(
        organisation=employer, template=template, applicants=applicants, send_at=timezone.now() + timedelta(hours=1)
    )
    Organisation.objects.filter(pk=employer.pk).update(**change)  # not through the service: the worker must see it
    result = sends.run_send_batch(send.pk, now=timezone.now() + timedelta(hours=2))
    assert result == {"cancelled": 3}
    assert not OutboundEmail.objects.filter(send=send, state__in=[State.SENT, State.SENDING, State.QUEUED]).exists()


# --- From and Reply-To ------------------------------------------------------------------------------


def test_from_is_the_approved_name_at_our_address_and_reply_to_the_verified_address(
    employer, owner, template, applicants, settings, smtp_server, django_capture_on_commit_callbacks
):
    settings.DEFAULT_FROM_EMAIL = "キャリアリレー <no-reply@careerrelay.example>"
    # The name in the workspace changed after approval: the mail still carries the approved one.
    Organisation.objects.filter(pk=employer.pk).update(name="Google Japan", reply_to_email=owner.email)
    employer.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        sends.create_send(organisation=employer, template=template, applicants=applicants[:1])
    message = smtp_server.sink.wait_for(1)[0].message
    name, address = parseaddr(header(message, "From"))
    assert (name, address) == ("株式会社山﨑製作所", "no-reply@careerrelay.example")
    assert message["Reply-To"] == "owner@yamasaki.example"


def test_reply_to_can_only_become_another_verified_member_address(employer, owner):
    colleague = MembershipFactory(organisation=employer, user=UserFactory(email="saiyo@yamasaki.example")).user
    set_reply_to(organisation=employer, email="SAIYO@yamasaki.example")
    assert employer.reply_to_email == colleague.email
    with pytest.raises(ValueError):
        set_reply_to(organisation=employer, email="attacker@evil.example")
    colleague.emailaddress_set.update(verified=False)
    with pytest.raises(ValueError):
        set_reply_to(organisation=employer, email=colleague.email)


def test_approval_sets_reply_to_to_the_admins_verified_address_and_verifies_the_work_domain(pending, owner):
    from careerrelay.organisations.services import approve_employer

    Organisation.objects.filter(pk=pending.pk).update(work_domain="yamasaki.example")
    assert approve_employer(organisation=pending, approved_name="株式会社 山﨑製作所", actor=Actor.system())
    pending.refresh_from_db()
    assert pending.reply_to_email == owner.email
    assert pending.approved_name == "株式会社 山﨑製作所"
    assert list(pending.link_domains.values_list("domain", flat=True)) == ["yamasaki.example"]
    assert not approve_employer(organisation=pending, actor=Actor.system())  # once


def test_an_admin_sets_reply_to_only_to_a_verified_member_address(owner_client, employer, owner):
    MembershipFactory(organisation=employer, user=UserFactory(email="saiyo@yamasaki.example"), role="recruiter")
    page = owner_client.get(reverse("employer:team"))
    assert '<option value="saiyo@yamasaki.example"' in page.text
    owner_client.post(reverse("employer:reply_to"), {"email": "saiyo@yamasaki.example"})
    employer.refresh_from_db()
    assert employer.reply_to_email == "saiyo@yamasaki.example"
    response = owner_client.post(reverse("employer:reply_to"), {"email": "replies@evil.example"}, follow=True)
    assert "メンバーの確認済みメールアドレスだけです" in response.text
    employer.refresh_from_db()
    assert employer.reply_to_email == "saiyo@yamasaki.example"


def test_reply_to_goes_back_to_the_first_admin_when_its_member_leaves(owner_client, employer, owner):
    saiyo = MembershipFactory(organisation=employer, user=UserFactory(email="saiyo@yamasaki.example"), role="admin")
    set_reply_to(organisation=employer, email="saiyo@yamasaki.example")
    owner_client.post(reverse("employer:member_remove", args=[saiyo.pk]))
    employer.refresh_from_db()
    assert employer.reply_to_email == owner.email


def test_the_api_tells_a_company_its_status_and_limits(client, auth, pending, settings):
    settings.MAIL_DAILY_LIMIT_START = 200
    sending = client.get("/api/v1/me", **auth).json()["sending"]
    assert sending == {
        "status": "pending",
        "sender_name": "株式会社山﨑製作所",
        "reply_to": "",
        "daily_limit": 200,
        "used_today": 0,
        "max_recipients_per_send": settings.MAIL_MAX_RECIPIENTS_PER_SEND,
    }


def test_a_batch_already_handed_to_the_worker_sends_nothing_for_a_stopped_company(
    employer, template, applicants, smtp_server
):
    from careerrelay.outbox.services import deliver_batch

    send = sends.create_send(
        organisation=employer, template=template, applicants=applicants, send_at=timezone.now() + timedelta(hours=1)
    )
    ids = list(OutboundEmail.objects.filter(send=send).values_list("pk", flat=True))
    Organisation.objects.filter(pk=employer.pk).update(is_active=False)  # after the batch chose its messages
    assert deliver_batch(ids, refuse=trust.delivery_gate()) == {"cancelled": 3}
    assert smtp_server.sink.messages == []
    assert set(OutboundEmail.objects.filter(send=send).values_list("state", flat=True)) == {State.CANCELLED}


def test_the_workers_sender_check_sees_a_suspension_once_its_answer_is_stale(employer, django_assert_num_queries):
    fresh = trust.SenderCheck(fresh_for=3600)
    assert fresh.may_send([employer.pk]) == {employer.pk}
    Organisation.objects.filter(pk=employer.pk).update(is_active=False)
    with django_assert_num_queries(0):
        assert fresh.may_send([employer.pk]) == {employer.pk}  # within a batch: asked once
    stale = trust.SenderCheck(fresh_for=0)
    assert stale.may_send([employer.pk]) == set()  # every new answer comes from the database
