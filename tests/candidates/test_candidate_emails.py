"""Every email CareerRelay sends to a candidate carries the way into their my page."""

from pathlib import Path

import pytest
from django.conf import settings

from careerrelay.mailings.services import render_email
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db

EMAILS = Path(settings.BASE_DIR) / "templates" / "emails"
CANDIDATE_TEMPLATES = sorted(p.name.removesuffix("_subject.txt") for p in EMAILS.glob("candidate_*_subject.txt"))


def test_there_are_candidate_emails_to_check():
    assert {"candidate_verify", "candidate_welcome", "candidate_signin", "candidate_email_change"} <= set(
        CANDIDATE_TEMPLATES
    )


@pytest.mark.parametrize("template", CANDIDATE_TEMPLATES)
@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_candidate_email_links_to_the_sign_in_page(template, language):
    context = {
        "candidate": CandidateFactory.build(family_name="髙橋"),
        "url": "http://testserver/some/link/",
        "hours": 24,
        "minutes": 15,
        "new_email": "new@example.jp",
        "employer": "株式会社山﨑製作所",
        "days": 30,
        "months": 24,
        "deadline": "2026年12月26日",
    }
    subject, text, html = render_email(template, context, language)
    assert subject
    assert "http://testserver/me/signin/" in text
    assert 'href="http://testserver/me/signin/"' in html
