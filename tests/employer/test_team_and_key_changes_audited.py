"""Each change an admin makes on the team and API-key pages leaves one audit row, written in the
change's own transaction: who did it, what, to which row, and from which address."""

import pytest
from django.urls import reverse

from careerrelay.audit.models import AuditEvent
from careerrelay.organisations.models import ApiKey, Membership

pytestmark = pytest.mark.django_db

ADDRESS = {"REMOTE_ADDR": "198.51.100.23", "HTTP_USER_AGENT": "TeamBrowser/2.0"}


def only_event(**filters) -> AuditEvent:
    return AuditEvent.objects.get(**filters)


def test_changing_a_role_on_the_team_page_is_audited(owner_client, employer, owner, member):
    membership = Membership.objects.get(user=member, organisation=employer)
    url = reverse("employer:member_role", args=[membership.pk])
    assert f'action="{url}"' in owner_client.get(reverse("employer:team")).text

    owner_client.post(url, {"role": "admin"}, **ADDRESS)

    membership.refresh_from_db()
    assert membership.role == "admin"
    event = only_event(object_type="organisations.membership", action="change")
    assert (event.actor_user, event.actor_kind, event.organisation) == (owner, "employer", employer)
    assert event.object_id == str(membership.pk)
    assert event.detail == {"user_id": member.pk, "role_from": "recruiter", "role_to": "admin"}
    assert (event.ip, event.user_agent) == ("198.51.100.23", "TeamBrowser/2.0")


def test_removing_a_member_on_the_team_page_is_audited(owner_client, employer, owner, member):
    membership = Membership.objects.get(user=member, organisation=employer)
    url = reverse("employer:member_remove", args=[membership.pk])
    assert f'action="{url}"' in owner_client.get(reverse("employer:team")).text

    owner_client.post(url, **ADDRESS)

    assert not Membership.objects.filter(pk=membership.pk).exists()
    event = only_event(object_type="organisations.membership", action="delete")
    assert (event.actor_user, event.actor_kind, event.organisation) == (owner, "employer", employer)
    assert event.object_id == str(membership.pk)
    assert (event.detail["user_id"], event.detail["role"]) == (member.pk, "recruiter")
    assert event.ip == "198.51.100.23"


def test_creating_an_api_key_on_the_api_keys_page_is_audited(owner_client, employer, owner):
    assert owner_client.get(reverse("employer:api_keys")).status_code == 200

    owner_client.post(reverse("employer:api_keys"), {"name": "採用管理システム"}, **ADDRESS)

    key = ApiKey.objects.get(organisation=employer)
    assert key.created_by == owner
    event = only_event(object_type="organisations.apikey", detail__event="api_key_created")
    assert (event.actor_user, event.actor_kind, event.organisation) == (owner, "employer", employer)
    assert (event.action, event.object_id, event.detail["prefix"]) == ("change", str(key.pk), key.prefix)
    assert event.ip == "198.51.100.23"


def test_revoking_an_api_key_on_the_api_keys_page_is_audited(owner_client, employer, owner):
    owner_client.post(reverse("employer:api_keys"), {"name": "採用管理システム"})
    key = ApiKey.objects.get(organisation=employer)
    url = reverse("employer:api_key_revoke", args=[key.pk])
    assert f'action="{url}"' in owner_client.get(reverse("employer:api_keys")).text

    owner_client.post(url, **ADDRESS)

    key.refresh_from_db()
    assert key.revoked_at is not None
    event = only_event(object_type="organisations.apikey", detail__event="api_key_revoked")
    assert (event.actor_user, event.actor_kind, event.organisation) == (owner, "employer", employer)
    assert (event.object_id, event.detail["reason"]) == (str(key.pk), "revoked")
    assert event.ip == "198.51.100.23"
