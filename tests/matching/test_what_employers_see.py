"""Declining is not a way to collect contacts: a pending free-referral proposal is an
anonymised résumé, a declined or withdrawn one shows nothing of the person, a decline needs a reason
from the fixed list plus text, and operators see companies that decline again and again."""

import pytest
from django.test import Client
from django.urls import reverse

from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import Actor, ActorKind
from careerrelay.credits.models import LedgerEntry
from careerrelay.credits.services import get_balance
from careerrelay.matching import services as matching
from careerrelay.matching.models import FreeReferralProposal
from careerrelay.notifications.models import Notification
from careerrelay.outbox.models import OutboundEmail
from tests.factories import UserFactory
from tests.helpers.candidates import sign_in_candidate
from tests.helpers.matching import make_candidate

pytestmark = pytest.mark.django_db

# What would let the employer reach the person: name (kanji and kana), email, phone, and the same
# written into the candidate's own summary.
PERSON = ["髙橋", "花子", "タカハシ", "ハナコ", "hanako.takahashi@example.jp", "090-1234-5678", "takahashi.private@"]


@pytest.fixture
def candidate(db):
    """Overrides the conftest candidate: kana, and contact details written into the summary too."""
    return make_candidate(
        family_name="髙橋",
        given_name="花子",
        family_name_kana="タカハシ",
        given_name_kana="ハナコ",
        email="hanako.takahashi@example.jp",
        phone="090-1234-5678",
        skills="Java, Spring",
        summary=(
            "髙橋花子です。Javaでの開発経験が5年あります。連絡は takahashi.private@example.com か 080 9999 0000 まで。"
        ),
    )


def request_page(client, proposal):
    return client.get(reverse("employer:free_referral", args=[proposal.request.public_id]))


def employer_pages(client, proposal):
    """Every employer page that could show a proposal or an introduction."""
    return [
        request_page(client, proposal),
        client.get(reverse("employer:free_referrals")),
        client.get(reverse("employer:company_introductions")),
        client.get(reverse("employer:free_referral_confirm", args=[proposal.pk]), follow=True),
        client.get(reverse("employer:free_referral_decline", args=[proposal.pk]), follow=True),
        client.get(reverse("employer:notifications")),
    ]


def assert_nothing_of_the_person(responses, strings=PERSON):
    for response in responses:
        body = response.content.decode()
        # The employer's own workspace page, not an error page that would show nobody anyway.
        assert response.status_code == 200
        assert "株式会社山﨑製作所" in body
        for value in strings:
            assert value not in body, (response.request["PATH_INFO"], value)


def test_a_pending_proposal_is_an_anonymised_resume(owner_client, proposal, employer, owner):
    # The email telling the employer of the proposal names nobody either.
    told = OutboundEmail.objects.filter(to_email=owner.email)
    assert told and all(mail.body_text for mail in told)  # queued, not yet delivered (and cleared)
    for mail in told:
        assert not any(value in mail.subject + mail.body_text + mail.body_html for value in PERSON)
    page = request_page(owner_client, proposal)
    assert "匿名レジュメ" in page.text and "Java, Spring" in page.text and "開発経験が5年" in page.text
    assert_nothing_of_the_person(employer_pages(owner_client, proposal))
    assert "080 9999 0000" not in page.text  # masked in the candidate's own words too
    # The introduction behind it cannot be opened as an introduction before the interview is confirmed.
    introduction_url = reverse("employer:company_introduction", args=[proposal.introduction.public_id])
    assert owner_client.get(introduction_url).status_code == 404
    # The anonymised view is personal data too: audited, marked as anonymised.
    views = AuditEvent.objects.filter(action="view", organisation=employer, object_type="introduction")
    assert [event.detail["items"] for event in views] == ["anonymised_profile"] * 2  # two page views


def test_after_a_decline_the_employer_sees_nothing_more_of_the_person(owner_client, proposal):
    url = reverse("employer:free_referral_decline", args=[proposal.pk])
    response = owner_client.post(url, {"category": "skills", "reason": "Spring Boot の実務経験が要件に届きません。"})
    assert response.status_code == 302
    page = request_page(owner_client, proposal)
    assert "見送り済み" in page.text and "スキル・経験が要件に合わない" in page.text
    assert "Spring Boot の実務経験が要件に届きません。" in page.text  # the employer's own reason
    # Not the name, not the contact, not even the résumé it read before.
    assert_nothing_of_the_person(employer_pages(owner_client, proposal), [*PERSON, "Java, Spring", "開発経験が5年"])
    introduction_url = reverse("employer:company_introduction", args=[proposal.introduction.public_id])
    assert owner_client.get(introduction_url).status_code == 404


def test_after_the_candidate_withdraws_the_employer_sees_nothing_of_them(owner_client, proposal, candidate):
    withdraw = reverse("candidate:introduction_withdraw", args=[proposal.introduction.public_id])
    assert sign_in_candidate(Client(), candidate).post(withdraw).status_code == 302
    page = request_page(owner_client, proposal)
    assert "辞退済み" in page.text
    assert_nothing_of_the_person(employer_pages(owner_client, proposal), [*PERSON, "Java, Spring"])


