"""The team page is the same in both workspaces: an agency's admin manages the team as an
employer's does (tests/employer/test_team.py has the rest), with the agency's names for roles."""

import pytest
from django.urls import reverse

from careerrelay.organisations.models import Membership

pytestmark = pytest.mark.django_db


def test_an_agency_admin_makes_an_advisor_an_admin(client, agency_owner, advisor):
    client.force_login(agency_owner)
    response = client.post(reverse("agency:member_role", args=[advisor.pk]), {"role": "admin"})
    assert response.status_code == 302
    assert response["Location"] == reverse("agency:team")
    assert Membership.objects.get(pk=advisor.pk).role == "admin"
    assert "権限を「管理者」に変更しました。" in client.get(response["Location"]).text


def test_an_agency_admin_removes_an_advisor(client, agency_owner, advisor):
    client.force_login(agency_owner)
    response = client.post(reverse("agency:member_remove", args=[advisor.pk]))
    assert response["Location"] == reverse("agency:team")
    assert not Membership.objects.filter(pk=advisor.pk).exists()
    name = advisor.user.name or advisor.user.email
    assert f"{name} さんをチームから外しました。" in client.get(response["Location"]).text


def test_the_agency_team_page_offers_the_agency_roles(client, agency_owner, advisor):
    client.force_login(agency_owner)
    body = client.get(reverse("agency:team")).text
    assert f'action="{reverse("agency:member_role", args=[advisor.pk])}"' in body
    assert "キャリアアドバイザー" in body
    assert "採用担当者" not in body


def test_an_advisor_manages_nobody(client, agency, advisor):
    client.force_login(advisor.user)
    owner_membership = agency.memberships.get(role="admin")
    assert (
        client.post(reverse("agency:member_role", args=[owner_membership.pk]), {"role": "recruiter"}).status_code == 403
    )
    assert client.post(reverse("agency:member_remove", args=[owner_membership.pk])).status_code == 403
    assert agency.memberships.get(pk=owner_membership.pk).role == "admin"
