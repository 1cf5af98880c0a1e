"""Saved searches: save the list's conditions under a name, run them, delete them — per company."""

import pytest
from django.test import Client
from django.urls import reverse

from careerrelay.talent.models import SavedSearch
from tests.helpers.pool import pool_member

pytestmark = pytest.mark.django_db


def save(client, query, name):
    return client.post(reverse("employer:saved_search_add"), {"query": query, "name": name})


@pytest.fixture
def saved(owner, employer):
    pool_member(employer, "髙橋", skills="Python", recontact_ok=True)
    pool_member(employer, "佐藤", skills="Python")
    owners_browser = Client()  # not the `client` fixture, which the test may sign in as someone else
    owners_browser.force_login(owner)
    response = save(owners_browser, "q=ＰＹＴＨＯＮ&recontact=yes&sort=kana", "Python 再連絡可")
    assert response.status_code == 302
    return SavedSearch.objects.get(organisation=employer)


def test_round_trip_save_list_run_delete(owner_client, saved, owner):
    assert saved.params == {"q": ["ＰＹＴＨＯＮ"], "recontact": ["yes"], "sort": ["kana"]}
    assert saved.created_by == owner
    listing = owner_client.get(reverse("employer:applicants"))
    assert "Python 再連絡可" in listing.content.decode()
    ran = owner_client.get(reverse("employer:saved_search_run", args=[saved.pk]), follow=True)
    assert [a.family_name for a in ran.context["page"].object_list] == ["髙橋"]
    assert ran.context["form"]["q"].value() == "ＰＹＴＨＯＮ"  # the form shows the saved conditions
    deleted = owner_client.post(reverse("employer:saved_search_delete", args=[saved.pk]))
    assert deleted.status_code == 302
    assert not SavedSearch.objects.exists()


def test_the_page_offers_to_save_only_a_filtered_list_and_the_page_number_is_not_saved(owner_client, employer):
    assert 'name="name"' not in owner_client.get(reverse("employer:applicants")).content.decode()
    page = owner_client.get(reverse("employer:applicants"), {"q": "python", "page": "2"})
    assert 'name="query" value="q=python"' in page.content.decode()
    save(owner_client, "q=python&page=2", "p")
    assert SavedSearch.objects.get().params == {"q": ["python"]}


def test_a_name_is_required_and_unique_per_company(owner_client, saved, employer):
    response = save(owner_client, "q=go", "Python 再連絡可")
    assert response.status_code == 302
    assert SavedSearch.objects.filter(organisation=employer).count() == 1
    followed = owner_client.get(response["Location"])
    assert "同じ名前の保存済み検索があります" in followed.content.decode()
    assert followed.context["form"]["q"].value() == "go"  # back on the list with what was searched
    save(owner_client, "q=go", "   ")
    assert SavedSearch.objects.filter(organisation=employer).count() == 1
    save(owner_client, "", "空の条件")
    assert SavedSearch.objects.filter(organisation=employer).count() == 1


def test_members_see_and_run_the_companys_saved_searches_but_delete_only_their_own(member_client, saved, member):
    listing = member_client.get(reverse("employer:applicants"))
    assert "Python 再連絡可" in listing.content.decode()
    assert member_client.get(reverse("employer:saved_search_run", args=[saved.pk])).status_code == 302
    refused = member_client.post(reverse("employer:saved_search_delete", args=[saved.pk]))
    assert refused.status_code == 403
    assert SavedSearch.objects.filter(pk=saved.pk).exists()
    save(member_client, "q=go", "メンバーの検索")
    own = SavedSearch.objects.get(name="メンバーの検索")
    assert own.created_by == member
    assert member_client.post(reverse("employer:saved_search_delete", args=[own.pk])).status_code == 302
    assert not SavedSearch.objects.filter(pk=own.pk).exists()


def test_an_outsider_can_neither_see_run_nor_delete_them(client, outsider, saved):
    client.force_login(outsider)
    assert "Python 再連絡可" not in client.get(reverse("employer:applicants")).content.decode()
    assert client.get(reverse("employer:saved_search_run", args=[saved.pk])).status_code == 404
    assert client.post(reverse("employer:saved_search_delete", args=[saved.pk])).status_code == 404
    assert SavedSearch.objects.filter(pk=saved.pk).exists()
    save(client, "q=x", "Python 再連絡可")  # the same name in another company is fine
    assert SavedSearch.objects.filter(name="Python 再連絡可").count() == 2
