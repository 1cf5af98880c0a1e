"""An agency's admin creates and revokes API keys on its API keys page: each change leaves one
audit row with who, what, which key and the address."""

import pytest
from django.urls import reverse

from careerrelay.audit.models import AuditEvent
from careerrelay.organisations.models import ApiKey

pytestmark = pytest.mark.django_db

ADDRESS = {"REMOTE_ADDR": "203.0.113.77", "HTTP_USER_AGENT": "AgencyBrowser/3.1"}


def test_creating_an_api_key_on_the_agency_api_keys_page_is_audited(agency_client, agency, agency_owner):
    assert agency_client.get(reverse("agency:api_keys")).status_code == 200

    agency_client.post(reverse("agency:api_keys"), {"name": "求職者管理CRM"}, **ADDRESS)

    key = ApiKey.objects.get(organisation=agency)
    event = AuditEvent.objects.get(object_type="organisations.apikey", detail__event="api_key_created")
    assert (event.actor_user, event.actor_kind, event.organisation) == (agency_owner, "agency", agency)
    assert (event.object_id, event.detail["prefix"]) == (str(key.pk), key.prefix)
    assert (event.ip, event.user_agent) == ("203.0.113.77", "AgencyBrowser/3.1")


def test_revoking_an_api_key_on_the_agency_api_keys_page_is_audited(agency_client, agency, agency_owner):
    agency_client.post(reverse("agency:api_keys"), {"name": "求職者管理CRM"})
    key = ApiKey.objects.get(organisation=agency)
    url = reverse("agency:api_key_revoke", args=[key.pk])
    assert f'action="{url}"' in agency_client.get(reverse("agency:api_keys")).text

    agency_client.post(url, **ADDRESS)

    key.refresh_from_db()
    assert key.revoked_at is not None
    event = AuditEvent.objects.get(object_type="organisations.apikey", detail__event="api_key_revoked")
    assert (event.actor_user, event.actor_kind, event.organisation) == (agency_owner, "agency", agency)
    assert event.object_id == str(key.pk)
    assert event.ip == "203.0.113.77"
