"""Tenant isolation: every agency URL for the agency's owner and member, another agency, an
employer user, a pending agency and an anonymous visitor."""

import pytest
from django.urls import reverse

from careerrelay.agencies import services as agencies
from careerrelay.audit.services import Actor
from careerrelay.organisations.models import Invitation, Membership
from careerrelay.organisations.services import create_api_key, invite_member
from careerrelay.privacy.models import ProvisionRecord
from tests.helpers.agencies import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(agency, agency_owner, agency_member, candidate, resume):
    job_order = agencies.create_job_order(
        organisation=agency, created_by=agency_owner, data={"client_company": "株式会社A", "title": "Javaエンジニア"}
    )
    key, _secret = create_api_key(organisation=agency, name="CRM", actor=Actor.system())
    invitation = invite_member(
        organisation=agency, email="new@mirai.example", role="recruiter", invited_by=agency_owner, site_url=""
    )
    member = agency.memberships.get(user=agency_member)
    return {"job_order": job_order, "key": key, "invitation": invitation, "candidate": candidate, "member": member}


# (name, method, url builder, kind): kind says who may use it.
#   candidates: any approved agency (the pool is shared, under each candidate's consent)
#   own: only the agency that owns the object; admin: only its admins
URLS = [
    ("home", "get", lambda o: reverse("agency:home"), "candidates"),
    ("search", "get", lambda o: reverse("agency:search") + "?q=Java", "candidates"),
    ("candidate", "get", lambda o: reverse("agency:candidate", args=[o["candidate"].public_id]), "candidates"),
    ("resume", "get", lambda o: reverse("agency:candidate_resume", args=[o["candidate"].public_id]), "candidates"),
    ("job_orders", "get", lambda o: reverse("agency:job_orders"), "candidates"),
    ("job_order_edit", "get", lambda o: reverse("agency:job_order_edit", args=[o["job_order"].pk]), "own"),
    ("job_order_status", "post", lambda o: reverse("agency:job_order_status", args=[o["job_order"].pk]), "own"),
    ("job_order_find", "get", lambda o: reverse("agency:job_order_find", args=[o["job_order"].pk]), "own"),
    ("search_for_job_order", "get", lambda o: reverse("agency:search") + f"?job_order={o['job_order'].pk}", "own"),
    ("team", "get", lambda o: reverse("agency:team"), "candidates"),
    (
        "invitation_revoke",
        "post",
        lambda o: reverse("agency:invitation_revoke", args=[o["invitation"].pk]),
        "own_admin",
    ),
    ("member_role", "post", lambda o: reverse("agency:member_role", args=[o["member"].pk]), "own_admin"),
    ("member_remove", "post", lambda o: reverse("agency:member_remove", args=[o["member"].pk]), "own_admin"),
    ("api_keys", "get", lambda o: reverse("agency:api_keys"), "admin"),
    ("api_key_revoke", "post", lambda o: reverse("agency:api_key_revoke", args=[o["key"].pk]), "own_admin"),
]
IDS = [u[0] for u in URLS]


def _call(client, method, url):
    if method == "post":
        return client.post(url, {"status": "closed"})
    return client.get(url)


# What the agency's people see on each URL, or on the page a POST sends them to.
SHOWS = {
    "home": "株式会社A / Javaエンジニア",
    "search": lambda o: agencies.reference_for(o["candidate"].public_id),  # the results name nobody
    "candidate": "hanako.takahashi@example.jp",
    "resume": PDF,
    "job_orders": "株式会社A",
    "job_order_edit": "株式会社A / Javaエンジニア",
    "job_order_status": "求人票「Javaエンジニア」の募集を終了しました。",
    "job_order_find": "求人票「株式会社A / Javaエンジニア」の条件で検索しています。",
    "search_for_job_order": "求人票「株式会社A / Javaエンジニア」の条件で検索しています。",
    "team": "owner@mirai.example",
    "invitation_revoke": "new@mirai.example への招待を取り消しました。",
    "member_role": "権限を選んでください。",  # the POST names no role
    "member_remove": "さんをチームから外しました。",
    "api_keys": "CRM",
    "api_key_revoke": "APIキー「CRM」を無効にしました。",
}
# What another agency sees on the URLs open to every approved agency: its own workspace.
OTHER_AGENCY_SHOWS = {
    "home": "株式会社よその紹介",
    "search": lambda o: agencies.reference_for(o["candidate"].public_id),
    "candidate": "hanako.takahashi@example.jp",  # the shared pool, under the candidate's consent
    "resume": PDF,
    "job_orders": "該当する求人票はありません。",
    "team": "owner@yoso-shokai.example",
    "api_keys": "APIキーはまだありません。",
}


