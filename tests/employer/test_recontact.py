"""The 「再応募歓迎」 list: the re-contact consent given on a company's relay page, honoured.

The journey the way its people start it: a rejected applicant opens the company's relay link,
registers with the re-contact box ticked and confirms by the emailed link; the company sees them,
opens them (provision record + audit), puts them in its talent pool; the person withdraws on the
my page; the list drops them, the pool row stops being mailed, the company is told to stop.
Then the attackers: other people's ids, another company, agency and candidate sessions."""

import re
import uuid

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import Actor
from careerrelay.candidates.models import Candidate, Consent
from careerrelay.candidates.notices import EMPLOYER_RECONTACT
from careerrelay.privacy import services as privacy
from careerrelay.privacy.models import ProvisionRecord, StopUseNotice
from careerrelay.privacy.recontact import reference_for
from careerrelay.talent.models import Applicant
from tests.factories import CandidateFactory, EmployerFactory, MembershipFactory, UserFactory, registration_data
from tests.helpers.candidates import sign_in_candidate
from tests.helpers.mail import make_applicant

pytestmark = pytest.mark.django_db

LIST = "/employer/recontact/"
RECONTACT = Consent.Purpose.EMPLOYER_RECONTACT


def detail_url(person):
    return f"{LIST}{person.public_id}/"


def pool_url(person):
    return f"{LIST}{person.public_id}/pool/"


