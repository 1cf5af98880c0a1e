"""Every employer URL, with an owner (admin), a member (recruiter), an outsider (another
company's admin) and an anonymous visitor."""

import pytest
from django.urls import URLResolver, reverse

from careerrelay.organisations.models import ApiKey, Invitation, Membership
from careerrelay.portals.employer import urls as employer_urls
from careerrelay.relay.models import RelayCampaign

pytestmark = pytest.mark.django_db

ANYONE = "member"  # every member of the company, recruiters included
ADMIN = "admin"

# (url name, object it acts on or None, method, who may use it, POST data)
URLS = [
    ("employer:dashboard", None, "get", ANYONE, None),
    ("employer:campaigns", None, "get", ANYONE, None),
    ("employer:campaigns", None, "post", ANYONE, {"name": "新しいキャンペーン"}),
    ("employer:campaign_edit", "campaign", "get", ANYONE, None),
    ("employer:campaign_edit", "campaign", "post", ANYONE, {"name": "乗っ取り"}),
    ("employer:campaign_set_active", "campaign", "post", ANYONE, {"active": "0"}),
    ("employer:team", None, "get", ANYONE, None),
    ("employer:team", None, "post", ADMIN, {"email": "someone@example.jp", "role": "admin"}),
    ("employer:invitation_revoke", "invitation", "post", ADMIN, {}),
    ("employer:member_role", "member_membership", "post", ADMIN, {"role": "admin"}),
    ("employer:member_remove", "member_membership", "post", ADMIN, {}),
    ("employer:reply_to", None, "post", ADMIN, {"email": "owner@yamasaki.example"}),
    ("employer:api_keys", None, "get", ADMIN, None),
    ("employer:api_keys", None, "post", ADMIN, {"name": "新しいキー"}),
    ("employer:api_key_revoke", "api_key", "post", ADMIN, {}),
    ("employer:notifications", None, "get", ANYONE, None),
    ("employer:notifications", None, "post", ANYONE, {"language": "en"}),
    ("employer:brand", None, "get", ADMIN, None),
    ("employer:brand", None, "post", ADMIN, {"brand_colour": "#a1b2c3"}),
]
OBJECT_URLS = [u for u in URLS if u[1] is not None]
IDS = [f"{name}:{method}" for name, _obj, method, _who, _data in URLS]

# What a member allowed to use each URL gets: the exact status, where a POST sends them, and
# something of their own company's on the page they end up on.
CAMPAIGNS, TEAM, KEYS = "/employer/campaigns/", "/employer/team/", "/employer/api-keys/"
ALLOWED = {
    "employer:dashboard:get": (200, None, "予備"),
    "employer:campaigns:get": (200, None, "予備"),
    "employer:campaigns:post": (302, CAMPAIGNS, "新しいキャンペーン"),
    "employer:campaign_edit:get": (200, None, "標準リレーリンク"),
    "employer:campaign_edit:post": (302, CAMPAIGNS, "乗っ取り"),
    "employer:campaign_set_active:post": (302, CAMPAIGNS, "予備"),
    "employer:team:get": (200, None, "member@yamasaki.example"),
    "employer:team:post": (302, TEAM, "someone@example.jp"),
    "employer:invitation_revoke:post": (302, TEAM, "member@yamasaki.example"),
    "employer:member_role:post": (302, TEAM, "member@yamasaki.example"),
    "employer:member_remove:post": (302, TEAM, "newcomer@yamasaki.example"),
    "employer:reply_to:post": (302, TEAM, "member@yamasaki.example"),
    "employer:api_keys:get": (200, None, "山﨑ATS連携"),
    "employer:api_keys:post": (302, KEYS, "新しいキー"),
    "employer:api_key_revoke:post": (302, KEYS, "山﨑ATS連携"),
    "employer:notifications:get": (200, None, "株式会社山﨑製作所"),
    "employer:notifications:post": (302, "/employer/notifications/", "株式会社山﨑製作所"),
    "employer:brand:get": (200, None, "株式会社山﨑製作所"),
    "employer:brand:post": (302, "/employer/brand/", "#a1b2c3"),
}


def _url(request, name, obj_fixture):
    if obj_fixture is None:
        return reverse(name)
    return reverse(name, args=[request.getfixturevalue(obj_fixture).pk])


def _call(client, method, url, data):
    return client.post(url, data) if method == "post" else client.get(url)


def _assert_allowed(client, response, name, method):
    status, location, own_data = ALLOWED[f"{name}:{method}"]
    assert response.status_code == status
    if location is not None:
        assert response["Location"] == location
        response = client.get(location)
    assert own_data in response.text


@pytest.fixture(autouse=True)
def _objects(campaign, api_key, invitation, member_membership):
    # A second active campaign, so that disabling the default one is allowed for those who may.
    RelayCampaign.objects.create(organisation=campaign.organisation, name="予備", code="spare-code-1")


