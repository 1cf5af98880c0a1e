"""workspace_view through the real URLs of both portals: the owner, a member and an outsider of an
employer and of an agency; a pending and a suspended organisation; and people on the other kind's
pages, who get the answer each portal has always given."""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from careerrelay.agencies import services as agencies
from careerrelay.audit.services import Actor
from careerrelay.organisations.models import Organisation
from tests.factories import EmployerFactory, MembershipFactory, UserFactory
from tests.helpers.agencies import make_agency

pytestmark = pytest.mark.django_db

ADMIN_ONLY = "管理者のみ利用できます"
NOT_AN_EMPLOYER = "まだどの企業にも所属していません"
NOT_AN_AGENCY = "人材紹介会社のワークスペースではありません"


@dataclass
class Side:
    kind: str
    organisation: str  # fixture names
    owner: str
    member: str
    home: str
    back_to_home: str


EMPLOYER = Side(Organisation.Kind.EMPLOYER, "employer", "owner", "member", "employer:dashboard", "ダッシュボードへ戻る")
AGENCY = Side(Organisation.Kind.AGENCY, "agency", "agency_owner", "agency_member", "agency:home", "ホームへ戻る")
SIDES = pytest.mark.parametrize("side", [EMPLOYER, AGENCY], ids=["employer", "agency"])


def _get(client, user, name):
    client.force_login(user)
    return client.get(reverse(name))


@SIDES
def test_the_owner_gets_every_page_with_the_organisation_on_the_request(client, request, side):
    organisation = request.getfixturevalue(side.organisation)
    owner = request.getfixturevalue(side.owner)
    for page in ("team", "api_keys", "notifications"):
        response = _get(client, owner, f"{side.kind}:{page}")
        assert response.status_code == 200
        assert response.wsgi_request.organisation == organisation
        assert response.wsgi_request.membership.user == owner
        assert response.wsgi_request.workspace.kind == side.kind


def test_an_agency_page_has_the_agency_profile_on_the_request(client, agency, agency_owner):
    assert _get(client, agency_owner, "agency:team").wsgi_request.agency == agency.agency_profile


@SIDES
def test_a_member_gets_the_team_but_not_the_admin_pages(client, request, side):
    member = request.getfixturevalue(side.member)
    assert _get(client, member, f"{side.kind}:team").status_code == 200
    response = _get(client, member, f"{side.kind}:api_keys")
    assert response.status_code == 403
    assert ADMIN_ONLY in response.text
    assert side.back_to_home in response.text
    assert f'href="{reverse(side.home)}"' in response.text
    client.force_login(member)
    response = client.post(reverse(f"{side.kind}:team"), {"email": "x@example.jp", "role": "recruiter"})
    assert response.status_code == 403
    assert ADMIN_ONLY in response.text


def test_another_companys_admin_sees_their_own_company(client, outsider, employer, member):
    response = _get(client, outsider, "employer:team")
    assert response.status_code == 200
    assert response.wsgi_request.organisation != employer
    assert member.email not in response.text


def test_another_agencys_owner_sees_their_own_agency(client, agency, agency_owner):
    _other, outsider = make_agency("株式会社よその紹介", "27-ユ-300002", "owner@yoso-shokai.example")
    response = _get(client, outsider, "agency:team")
    assert response.status_code == 200
    assert response.wsgi_request.organisation != agency
    assert agency_owner.email not in response.text


def test_someone_of_no_company_gets_the_friendly_page(client):
    response = _get(client, UserFactory(), "employer:team")
    assert response.status_code == 200
    assert NOT_AN_EMPLOYER in response.text
    assert not hasattr(response.wsgi_request, "organisation")


def test_someone_of_no_agency_is_refused(client):
    response = _get(client, UserFactory(), "agency:team")
    assert response.status_code == 403
    assert NOT_AN_AGENCY in response.text


def test_an_employer_user_on_an_agency_page_is_refused_as_before(client, owner):
    for name in ("agency:home", "agency:team", "agency:api_keys"):
        response = _get(client, owner, name)
        assert response.status_code == 403
        assert NOT_AN_AGENCY in response.text


def test_agency_staff_on_an_employer_page_land_in_their_own_workspace(client, agency_owner):
    response = _get(client, agency_owner, "employer:team")
    assert response.status_code == 302
    assert response["Location"] == reverse("agency:home")


def test_a_pending_employer_can_use_its_workspace(client):
    employer = EmployerFactory(status=Organisation.Status.PENDING)
    admin = MembershipFactory(organisation=employer, role="admin").user
    response = _get(client, admin, "employer:api_keys")
    assert response.status_code == 200
    assert 'id="pending-approval"' in response.text


def test_a_pending_agency_waits_on_every_page_but_home(client):
    _organisation, admin = make_agency("株式会社まだ人材", "13-ユ-300003", "owner@mada.example", approve=False)
    for name in ("agency:team", "agency:api_keys", "agency:notifications"):
        response = _get(client, admin, name)
        assert response.status_code == 403
        assert 'id="pending-notice"' in response.text
    response = _get(client, admin, "agency:home")
    assert response.status_code == 200
    assert 'id="pending-notice"' in response.text


def test_a_suspended_employer_sees_the_notice(client, owner, employer):
    Organisation.objects.filter(pk=employer.pk).update(is_active=False)
    for name in ("employer:team", "employer:api_keys"):
        response = _get(client, owner, name)
        assert response.status_code == 200
        assert "運営により一時停止されています" in response.text
        assert ADMIN_ONLY not in response.text


def test_a_suspended_agency_sees_the_notice(client, agency, agency_owner):
    agencies.suspend_agency(organisation=agency, actor=Actor.system())
    for name in ("agency:home", "agency:team", "agency:api_keys"):
        response = _get(client, agency_owner, name)
        assert response.status_code == 403
        assert "運営により停止されています" in response.text


@pytest.mark.parametrize("name", ["employer:team", "agency:team", "employer:api_keys", "agency:api_keys"])
def test_anonymous_visitors_are_sent_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
