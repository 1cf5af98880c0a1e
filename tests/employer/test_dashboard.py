import re
import uuid
from html import unescape

import pytest
from django.db import transaction
from django.urls import reverse

from careerrelay.credits.models import LedgerEntry
from careerrelay.credits.services import record_counted_referral
from careerrelay.relay.models import RelayCampaign
from careerrelay.relay.services import create_campaign
from tests.helpers.employer import count_referrals

pytestmark = pytest.mark.django_db


def test_dashboard_offers_the_relay_link_and_a_paragraph_to_paste(owner_client, campaign):
    html = owner_client.get(reverse("employer:dashboard")).text
    assert f'<input id="relay-url" type="text" readonly value="http://testserver/r/{campaign.code}/">' in html
    assert 'data-copy-target="relay-url"' in html
    assert 'data-copy-target="rejection-text"' in html
    paragraph = unescape(re.search(r'<textarea id="rejection-text"[^>]*>(.*?)</textarea>', html, re.S).group(1))
    assert f"http://testserver/r/{campaign.code}/" in paragraph
    assert "株式会社山﨑製作所では" in paragraph
    assert "無料" in paragraph
    assert "js/copy.js" in html


def test_a_recruiter_sees_the_same_dashboard(member_client, campaign):
    response = member_client.get(reverse("employer:dashboard"))
    assert response.status_code == 200
    assert campaign.code in response.text
    assert reverse("employer:api_keys") not in response.text  # admins only


def test_dashboard_shows_counts_per_campaign_and_in_total(owner_client, employer, campaign):
    job = create_campaign(organisation=employer, name="エンジニア職")
    RelayCampaign.objects.filter(pk=campaign.pk).update(landing_views=120, registrations=30, verified=20)
    RelayCampaign.objects.filter(pk=job.pk).update(landing_views=1200, registrations=40, verified=25)
    count_referrals(employer, campaign, 4)
    count_referrals(employer, job, 9)

    html = owner_client.get(reverse("employer:dashboard")).text
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</th>(.*?)</tr>", html, re.S)
    table = {
        unescape(re.sub(r"<[^>]+>", "", name)).strip(): re.findall(r'class="num[^"]*">([^<]*)<', cells)
        for name, cells in rows
    }
    # Per link coarse (below 5: 「5未満」; above: a range 5 wide), in total exact.
    assert table["標準リレーリンク"] == ["120〜124", "30〜34", "20〜24", "5未満"]
    assert table["エンジニア職"] == ["1,200〜1,204", "40〜44", "25〜29", "5〜9"]
    total = re.search(r'<tr class="total">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'class="num">([^<]*)<', total) == ["1,320", "70", "45", "13"]


def test_credits_and_progress_to_the_next_one(owner_client, employer, campaign, settings):
    count_referrals(employer, campaign, 17)
    html = owner_client.get(reverse("employer:dashboard")).text
    assert 'id="stat-counted">17<' in html
    assert 'id="stat-earned">1<' in html
    assert 'id="stat-available">1<' in html
    assert "あと3名で無料紹介1名" in html
    assert 'aria-valuenow="70"' in html
    assert 'style="width: 70%"' in html


def test_counts_only_never_who_registered(owner_client, employer, campaign):
    subject = uuid.uuid4()
    with transaction.atomic():
        record_counted_referral(organisation=employer, campaign=campaign, subject_key=subject)
    html = owner_client.get(reverse("employer:dashboard")).text
    assert "紹介カウント" in html
    assert str(subject) not in html
    assert subject.hex not in html


def test_ledger_history_is_paginated(owner_client, employer, campaign):
    count_referrals(employer, campaign, 25)  # 25 referrals and 2 grants
    first = owner_client.get(reverse("employer:dashboard")).text
    ledger_rows = lambda html: len(re.findall(r"<tr>\s*<td class=\"date\">\d{4}-\d\d-\d\d</td>", html))  # noqa: E731
    assert ledger_rows(first) == 20
    assert "1 / 2 ページ" in first
    second = owner_client.get(reverse("employer:dashboard") + "?page=2").text
    assert ledger_rows(second) == LedgerEntry.objects.filter(organisation=employer).count() - 20 == 7
    assert owner_client.get(reverse("employer:dashboard") + "?page=99").status_code == 200


def test_when_the_default_link_is_disabled_the_dashboard_offers_an_active_one(owner_client, employer, campaign):
    job = create_campaign(organisation=employer, name="エンジニア職")
    RelayCampaign.objects.filter(pk=campaign.pk).update(is_active=False)
    html = owner_client.get(reverse("employer:dashboard")).text
    assert f'id="relay-url" type="text" readonly value="http://testserver/r/{job.code}/"' in html


def test_nav_links_every_workspace_page(owner_client):
    html = owner_client.get(reverse("employer:dashboard")).text
    for name in ("employer:dashboard", "employer:campaigns", "employer:team", "employer:api_keys"):
        assert f'href="{reverse(name)}"' in html
    assert f'action="{reverse("account_logout")}"' in html
    assert 'aria-current="page"' in html
