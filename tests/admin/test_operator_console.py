import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import Actor, ActorKind
from careerrelay.candidates.models import Consent
from careerrelay.candidates.services import register_candidate
from careerrelay.credits.models import LedgerEntry
from careerrelay.credits.services import get_balance, record_counted_referral
from careerrelay.integrations.models import Delivery as AtsDelivery
from careerrelay.integrations.models import Integration, ReasonMapping
from careerrelay.integrations.redact import redact_body
from careerrelay.organisations.models import ApiKey, LinkDomain, Organisation
from careerrelay.organisations.services import create_api_key, invite_member
from careerrelay.outbox.models import OutboundEmail
from careerrelay.sends.models import SendingPause
from careerrelay.webhooks.models import Attempt, Endpoint, Event
from careerrelay.webhooks.models import Delivery as WebhookDelivery
from tests.factories import CandidateFactory, OperatorFactory
from tests.helpers import ats_payloads

pytestmark = pytest.mark.django_db

OUR_APPS = {
    "accounts",
    "organisations",
    "relay",
    "candidates",
    "credits",
    "mailings",
    "sends",
    "integrations",
    "webhooks",
}
ATS_SECRET = "greenhouse-secret-key-9876"
WEBHOOK_SECRET = "whsec-outbound-secret-5432"


@pytest.fixture
def operator_client(client):
    operator = OperatorFactory(email="operator@careerrelay.example")
    client.force_login(operator)
    return client


@pytest.fixture
def data(employer, owner, django_capture_on_commit_callbacks):
    campaign = employer.campaigns.get()
    with django_capture_on_commit_callbacks(execute=True):
        candidate = register_candidate(
            campaign=campaign,
            data={
                "family_name": "髙橋",
                "given_name": "花子",
                "email": "hanako@example.jp",
                "prefecture": "13",
                "job_category": "sales",
                "years_experience": 5,
            },
            consents={Consent.Purpose.AGENCY_SHARING},
            ip="203.0.113.9",
        ).candidate
        create_api_key(organisation=employer, name="ATS", actor=Actor.for_user(owner, ActorKind.EMPLOYER))
        invite_member(
            organisation=employer, email="new@yamasaki.example", role="recruiter", invited_by=owner, site_url=""
        )
    record_counted_referral(organisation=employer, campaign=campaign, subject_key=CandidateFactory().public_id)
    LinkDomain.objects.create(organisation=employer, domain="yamasaki.example")
    # What the worker's complaint check leaves (tests/sends/test_complaint_pause.py makes one for real).
    SendingPause.objects.create(organisation=employer, complaints=4, sent=1000)
    ats_and_webhooks(employer)
    return candidate


def ats_and_webhooks(employer):
    """An ATS integration with a processed (redacted) and a failed delivery, as the worker leaves
    them (tests/integrations make them for real), and an outbound webhook with one attempt."""
    integration = Integration.objects.create(
        organisation=employer, kind="greenhouse", name="Greenhouse", secret=ATS_SECRET
    )
    ReasonMapping.objects.create(integration=integration, ats_reason="Too Junior", seen_count=2)
    body = ats_payloads.greenhouse_rejection(emails=[("hidden.person@example.jp", "personal")])
    AtsDelivery.objects.create(
        integration=integration, event_id="failed", body=body, outcome="failed", message="メールアドレスがありません"
    )
    AtsDelivery.objects.create(
        integration=integration, event_id="done", body=redact_body(body), body_redacted=True, outcome="processed"
    )
    endpoint = Endpoint.objects.create(
        organisation=employer,
        url="https://hooks.yamasaki.example/cr",
        event_types=["credit.earned"],
        secret=WEBHOOK_SECRET,
    )
    event = Event.objects.create(organisation=employer, type="credit.earned", payload={"credits": 1})
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event=event, state="failed", attempts=1)
    Attempt.objects.create(delivery=delivery, number=1, status_code=500, response_excerpt="Internal Server Error")


def held_candidate(employer):
    """Verified with consent but held by the fraud review, as evaluate_referral leaves it."""
    candidate = CandidateFactory(
        source_campaign=employer.campaigns.get(),
        status="verified",
        referral_status="held",
        held_for_review=True,
        email="held@example.jp",
    )
    Consent.objects.create(
        candidate=candidate,
        purpose="agency_sharing",
        action="grant",
        recipients="x",
        notice_version="v",
        notice_hash="h",
    )
    return candidate


