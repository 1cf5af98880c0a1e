"""Consents page, withdrawal, re-granting and the re-consent after a notice change."""

import pytest
from django.core import mail

from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import Actor, ActorKind
from careerrelay.candidates.models import Consent
from careerrelay.privacy import services as privacy
from careerrelay.privacy.models import ProvisionRecord, StopUseNotice
from tests.factories import EmployerFactory, MembershipFactory, UserFactory
from tests.helpers.privacy import AGENCY_SHARING, RECONTACT, make_candidate

pytestmark = pytest.mark.django_db


def test_consents_page_lists_each_purpose_with_its_notice_version_and_time(candidate_client, candidate, settings):
    response = candidate_client.get("/me/consents/")
    assert response.status_code == 200
    assert "提携人材紹介会社への提供" in response.text
    assert "応募先企業からの再連絡" in response.text
    assert settings.PRIVACY_NOTICE_VERSION in response.text
    assert "同意しています" in response.text
    assert "/me/consents/agency_sharing/withdraw/" in response.text
    grant = candidate.consents.get(purpose=AGENCY_SHARING)
    assert f"{grant.created_at:%Y}年" in response.text


def test_withdraw_asks_for_confirmation_first(candidate_client, candidate):
    response = candidate_client.get("/me/consents/agency_sharing/withdraw/")
    assert response.status_code == 200
    assert "撤回する" in response.text
    assert privacy.active_grant(candidate, AGENCY_SHARING) is not None


def test_withdrawing_agency_sharing_hides_the_profile_from_every_agency_and_notifies_recipients(
    candidate_client, candidate, agency, agency_user, django_capture_on_commit_callbacks
):
    second_agency = EmployerFactory(name="株式会社つぎ人材", kind="agency")
    MembershipFactory(organisation=second_agency, user=UserFactory(email="boss@tsugi.example"))
    untouched_agency = EmployerFactory(name="株式会社関係なし", kind="agency")
    for recipient in (agency, second_agency):
        privacy.record_provision(
            candidate=candidate,
            recipient_organisation=recipient,
            items=["profile"],
            channel="page",
            actor=Actor(ActorKind.AGENCY),
        )
    assert list(privacy.agency_visible_candidates()) == [candidate]
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = candidate_client.post("/me/consents/agency_sharing/withdraw/")

    assert response.status_code == 302
    assert list(privacy.agency_visible_candidates()) == []
    assert sorted(StopUseNotice.objects.values_list("agency__name", flat=True)) == [
        "株式会社つぎ人材",
        "株式会社みらい人材",
    ]
    assert not StopUseNotice.objects.filter(agency=untouched_agency).exists()
    assert StopUseNotice.objects.filter(subject_key=candidate.public_id).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["boss@tsugi.example", "recruiter@mirai.example"]
    assert str(candidate.public_id) in mail.outbox[0].body
    assert "鈴木" not in mail.outbox[0].body  # the notice names nobody
    # The account stays, and the history keeps both the grant and the withdrawal.
    candidate.refresh_from_db()
    assert list(candidate.consents.filter(purpose=AGENCY_SHARING).values_list("action", flat=True)) == [
        "grant",
        "withdraw",
    ]
    assert AuditEvent.objects.filter(action="consent_withdraw", subject_key=candidate.public_id).count() == 1
    with pytest.raises(privacy.ProvisionRefused):
        privacy.record_provision(
            candidate=candidate,
            recipient_organisation=agency,
            items=["profile"],
            channel="page",
            actor=Actor(ActorKind.AGENCY),
        )


def test_the_withdrawal_message_mentions_stop_notices_only_when_someone_had_the_profile(
    candidate_client, candidate, agency
):
    response = candidate_client.post("/me/consents/agency_sharing/withdraw/", follow=True)
    assert "あなたの情報を受け取った会社はないため、停止の通知は送っていません。" in response.text
    assert "利用の停止を求める通知を送りました" not in response.text

    candidate_client.post(f"/me/consents/{AGENCY_SHARING}/grant/")
    privacy.record_provision(
        candidate=candidate,
        recipient_organisation=agency,
        items=["profile"],
        channel="page",
        actor=Actor(ActorKind.AGENCY),
    )
    response = candidate_client.post("/me/consents/agency_sharing/withdraw/", follow=True)
    assert "すでに情報を受け取った会社には、利用の停止を求める通知を送りました。" in response.text
    assert "停止の通知は送っていません" not in response.text


def test_withdrawing_a_consent_never_given_changes_nothing(candidate_client, candidate):
    response = candidate_client.post("/me/consents/employer_recontact/withdraw/")
    assert response.status_code == 302
    assert not candidate.consents.filter(purpose=RECONTACT).exists()


def test_unknown_purpose_is_not_found(candidate_client):
    assert candidate_client.get("/me/consents/religion/withdraw/").status_code == 404
    assert candidate_client.post("/me/consents/religion/grant/").status_code == 404