def _page_after(client, response) -> bytes:
    assert "/accounts/login/" not in response.get("Location", "")
    if response.status_code == 302:
        response = client.get(response["Location"])
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def _shows(client, response, objects, text):
    text = text(objects) if callable(text) else text
    return (text if isinstance(text, bytes) else text.encode()) in _page_after(client, response)


@pytest.mark.parametrize(("name", "method", "build", "kind"), URLS, ids=IDS)
def test_the_agency_owner_may_use_every_url(client, objects, agency_owner, name, method, build, kind):
    client.force_login(agency_owner)
    assert _shows(client, _call(client, method, build(objects)), objects, SHOWS[name])


@pytest.mark.parametrize(("name", "method", "build", "kind"), URLS, ids=IDS)
def test_a_member_may_use_everything_but_admin_pages(client, objects, agency_member, name, method, build, kind):
    client.force_login(agency_member)
    response = _call(client, method, build(objects))
    if kind in ("admin", "own_admin"):
        assert response.status_code == 403
        assert "CRM" not in response.text and "new@mirai.example" not in response.text
    else:
        assert _shows(client, response, objects, SHOWS[name])


@pytest.mark.parametrize(("name", "method", "build", "kind"), URLS, ids=IDS)
def test_another_agency_finds_nothing_of_this_agency(client, objects, other_agency_owner, name, method, build, kind):
    client.force_login(other_agency_owner)
    response = _call(client, method, build(objects))
    if kind.startswith("own"):
        assert response.status_code == 404
    else:
        assert _shows(client, response, objects, OTHER_AGENCY_SHOWS[name])
    if name == "job_order_status":
        objects["job_order"].refresh_from_db()
        assert objects["job_order"].status == "open"
    if name == "api_key_revoke":
        objects["key"].refresh_from_db()
        assert objects["key"].revoked_at is None
    if name == "invitation_revoke":
        assert Invitation.objects.get(pk=objects["invitation"].pk).revoked_at is None
    if name in ("member_role", "member_remove"):
        assert Membership.objects.get(pk=objects["member"].pk).role == "recruiter"


@pytest.mark.parametrize(("name", "method", "build", "kind"), URLS, ids=IDS)
def test_an_employer_user_gets_403_everywhere(client, objects, owner, name, method, build, kind):
    client.force_login(owner)
    response = _call(client, method, build(objects))
    assert response.status_code == 403
    assert "hanako" not in response.content.decode()
    assert "髙橋" not in response.content.decode()


@pytest.mark.parametrize(("name", "method", "build", "kind"), URLS, ids=IDS)
def test_a_pending_agency_sees_the_waiting_notice_and_no_candidate(
    client, objects, pending_owner, name, method, build, kind
):
    client.force_login(pending_owner)
    response = _call(client, method, build(objects))
    body = response.content.decode()
    if name == "home":
        assert response.status_code == 200
    else:
        assert response.status_code == 403
    assert 'id="pending-notice"' in body
    assert "髙橋" not in body
    assert "hanako" not in body
    assert ProvisionRecord.objects.filter(recipient_organisation__memberships__user=pending_owner).count() == 0


@pytest.mark.parametrize(("name", "method", "build", "kind"), URLS, ids=IDS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, objects, name, method, build, kind):
    response = _call(client, method, build(objects))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_suspended_agency_sees_no_candidate(client, agency, agency_owner, candidate):
    agencies.suspend_agency(organisation=agency, actor=Actor.system())
    client.force_login(agency_owner)
    response = client.get(reverse("agency:candidate", args=[candidate.public_id]))
    assert response.status_code == 403
    assert "髙橋" not in response.content.decode()
    assert ProvisionRecord.objects.count() == 0


def test_agency_staff_who_open_the_employer_workspace_land_in_their_own(client, agency_owner):
    client.force_login(agency_owner)
    response = client.get(reverse("employer:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("agency:home")


def test_after_login_agency_staff_reach_the_agency_workspace(client, agency_owner):
    response = client.post(
        reverse("account_login"), {"login": "owner@mirai.example", "password": "correct horse battery"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("agency:home")
    assert response.status_code == 200


def test_the_agency_team_page_names_roles_the_agency_way(client, agency_owner, agency_member):
    client.force_login(agency_owner)
    body = client.get(reverse("agency:team")).content.decode()
    assert "キャリアアドバイザー" in body
    assert "advisor@mirai.example" in body
