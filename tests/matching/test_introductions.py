from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import Actor, ActorKind
from careerrelay.candidates.models import Consent
from careerrelay.matching import services as matching
from careerrelay.matching.models import Introduction, IntroductionEvent
from careerrelay.outbox.models import OutboundEmail
from careerrelay.privacy import services as privacy
from careerrelay.privacy.models import ProvisionRecord
from tests.helpers.candidates import sign_in_candidate

pytestmark = pytest.mark.django_db

Stage = Introduction.Stage


def test_an_agency_introduction_emails_the_candidate_a_link_to_their_page(introduce, candidate):
    introduction = introduce(candidate, message="営業経験を活かせる求人です。")
    mail = OutboundEmail.objects.get(to_email=candidate.email, template="matching_introduction")
    assert "株式会社クライアント" in mail.body_text
    assert "営業マネージャー" in mail.body_text
    assert f"http://testserver/me/introductions/{introduction.public_id}/" in mail.body_text
    assert "http://testserver/me/signin/" in mail.body_text
    assert [e.stage for e in introduction.events.all()] == [Stage.PROPOSED]


def test_nothing_is_provided_to_anyone_before_the_candidate_accepts(introduce, candidate, agency):
    introduce(candidate)
    assert ProvisionRecord.objects.filter(channel=ProvisionRecord.Channel.INTRODUCTION).count() == 0


def test_the_candidate_sees_the_company_and_role_and_accepts_after_a_confirmation(client, introduce, candidate, agency):
    introduction = introduce(candidate)
    sign_in_candidate(client, candidate)
    page = client.get(reverse("candidate:introductions"))
    assert "株式会社クライアント" in page.text and "営業マネージャー" in page.text
    confirm = client.get(reverse("candidate:introduction_accept", args=[introduction.public_id]))
    assert "承諾して情報を提供する" in confirm.text
    assert Introduction.objects.get().stage == Stage.PROPOSED  # a GET changes nothing

    response = client.post(reverse("candidate:introduction_accept", args=[introduction.public_id]))
    assert response.status_code == 302
    introduction.refresh_from_db()
    assert introduction.stage == Stage.ACCEPTED
    # The client company is not on the platform: the agency receives the profile, and the
    # introduction names the company it goes to.
    record = ProvisionRecord.objects.get(channel=ProvisionRecord.Channel.INTRODUCTION)
    assert introduction.provision_record == record
    assert record.recipient_organisation == agency
    assert record.subject_key == candidate.public_id
    assert sorted(record.items) == ["contact", "profile", "work_history"]
    assert [e.stage for e in introduction.events.all()] == [Stage.PROPOSED, Stage.ACCEPTED]
    assert introduction.events.last().party == Introduction.Party.CANDIDATE


def test_accepting_an_introduction_to_a_platform_company_provides_to_that_company(
    claimed, agency, agency_owner, candidate, employer
):
    introduction = matching.propose_introduction(
        agency=agency,
        actor=Actor.for_user(agency_owner, ActorKind.AGENCY),
        candidate_public_id=candidate.public_id,
        free_referral=claimed,
    )
    assert matching.respond_to_introduction(
        candidate=candidate, introduction=introduction, accept=True, actor=Actor.for_candidate(candidate)
    )
    record = ProvisionRecord.objects.get(channel=ProvisionRecord.Channel.INTRODUCTION)
    assert record.recipient_organisation == employer
    assert (
        AuditEvent.objects.filter(action="provide", organisation=employer, subject_key=candidate.public_id).count() == 1
    )


def test_declining_provides_nothing_and_cannot_be_answered_twice(client, introduce, candidate):
    introduction = introduce(candidate)
    sign_in_candidate(client, candidate)
    client.post(reverse("candidate:introduction_decline", args=[introduction.public_id]))
    client.post(reverse("candidate:introduction_accept", args=[introduction.public_id]))
    introduction.refresh_from_db()
    assert introduction.stage == Stage.DECLINED
    assert ProvisionRecord.objects.count() == 0
    assert [e.stage for e in introduction.events.all()] == [Stage.PROPOSED, Stage.DECLINED]


def test_acceptance_is_refused_when_the_candidate_withdrew_consent_meanwhile(client, introduce, candidate):
    introduction = introduce(candidate)
    privacy.withdraw_consent(
        candidate=candidate, purpose=Consent.Purpose.AGENCY_SHARING, actor=Actor.for_candidate(candidate)
    )
    sign_in_candidate(client, candidate)
    client.post(reverse("candidate:introduction_accept", args=[introduction.public_id]))
    introduction.refresh_from_db()
    assert introduction.stage == Stage.PROPOSED
    assert ProvisionRecord.objects.count() == 0


