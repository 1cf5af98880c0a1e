"""The brand in a real browser: an admin picks a colour with the picker and uploads a logo; an
applicant on a phone then sees them on the relay page, which stays readable and axe-clean."""

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import expect

from careerrelay.common.contrast import contrast_ratio
from tests.e2e.accessibility import assert_accessible
from tests.factories import EmployerFactory, MembershipFactory, UserFactory
from tests.helpers.brand import make_png
from tests.helpers.browser import DESKTOP

pytestmark = pytest.mark.django_db(transaction=True)


def logged_in_page(new_page, live_server, user):
    client = Client()
    client.force_login(user)
    page = new_page(**DESKTOP)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    return page


def _hex(rgb: str) -> str:
    return "#" + "".join(f"{int(n):02x}" for n in rgb.strip("rgb()").split(","))


def test_an_admin_sets_the_brand_and_an_applicant_sees_it_readable(new_page, live_server, settings, tmp_path):
    settings.SITE_URL = live_server.url
    employer = EmployerFactory(name="株式会社山﨑製作所")
    admin = MembershipFactory(organisation=employer, user=UserFactory(email="owner@yamasaki.example")).user
    campaign = employer.campaigns.get()
    campaign.message = "ご応募いただいた皆さまへ\n人事部 山田より"
    campaign.save(update_fields=["message"])
    logo = tmp_path / "logo.png"
    logo.write_bytes(make_png(width=200, height=60, rgb=(200, 30, 40)))

    page = logged_in_page(new_page, live_server, admin)
    page.goto(live_server.url + "/employer/brand/")
    picker = page.get_by_label("色見本から選ぶ")
    expect(picker).to_be_visible()  # shown once the script runs; the text field works without it
    assert_accessible(page)
    picker.fill("#ffe600")  # a light yellow: white text would be unreadable on it
    expect(page.get_by_label("ブランドカラー")).to_have_value("#ffe600")
    page.get_by_label("ロゴ画像").set_input_files(str(logo))
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_text("ブランド設定を保存しました。")).to_be_visible()
    expect(page.locator("#brand-contrast")).to_contain_text("#1f2937")
    assert_accessible(page)

    applicant = new_page()
    applicant.goto(live_server.url + campaign.get_absolute_url())
    image = applicant.get_by_role("img", name="株式会社山﨑製作所")
    expect(image).to_be_visible()
    assert applicant.evaluate("(img) => img.naturalWidth", image.element_handle()) == 200  # the served, rebuilt file
    bar = applicant.locator(".eyebrow")
    expect(bar).to_have_text("株式会社山﨑製作所からのご案内")
    colours = bar.evaluate("(el) => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]")
    assert _hex(colours[1]) == "#ffe600"
    assert contrast_ratio(_hex(colours[0]), _hex(colours[1])) >= 4.5
    expect(applicant.locator("#employer-message")).to_have_text("ご応募いただいた皆さまへ\n人事部 山田より")
    assert applicant.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(applicant)
