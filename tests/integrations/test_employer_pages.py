"""The workspace pages of ATS integrations with an owner (admin), a member (recruiter), an
outsider (another company's admin) and an anonymous visitor."""

import pytest
from django.urls import reverse

from careerrelay.integrations import services
from careerrelay.integrations.models import Delivery, Integration, ReasonMapping
from tests.helpers.generic_ats import SECRET
from tests.integrations.helpers import generic_integration, template

pytestmark = pytest.mark.django_db


@pytest.fixture
def integration(employer):
    return generic_integration(employer, name="山﨑ATS")


@pytest.fixture
def mapping(integration):
    found = services.learn_reason(integration, "山﨑の理由")
    found.template = template(integration.organisation)
    found.save()
    return found


@pytest.fixture
def failed(integration):
    return Delivery.objects.create(
        integration=integration, event_id="evt-f", body=b'{"type": "rejection"}', outcome="failed", message="山﨑の失敗"
    )


def _urls(integration, mapping, failed):
    i, m = integration.pk, mapping.pk
    mapping_data = {"action": "pool_only", "delay_business_days": "2", "send_hour": "10"}
    return [
        ("get", reverse("employer:integrations"), None, "member"),
        (
            "post",
            reverse("employer:integration_create"),
            {"kind": "generic", "name": "新ATS", "secret": SECRET},
            "admin",
        ),
        ("get", reverse("employer:integration_detail", args=[i]), None, "member"),
        ("post", reverse("employer:integration_set_active", args=[i]), {"active": "0"}, "admin"),
        ("get", reverse("employer:integration_deliveries", args=[i]), None, "member"),
        ("post", reverse("employer:integration_replay", args=[i, failed.pk]), {}, "admin"),
        ("get", reverse("employer:integration_mapping", args=[i, m]), None, "admin"),
        ("post", reverse("employer:integration_mapping", args=[i, m]), mapping_data, "admin"),
        ("get", reverse("employer:integration_mapping_copy", args=[i, m]), None, "member"),
    ]


def _call(client, method, url, data):
    return client.post(url, data) if method == "post" else client.get(url)


def test_every_page_is_listed_here():
    from careerrelay.portals.employer import integrations_urls

    assert len(integrations_urls.urlpatterns) == 8  # _urls covers each (the mapping page twice: GET and POST)


def test_anonymous_is_sent_to_login(client, integration, mapping, failed):
    for method, url, data, _who in _urls(integration, mapping, failed):
        response = _call(client, method, url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login"))


def test_owner_uses_everything(owner_client, integration, mapping, failed):
    for method, url, data, _who in _urls(integration, mapping, failed):
        response = _call(owner_client, method, url, data)
        assert response.status_code == (302 if method == "post" else 200), url
    assert Integration.objects.filter(name="新ATS").exists()
    assert ReasonMapping.objects.get(pk=mapping.pk).mapped


def test_member_reads_but_admins_manage(member_client, integration, mapping, failed):
    for method, url, data, who in _urls(integration, mapping, failed):
        response = _call(member_client, method, url, data)
        if who == "admin":
            assert response.status_code == 403, url
        else:
            assert response.status_code == 200, url
            assert "株式会社山﨑製作所" in response.text or "山﨑" in response.text
    assert not Integration.objects.filter(name="新ATS").exists()
    assert Integration.objects.get(pk=integration.pk).active
    assert Delivery.objects.get(pk=failed.pk).outcome == "failed"


def test_outsider_finds_nothing_of_this_company(outsider_client, integration, mapping, failed):
    for method, url, data, _who in _urls(integration, mapping, failed):
        response = _call(outsider_client, method, url, data)
        if url in (reverse("employer:integrations"), reverse("employer:integration_create")):
            assert response.status_code in (200, 302, 400), url
        else:
            assert response.status_code == 404, url
        assert "山﨑" not in response.text, url
    assert "山﨑ATS" not in outsider_client.get(reverse("employer:integrations")).text
    assert Integration.objects.get(pk=integration.pk).active
    assert not ReasonMapping.objects.get(pk=mapping.pk).mapped
    assert Delivery.objects.get(pk=failed.pk).outcome == "failed"


def test_the_secret_and_the_lever_key_are_never_shown_again(owner_client, employer):
    lever = Integration.objects.create(
        organisation=employer,
        kind="lever",
        name="Lever",
        secret="lever-signature-token-1234",
        api_key="lever-api-key-5678",
    )
    page = owner_client.get(reverse("employer:integration_detail", args=[lever.pk])).text
    assert "lever-signature-token-1234" not in page and "lever-api-key-5678" not in page
    assert "…1234" in page and "…5678" in page


def test_a_form_error_keeps_the_input_and_stores_nothing(owner_client):
    response = owner_client.post(
        reverse("employer:integration_create"), {"kind": "generic", "name": "新ATS", "secret": "x"}
    )
    assert response.status_code == 400
    assert 'value="新ATS"' in response.text
    assert Integration.objects.count() == 0


def test_copy_to_ats_shows_the_text_with_the_relay_link(member_client, employer, integration, mapping):
    response = member_client.get(reverse("employer:integration_mapping_copy", args=[integration.pk, mapping.pk]))
    campaign = employer.campaigns.get(is_default=True)
    assert campaign.url in response.text
    assert "［応募者の氏名］" in response.text


def test_auto_send_needs_a_template(owner_client, integration, mapping):
    response = owner_client.post(
        reverse("employer:integration_mapping", args=[integration.pk, mapping.pk]),
        {"action": "auto_send", "delay_business_days": "2", "send_hour": "10", "auto_send": "on"},
    )
    assert response.status_code == 400
    assert "テンプレートを選んでください" in response.text
    assert not ReasonMapping.objects.get(pk=mapping.pk).mapped


def test_every_kind_can_be_chosen_and_lever_asks_for_its_key(owner_client):
    page = owner_client.get(reverse("employer:integrations")).text
    for kind in ("greenhouse", "lever", "workable", "generic"):
        assert f'<option value="{kind}"' in page, kind
    response = owner_client.post(
        reverse("employer:integration_create"), {"kind": "lever", "name": "Lever", "secret": "lever-token-1234"}
    )
    assert response.status_code == 400
    assert "Lever の連携にはAPIキーが必要です。" in response.text
    assert Integration.objects.count() == 0
