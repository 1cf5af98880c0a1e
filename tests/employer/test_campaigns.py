import pytest
from django.urls import reverse

from careerrelay.relay.models import RelayCampaign
from careerrelay.relay.services import create_campaign

pytestmark = pytest.mark.django_db


def test_campaign_list_shows_each_link_with_a_copy_button(owner_client, campaign):
    html = owner_client.get(reverse("employer:campaigns")).text
    assert f'value="http://testserver/r/{campaign.code}/"' in html
    assert f'data-copy-target="url-{campaign.pk}"' in html
    assert f'<label class="visually-hidden" for="url-{campaign.pk}">' in html


def test_a_recruiter_adds_a_campaign(member_client, employer):
    response = member_client.post(reverse("employer:campaigns"), {"name": "  エンジニア職　ATS経由 "})
    assert response.status_code == 302
    campaign = RelayCampaign.objects.get(organisation=employer, name="エンジニア職 ATS経由")
    assert campaign.is_active
    assert not campaign.is_default
    page = member_client.get(response["Location"]).text
    assert "キャンペーン「エンジニア職 ATS経由」を作成しました。" in page
    assert campaign.code in page


def test_adding_a_campaign_validates_in_japanese(owner_client, employer):
    response = owner_client.post(reverse("employer:campaigns"), {"name": "　"})
    assert response.status_code == 200
    assert "名前を入力してください。" in response.text
    response = owner_client.post(reverse("employer:campaigns"), {"name": "標準リレーリンク"})
    assert "同じ名前のキャンペーンがすでにあります。" in response.text
    assert 'value="標準リレーリンク"' in response.text
    response = owner_client.post(reverse("employer:campaigns"), {"name": "あ" * 101})
    assert "名前は100文字以内で入力してください。" in response.text
    assert RelayCampaign.objects.filter(organisation=employer).count() == 1


def test_renaming_keeps_the_link(owner_client, campaign):
    page = owner_client.get(reverse("employer:campaign_edit", args=[campaign.pk]))
    assert 'value="標準リレーリンク"' in page.text
    response = owner_client.post(reverse("employer:campaign_edit", args=[campaign.pk]), {"name": "新卒採用"})
    assert response.status_code == 302
    renamed = RelayCampaign.objects.get(pk=campaign.pk)
    assert (renamed.name, renamed.code, renamed.is_default) == ("新卒採用", campaign.code, True)
    assert "キャンペーン名を「新卒採用」に変更しました。" in owner_client.get(response["Location"]).text


def test_renaming_to_its_own_name_is_fine_but_not_to_anothers(owner_client, employer, campaign):
    create_campaign(organisation=employer, name="エンジニア職")
    url = reverse("employer:campaign_edit", args=[campaign.pk])
    assert owner_client.post(url, {"name": "標準リレーリンク"}).status_code == 302
    response = owner_client.post(url, {"name": "エンジニア職"})
    assert response.status_code == 200
    assert "同じ名前のキャンペーンがすでにあります。" in response.text


def test_disable_and_enable(owner_client, employer, campaign, client):
    job = create_campaign(organisation=employer, name="エンジニア職")
    url = reverse("employer:campaign_set_active", args=[job.pk])
    response = owner_client.post(url, {"active": "0"})
    assert response.status_code == 302
    assert not RelayCampaign.objects.get(pk=job.pk).is_active
    assert "「エンジニア職」を無効にしました。" in owner_client.get(response["Location"]).text
    # The candidate who opens a disabled link gets the friendly page.
    assert client.get(job.get_absolute_url()).status_code == 404

    owner_client.post(url, {"active": "1"})
    assert RelayCampaign.objects.get(pk=job.pk).is_active


def test_the_default_campaign_can_be_disabled_while_another_link_works(owner_client, employer, campaign):
    create_campaign(organisation=employer, name="エンジニア職")
    owner_client.post(reverse("employer:campaign_set_active", args=[campaign.pk]), {"active": "0"})
    assert not RelayCampaign.objects.get(pk=campaign.pk).is_active


def test_the_last_active_campaign_cannot_be_disabled(owner_client, employer, campaign):
    response = owner_client.post(reverse("employer:campaign_set_active", args=[campaign.pk]), {"active": "0"})
    assert response.status_code == 302
    assert RelayCampaign.objects.get(pk=campaign.pk).is_active
    assert "有効なリレーリンクが1つもなくなるため" in owner_client.get(response["Location"]).text

    job = create_campaign(organisation=employer, name="エンジニア職")
    owner_client.post(reverse("employer:campaign_set_active", args=[campaign.pk]), {"active": "0"})
    owner_client.post(reverse("employer:campaign_set_active", args=[job.pk]), {"active": "0"})
    assert list(RelayCampaign.objects.filter(organisation=employer, is_active=True)) == [job]


def test_state_changes_need_post(owner_client, campaign):
    assert owner_client.get(reverse("employer:campaign_set_active", args=[campaign.pk])).status_code == 405


def test_state_changes_need_csrf(owner, campaign):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(reverse("employer:campaigns"), {"name": "CSRFなし"})
    assert response.status_code == 403
    assert not RelayCampaign.objects.filter(name="CSRFなし").exists()