# Their pages are checked by their own tests (talent, rejections, mailings, matching, recontact, surveys,
# followups, integrations, analytics, webhooks: tests/webhooks/test_pages.py; jobs:
# tests/talent/test_jobs_pages.py).
OTHER_AREAS = {
    "applicants/",
    "jobs/",
    "rejection-reasons/",
    "templates/",
    "sends/",
    "free-referrals/",
    "recontact/",
    "surveys/",
    "followups/",
    "webhooks/",
    "integrations/",
    "analytics/",  # tests/analytics/test_employer_pages.py
}


def _url_names(patterns):
    for p in patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern) not in OTHER_AREAS:
                yield from _url_names(p.url_patterns)
        else:
            yield f"employer:{p.name}"


def test_the_list_covers_every_employer_url():
    names = set(_url_names(employer_urls.urlpatterns))
    # The invitation pages are reached by token, not by membership; they have their own tests.
    names -= {"employer:accept_invitation", "employer:switch_account"}
    assert names == {name for name, *_rest in URLS}


@pytest.mark.parametrize(("name", "obj", "method", "who", "data"), URLS, ids=IDS)
def test_anonymous_is_sent_to_login(client, request, name, obj, method, who, data):
    url = _url(request, name, obj)
    response = _call(client, method, url, data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(("name", "obj", "method", "who", "data"), URLS, ids=IDS)
def test_owner_may_use_everything(owner_client, request, name, obj, method, who, data):
    response = _call(owner_client, method, _url(request, name, obj), data)
    _assert_allowed(owner_client, response, name, method)


def test_every_url_says_what_the_owner_gets():
    assert set(ALLOWED) == set(IDS)


@pytest.mark.parametrize(("name", "obj", "method", "who", "data"), URLS, ids=IDS)
def test_recruiter_may_not_manage_team_or_keys(member_client, request, name, obj, method, who, data):
    response = _call(member_client, method, _url(request, name, obj), data)
    if who == ADMIN:
        assert response.status_code == 403
        assert "管理者のみ利用できます" in response.text
    else:
        _assert_allowed(member_client, response, name, method)


def _snapshot(employer):
    return {
        "campaigns": sorted(RelayCampaign.objects.filter(organisation=employer).values_list("name", "is_active")),
        "keys": sorted(ApiKey.objects.filter(organisation=employer).values_list("name", "revoked_at")),
        "invitations": sorted(Invitation.objects.filter(organisation=employer).values_list("email", "revoked_at")),
        "members": sorted(Membership.objects.filter(organisation=employer).values_list("user__email", "role")),
    }


@pytest.mark.parametrize(
    ("name", "obj", "method", "who", "data"), OBJECT_URLS, ids=[f"{u[0]}:{u[2]}" for u in OBJECT_URLS]
)
def test_outsider_gets_404_on_this_companys_objects_and_changes_nothing(
    outsider_client, request, employer, name, obj, method, who, data
):
    before = _snapshot(employer)
    response = _call(outsider_client, method, _url(request, name, obj), data)
    assert response.status_code == 404
    assert "株式会社山﨑製作所" not in response.text
    assert _snapshot(employer) == before


@pytest.mark.parametrize(("name", "obj", "method", "who", "data"), URLS, ids=IDS)
def test_outsider_never_sees_this_companys_names_counts_or_ledger(
    outsider_client, request, activity, campaign, name, obj, method, who, data
):
    RelayCampaign.objects.filter(pk=campaign.pk).update(name="山﨑専用リンク")
    url = _url(request, name, obj)
    response = outsider_client.post(url, data, follow=True) if method == "post" else outsider_client.get(url)
    html = response.text
    # This company's objects are not found; every other page is the outsider's own workspace.
    assert response.status_code == (404 if obj is not None else 200)
    assert ("株式会社よそ" in html) == (obj is None)
    for secret in (
        "株式会社山﨑製作所",
        "山﨑専用リンク",
        campaign.code,
        "987,654",
        "987654",
        "87,654",
        "7,654",
        "山﨑さま向け補填",
        "山﨑ATS連携",
        "newcomer@yamasaki.example",
        "owner@yamasaki.example",
        "member@yamasaki.example",
    ):
        assert secret not in html, secret


def test_outsiders_own_dashboard_shows_only_its_own_figures(outsider_client, activity, outsider):
    html = outsider_client.get(reverse("employer:dashboard")).text
    assert "株式会社よそ" in html
    assert 'id="stat-counted">0<' in html
    assert 'id="stat-available">0<' in html


def test_a_user_without_a_company_gets_a_friendly_page(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(email="nobody@example.jp"))
    for name in ("employer:dashboard", "employer:campaigns", "employer:team", "employer:api_keys"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert "まだどの企業にも所属していません" in response.text


def test_a_suspended_company_sees_a_notice(owner_client, employer):
    employer.is_active = False
    employer.save(update_fields=["is_active"])
    response = owner_client.get(reverse("employer:dashboard"))
    assert "このワークスペースは現在ご利用いただけません" in response.text
