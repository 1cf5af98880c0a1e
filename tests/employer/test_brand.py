"""The company's brand, set by an admin on the brand page: the logo checked like a résumé, the
colour with readable text whatever it is, a message per relay link; shown on the relay page and
at the top of the company's mail."""

from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from careerrelay.audit.models import AuditEvent
from careerrelay.common.contrast import contrast_ratio, readable_on_white
from careerrelay.organisations.models import LinkDomain, Organisation
from careerrelay.sends import services as sends
from tests.helpers.brand import JPEG, SVG, make_png, upload
from tests.helpers.mail import make_applicant, make_template

pytestmark = pytest.mark.django_db

BRAND = "/employer/brand/"
FIELDS = ("brand_key", "logo_file", "logo_width", "logo_height", "brand_colour")


def brand_fields(organisation):
    organisation.refresh_from_db()
    return {field: getattr(organisation, field) for field in FIELDS}


def stored_logos(settings) -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / "logos"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def post_brand(client, captured, *, logo=None, colour="", remove=False):
    data = {"brand_colour": colour}
    if logo is not None:
        data["logo"] = logo
    if remove:
        data["remove_logo"] = "on"
    with captured(execute=True):
        return client.post(BRAND, data)


@pytest.fixture
def captured(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


# --- Who may change it ----------------------------------------------------------------------------


def test_an_admin_uploads_a_logo_and_picks_a_colour_on_the_brand_page(owner_client, employer, settings, captured):
    page = owner_client.get(BRAND)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    response = post_brand(owner_client, captured, logo=upload(make_png(), "ロゴ.png"), colour="＃Ｆ5Ｃ400")
    assert response.status_code == 302 and response["Location"] == BRAND
    fields = brand_fields(employer)
    assert fields["brand_colour"] == "#f5c400"  # typed in full width, kept as #rrggbb
    assert fields["logo_file"].endswith(".png") and "ロゴ" not in fields["logo_file"]
    assert (fields["logo_width"], fields["logo_height"]) == (40, 24)
    assert stored_logos(settings) == [fields["logo_file"]]
    page = owner_client.get(BRAND).text
    assert "ブランド設定を保存しました。" in page
    assert f"/brand/{fields['brand_key']}/{fields['logo_file']}" in page
    # Yellow is too light for white text: dark text on it, and a darker shade for links on white.
    assert "--brand:#f5c400;--brand-text:#1f2937;--brand-link:" in page
    event = AuditEvent.objects.get(object_type="organisation_brand")
    assert event.organisation_id == employer.pk and event.detail["changed"] == ["logo", "colour"]


def test_a_recruiter_may_neither_see_nor_change_the_brand(member_client, employer, settings, captured):
    before = brand_fields(employer)
    assert member_client.get(BRAND).status_code == 403
    response = post_brand(member_client, captured, logo=upload(make_png(), "logo.png"), colour="#123456")
    assert response.status_code == 403
    assert brand_fields(employer) == before and stored_logos(settings) == []
    assert "ブランド" not in member_client.get(reverse("employer:dashboard")).text.split("<main")[0]


def test_an_anonymous_visitor_is_sent_to_sign_in(client, employer, captured):
    response = post_brand(client, captured, colour="#123456")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert brand_fields(employer)["brand_colour"] == ""


def test_another_companys_admin_changes_only_their_own_brand(outsider_client, outsider, employer, captured):
    before = brand_fields(employer)
    post_brand(outsider_client, captured, logo=upload(make_png(), "logo.png"), colour="#123456")
    assert brand_fields(employer) == before
    theirs = Organisation.objects.get(memberships__user=outsider)
    assert theirs.brand_colour == "#123456" and theirs.logo_file


# --- What is refused ------------------------------------------------------------------------------

OPEN = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"'
BAD_FILES = {
    "svg-script": (
        OPEN + "><script>alert(1)</script></svg>",
        "logo.svg",
        "<script>",
    ),
    "svg-onload": (
        OPEN + ' onload="alert(1)"/>',
        "logo.svg",
        "onload",
    ),
    "svg-xlink-http": (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">'
        '<use xlink:href="http://evil.example/a.svg#x"/></svg>',
        "logo.svg",
        "外部への参照",
    ),
    "svg-foreignObject": (
        OPEN + "><foreignObject/></svg>",
        "logo.svg",
        "foreignObject",
    ),
    "svg-billion-laughs": (
        '<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        + OPEN
        + "><text>&b;</text></svg>",
        "logo.svg",
        "DOCTYPE",
    ),
    "png-with-html-appended": (make_png() + b"<html><script>alert(1)</script></html>", "logo.png", "画像以外のデータ"),
    "pdf-renamed-png": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF", "logo.png", "画像ではないようです"),
    "too-large": (make_png() + b"\x00" * (1024 * 1024), "logo.png", "1MBまで"),
    "too-many-pixels": (make_png(width=2001, height=20), "logo.png", "2000ピクセルまで"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_gets_a_field_error_and_nothing_is_saved(owner_client, employer, settings, captured, case):
    # A good logo and colour first: a refused upload must leave them exactly as they were.
    post_brand(owner_client, captured, logo=upload(make_png(), "logo.png"), colour="#0f766e")
    before, files = brand_fields(employer), stored_logos(settings)
    content, name, said = BAD_FILES[case]
    response = post_brand(owner_client, captured, logo=upload(content, name), colour="#123456")
    assert response.status_code == 200
    [error] = response.context["form"].errors["logo"]
    assert said in error
    assert escape(said) in response.text  # said beside the field, escaped like any text
    assert 'value="#123456"' in response.text  # what was typed is kept
    assert brand_fields(employer) == before
    assert stored_logos(settings) == files
    assert AuditEvent.objects.filter(object_type="organisation_brand").count() == 1


def test_a_colour_that_is_not_rrggbb_is_refused_beside_its_field(owner_client, employer, captured):
    response = post_brand(owner_client, captured, colour="red")
    assert "#1A2B3C の形式" in response.context["form"].errors["brand_colour"][0]
    assert brand_fields(employer)["brand_colour"] == ""


# --- The logo's address -----------------------------------------------------------------------------


def test_the_logo_is_served_with_fixed_type_and_safe_headers_and_cached_for_good(owner_client, employer, captured):
    post_brand(owner_client, captured, logo=upload(SVG, "logo.svg"))
    fields = brand_fields(employer)
    url = f"/brand/{fields['brand_key']}/{fields['logo_file']}"
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    body = b"".join(response.streaming_content)
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')
    assert b"inkscape" not in body
    assert Client().get(url, headers={"if-none-match": response["ETag"]}).status_code == 304
    assert Client().get(f"/brand/{fields['brand_key']}x/{fields['logo_file']}").status_code == 404
    assert Client().get(f"/brand/{employer.pk}/{fields['logo_file']}").status_code == 404


def test_a_new_logo_replaces_the_file_and_old_links_show_the_new_one(owner_client, employer, settings, captured):
    post_brand(owner_client, captured, logo=upload(make_png(), "logo.png"))
    old = brand_fields(employer)
    post_brand(owner_client, captured, logo=upload(JPEG, "logo.jpg"))
    new = brand_fields(employer)
    assert new["brand_key"] == old["brand_key"] and new["logo_file"] != old["logo_file"]
    assert stored_logos(settings) == [new["logo_file"]]  # the old file is gone
    response = Client().get(f"/brand/{old['brand_key']}/{old['logo_file']}")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "public, max-age=3600"
    post_brand(owner_client, captured, remove=True)
    assert brand_fields(employer)["logo_file"] == "" and stored_logos(settings) == []
    assert Client().get(f"/brand/{old['brand_key']}/{new['logo_file']}").status_code == 404


# --- The relay page ---------------------------------------------------------------------------------


def test_the_relay_page_shows_logo_colour_and_message_without_a_query(owner_client, employer, captured):
    post_brand(owner_client, captured, logo=upload(make_png(width=200, height=60), "logo.png"), colour="#0f766e")
    campaign = employer.campaigns.get()
    response = owner_client.post(
        reverse("employer:campaign_edit", args=[campaign.pk]),
        {"name": campaign.name, "message": "ご応募いただいた皆さまへ\n<b>人事部</b> 山田より"},
    )
    assert response.status_code == 302
    fields = brand_fields(employer)
    visitor = Client()
    visitor.get(campaign.get_absolute_url())  # the page is now rendered once for this process
    with CaptureQueriesContext(connection) as queries:
        page = visitor.get(campaign.get_absolute_url()).text
    # The link's lookup is kept by this process and the view counted outside the database (issue 14).
    assert len(queries.captured_queries) == 0
    logo_url = f"/brand/{fields['brand_key']}/{fields['logo_file']}"
    assert f'<img src="{logo_url}" alt="株式会社山﨑製作所" width="160" height="48">' in page
    assert 'style="--brand:#0f766e;--brand-text:#ffffff;--brand-link:#0f766e"' in page
    assert 'class="eyebrow employer-bar">株式会社山﨑製作所からのご案内' in page
    assert "ご応募いただいた皆さまへ\n&lt;b&gt;人事部&lt;/b&gt; 山田より" in page  # plain text, escaped
    # A new colour shows at once, with text that stays readable on it.
    post_brand(owner_client, captured, colour="#fff200")
    page = Client().get(campaign.get_absolute_url()).text
    assert "--brand:#fff200;--brand-text:#1f2937;" in page
    assert contrast_ratio("#1f2937", "#fff200") >= 4.5


def test_a_page_without_a_brand_looks_as_before(employer):
    page = Client().get(employer.campaigns.get().get_absolute_url()).text
    assert "employer-brand" not in page and "employer-message" not in page and "--brand" not in page
    assert '<p class="eyebrow">株式会社山﨑製作所からのご案内</p>' in page


def test_the_message_is_short_plain_and_links_only_to_verified_domains(owner_client, employer):
    LinkDomain.objects.create(organisation=employer, domain="yamasaki.example")
    campaign = employer.campaigns.get()
    url = reverse("employer:campaign_edit", args=[campaign.pk])
    too_long = owner_client.post(url, {"name": campaign.name, "message": "あ" * 201})
    assert "message" in too_long.context["form"].errors
    too_many_lines = owner_client.post(url, {"name": campaign.name, "message": "1\n2\n3\n4\n5\n6"})
    assert "6行" not in too_many_lines.text and "5行まで" in too_many_lines.context["form"].errors["message"][0]
    phishing = owner_client.post(url, {"name": campaign.name, "message": "詳しくは https://evil.example/login"})
    assert "evil.example" in phishing.context["form"].errors["message"][0]
    campaign.refresh_from_db()
    assert campaign.message == ""
    ours = owner_client.post(url, {"name": campaign.name, "message": "採用情報: https://www.yamasaki.example/jobs"})
    assert ours.status_code == 302
    campaign.refresh_from_db()
    assert campaign.message == "採用情報: https://www.yamasaki.example/jobs"


# --- Mail -------------------------------------------------------------------------------------------


def _send_one(employer, captured):
    applicant = make_applicant(employer, "髙橋", "花子", "hanako@example.jp")
    with captured(execute=True):
        sends.create_send(organisation=employer, template=make_template(employer), applicants=[applicant])
    [message] = [m for m in mail.outbox if m.to == ["hanako@example.jp"]]
    return message.body, message.alternatives[0][0]


def test_the_mail_header_carries_the_logo_and_a_readable_colour_bar(owner_client, employer, captured):
    post_brand(owner_client, captured, logo=upload(make_png(width=200, height=60), "logo.png"), colour="#ffcc00")
    fields = brand_fields(employer)
    text, html = _send_one(employer, captured)
    logo_url = f"http://testserver/brand/{fields['brand_key']}/{fields['logo_file']}"
    assert f'<img src="{logo_url}" alt="株式会社山﨑製作所" width="160" height="48"' in html
    assert "background:#ffcc00;color:#1f2937;" in html.replace(" ", "")
    # Links on white use the colour darkened to 4.5:1, not the light yellow itself.
    link = readable_on_white("#ffcc00")
    assert contrast_ratio(link, "#ffffff") >= 4.5
    assert f'style="color:{link};">http://testserver/c/' in html.replace(" ", "")
    assert 'style="color:#ffcc00' not in html.replace(" ", "")
    assert logo_url not in text and "#ffcc00" not in text
    assert Client().get(logo_url.removeprefix("http://testserver")).status_code == 200


def test_an_svg_logo_is_not_put_in_mail_the_name_stands_in(owner_client, employer, captured):
    post_brand(owner_client, captured, logo=upload(SVG, "logo.svg"))
    employer.refresh_from_db()
    _text, html = _send_one(employer, captured)
    assert "<img" not in html
    assert "font-weight:bold" in html.replace(" ", "") and "株式会社山﨑製作所</p>" in html


def test_mail_without_a_brand_has_no_header(employer, captured):
    _text, html = _send_one(employer, captured)
    assert "<img" not in html and 'class="brand-header"' not in html
