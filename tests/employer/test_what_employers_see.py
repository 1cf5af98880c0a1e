"""The employer never learns who registered: per-link figures below the threshold are 「5未満」
in the dashboard and the API (null with below_threshold), larger ones a range, the company's total
exact; the ledger shows days and no link; at most MAX_ACTIVE_CAMPAIGNS active links; and the
landing page says so to the candidate."""

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from careerrelay.audit.services import Actor, ActorKind
from careerrelay.organisations.services import create_api_key
from careerrelay.relay import services as relay
from careerrelay.relay.figures import coarse, coarse_part
from careerrelay.relay.models import RelayCampaign
from tests.factories import registration_data
from tests.helpers.employer import count_referrals

pytestmark = pytest.mark.django_db


def funnel_table(html):
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</th>(.*?)</tr>", html, re.S)
    return {
        unescape(re.sub(r"<[^>]+>", "", name)).strip(): re.findall(r'class="num[^"]*">([^<]*)<', cells)
        for name, cells in rows
    }


def total_row(html):
    return re.findall(r'class="num">([^<]*)<', re.search(r'<tr class="total">(.*?)</tr>', html, re.S).group(1))


def register_through(link_url, **fields):
    """A rejected applicant opens the link and registers (the real form)."""
    visitor = Client()
    assert visitor.get(link_url).status_code == 200
    response = visitor.post(link_url, registration_data(**fields))
    assert response.status_code == 302, response.content.decode()[:500]


def test_one_link_per_applicant_does_not_say_who_registered(owner_client, employer, owner, campaign):
    # The attack: a link of its own for each of two rejected applicants; one of them registers.
    for name in ("髙橋さん専用", "山﨑さん専用"):
        assert owner_client.post(reverse("employer:campaigns"), {"name": name}).status_code == 302
    takahashi = RelayCampaign.objects.get(name="髙橋さん専用")
    register_through(takahashi.get_absolute_url())
    assert RelayCampaign.objects.get(pk=takahashi.pk).registrations == 1  # counted exactly inside

    html = owner_client.get(reverse("employer:dashboard")).text
    table = funnel_table(html)
    # Both links look the same: the one with a registration and the one without.
    assert table["髙橋さん専用"] == table["山﨑さん専用"] == ["5未満"] * 4
    assert total_row(html)[:2] == ["1", "1"]  # the company totals stay exact: 1 view, 1 registration
    assert "誰が登録したかは、企業には表示されません" in html

    # The API says the same: null with below_threshold per link, exact totals.
    secret = create_api_key(organisation=employer, name="ATS", actor=Actor.for_user(owner, ActorKind.EMPLOYER))[1]
    body = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    links = {link["name"]: link["counters"] for link in body["relay_links"]}
    hidden = {"value": None, "below_threshold": True}
    assert (
        links["髙橋さん専用"]
        == links["山﨑さん専用"]
        == {
            "landing_views": hidden,
            "registrations": hidden,
            "verified": hidden,
            "counted_referrals": hidden,
        }
    )
    assert body["counters"]["registrations"] == 1


@pytest.mark.parametrize(
    ("exact", "shown", "api"),
    [
        (0, "5未満", None),
        (1, "5未満", None),
        (4, "5未満", None),
        (5, "5〜9", 5),
        (9, "5〜9", 5),
        (13, "10〜14", 10),
        (1234, "1,230〜1,234", 1230),
    ],
)
def test_each_per_link_figure_is_coarse(owner_client, employer, campaign, exact, shown, api):
    RelayCampaign.objects.filter(pk=campaign.pk).update(landing_views=exact, registrations=exact, verified=exact)
    count_referrals(employer, campaign, exact if exact < 20 else 0)
    html = owner_client.get(reverse("employer:dashboard")).text
    cells = funnel_table(html)["標準リレーリンク"]
    assert cells[:3] == [shown] * 3
    assert total_row(html)[:3] == [f"{exact:,}"] * 3  # the total: exact
    # A crossing from 5 to 9 changes nothing on screen: one more person is not visible.
    assert coarse(exact).as_api() == {"value": api, "below_threshold": api is None}


