"""The development mailbox shows a message as it was sent: the HTML part and the text part."""

import pytest
from django.urls import reverse

from careerrelay.mailings import sends
from careerrelay.mailings.models import OutboundEmail

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.mailings.dev_urlconf")]


def test_a_rejection_email_shows_both_parts(client, employer, template, applicants, settings):
    settings.DEBUG = True
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    sends.create_send(organisation=employer, template=template, applicants=applicants[:1])
    message = OutboundEmail.objects.get()

    page = client.get(reverse("dev:message", args=[message.pk])).content.decode()

    assert "HTML part" in page
    assert 'srcdoc="' in page
    assert "Text part" in page
    assert page.count("営業職へのご応募ありがとうございました。") == 2  # once in each part
