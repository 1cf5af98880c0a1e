"""Every email CareerRelay sends to a candidate carries the way into their my page."""

from pathlib import Path

import pytest
from django.conf import settings

from careerrelay.candidates.signin import request_email_change
from careerrelay.outbox.models import OutboundEmail
from careerrelay.outbox.services import queue_email, render_email
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


def test_the_sign_in_link_fills_in_the_address_the_mail_went_to_in_a_fragment():
    candidate = CandidateFactory(email="hanako+job@example.jp", email_normalized="hanako+job@example.jp")
    message = queue_email(to=candidate.email, template="candidate_welcome", context={"candidate": candidate})
    # After "#": the browser keeps it; it reaches no server log and no Referer.
    link = "http://testserver/me/signin/#email=hanako%2Bjob%40example.jp"
    assert link in message.body_text
    assert f'href="{link}"' in message.body_html


def test_a_mail_to_a_new_address_not_yet_confirmed_fills_in_nothing():
    candidate = CandidateFactory(email="old@example.jp", email_normalized="old@example.jp")
    request_email_change(candidate=candidate, new_email="new@example.jp")
    message = OutboundEmail.objects.get(to_email="new@example.jp")
    assert "http://testserver/me/signin/\n" in message.body_text
    assert "#email=" not in message.body_text + message.body_html