def test_consent_can_be_granted_again_and_history_is_shown(candidate_client, candidate):
    candidate_client.post("/me/consents/agency_sharing/withdraw/")
    assert list(privacy.agency_visible_candidates()) == []
    response = candidate_client.post("/me/consents/agency_sharing/grant/")
    assert response.status_code == 302
    assert list(privacy.agency_visible_candidates()) == [candidate]
    page = candidate_client.get("/me/consents/").text
    assert page.count("<td>撤回</td>") == 1
    assert page.count("<td>同意</td>") == 2


def test_grant_needs_post(candidate_client, candidate):
    assert candidate_client.get("/me/consents/employer_recontact/grant/").status_code == 405


def test_consent_records_cannot_be_changed():
    candidate = make_candidate()
    consent = candidate.consents.get()
    consent.action = Consent.Action.WITHDRAW
    with pytest.raises(ValueError, match="append-only"):
        consent.save()


def test_visible_candidates_are_verified_with_a_current_agency_sharing_grant(candidate):
    pending = make_candidate(status="pending")
    no_consent = make_candidate(consents=())
    only_recontact = make_candidate(consents=(RECONTACT,))
    assert pending.status == "pending"
    assert no_consent and only_recontact
    assert list(privacy.agency_visible_candidates()) == [candidate]


# --- A material change of the privacy notice --------------------------------------------------


@pytest.fixture
def notice_changed(settings, candidate):
    settings.PRIVACY_NOTICE_VERSION = "2027-04-01"
    return candidate


def test_after_a_notice_change_nothing_is_shared_until_the_candidate_consents_again(notice_changed, agency):
    candidate = notice_changed
    assert privacy.needs_reconsent(candidate)
    assert list(privacy.agency_visible_candidates()) == []
    with pytest.raises(privacy.ProvisionRefused):
        privacy.record_provision(
            candidate=candidate,
            recipient_organisation=agency,
            items=["profile"],
            channel="page",
            actor=Actor(ActorKind.AGENCY),
        )
    assert ProvisionRecord.objects.count() == 0


def test_reconsent_page_records_a_grant_under_the_new_notice(notice_changed, candidate_client, agency):
    candidate = notice_changed
    page = candidate_client.get("/me/consents/renew/?next=/me/")
    assert page.status_code == 200
    assert "2027-04-01" in page.text
    assert 'type="checkbox"' in page.text and "checked" not in page.text
    response = candidate_client.post("/me/consents/renew/", {"agency_sharing": "on", "next": "/me/"})
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    assert not privacy.needs_reconsent(candidate)
    latest = privacy.active_grant(candidate, AGENCY_SHARING)
    assert latest.notice_version == "2027-04-01"
    assert list(privacy.agency_visible_candidates()) == [candidate]
    record = privacy.record_provision(
        candidate=candidate,
        recipient_organisation=agency,
        items=["profile"],
        channel="page",
        actor=Actor(ActorKind.AGENCY),
    )
    assert record.consent_notice_version == "2027-04-01"


def test_declining_the_new_notice_withdraws_and_stops_asking(notice_changed, candidate_client):
    candidate = notice_changed
    response = candidate_client.post("/me/consents/renew/", {"next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/me/"  # never an outside address
    assert not privacy.needs_reconsent(candidate)
    assert privacy.active_grant(candidate, AGENCY_SHARING) is None
    assert list(privacy.agency_visible_candidates()) == []


def test_reconsent_page_without_anything_to_renew_goes_on(candidate_client):
    response = candidate_client.get("/me/consents/renew/")
    assert response.status_code == 302
    assert response["Location"] == "/me/"


def test_the_next_page_after_sign_in_asks_for_the_new_consent_first(notice_changed, candidate_client):
    response = candidate_client.get("/me/")
    assert response.status_code == 302
    assert response["Location"] == "/me/consents/renew/?next=%2Fme%2F"
    # Withdrawing, downloading and leaving never depend on agreeing first.
    for url in ("/me/consents/", "/me/provisions/", "/me/data/", "/me/delete/"):
        assert candidate_client.get(url).status_code == 200, url
    candidate_client.post("/me/consents/renew/", {"agency_sharing": "on", "next": "/me/"})
    assert candidate_client.get("/me/").status_code == 200


def test_an_agency_acknowledges_a_stop_use_notice_once(candidate, agency, agency_user):
    privacy.record_provision(
        candidate=candidate,
        recipient_organisation=agency,
        items=["profile"],
        channel="page",
        actor=Actor(ActorKind.AGENCY),
    )
    privacy.withdraw_consent(candidate=candidate, purpose=AGENCY_SHARING, actor=Actor.for_candidate(candidate))
    notice = privacy.open_stop_use_notices(agency).get()
    assert (
        privacy.acknowledge_stop_use_notice(notice=notice, actor=Actor.for_user(agency_user, ActorKind.AGENCY)) is True
    )
    assert (
        privacy.acknowledge_stop_use_notice(notice=notice, actor=Actor.for_user(agency_user, ActorKind.AGENCY)) is False
    )
    assert privacy.open_stop_use_notices(agency).count() == 0
    event = AuditEvent.objects.get(object_type="stop_use_notice")
    assert (event.actor_user, event.subject_key) == (agency_user, candidate.public_id)
