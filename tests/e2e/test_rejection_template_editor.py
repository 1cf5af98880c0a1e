"""The template editor in a real browser: the preview follows the typing, and the message's own
HTML runs no script in the page."""

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.e2e.accessibility import assert_accessible
from tests.factories import EmployerFactory, MembershipFactory, UserFactory
from tests.helpers.browser import DESKTOP
from tests.helpers.rejections import make_applicant

pytestmark = pytest.mark.django_db(transaction=True)


def logged_in_page(new_page, live_server, user):
    client = Client()
    client.force_login(user)
    page = new_page(**DESKTOP)
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return page


def test_preview_updates_while_typing_and_stays_sandboxed(new_page, live_server, settings):
    settings.SITE_URL = live_server.url
    employer = EmployerFactory(name="株式会社山﨑製作所")
    user = MembershipFactory(organisation=employer, user=UserFactory(email="owner@yamasaki.example")).user
    applicant = make_applicant(employer, family_name="髙橋", given_name="一郎", email="ichiro@example.jp")
    page = logged_in_page(new_page, live_server, user)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto(live_server.url + "/employer/templates/")
    assert_accessible(page)
    page.get_by_role("link", name="このプリセットから作成").first.click()
    page.get_by_label("プレビューに使う応募者").select_option(str(applicant.pk))
    frame = page.frame_locator("iframe.rt-frame")
    frame.get_by_text("髙橋 一郎 様").first.wait_for()

    page.get_by_label("件名").fill("{{applicant_name}} 様へ　大切なお知らせ")
    page.locator("#template-preview .rt-subject").get_by_text("髙橋 一郎 様へ　大切なお知らせ").wait_for()

    page.get_by_label("本文").fill('<p>{{ 氏名 }}</p><img src=x onerror="alert(1)"><script>alert(2)</script>')
    page.locator(".rt-problem.error").get_by_text("「{{氏名}}」は使えない変数です").wait_for()
    page.locator(".rt-problem.warning").first.wait_for()
    # What was typed is shown as text in both parts, never run.
    frame.get_by_text('<img src=x onerror="alert(1)">', exact=False).wait_for()
    page.locator("pre.rt-text").get_by_text("<script>alert(2)</script>", exact=False).wait_for()
    assert_accessible(page)
    assert dialogs == []