def test_a_withdrawal_after_the_confirmation_hides_the_person_again(owner_client, proposal, employer, owner, candidate):
    assert matching.confirm_interview(
        proposal=proposal, organisation=employer, actor=Actor.for_user(owner, ActorKind.EMPLOYER)
    )
    assert "hanako.takahashi@example.jp" in request_page(owner_client, proposal).text
    withdraw = reverse("candidate:introduction_withdraw", args=[proposal.introduction.public_id])
    assert sign_in_candidate(Client(), candidate).post(withdraw).status_code == 302
    introduction_url = reverse("employer:company_introduction", args=[proposal.introduction.public_id])
    assert_nothing_of_the_person(
        [*employer_pages(owner_client, proposal), owner_client.get(introduction_url)], [*PERSON, "Java, Spring"]
    )


def test_a_decline_without_a_reason_is_a_field_error_and_changes_nothing(owner_client, proposal, employer):
    url = reverse("employer:free_referral_decline", args=[proposal.pk])
    typed = "条件の詳細はこれから書きます"
    response = owner_client.post(url, {"reason": typed})
    assert response.status_code == 200
    assert "見送りの理由を一覧から選んでください" in response.text
    assert typed in response.text  # what was typed is kept
    response = owner_client.post(url, {"category": "other", "reason": " "})
    assert "「その他」を選んだときは、理由を具体的に入力してください" in response.text
    assert 'value="other" required id="id_category_4" checked' in response.text
    response = owner_client.post(url, {"category": "skills", "reason": ""})
    assert "見送りの理由を入力してください" in response.text
    response = owner_client.post(url, {"category": "no-such-reason", "reason": "理由"})
    assert "見送りの理由を一覧から選んでください" in response.text
    proposal.refresh_from_db()
    assert (proposal.state, proposal.decline_category, proposal.decline_reason) == (
        FreeReferralProposal.State.PENDING,
        "",
        "",
    )
    assert get_balance(employer).credits_reserved == 1  # the credit stays reserved
    assert not LedgerEntry.objects.filter(kind__in=[LedgerEntry.Kind.CREDIT_RETURNED, LedgerEntry.Kind.CREDIT_CONSUMED])


def test_the_service_refuses_a_decline_without_a_listed_reason(proposal, employer, owner):
    for category, reason in [("", "理由"), ("made-up", "理由"), ("skills", "  ")]:
        with pytest.raises(matching.MatchingError):
            matching.decline_proposal(
                proposal=proposal,
                organisation=employer,
                actor=Actor.for_user(owner, ActorKind.EMPLOYER),
                category=category,
                reason=reason,
            )
    proposal.refresh_from_db()
    assert proposal.state == FreeReferralProposal.State.PENDING


def test_a_declined_proposal_cannot_be_declined_again_or_confirmed(owner_client, proposal):
    url = reverse("employer:free_referral_decline", args=[proposal.pk])
    owner_client.post(url, {"category": "position_filled", "reason": "社内で採用が決まりました。"})
    again = owner_client.get(url)
    assert again.status_code == 302
    confirm = reverse("employer:free_referral_confirm", args=[proposal.pk])
    assert owner_client.post(confirm, {"interview_at": "2030-01-01T10:00"}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == FreeReferralProposal.State.DECLINED


def propose_someone(proposal, n):
    """The agency proposes another candidate to the same request, who accepts."""
    agency = proposal.agency
    person = make_candidate(family_name="佐藤", given_name=f"候補{n}", email=f"candidate{n}@example.jp")
    introduction = matching.propose_introduction(
        agency=agency,
        actor=Actor.for_user(agency.memberships.get().user, ActorKind.AGENCY),
        candidate_public_id=person.public_id,
        free_referral=proposal.request,
    )
    assert matching.respond_to_introduction(
        candidate=person, introduction=introduction, accept=True, actor=Actor.for_candidate(person)
    )
    return introduction.proposal


def decline(client, proposal, n):
    response = client.post(
        reverse("employer:free_referral_decline", args=[proposal.pk]),
        {"category": "other", "reason": f"今回は見送ります({n}回目)"},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == FreeReferralProposal.State.DECLINED


def test_operators_see_repeated_decliners(owner_client, proposal, employer, owner, settings, outsider):
    settings.FREE_REFERRAL_DECLINE_ALERT = 3
    operator = UserFactory(email="operator@careerrelay.example", is_staff=True, is_superuser=True)
    decline(owner_client, proposal, 1)
    decline(owner_client, propose_someone(proposal, 2), 2)
    assert not Notification.objects.filter(kind="declines_repeated").exists()
    decline(owner_client, propose_someone(proposal, 3), 3)
    alerts = Notification.objects.filter(kind="declines_repeated")
    assert [(n.user, n.organisation) for n in alerts] == [(operator, employer)]
    assert alerts.get().text() == f"{employer.name} は直近90日間に無料紹介の提案を3件見送りました。"
    # A fourth decline within the week does not repeat the alert.
    decline(owner_client, propose_someone(proposal, 4), 4)
    assert alerts.count() == 1

    client = Client()
    client.force_login(operator)
    url = reverse("admin:matching_decliningemployer_changelist")
    listing = client.get(url)
    assert listing.status_code == 200
    assert employer.name in listing.text
    assert outsider.memberships.get().organisation.name not in listing.text  # no declines, not listed
    row = listing.text[listing.text.index(employer.name) :]
    assert '<td class="field-declines">4</td>' in row and '<td class="field-decline_rate">100%</td>' in row
    for order in ("2", "-2", "4", "-4"):  # sortable by declines and by the rate
        assert client.get(url + f"?o={order}").status_code == 200
    assert "髙橋" not in listing.text  # no candidate in the operator's list either
    # The employers themselves never reach the operator console.
    employer_client = Client()
    employer_client.force_login(owner)
    assert employer_client.get(url).status_code == 302