def test_every_page_of_our_models_loads_for_an_operator(operator_client, data):
    models = [model for model in admin.site._registry if model._meta.app_label in OUR_APPS]
    assert {m._meta.label for m in models} >= {
        "accounts.User",
        "organisations.Organisation",
        "organisations.ApiKey",
        "relay.RelayCampaign",
        "candidates.Candidate",
        "candidates.Consent",
        "credits.LedgerEntry",
        "mailings.OutboundEmail",
        "sends.SendingPause",
        "integrations.Integration",
        "integrations.Delivery",
        "webhooks.Endpoint",
        "webhooks.Delivery",
        "webhooks.Attempt",
    }
    addable = set()
    for model in models:
        info = (model._meta.app_label, model._meta.model_name)
        changelist = operator_client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert changelist.status_code == 200, model
        obj = model.objects.first()
        assert obj is not None, model
        assert obj.pk in {row.pk for row in changelist.context["cl"].result_list}, model
        change = operator_client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
        assert change.status_code == 200, model
        assert change.context["original"] == obj, model
        if admin.site._registry[model].has_add_permission(changelist.wsgi_request):
            add = operator_client.get(reverse("admin:{}_{}_add".format(*info)))
            assert add.status_code == 200, model
            assert add.context["add"], model
            addable.add(model._meta.label)
    # Everything else is made through the product's own flows, never typed in by an operator.
    assert addable == {"accounts.User", "organisations.Organisation", "organisations.LinkDomain"}
    assert operator_client.get(reverse("admin:index")).status_code == 200
    assert operator_client.get(reverse("admin:credits_ledgerentry_adjust")).status_code == 200


def test_candidates_are_view_only(operator_client, data):
    url = reverse("admin:candidates_candidate_change", args=[data.pk])
    page = operator_client.get(url)
    assert "髙橋" in page.text
    assert 'name="family_name"' not in page.text
    operator_client.post(url, {"family_name": "改ざん"})
    data.refresh_from_db()
    assert data.family_name == "髙橋"