def test_an_agency_can_only_introduce_candidates_it_may_see(introduce, candidate, pending_agency, other_agency):
    privacy.withdraw_consent(
        candidate=candidate, purpose=Consent.Purpose.AGENCY_SHARING, actor=Actor.for_candidate(candidate)
    )
    with pytest.raises(matching.MatchingError) as refused:
        introduce(candidate)
    assert refused.value.code == "candidate_not_visible"
    assert Introduction.objects.count() == 0


def test_the_same_person_is_not_introduced_twice_for_one_job_order(introduce, candidate, agency, agency_owner):
    from careerrelay.agencies.services import create_job_order

    job = create_job_order(
        organisation=agency, created_by=agency_owner, data={"client_company": "株式会社さくら", "title": "経理"}
    )
    introduction = introduce(candidate, job_order=job)
    assert (introduction.company_name, introduction.role) == ("株式会社さくら", "経理")
    with pytest.raises(matching.MatchingError) as refused:
        introduce(candidate, job_order=job)
    assert refused.value.code == "already_introduced"


def test_stages_after_acceptance_record_who_and_when(introduce, candidate, agency, agency_owner):
    introduction = introduce(candidate)
    matching.respond_to_introduction(
        candidate=candidate, introduction=introduction, accept=True, actor=Actor.for_candidate(candidate)
    )
    from django.utils import timezone

    when = timezone.now() + timezone.timedelta(days=3)
    for stage, kwargs in [
        (Stage.INTERVIEW_SCHEDULED, {"interview_at": when, "note": "先方は木曜午後を希望"}),
        (Stage.INTERVIEWED, {}),
        (Stage.OFFER, {}),
        (Stage.HIRED, {}),
    ]:
        assert matching.change_stage(
            introduction=introduction,
            stage=stage,
            agency=agency,
            actor=Actor.for_user(agency_owner, ActorKind.AGENCY),
            **kwargs,
        )
    introduction.refresh_from_db()
    assert introduction.stage == Stage.HIRED
    events = list(introduction.events.all())
    assert [e.stage for e in events] == [
        Stage.PROPOSED,
        Stage.ACCEPTED,
        Stage.INTERVIEW_SCHEDULED,
        Stage.INTERVIEWED,
        Stage.OFFER,
        Stage.HIRED,
    ]
    assert events[2].actor_user == agency_owner and events[2].interview_at == when
    # Once hired, nothing moves it back.
    assert not matching.change_stage(
        introduction=introduction,
        stage=Stage.WITHDRAWN,
        agency=agency,
        actor=Actor.for_user(agency_owner, ActorKind.AGENCY),
    )


def test_a_stage_cannot_be_skipped_or_set_before_acceptance(introduce, candidate, agency, agency_owner):
    introduction = introduce(candidate)
    assert not matching.change_stage(
        introduction=introduction,
        stage=Stage.INTERVIEWED,
        agency=agency,
        actor=Actor.for_user(agency_owner, ActorKind.AGENCY),
    )
    matching.respond_to_introduction(
        candidate=candidate, introduction=introduction, accept=True, actor=Actor.for_candidate(candidate)
    )
    assert not matching.change_stage(
        introduction=introduction,
        stage=Stage.HIRED,
        agency=agency,
        actor=Actor.for_user(agency_owner, ActorKind.AGENCY),
    )
    assert IntroductionEvent.objects.filter(introduction=introduction).count() == 2


def test_the_candidate_may_withdraw_after_accepting(client, introduce, candidate):
    introduction = introduce(candidate)
    matching.respond_to_introduction(
        candidate=candidate, introduction=introduction, accept=True, actor=Actor.for_candidate(candidate)
    )
    sign_in_candidate(client, candidate)
    assert (
        "選考を辞退する" in client.get(reverse("candidate:introduction_withdraw", args=[introduction.public_id])).text
    )
    client.post(reverse("candidate:introduction_withdraw", args=[introduction.public_id]))
    introduction.refresh_from_db()
    assert (introduction.stage, introduction.withdrawn_by) == (Stage.WITHDRAWN, Introduction.Party.CANDIDATE)


