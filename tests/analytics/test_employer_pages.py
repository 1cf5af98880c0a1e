"""The 分析 page, its CSV and the fee setting: who may see what, the threshold, the encodings, and
a relay link's click and registration counted from the real pages."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from careerrelay.analytics.aggregation import aggregate, take_view_snapshots, today
from careerrelay.audit.models import AuditEvent
from careerrelay.credits.models import LedgerEntry
from careerrelay.organisations.models import Organisation
from careerrelay.relay.models import RelayCampaign
from careerrelay.relay.services import create_campaign
from tests.analytics import helpers as h
from tests.factories import registration_data

pytestmark = pytest.mark.django_db

PAGE, EXPORT, FEE = "/employer/analytics/", "/employer/analytics/export.csv", "/employer/analytics/fee/"


@pytest.fixture
def few_registrations(employer):
    """Three registrations through one link yesterday: a group too small to show."""
    campaign = create_campaign(organisation=employer, name="小さな求人媒体")
    for _ in range(3):
        h.registration(campaign, h.at(today() - timedelta(days=1)))
    aggregate(today() - timedelta(days=3), today() - timedelta(days=1))
    return campaign


def test_a_group_below_five_shows_as_under_five_and_the_total_stays_exact(owner_client, api_headers, few_registrations):
    page = owner_client.get(PAGE, {"group_by": "campaign"})
    assert page.status_code == 200
    row = re.search(r"小さな求人媒体</th>(.*?)</tr>", page.text, re.S).group(1)
    assert "5未満" in row
    assert "期間中に不採用通知を0通送信し" in page.text and "登録開始は3名" in page.text

    start = (today() - timedelta(days=6)).isoformat()
    grouped = owner_client.get(
        "/api/v1/analytics/funnel", {"from": start, "to": today().isoformat(), "group_by": "campaign"}, **api_headers
    ).json()
    (group_row,) = [r for r in grouped["rows"] if r["group"] == "小さな求人媒体"]
    assert group_row["started"] is None and group_row["sent"] is None
    assert grouped["unavailable"] == ["credits_earned", "credits_used"]
    totals = owner_client.get(
        "/api/v1/analytics/funnel", {"from": start, "to": today().isoformat()}, **api_headers
    ).json()
    assert sum(r["started"] for r in totals["rows"]) == 3


def test_a_grouping_names_the_steps_it_cannot_split(client, api_headers):
    body = client.get(
        "/api/v1/analytics/funnel",
        {"from": "2026-01-01", "to": "2026-01-31", "interval": "month", "group_by": "template"},
        **api_headers,
    ).json()
    assert body["unavailable"] == ["views", "started", "confirmed", "counted", "credits_earned", "credits_used"]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"from": "2026-02-01", "to": "2026-01-01"}, 400),
        ({"from": "2020-01-01", "to": "2026-01-01"}, 400),
        # Found by the API fuzzer: year 1 overflowed `date` when the comparison went a year back.
        ({"from": "0001-01-01", "to": "0006-01-01"}, 400),
        ({"from": "9999-12-01", "to": "9999-12-31"}, 400),
        ({"from": "2026-13-01", "to": "2026-01-01"}, 422),
        ({"from": "2026-01-01"}, 422),
        ({"from": "2026-01-01", "to": "2026-01-31", "interval": "day"}, 422),
        ({"from": "2026-01-01", "to": "2026-01-31", "group_by": "candidate"}, 422),
    ],
)
def test_bad_parameters_get_a_json_error(client, api_headers, params, status):
    response = client.get("/api/v1/analytics/funnel", params, **api_headers)
    assert response.status_code == status
    assert response.json()["error"]["code"]


def test_the_api_needs_a_key(client):
    response = client.get("/api/v1/analytics/funnel", {"from": "2026-01-01", "to": "2026-01-31"})
    assert response.status_code == 401


def test_a_click_and_a_registration_through_the_real_pages_count_today(client, employer, api_headers):
    campaign = RelayCampaign.objects.get(organisation=employer, is_default=True)
    template = h.template(employer)
    the_send = h.send(employer, campaign, template, h.at(today(), 0, 1))
    h.message(the_send, h.applicant(employer, "エンジニア"), h.at(today(), 0, 2), click_token="click-token-analytics-1")
    # Five more recipients who do not click: with fewer, the day's clicks would be hidden.
    for n in range(5):
        h.message(the_send, h.applicant(employer, f"営業{n}"), h.at(today(), 0, 3))

    landing = client.get("/c/click-token-analytics-1/")
    assert landing.status_code == 302 and landing["Location"] == f"/r/{campaign.code}/"
    assert client.get(landing["Location"]).status_code == 200
    registered = client.post(landing["Location"], registration_data())
    assert registered.status_code == 302

    body = client.get(
        "/api/v1/analytics/funnel", {"from": today().isoformat(), "to": today().isoformat()}, **api_headers
    ).json()
    (row,) = body["rows"]
    assert (row["sent"], row["clicked"], row["started"], row["confirmed"]) == (6, 1, 1, 0)


def test_clicks_that_would_say_who_clicked_are_hidden(client, employer, owner_client, api_headers):
    """One send to three people in a quiet week, all three clicked: "3 sent, 3 clicked" would say
    that each of them did, so the week's clicks, the total's and the click rate are not shown —
    on the page, in the CSV and in the API (as on the send's own page)."""
    campaign = RelayCampaign.objects.get(organisation=employer, is_default=True)
    the_send = h.send(employer, campaign, h.template(employer), h.at(today(), 0, 1))
    for n in range(3):
        h.message(the_send, h.applicant(employer, f"職種{n}"), h.at(today(), 0, 2), click_token=f"click-hidden-{n}")
        assert client.get(f"/c/click-hidden-{n}/").status_code == 302

    body = client.get(
        "/api/v1/analytics/funnel", {"from": today().isoformat(), "to": today().isoformat()}, **api_headers
    ).json()
    (row,) = body["rows"]
    assert (row["sent"], row["clicked"]) == (3, None)
    page = owner_client.get(PAGE)
    assert "リレーリンクのクリックは—件" in page.text
    exported = owner_client.get(EXPORT).content.decode("utf-8-sig")
    totals_line = next(line for line in exported.splitlines() if line.startswith("合計"))
    assert totals_line.split(",")[1:3] == ["3", "—"]


def test_views_are_the_difference_of_the_daily_snapshots(client, employer, api_headers):
    campaign = RelayCampaign.objects.get(organisation=employer, is_default=True)
    take_view_snapshots(today() - timedelta(days=1))
    for _ in range(4):
        assert client.get(f"/r/{campaign.code}/").status_code == 200
    body = client.get(
        "/api/v1/analytics/funnel", {"from": today().isoformat(), "to": today().isoformat()}, **api_headers
    ).json()
    assert body["rows"][0]["views"] == 4


def test_the_csv_comes_in_utf8_with_a_bom_and_in_cp932(owner_client, few_registrations):
    utf8 = owner_client.get(EXPORT, {"group_by": "campaign"})
    assert utf8.status_code == 200 and utf8["Content-Type"] == "text/csv; charset=utf-8"
    assert utf8.content.startswith(b"\xef\xbb\xbf")
    text = utf8.content.decode("utf-8-sig")
    assert "不採用通知の送信" in text and "小さな求人媒体" in text and "5未満" in text
    sjis = owner_client.get(EXPORT, {"group_by": "campaign", "encoding": "cp932"})
    assert sjis["Content-Disposition"].endswith('-sjis.csv"')
    decoded = sjis.content.decode("cp932")
    # CP932 has its own wave dash and dash (〜 comes back as ～); everything else is the same text.
    assert decoded.count("\n") == text.count("\n")
    assert "不採用通知の送信" in decoded and "小さな求人媒体" in decoded and "5未満" in decoded


def test_the_page_and_csv_show_what_the_free_referrals_were_worth(owner_client, employer):
    h.ledger(employer, LedgerEntry.Kind.CREDIT_CONSUMED, h.at(today() - timedelta(days=2)))
    h.ledger(employer, LedgerEntry.Kind.CREDIT_CONSUMED, h.at(today() - timedelta(days=2)))
    page = owner_client.get(PAGE)
    # 2 × 35% × 5,000,000円 = 3,500,000円
    assert "紹介手数料 約350万円 相当" in page.text

    response = owner_client.post(FEE, {"agency_fee_percent": "30", "typical_annual_salary": "6000000"})
    assert response.status_code == 302
    assert "紹介手数料 約360万円 相当" in owner_client.get(PAGE).text
    # English has no 万: the full amount, not "360 × ¥10,000".
    owner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "about ¥3,600,000 in agency fees" in owner_client.get(PAGE).text
    assert AuditEvent.objects.filter(object_type="organisation.agency_fee", organisation=employer).exists()


def test_a_bad_fee_keeps_the_input_and_changes_nothing(owner_client, employer):
    response = owner_client.post(FEE, {"agency_fee_percent": "250", "typical_annual_salary": "abc"})
    assert response.status_code == 200
    assert 'value="250"' in response.text
    assert Organisation.objects.get(pk=employer.pk).agency_fee_percent == 35


def test_a_bad_period_is_a_field_error_not_a_500(owner_client):
    response = owner_client.get(PAGE, {"start": "2026-03-01", "end": "2026-01-01", "interval": "week"})
    assert response.status_code == 200
    assert "終了日は開始日以降にしてください。" in response.text


@pytest.mark.parametrize("url", [PAGE, EXPORT])
def test_members_see_their_company_and_outsiders_only_theirs(member, outsider, few_registrations, url):
    member_client, outsider_client = Client(), Client()
    member_client.force_login(member)
    outsider_client.force_login(outsider)
    mine = member_client.get(url, {"group_by": "campaign"})
    assert mine.status_code == 200
    assert "小さな求人媒体" in mine.content.decode("utf-8-sig")
    theirs = outsider_client.get(url, {"group_by": "campaign"})
    assert theirs.status_code == 200
    assert "小さな求人媒体" not in theirs.content.decode("utf-8-sig")


def test_only_admins_set_the_fee(member, outsider, employer):
    member_client, outsider_client = Client(), Client()
    member_client.force_login(member)
    outsider_client.force_login(outsider)
    assert member_client.get(FEE).status_code == 403
    assert member_client.post(FEE, {"agency_fee_percent": "10", "typical_annual_salary": "1"}).status_code == 403
    outsider_client.post(FEE, {"agency_fee_percent": "10", "typical_annual_salary": "1000000"})
    assert Organisation.objects.get(pk=employer.pk).agency_fee_percent == 35


@pytest.mark.parametrize("url", [PAGE, EXPORT, FEE])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_a_name_that_looks_like_a_formula_is_not_run_by_the_spreadsheet(owner_client, employer):
    campaign = create_campaign(organisation=employer, name="=HYPERLINK(1)")
    h.registration(campaign, h.at(today() - timedelta(days=1)))
    text = owner_client.get(EXPORT, {"group_by": "campaign"}).content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text
