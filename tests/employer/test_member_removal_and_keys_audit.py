"""A member who leaves the team takes their API keys with them, and who changed a role,
removed a member or created or revoked a key is in the audit log."""

import pytest
from django.urls import reverse

from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import Actor, ActorKind
from careerrelay.organisations.models import ApiKey, Membership
from careerrelay.organisations.services import create_api_key
from tests.factories import OperatorFactory

pytestmark = pytest.mark.django_db


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_removing_a_member_revokes_the_api_keys_they_created(client, owner_client, employer, owner, member):
    theirs, their_secret = create_api_key(
        organisation=employer, name="退職者のスクリプト", actor=Actor.for_user(member, ActorKind.EMPLOYER)
    )
    _mine, my_secret = create_api_key(
        organisation=employer, name="会社のATS", actor=Actor.for_user(owner, ActorKind.EMPLOYER)
    )
    assert client.get("/api/v1/me", **bearer(their_secret)).status_code == 200
    membership = Membership.objects.get(user=member, organisation=employer)

    owner_client.post(reverse("employer:member_remove", args=[membership.pk]))

    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert client.get("/api/v1/me", **bearer(their_secret)).status_code == 401
    assert client.get("/api/v1/me", **bearer(my_secret)).status_code == 200  # the company's own key stays
    theirs.refresh_from_db()
    assert theirs.revoked_at is not None
    removal = AuditEvent.objects.get(object_type="organisations.membership", action="delete")
    assert (removal.actor_user, removal.actor_kind, removal.organisation) == (owner, "employer", employer)
    assert removal.detail["revoked_api_keys"] == [theirs.pk]
    assert removal.ip == "127.0.0.1"
    revoked = AuditEvent.objects.get(object_type="organisations.apikey", detail__event="api_key_revoked")
    assert (revoked.object_id, revoked.detail["reason"], revoked.actor_user) == (
        str(theirs.pk),
        "member_removed",
        owner,
    )


def test_a_role_change_is_audited(owner_client, employer, owner, member):
    membership = Membership.objects.get(user=member, organisation=employer)
    owner_client.post(reverse("employer:member_role", args=[membership.pk]), {"role": "admin"})
    event = AuditEvent.objects.get(object_type="organisations.membership", action="change")
    assert event.actor_user == owner
    assert (event.detail["role_from"], event.detail["role_to"]) == ("recruiter", "admin")


def test_creating_and_revoking_a_key_in_the_workspace_is_audited(owner_client, employer, owner):
    owner_client.post(reverse("employer:api_keys"), {"name": "新しいATS"})
    key = ApiKey.objects.get(organisation=employer)
    owner_client.post(reverse("employer:api_key_revoke", args=[key.pk]))
    events = AuditEvent.objects.filter(object_type="organisations.apikey", object_id=str(key.pk)).order_by("id")
    assert [e.detail["event"] for e in events] == ["api_key_created", "api_key_revoked"]
    assert {e.actor_user for e in events} == {owner}
    assert "secret" not in str([e.detail for e in events]).lower()


def test_a_membership_deleted_in_the_operator_console_revokes_the_keys_too(client, employer, owner, member):
    operator = OperatorFactory()
    client.force_login(operator)
    _key, secret = create_api_key(
        organisation=employer, name="スクリプト", actor=Actor.for_user(member, ActorKind.EMPLOYER)
    )
    memberships = list(Membership.objects.filter(organisation=employer).order_by("pk"))
    data = {
        "kind": "employer",
        "name": employer.name,
        "is_active": "on",
        "memberships-TOTAL_FORMS": str(len(memberships)),
        "memberships-INITIAL_FORMS": str(len(memberships)),
        "approved_name": employer.approved_name,
        "work_domain": employer.work_domain,
        "reply_to_email": employer.reply_to_email,
        "link_domains-TOTAL_FORMS": "0",
        "link_domains-INITIAL_FORMS": "0",
    }
    for index, membership in enumerate(memberships):
        data |= {
            f"memberships-{index}-id": membership.pk,
            f"memberships-{index}-organisation": employer.pk,
            f"memberships-{index}-user": membership.user_id,
            f"memberships-{index}-role": membership.role,
        }
        if membership.user == member:
            data[f"memberships-{index}-DELETE"] = "on"

    response = client.post(reverse("admin:organisations_organisation_change", args=[employer.pk]), data)

    assert response.status_code == 302
    assert not Membership.objects.filter(user=member, organisation=employer).exists()
    assert client.get("/api/v1/me", **bearer(secret)).status_code == 401
    removal = AuditEvent.objects.get(object_type="organisations.membership", action="delete")
    assert (removal.actor_user, removal.actor_kind) == (operator, "staff")


def test_a_user_deleted_in_the_operator_console_takes_their_keys_with_them(client, employer, member):
    client.force_login(OperatorFactory())
    _key, secret = create_api_key(
        organisation=employer, name="スクリプト", actor=Actor.for_user(member, ActorKind.EMPLOYER)
    )
    response = client.post(reverse("admin:accounts_user_delete", args=[member.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert client.get("/api/v1/me", **bearer(secret)).status_code == 401
    assert AuditEvent.objects.filter(object_type="organisations.apikey", detail__event="api_key_revoked").exists()


def test_a_user_who_acted_can_be_deleted_in_the_console_and_their_audit_rows_stay(client, employer, owner):
    # The audit log is append-only (a trigger refuses UPDATE but lets the database clear a deleted
    # actor's link): deleting an account that appears in it must not fail, and no row goes.
    create_api_key(organisation=employer, name="スクリプト", actor=Actor.for_user(owner, ActorKind.EMPLOYER))
    acted = AuditEvent.objects.filter(actor_user=owner)
    assert acted.exists()
    owner_id, rows = owner.pk, acted.count()
    operator = OperatorFactory()
    client.force_login(operator)
    response = client.post(reverse("admin:accounts_user_delete", args=[owner_id]), {"post": "yes"})
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(actor_user_id=owner_id).exists()
    assert AuditEvent.objects.filter(actor_user__isnull=True, actor_kind="employer").count() >= rows
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