def test_the_threshold_is_a_setting(owner_client, campaign, settings):
    settings.EMPLOYER_FIGURE_THRESHOLD = 10
    RelayCampaign.objects.filter(pk=campaign.pk).update(registrations=7)
    html = owner_client.get(reverse("employer:dashboard")).text
    assert funnel_table(html)["標準リレーリンク"][1] == "10未満"
    assert "10人未満なら「10未満」" in html


def test_clicks_among_known_recipients_hide_an_all_or_nearly_all(settings):
    assert str(coarse_part(5, 5)) == "非表示(少人数)"  # 5 of 5 would name all five
    assert coarse_part(5, 9).as_api() == {"value": None, "below_threshold": True}
    assert str(coarse_part(5, 10)) == "5〜9"
    assert str(coarse_part(3, 100)) == "5未満"


def test_the_ledger_shows_days_and_no_link(owner_client, employer):
    special = relay.create_campaign(organisation=employer, name="髙橋さん専用")
    count_referrals(employer, special, 1)
    html = owner_client.get(reverse("employer:dashboard")).text
    ledger = re.search(r'<table class="table" id="ledger">(.*?)</table>', html, re.S).group(1)
    assert "髙橋さん専用" not in ledger
    assert re.search(r"\d{4}-\d\d-\d\d", ledger)
    assert not re.search(r"\d\d:\d\d", ledger)


# --- At most MAX_ACTIVE_CAMPAIGNS active links ------------------------------------------------------


def fill_up(employer, settings):
    settings.MAX_ACTIVE_CAMPAIGNS = 20
    for n in range(19):  # with the default link: 20 active
        relay.create_campaign(organisation=employer, name=f"求人{n}")
    assert RelayCampaign.objects.filter(organisation=employer, is_active=True).count() == 20


def test_a_21st_active_campaign_is_refused_with_a_field_error(owner_client, employer, settings):
    fill_up(employer, settings)
    response = owner_client.post(reverse("employer:campaigns"), {"name": "21個目"})
    assert response.status_code == 200
    assert "有効なリレーリンクは20件までです" in response.text
    assert 'value="21個目"' in response.text  # what was typed is kept
    assert re.search(r'class="field has-error[^"]*">\s*<label for="id_name"', response.text)
    assert not RelayCampaign.objects.filter(name="21個目").exists()
    assert "有効なリンク: 20 / 20件" in response.text
    with pytest.raises(relay.TooManyCampaigns):
        relay.create_campaign(organisation=employer, name="21個目")


def test_re_activating_a_21st_is_refused_next_to_its_button(owner_client, employer, settings):
    fill_up(employer, settings)
    spare = RelayCampaign.objects.get(name="求人0")
    owner_client.post(reverse("employer:campaign_set_active", args=[spare.pk]), {"active": "0"})
    assert owner_client.post(reverse("employer:campaigns"), {"name": "新しい求人"}).status_code == 302  # 20 again
    response = owner_client.post(reverse("employer:campaign_set_active", args=[spare.pk]), {"active": "1"})
    assert response.status_code == 200
    assert f'id="activate-error-{spare.pk}"' in response.text
    assert "有効なリレーリンクは20件までです" in response.text
    spare.refresh_from_db()
    assert not spare.is_active
    # Disabling another one makes room.
    other = RelayCampaign.objects.get(name="求人1")
    owner_client.post(reverse("employer:campaign_set_active", args=[other.pk]), {"active": "0"})
    owner_client.post(reverse("employer:campaign_set_active", args=[spare.pk]), {"active": "1"})
    spare.refresh_from_db()
    assert spare.is_active


def test_renaming_a_campaign_at_the_limit_still_works(owner_client, employer, settings):
    fill_up(employer, settings)
    campaign = RelayCampaign.objects.get(name="求人3")
    response = owner_client.post(reverse("employer:campaign_edit", args=[campaign.pk]), {"name": "求人3(改)"})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "求人3(改)"


def test_the_landing_page_promises_what_is_true(client, campaign):
    html = client.get(campaign.get_absolute_url()).text
    promise = unescape(re.search(r'<li id="promise-employer">(.*?)</li>', html, re.S).group(1))
    assert "誰が登録したかや入力内容を伝えることはありません" in promise
    assert "5人未満なら表示されず" in promise