def register_and_confirm(campaign, capture, client=None, **overrides):
    """A person opens the relay link, registers and confirms by the emailed link (signed in after)."""
    client = client or Client()
    assert client.get(campaign.get_absolute_url()).status_code == 200
    data = registration_data(**overrides)
    with capture(execute=True):
        response = client.post(campaign.get_absolute_url(), data, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    message = [m for m in mail.outbox if m.to == [data["email"]] and "/verify/" in m.body][-1]
    link = re.search(r"http://testserver(/verify/[^\s/]+/)", message.body).group(1)
    with capture(execute=True):
        assert client.post(link).status_code == 302
    return Candidate.objects.get(email_normalized=data["email"].lower()), client


def test_the_whole_journey(employer, owner, member, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    campaign = employer.campaigns.get(is_default=True)

    # The landing page names the company in the consent and says what it will see.
    page = Client().get(campaign.get_absolute_url()).text
    assert "株式会社山﨑製作所から、今後の募集について再度連絡を受けることに同意します(任意)。" in page
    assert "株式会社山﨑製作所は「再応募歓迎」の一覧であなたの氏名・連絡先・プロフィール" in page

    person, person_client = register_and_confirm(
        campaign, capture, consent_employer_recontact="on", email="hanako.takahashi@example.jp"
    )
    consent = person.consents.get(purpose=RECONTACT)
    assert consent.recipients == "株式会社山﨑製作所"
    assert consent.notice_version == EMPLOYER_RECONTACT.version
    assert consent.notice_hash == EMPLOYER_RECONTACT.for_employer("株式会社山﨑製作所").digest
    assert consent.notice_hash != EMPLOYER_RECONTACT.for_employer("株式会社よそ").digest

    # The list: a reference and the kind of work, nobody's name or address.
    owner_client = Client()
    owner_client.force_login(owner)
    listing = owner_client.get(LIST)
    assert listing.status_code == 200
    assert reference_for(person.public_id) in listing.text
    assert "髙橋" not in listing.text and "hanako.takahashi@example.jp" not in listing.text
    assert ProvisionRecord.objects.count() == 0
    assert AuditEvent.objects.filter(action="list", object_type="recontact_list", organisation=employer).exists()

    # Opening the person: name, contact, profile, after the provision record and the audit entry.
    detail = owner_client.get(detail_url(person))
    assert detail.status_code == 200
    for shown in ("髙橋 花子", "hanako.takahashi@example.jp", "法人営業を5年経験しました。", "タレントプールに追加"):
        assert shown in detail.text
    record = ProvisionRecord.objects.get()
    assert (record.recipient_organisation, record.recipient_user) == (employer, owner)
    assert record.purpose == RECONTACT
    assert record.items == ["profile", "contact", "work_history"]
    assert (record.consent, record.consent_notice_hash) == (consent, consent.notice_hash)
    assert record.subject_key == person.public_id
    provide = AuditEvent.objects.get(action="provide")
    assert (provide.organisation, provide.actor_user, provide.subject_key) == (employer, owner, person.public_id)
    assert provide.detail["purpose"] == RECONTACT
    assert AuditEvent.objects.filter(action="view", object_type="recontact_candidate").count() == 1

    # Into the pool: the company's own applicant, linked by the public id, open to follow-ups.
    response = owner_client.post(pool_url(person))
    applicant = Applicant.objects.get(organisation=employer)
    assert response.status_code == 302
    assert response["Location"] == f"/employer/applicants/{applicant.pk}/"
    assert (applicant.family_name, applicant.given_name, applicant.email) == ("髙橋", "花子", person.email)
    assert applicant.recontact_ok is True
    assert applicant.candidate_public_id == person.public_id
    assert ProvisionRecord.objects.filter(purpose=RECONTACT, items=["contact", "profile"]).count() == 1

    # My page: which company may contact me, and a withdraw button for it.
    home = person_client.get("/me/").text
    assert "あなたに再度連絡できる企業" in home
    provisions = person_client.get("/me/provisions/").text
    assert "株式会社山﨑製作所" in provisions and "応募先企業からの再連絡" in provisions
    assert "株式会社山﨑製作所からの再連絡への同意を撤回する" in home
    assert "/me/consents/employer_recontact/withdraw/" in home
    consents = person_client.get("/me/consents/").text
    assert "いま、株式会社山﨑製作所があなたに今後の募集について連絡できます。" in consents
    assert "株式会社山﨑製作所からの再連絡への同意を撤回する" in consents
    assert "株式会社山﨑製作所" in person_client.get("/me/consents/employer_recontact/withdraw/").text
    mail.outbox.clear()
    with capture(execute=True):
        withdrawn = person_client.post("/me/consents/employer_recontact/withdraw/", follow=True)
    assert "受け取った情報の利用の停止を求める通知を送りました" in withdrawn.text
    latest = person.consents.filter(purpose=RECONTACT).last()
    assert (latest.action, latest.notice_hash) == (Consent.Action.WITHDRAW, consent.notice_hash)
    # Agency sharing is untouched.
    assert privacy.active_grant(person, Consent.Purpose.AGENCY_SHARING) is not None

    # At once: off the list, not openable, the pool row no longer mailed, the company told.
    listing = owner_client.get(LIST)
    assert f"<td>{reference_for(person.public_id)}</td>" not in listing.text
    assert owner_client.get(detail_url(person)).status_code == 404
    assert owner_client.post(pool_url(person)).status_code == 404
    applicant.refresh_from_db()
    assert applicant.recontact_ok is False
    notice = StopUseNotice.objects.get()
    assert (notice.agency, notice.purpose, notice.subject_key) == (employer, RECONTACT, person.public_id)
    told = sorted(m.to[0] for m in mail.outbox if "利用停止" in m.subject)
    assert told == ["member@yamasaki.example", "owner@yamasaki.example"]
    assert all(reference_for(person.public_id) in m.body and "髙橋" not in m.body for m in mail.outbox)
    assert "利用停止のお願い" in listing.text and "髙橋 花子" in listing.text  # its own pool row, linked
    assert "あなたに再度連絡できる企業" not in person_client.get("/me/").text

    # The company confirms it stopped.
    member_client = Client()
    member_client.force_login(member)
    response = member_client.post(f"{LIST}stop-use/{notice.pk}/acknowledge/")
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.acknowledged_at is not None
    assert "利用停止のお願い" not in member_client.get(LIST).text


# --- Who is on the list -------------------------------------------------------------------------


def _person(campaign, *, consents=(RECONTACT,), **fields):
    fields = {"status": Candidate.Status.VERIFIED, "verified_at": timezone.now(), **fields}
    person = CandidateFactory(source_campaign=campaign, **fields)
    for purpose in consents:
        privacy.grant_consent(candidate=person, purpose=purpose, actor=Actor.for_candidate(person))
    return person


@pytest.fixture
def campaign(employer):
    return employer.campaigns.get(is_default=True)


@pytest.fixture
def other_employer(db):
    return EmployerFactory(name="株式会社よそ")


@pytest.fixture
def people(campaign, other_employer):
    """One person who belongs on the list, and every kind who does not."""
    on_list = _person(campaign)
    no_consent = _person(campaign, consents=(Consent.Purpose.AGENCY_SHARING,))
    withdrawn = _person(campaign)
    privacy.withdraw_consent(candidate=withdrawn, purpose=RECONTACT, actor=Actor.for_candidate(withdrawn))
    superseded = _person(campaign)
    Consent.objects.create(
        candidate=superseded,
        purpose=RECONTACT,
        action=Consent.Action.SUPERSEDED,
        recipients="-",
        notice_version=EMPLOYER_RECONTACT.version,
        notice_hash="x",
    )
    unconfirmed = _person(campaign, status=Candidate.Status.PENDING, verified_at=None)
    other_company = _person(other_employer.campaigns.get(is_default=True))
    no_link = _person(None)
    return {
        "on_list": on_list,
        "no_consent": no_consent,
        "withdrawn": withdrawn,
        "superseded": superseded,
        "unconfirmed": unconfirmed,
        "other_company": other_company,
        "no_link": no_link,
    }


@pytest.mark.parametrize("who", ["owner", "member"])
def test_owner_and_member_see_exactly_the_consenting_confirmed_people_of_their_company(request, who, employer, people):
    client = Client()
    client.force_login(request.getfixturevalue(who))
    html = client.get(LIST).text
    assert list(privacy.recontact_visible_candidates(employer)) == [people["on_list"]]
    assert reference_for(people["on_list"].public_id) in html
    for name, person in people.items():
        if name != "on_list":
            assert reference_for(person.public_id) not in html, name
            assert client.get(detail_url(person)).status_code == 404, name
            assert client.post(pool_url(person)).status_code == 404, name
    assert client.get(detail_url(people["on_list"])).status_code == 200
    # Only the one opened left a provision record; nothing went into the pool for the others.
    assert ProvisionRecord.objects.count() == 1
    assert not Applicant.objects.exists()


def test_a_grant_under_the_old_wording_is_not_enough(settings, employer, campaign):
    person = _person(campaign)
    settings.EMPLOYER_RECONTACT_NOTICE_VERSION = "2099-01-01"
    assert list(privacy.recontact_visible_candidates(employer)) == []
    assert privacy.outdated_purposes(person) == [RECONTACT]
    with pytest.raises(privacy.ProvisionRefused):
        privacy.record_provision(
            candidate=person,
            recipient_organisation=employer,
            items=["contact"],
            channel="page",
            actor=Actor.system(),
            purpose=RECONTACT,
        )


def test_the_consent_never_serves_another_company(employer, other_employer, people):
    with pytest.raises(privacy.ProvisionRefused):
        privacy.record_provision(
            candidate=people["on_list"],
            recipient_organisation=other_employer,
            items=["contact"],
            channel="page",
            actor=Actor.system(),
            purpose=RECONTACT,
        )
    assert ProvisionRecord.objects.count() == 0


def test_a_suspended_or_unapproved_company_sees_nobody(employer, people):
    employer.is_active = False
    employer.save()
    assert list(privacy.recontact_visible_candidates(employer)) == []
    employer.is_active, employer.status = True, "rejected"
    employer.save()
    assert list(privacy.recontact_visible_candidates(employer)) == []


# --- Attackers ----------------------------------------------------------------------------------


def test_another_company_cannot_open_or_pool_this_companys_people(outsider_client, people, outsider):
    person = people["on_list"]
    html = outsider_client.get(LIST).text
    assert "株式会社よそ" in html and reference_for(person.public_id) not in html
    assert outsider_client.get(detail_url(person)).status_code == 404
    assert outsider_client.post(pool_url(person)).status_code == 404
    assert outsider_client.get(f"{LIST}{uuid.uuid4()}/").status_code == 404
    assert ProvisionRecord.objects.count() == 0
    assert not Applicant.objects.exists()


def test_another_companys_stop_use_notice_cannot_be_acknowledged(outsider_client, employer, people):
    notice = StopUseNotice.objects.create(agency=employer, subject_key=uuid.uuid4(), purpose=RECONTACT)
    assert outsider_client.post(f"{LIST}stop-use/{notice.pk}/acknowledge/").status_code == 404
    notice.refresh_from_db()
    assert notice.acknowledged_at is None


def test_anonymous_agency_and_candidate_sessions_cannot_open_the_list(client, people):
    person = people["on_list"]
    for url in (LIST, detail_url(person)):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    sign_in_candidate(client, person)  # a candidate session is not an employer login
    response = client.get(detail_url(person))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    agency = EmployerFactory(name="株式会社みらい人材", kind="agency")
    agency_user = MembershipFactory(organisation=agency, user=UserFactory(email="r@mirai.example")).user
    agency_client = Client()
    agency_client.force_login(agency_user)
    for url in (LIST, detail_url(person)):
        response = agency_client.get(url)
        assert response.status_code == 302 and response["Location"] == "/agency/"
    assert agency_client.post(pool_url(person)).status_code == 302
    assert ProvisionRecord.objects.count() == 0
    assert not Applicant.objects.exists()


def test_pooling_updates_the_companys_existing_applicant_with_the_same_email(owner_client, employer, people):
    person = people["on_list"]
    existing = make_applicant(employer, "山﨑", "旧名", person.email.upper(), notes="一次面接で好印象")
    owner_client.post(pool_url(person))
    existing.refresh_from_db()
    assert Applicant.objects.filter(organisation=employer).count() == 1
    assert existing.recontact_ok is True and existing.candidate_public_id == person.public_id
    assert existing.given_name == person.given_name
    assert existing.notes == "一次面接で好印象"  # the company's own notes stay


def test_withdrawal_before_anything_was_opened_sends_no_notice(employer, people, django_capture_on_commit_callbacks):
    person = people["on_list"]
    client = sign_in_candidate(Client(), person)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/me/consents/employer_recontact/withdraw/", follow=True)
    assert "停止の通知は送っていません" in response.text
    assert not StopUseNotice.objects.exists()
    assert list(privacy.recontact_visible_candidates(employer)) == []


def test_the_one_access_rule_lets_the_company_read_the_profile_but_never_the_resume(owner, outsider, member, people):
    from careerrelay.privacy.access import may_read_profile, may_read_resume

    person = people["on_list"]
    assert may_read_profile(person, owner) and may_read_profile(person, member)
    assert not may_read_resume(person, owner)
    assert not may_read_profile(person, outsider)
    assert not may_read_profile(people["withdrawn"], owner)
    assert not may_read_profile(people["other_company"], owner)


def test_deleting_the_account_stops_follow_up_mail_from_the_linked_pool_row(owner_client, employer, people):
    person = people["on_list"]
    owner_client.post(pool_url(person))
    unrelated = make_applicant(employer, "佐藤", "次郎", "jiro@example.jp", recontact_ok=True)
    client = sign_in_candidate(Client(), person)
    assert client.post("/me/delete/", {"confirm": "削除"}).status_code == 302
    assert not Candidate.objects.filter(pk=person.pk).exists()
    pooled = Applicant.objects.get(candidate_public_id=person.public_id)
    assert pooled.recontact_ok is False
    unrelated.refresh_from_db()
    assert unrelated.recontact_ok is True


def test_a_grant_under_the_old_wording_is_asked_again_naming_the_company(settings, employer, campaign):
    person = _person(campaign)
    settings.EMPLOYER_RECONTACT_NOTICE_VERSION = "2099-01-01"
    client = sign_in_candidate(Client(), person)
    response = client.get("/me/")
    assert response.status_code == 302 and response["Location"].startswith("/me/consents/renew/")
    page = client.get("/me/consents/renew/").text
    assert "株式会社山﨑製作所から、今後の募集について再度連絡を受けることに同意します(任意)。" in page
    client.post("/me/consents/renew/", {"employer_recontact": "on"})
    renewed = privacy.active_grant(person, RECONTACT)
    assert renewed.notice_version == "2099-01-01" and renewed.recipients == "株式会社山﨑製作所"
    assert list(privacy.recontact_visible_candidates(employer)) == [person]


def test_a_person_who_registered_without_a_company_link_has_no_company_to_consent_to(db):
    person = _person(None, consents=(Consent.Purpose.AGENCY_SHARING,))
    client = sign_in_candidate(Client(), person)
    assert "応募先企業からの再連絡" not in client.get("/me/consents/").text
    assert client.post("/me/consents/employer_recontact/grant/").status_code == 404
    assert privacy.active_grant(person, RECONTACT) is None


def test_after_withdrawal_no_form_import_or_ats_sync_can_switch_the_consent_back_on(
    owner, owner_client, employer, people
):
    from careerrelay.organisations.services import create_api_key

    person = people["on_list"]
    owner_client.post(pool_url(person))
    client = sign_in_candidate(Client(), person)
    assert client.post("/me/consents/employer_recontact/withdraw/").status_code == 302
    pooled = Applicant.objects.get(candidate_public_id=person.public_id)
    assert pooled.recontact_ok is False

    page = owner_client.get(f"/employer/applicants/{pooled.pk}/edit/").text
    assert "こちらでは変更できません" in page
    owner_client.post(
        f"/employer/applicants/{pooled.pk}/edit/",
        {"family_name": pooled.family_name, "email": pooled.email, "stage": "other", "recontact_ok": "on"},
    )
    _key, secret = create_api_key(organisation=employer, name="ATS", actor=Actor.for_user(owner, "employer"))
    response = Client().post(
        "/api/v1/applicants",
        [{"family_name": pooled.family_name, "email": pooled.email, "recontact_ok": True}],
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code in (200, 201), response.content
    pooled.refresh_from_db()
    assert pooled.recontact_ok is False