def test_each_party_sees_the_history_as_far_as_it_may(
    client, introduce, candidate, agency, agency_owner, employer, owner, claimed
):
    introduction = matching.propose_introduction(
        agency=agency,
        actor=Actor.for_user(agency_owner, ActorKind.AGENCY),
        candidate_public_id=candidate.public_id,
        free_referral=claimed,
    )
    matching.respond_to_introduction(
        candidate=candidate, introduction=introduction, accept=True, actor=Actor.for_candidate(candidate)
    )
    matching.confirm_interview(
        proposal=introduction.proposal, organisation=employer, actor=Actor.for_user(owner, ActorKind.EMPLOYER)
    )
    matching.change_stage(
        introduction=introduction,
        stage=Stage.INTERVIEWED,
        agency=agency,
        actor=Actor.for_user(agency_owner, ActorKind.AGENCY),
        note="社内メモ:年収交渉に注意",
    )

    client.force_login(agency_owner)
    assert "年収交渉に注意" in client.get(reverse("agency:introduction", args=[introduction.public_id])).text

    client.force_login(owner)
    page = client.get(reverse("employer:company_introduction", args=[introduction.public_id]))
    assert page.status_code == 200
    assert "面接済み" in page.text and "髙橋" in page.text
    assert "年収交渉に注意" not in page.text

    client.logout()
    sign_in_candidate(client, candidate)
    page = client.get(reverse("candidate:introduction", args=[introduction.public_id]))
    assert "面接済み" in page.text
    assert "年収交渉に注意" not in page.text


def test_the_company_sees_nothing_of_an_introduction_the_candidate_has_not_accepted(
    client, claimed, agency, agency_owner, candidate, owner
):
    introduction = matching.propose_introduction(
        agency=agency,
        actor=Actor.for_user(agency_owner, ActorKind.AGENCY),
        candidate_public_id=candidate.public_id,
        free_referral=claimed,
    )
    client.force_login(owner)
    assert client.get(reverse("employer:company_introduction", args=[introduction.public_id])).status_code == 404
    assert "髙橋" not in client.get(reverse("employer:company_introductions")).text
    assert "髙橋" not in client.get(reverse("employer:free_referral", args=[claimed.public_id])).text


def test_the_agency_introduces_from_the_candidate_page(client, agency_owner, candidate):
    client.force_login(agency_owner)
    profile = client.get(reverse("agency:candidate", args=[candidate.public_id]))
    url = reverse("agency:introduction_new", args=[candidate.public_id])
    assert url in profile.text
    empty = client.post(url, {"company_name": "", "role": ""})
    assert "紹介先の企業名を入力してください" in empty.text
    response = client.post(url, {"company_name": "株式会社クライアント", "role": "経理", "message": "ぜひ"})
    introduction = Introduction.objects.get()
    assert response.url == reverse("agency:introduction", args=[introduction.public_id])
    assert (introduction.company_name, introduction.role, introduction.created_by) == (
        "株式会社クライアント",
        "経理",
        agency_owner,
    )


def test_the_agency_records_a_stage_on_its_page(client, introduce, candidate, agency_owner):
    introduction = introduce(candidate)
    matching.respond_to_introduction(
        candidate=candidate, introduction=introduction, accept=True, actor=Actor.for_candidate(candidate)
    )
    client.force_login(agency_owner)
    url = reverse("agency:introduction_stage", args=[introduction.public_id])
    missing_date = client.post(url, {"stage": "interview_scheduled"})
    assert "面接日時を入力してください" in missing_date.text
    assert "面接の場所またはURLを入力してください" in missing_date.text
    past = client.post(
        url, {"stage": "interview_scheduled", "interview_at": "2020-04-01T10:00", "interview_place": "本社"}
    )
    assert "面接日時には、これからの日時を入力してください" in past.text
    day = timezone.localdate() + timedelta(days=30)
    client.post(
        url,
        {
            "stage": "interview_scheduled",
            "interview_at": f"{day:%Y-%m-%d}T10:00",
            "interview_place": "https://meet.example.jp/abc",
            "note": "二次面接",
        },
    )
    introduction.refresh_from_db()
    assert introduction.stage == Stage.INTERVIEW_SCHEDULED
    mail = (
        OutboundEmail.objects.filter(to_email=candidate.email, template="matching_stage_changed").order_by("pk").last()
    )
    assert "面接日程の確定" in mail.body_text
    assert f"面接日時: {day.year}年{day.month}月{day.day}日 10:00(日本時間)" in mail.body_text
    assert "面接の場所・URL: https://meet.example.jp/abc" in mail.body_text


def test_a_deleted_candidate_takes_their_introductions_along(introduce, candidate):
    from careerrelay.privacy.deletion import delete_candidate

    introduce(candidate)
    delete_candidate(candidate=candidate, actor=Actor.for_candidate(candidate))
    assert Introduction.objects.count() == 0
    assert IntroductionEvent.objects.count() == 0