@pytest.mark.parametrize(
    "model",
    [Consent, LedgerEntry, OutboundEmail],
)
def test_evidence_cannot_be_changed_or_deleted(operator_client, data, model):
    obj = model.objects.first()
    info = (model._meta.app_label, model._meta.model_name)
    assert (
        operator_client.post(reverse("admin:{}_{}_delete".format(*info), args=[obj.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert operator_client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_release_from_review_counts_the_held_registration(operator_client, employer, settings):
    candidate = held_candidate(employer)
    response = operator_client.post(
        reverse("admin:candidates_candidate_changelist"),
        {"action": "release", "_selected_action": [candidate.pk]},
        follow=True,
    )
    assert response.status_code == 200
    candidate.refresh_from_db()
    assert (candidate.held_for_review, candidate.referral_status) == (False, "counted")
    assert LedgerEntry.objects.filter(kind="referral_counted", subject_key=candidate.public_id).count() == 1
    assert "紹介としてカウント: 1" in response.text


def test_release_ignores_candidates_that_are_not_held(operator_client, data):
    response = operator_client.post(
        reverse("admin:candidates_candidate_changelist"),
        {"action": "release", "_selected_action": [data.pk]},
        follow=True,
    )
    assert "審査保留の登録はありません" in response.text
    assert not LedgerEntry.objects.filter(subject_key=data.public_id).exists()


def test_an_adjustment_is_a_new_ledger_row_with_reason_and_actor(operator_client, employer):
    response = operator_client.post(
        reverse("admin:credits_ledgerentry_adjust"),
        {"organisation": employer.pk, "amount": "2", "reason": "  問い合わせ #123 の補填  "},
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(kind="adjustment")
    assert (entry.organisation, entry.amount, entry.reason) == (employer, 2, "問い合わせ #123 の補填")
    assert entry.actor.email == "operator@careerrelay.example"
    assert get_balance(employer).credits_available == 2
    assert LogEntry.objects.filter(object_id=str(entry.pk)).count() == 1


@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [
        ("1", "   ", "理由を入力してください"),
        ("0", "理由", "0 以外の数を入力してください"),
        ("-1", "取り消し", "利用可能な枠(0枠)より多くは取り消せません"),
        ("abc", "理由", "整数を入力してください"),
    ],
)
def test_an_invalid_adjustment_writes_nothing(operator_client, employer, amount, reason, message):
    response = operator_client.post(
        reverse("admin:credits_ledgerentry_adjust"), {"organisation": employer.pk, "amount": amount, "reason": reason}
    )
    assert response.status_code == 200
    assert message in response.text
    assert LedgerEntry.objects.count() == 0


def test_only_operators_reach_the_adjustment(client, owner, employer):
    client.force_login(owner)
    response = client.post(
        reverse("admin:credits_ledgerentry_adjust"), {"organisation": employer.pk, "amount": "5", "reason": "自分で"}
    )
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert LedgerEntry.objects.count() == 0


def test_the_organisation_action_opens_the_adjustment_for_that_company(operator_client, employer):
    response = operator_client.post(
        reverse("admin:organisations_organisation_changelist"),
        {"action": "adjust_credits", "_selected_action": [employer.pk]},
    )
    assert response.status_code == 302
    assert response.url == reverse("admin:credits_ledgerentry_adjust") + f"?organisation={employer.pk}"
    form = operator_client.get(response.url)
    assert f'<option value="{employer.pk}" selected>' in form.text


def test_an_employer_added_in_the_console_gets_its_relay_link(operator_client):
    response = operator_client.post(
        reverse("admin:organisations_organisation_add"),
        {
            "kind": "employer",
            "name": "株式会社山﨑",
            "is_active": "on",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "link_domains-TOTAL_FORMS": "0",
            "link_domains-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="株式会社山﨑")
    assert organisation.campaigns.get().is_default is True


def test_an_operator_can_revoke_an_api_key(operator_client, client, data):
    key = ApiKey.objects.get()
    operator_client.post(
        reverse("admin:organisations_apikey_changelist"), {"action": "revoke", "_selected_action": [key.pk]}
    )
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_the_consent_record_shows_on_the_candidate(operator_client, data):
    page = operator_client.get(reverse("admin:candidates_candidate_change", args=[data.pk]))
    assert Consent.objects.get(candidate=data).notice_version in page.text


def test_ats_integrations_and_webhooks_are_read_only_and_never_show_secrets(operator_client, data):
    pages = [
        reverse("admin:integrations_integration_changelist"),
        reverse("admin:integrations_integration_change", args=[Integration.objects.get().pk]),
        reverse("admin:webhooks_endpoint_changelist"),
        reverse("admin:webhooks_endpoint_change", args=[Endpoint.objects.get().pk]),
        reverse("admin:webhooks_delivery_change", args=[WebhookDelivery.objects.get().pk]),
        reverse("admin:webhooks_attempt_changelist"),
    ]
    for url in pages:
        page = operator_client.get(url)
        assert page.status_code == 200, url
        assert ATS_SECRET not in page.text and WEBHOOK_SECRET not in page.text, url
    integration_page = operator_client.get(pages[1]).text
    assert "…9876" in integration_page and "Too Junior" in integration_page
    assert "Internal Server Error" in operator_client.get(pages[4]).text
    url = reverse("admin:integrations_integration_change", args=[Integration.objects.get().pk])
    operator_client.post(url, {"name": "改ざん"})
    assert Integration.objects.get().name == "Greenhouse"


def test_an_ats_delivery_shows_its_body_only_without_contact_data_and_opening_it_is_audited(operator_client, data):
    failed = AtsDelivery.objects.get(event_id="failed")
    done = AtsDelivery.objects.get(event_id="done")
    listing = operator_client.get(reverse("admin:integrations_delivery_changelist")).text
    assert "メールアドレスがありません" in listing
    failed_page = operator_client.get(reverse("admin:integrations_delivery_change", args=[failed.pk])).text
    assert "hidden.person@example.jp" not in failed_page and "Hector" not in failed_page
    assert "連絡先を含むため" in failed_page
    done_page = operator_client.get(reverse("admin:integrations_delivery_change", args=[done.pk])).text
    assert "reject_candidate" in done_page and "[redacted]" in done_page
    assert "hidden.person@example.jp" not in done_page
    viewed = AuditEvent.objects.filter(object_type="ats_delivery", action="view")
    assert sorted(viewed.values_list("object_id", flat=True)) == sorted([str(failed.pk), str(done.pk)])
