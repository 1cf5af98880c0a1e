"""Nobody waits unseen: every party hears of what concerns them, by email at the real SMTP server
and in the workspace's list, triggered through the pages people use."""

import uuid
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from careerrelay.accounts.models import User
from careerrelay.agencies.services import approve_agency
from careerrelay.audit.services import Actor, ActorKind
from careerrelay.credits.services import record_counted_referral
from careerrelay.matching import services as matching
from careerrelay.matching.models import FreeReferralRequest, Introduction
from careerrelay.notifications.models import Notification
from careerrelay.ops import periodic
from tests.factories import OperatorFactory
from tests.helpers.agencies import SIGNUP
from tests.helpers.candidates import sign_in_candidate
from tests.helpers.matching import REQUEST_DATA, make_candidate

pytestmark = pytest.mark.django_db

IN_A_WEEK = timezone.localtime() + timedelta(days=7)
INTERVIEW = {
    "interview_at": IN_A_WEEK.strftime("%Y-%m-%dT14:30"),
    "interview_place": "https://meet.example.jp/yamasaki",
}
INTERVIEW_LINE = f"面接日時: {IN_A_WEEK.year}年{IN_A_WEEK.month}月{IN_A_WEEK.day}日 14:30(日本時間)"


@pytest.fixture
def delivered(django_capture_on_commit_callbacks):
    """Run the block and deliver what it queued (the outbox delivers after commit)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def mails(smtp_server, address):
    return [m for m in smtp_server.messages if address in m.rcpt_tos]


def subjects(smtp_server, address):
    return [str(m.message["Subject"]).strip() for m in mails(smtp_server, address)]


def one_mail(smtp_server, address, subject_part):
    found = [m for m in mails(smtp_server, address) if subject_part in str(m.message["Subject"])]
    assert len(found) == 1, subjects(smtp_server, address)
    return found[0]


def user_client(user):
    client = Client()
    client.force_login(user)
    return client


# --- Operators and agencies -----------------------------------------------------------------------


def test_an_application_reaches_the_operators_and_the_approval_reaches_the_agency(client, smtp_server, delivered):
    operator = OperatorFactory(email="ops@careerrelay.example")
    with delivered():
        client.post(reverse("agency:signup"), SIGNUP)
    application = one_mail(smtp_server, operator.email, "人材紹介会社の登録申請があります")
    assert "株式会社 ひかり人材" in application.text() and "13-ユ-310001" in application.text()
    assert "/operator/agencies/agencyprofile/" in application.html()

    profile = User.objects.get(email="admin@hikari.example").memberships.get().organisation.agency_profile
    with delivered():
        user_client(operator).post(
            reverse("admin:agencies_agencyprofile_changelist"), {"action": "approve", "_selected_action": [profile.pk]}
        )
    approval = one_mail(smtp_server, "admin@hikari.example", "人材紹介会社の登録が承認されました")
    assert "株式会社 ひかり人材 ご担当者様" in approval.text()
    EmailAddress.objects.update(verified=True)
    page = user_client(User.objects.get(email="admin@hikari.example")).get(reverse("agency:notifications"))
    assert "貴社の登録が承認されました" in page.text


def test_a_new_request_reaches_every_approved_agency_and_no_pending_one(
    owner_client, credits, agency, agency_member, other_agency, pending_agency, smtp_server, delivered
):
    with delivered():
        owner_client.post(
            reverse("employer:free_referral_new"),
            {**REQUEST_DATA, "deadline": (timezone.localdate() + timedelta(days=20)).isoformat()},
        )
    for address in ("owner@mirai.example", "advisor@mirai.example", "owner@yoso-shokai.example"):
        mail = one_mail(smtp_server, address, "新しい無料紹介の依頼があります")
        assert "株式会社山﨑製作所 から無料紹介の依頼「バックエンドエンジニア」が届きました" in mail.text()
    assert mails(smtp_server, "owner@pending.example") == []
    page = user_client(agency_member).get(reverse("agency:notifications"))
    assert "新しい無料紹介の依頼: 株式会社山﨑製作所 / バックエンドエンジニア" in page.text


def test_the_advisor_and_the_candidate_hear_of_each_answer(
    introduce, candidate, other_candidate, agency_owner, smtp_server, delivered
):
    accepted, declined = introduce(candidate), introduce(other_candidate)
    with delivered():
        sign_in_candidate(Client(), candidate).post(reverse("candidate:introduction_accept", args=[accepted.public_id]))
        sign_in_candidate(Client(), other_candidate).post(
            reverse("candidate:introduction_decline", args=[declined.public_id])
        )
    answers = [m for m in mails(smtp_server, agency_owner.email) if "紹介に本人が回答しました" in m.message["Subject"]]
    assert sorted("本人が承諾" in m.text() for m in answers) == [False, True]
    assert any("現在の状況: 本人が辞退" in m.text() for m in answers)
    assert "現在の状況: 本人が承諾" in one_mail(smtp_server, candidate.email, "紹介の状況が更新されました").text()
    assert "現在の状況: 本人が辞退" in one_mail(smtp_server, other_candidate.email, "紹介の状況が更新されました").text()


def test_every_stage_the_agency_records_reaches_the_candidate_with_the_current_stage(
    introduce, candidate, agency_owner, smtp_server, delivered
):
    introduction = introduce(candidate)
    sign_in_candidate(Client(), candidate).post(reverse("candidate:introduction_accept", args=[introduction.public_id]))
    agency = user_client(agency_owner)
    url = reverse("agency:introduction_stage", args=[introduction.public_id])
    with delivered():
        agency.post(url, {"stage": "interview_scheduled", **INTERVIEW})
        for stage in ("interviewed", "offer", "hired"):
            agency.post(url, {"stage": stage})
    texts = [m.text() for m in mails(smtp_server, candidate.email)]
    assert [line for text in texts for line in text.splitlines() if line.startswith("現在の状況")] == [
        "現在の状況: 面接日程の確定",
        "現在の状況: 面接済み",
        "現在の状況: 内定",
        "現在の状況: 入社決定",
    ]
    assert INTERVIEW_LINE in texts[0] and "面接の場所・URL: https://meet.example.jp/yamasaki" in texts[0]


# --- Free referrals: the employer and the agency ---------------------------------------------------


def test_a_proposal_reaches_every_person_of_the_employer(
    claimed, candidate, agency_owner, owner, member, smtp_server, delivered
):
    user_client(agency_owner).post(
        reverse("agency:introduction_new", args=[candidate.public_id]),
        {"free_referral": claimed.pk, "message": "面接をお願いします"},
    )
    introduction = Introduction.objects.get()
    with delivered():
        sign_in_candidate(Client(), candidate).post(
            reverse("candidate:introduction_accept", args=[introduction.public_id])
        )
    for person in (owner, member):
        mail = one_mail(smtp_server, person.email, "無料紹介の候補者が提案されました")
        assert "バックエンドエンジニア" in mail.text()
    assert "候補者が提案されました" in user_client(member).get(reverse("employer:notifications")).text


def test_confirming_asks_for_the_time_and_place_and_all_three_parties_see_them(
    owner_client, proposal, candidate, agency_owner, smtp_server, delivered
):
    url = reverse("employer:free_referral_confirm", args=[proposal.pk])
    assert 'type="datetime-local"' in owner_client.get(url).text
    past = owner_client.post(url, {"interview_at": "2020-01-06T10:00", "interview_place": "本社"})
    assert "面接日時には、これからの日時を入力してください" in past.text
    assert 'value="本社"' in past.text
    missing = owner_client.post(url, {"interview_at": INTERVIEW["interview_at"]})
    assert "面接の場所またはURLを入力してください" in missing.text
    proposal.refresh_from_db()
    assert proposal.state == "pending"

    with delivered():
        owner_client.post(url, INTERVIEW)
    # The candidate's email describes the stage after the change, not the acceptance before it.
    to_candidate = one_mail(smtp_server, candidate.email, "紹介の状況が更新されました").text()
    assert "現在の状況: 面接日程の確定" in to_candidate and "本人が承諾" not in to_candidate
    assert INTERVIEW_LINE in to_candidate and "https://meet.example.jp/yamasaki" in to_candidate
    to_agency = one_mail(smtp_server, agency_owner.email, "無料紹介の提案に企業が回答しました").text()
    assert "回答: 面接確定" in to_agency and INTERVIEW_LINE in to_agency

    introduction = proposal.introduction
    when = f"{IN_A_WEEK:%Y-%m-%d} 14:30"
    pages = [
        owner_client.get(reverse("employer:company_introduction", args=[introduction.public_id])),
        user_client(agency_owner).get(reverse("agency:introduction", args=[introduction.public_id])),
        sign_in_candidate(Client(), candidate).get(reverse("candidate:introduction", args=[introduction.public_id])),
    ]
    for page in pages:
        assert when in page.text and "https://meet.example.jp/yamasaki" in page.text


def test_a_declined_proposal_reaches_the_agency_with_the_reason_and_the_candidate_with_the_stage(
    owner_client, proposal, candidate, agency_owner, smtp_server, delivered
):
    with delivered():
        owner_client.post(
            reverse("employer:free_referral_decline", args=[proposal.pk]),
            {"category": "conditions", "reason": "勤務地の条件が合いません"},
        )
    to_agency = one_mail(smtp_server, agency_owner.email, "無料紹介の提案に企業が回答しました").text()
    assert "回答: 見送り" in to_agency and "見送りの理由: 勤務地の条件が合いません" in to_agency
    assert "現在の状況: 不採用" in one_mail(smtp_server, candidate.email, "紹介の状況が更新されました").text()


def test_a_credit_earned_reaches_the_employer(employer, owner, member, settings, smtp_server, delivered):
    settings.REFERRALS_PER_CREDIT = 2
    campaign = employer.campaigns.get()
    with delivered(), transaction.atomic():
        for _ in range(3):
            record_counted_referral(organisation=employer, campaign=campaign, subject_key=uuid.uuid4())
    for person in (owner, member):
        mail = one_mail(smtp_server, person.email, "無料紹介枠が付与されました")
        assert "利用できる無料紹介枠: 1" in mail.text()


def test_claims_and_requests_about_to_lapse_are_reminded_two_days_before_exactly_once(
    claimed, agency_owner, owner, smtp_server, delivered
):
    with delivered():
        periodic.run_once()  # a week left on the claim, a month on the request: nothing yet
    assert mails(smtp_server, agency_owner.email) == [] and mails(smtp_server, owner.email) == []

    lapses = timezone.now() + timedelta(days=1, hours=20)
    FreeReferralRequest.objects.filter(pk=claimed.pk).update(
        claim_expires_at=lapses, deadline=timezone.localdate() + timedelta(days=2)
    )
    with delivered():
        periodic.run_once()
        periodic.run_once()  # the next pass of the loop, or another worker
    claim = one_mail(smtp_server, agency_owner.email, "担当中の無料紹介の依頼がまもなく期限を迎えます")
    assert timezone.localtime(lapses).strftime("%Y-%m-%d %H:%M") in claim.text()
    request = one_mail(smtp_server, owner.email, "無料紹介の依頼がまもなく期限を迎えます")
    assert (timezone.localdate() + timedelta(days=2)).isoformat() in request.text()

    # The agency renews its claim: the new end is a new claim, reminded once again.
    FreeReferralRequest.objects.filter(pk=claimed.pk).update(claim_expires_at=lapses + timedelta(hours=2))
    with delivered():
        periodic.run_once()
    assert (
        subjects(smtp_server, agency_owner.email).count(
            "【キャリアリレー】担当中の無料紹介の依頼がまもなく期限を迎えます"
        )
        == 2
    )
    assert len(mails(smtp_server, owner.email)) == 1


def test_an_expired_request_reaches_the_employer(free_referral, owner, smtp_server, delivered):
    FreeReferralRequest.objects.filter(pk=free_referral.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    with delivered():
        periodic.run_once()
    mail = one_mail(smtp_server, owner.email, "無料紹介の依頼が期限を迎え、枠が戻りました")
    assert "バックエンドエンジニア" in mail.text()
    assert "/employer/notifications/" in mail.text()  # where to switch it off


def test_a_candidate_who_withdraws_is_told_the_stage_and_the_advisor_hears_of_it(
    introduce, candidate, agency_owner, smtp_server, delivered
):
    introduction = introduce(candidate)
    phone = sign_in_candidate(Client(), candidate)
    phone.post(reverse("candidate:introduction_accept", args=[introduction.public_id]))
    with delivered():
        phone.post(reverse("candidate:introduction_withdraw", args=[introduction.public_id]))
    assert "現在の状況: 選考の取り下げ" in one_mail(smtp_server, candidate.email, "紹介の状況が更新されました").text()
    to_agency = one_mail(smtp_server, agency_owner.email, "紹介に本人が回答しました").text()
    assert "現在の状況: 選考の取り下げ" in to_agency


# --- Switches and language ---------------------------------------------------------------------------


def test_a_kind_switched_off_sends_no_email_but_stays_in_the_list(
    owner_client, owner, member, proposal, smtp_server, delivered
):
    page = owner_client.get(reverse("employer:notifications"))
    assert 'name="proposal_waiting"' in page.text and "checked" in page.text
    switches = {"credit_granted": "on", "request_expiring": "on", "request_expired": "on", "language": "ja"}
    response = owner_client.post(reverse("employer:notifications"), switches)
    assert response.status_code == 302

    # A second proposal to the same request, once the first is declined.
    owner_client.post(
        reverse("employer:free_referral_decline", args=[proposal.pk]), {"category": "skills", "reason": "経験が不足"}
    )
    second = make_candidate(family_name="佐藤", given_name="三郎", email="saburo@example.jp")
    introduction = matching.propose_introduction(
        agency=proposal.agency,
        actor=Actor.for_user(proposal.agency.memberships.get().user, ActorKind.AGENCY),
        candidate_public_id=second.public_id,
        free_referral=proposal.request,
    )
    with delivered():
        sign_in_candidate(Client(), second).post(
            reverse("candidate:introduction_accept", args=[introduction.public_id])
        )
    assert not [s for s in subjects(smtp_server, owner.email) if "候補者が提案されました" in s]
    one_mail(smtp_server, member.email, "無料紹介の候補者が提案されました")  # only the owner switched it off
    assert Notification.objects.filter(user=owner, kind="proposal_waiting").count() == 2
    listing = owner_client.get(reverse("employer:notifications")).text
    assert listing.count("候補者が提案されました。面接を確定するか見送るかをお選びください。") == 2


def test_a_person_who_chose_english_receives_english_email(agency_owner, owner_client, credits, smtp_server, delivered):
    client = user_client(agency_owner)
    kinds = ["agency_approved", "free_referral_requested", "introduction_answered", "proposal_decided", "claim_lapsing"]
    client.post(reverse("agency:notifications"), {**dict.fromkeys(kinds, "on"), "language": "en"})
    agency_owner.refresh_from_db()
    assert agency_owner.language == "en"
    with delivered():
        owner_client.post(
            reverse("employer:free_referral_new"),
            {**REQUEST_DATA, "deadline": (timezone.localdate() + timedelta(days=20)).isoformat()},
        )
    (mail,) = mails(smtp_server, agency_owner.email)
    assert str(mail.message["Subject"]).strip() == "[CareerRelay] A new free-referral request"
    assert "バックエンドエンジニア" in mail.text() and "ご担当者様" not in mail.text()


# --- The agency home page ----------------------------------------------------------------------------


def test_the_agency_home_page_shows_a_provision_made_by_an_accepted_introduction(introduce, candidate, agency_owner):
    introduction = introduce(candidate)
    sign_in_candidate(Client(), candidate).post(reverse("candidate:introduction_accept", args=[introduction.public_id]))
    response = user_client(agency_owner).get(reverse("agency:home"))
    assert response.status_code == 200
    assert "<td>紹介</td>" in response.text


def test_an_agency_that_signed_up_in_english_is_told_of_its_approval_in_english(client, smtp_server, delivered):
    client.cookies["django_language"] = "en"
    client.post(reverse("agency:signup"), SIGNUP)
    admin = User.objects.get(email="admin@hikari.example")
    assert admin.language == "en"
    with delivered():
        approve_agency(organisation=admin.memberships.get().organisation, actor=Actor.system())
    assert subjects(smtp_server, admin.email)[-1] == "[CareerRelay] Your agency has been approved"
