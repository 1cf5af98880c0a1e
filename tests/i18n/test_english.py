"""Japanese first, English everywhere: every message has an English translation, and pages
switched to English show no Japanese of ours (only what people typed, like names)."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils.html import strip_tags

from tests.factories import EmployerFactory

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]")
PO_FILE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_message_has_an_english_translation():
    catalogue = polib.pofile(str(PO_FILE))
    missing = [entry.msgid for entry in catalogue if not entry.obsolete and not entry.translated()]
    assert missing == []


def test_the_compiled_catalogue_is_up_to_date():
    compiled = polib.mofile(str(PO_FILE.with_suffix(".mo")))
    source = polib.pofile(str(PO_FILE))
    assert {(e.msgctxt, e.msgid): e.msgstr for e in compiled if not e.msgid_plural} == {
        (e.msgctxt, e.msgid): e.msgstr for e in source if e.translated() and not e.msgid_plural
    }


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    # The language switch names 日本語 in Japanese on purpose.
    html = re.sub(r'<form class="lang-switch".*?</form>', "", html, flags=re.S)
    return strip_tags(html)


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/", "/me/signin/", "/verify/resend/"])
def test_public_pages_in_english_have_no_japanese(english, path):
    response = english.get(path)
    assert response.status_code == 200
    assert JAPANESE.findall(visible_text(response.text)) == []


@pytest.mark.django_db
def test_the_relay_page_in_english_has_no_japanese_but_the_employers_name(english):
    campaign = EmployerFactory(name="Sakura Tech Inc.").campaigns.get()
    response = english.get(campaign.get_absolute_url())
    text = visible_text(response.text)
    assert "Sakura Tech Inc." in text
    assert JAPANESE.findall(text) == []


@pytest.mark.django_db
def test_the_relay_form_errors_are_in_english(english):
    campaign = EmployerFactory(name="Sakura Tech Inc.").campaigns.get()
    response = english.post(campaign.get_absolute_url(), {"email": "nope"})
    assert response.status_code == 200
    assert JAPANESE.findall(visible_text(response.text)) == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/employer/", "/employer/campaigns/", "/employer/team/", "/employer/api-keys/"])
def test_employer_pages_in_english_have_no_japanese(english, owner, employer, path):
    employer.name = employer.approved_name = "Yamasaki Works"
    employer.save()
    owner.name = "Owner"
    owner.save()
    english.force_login(owner)
    response = english.get(path)
    assert response.status_code == 200
    text = visible_text(response.text)
    campaign_names = [c.name for c in employer.campaigns.all()]
    for name in campaign_names:
        text = text.replace(name, "")
    assert JAPANESE.findall(text) == []
