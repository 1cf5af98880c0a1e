"""A send shows totals only, so the employer never learns who registered: no per-recipient click or
registration signal on the send pages, in the progress poll or in the API; clicks coarse like every
per-send figure."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from careerrelay.audit.services import Actor, ActorKind
from careerrelay.organisations.services import create_api_key
from careerrelay.outbox.models import OutboundEmail
from careerrelay.sends import services as sends
from tests.helpers.mail import make_applicant

pytestmark = pytest.mark.django_db


def send_and_deliver(employer, template, applicants, capture, smtp_server):
    with capture(execute=True):
        send = sends.create_send(organisation=employer, template=template, applicants=applicants)
    smtp_server.sink.wait_for(len(applicants))
    return send


def click_as(smtp_server, email):
    """The recipient opens their email and clicks the relay link."""
    mail = next(r for r in smtp_server.sink.messages if r.rcpt_tos[0] == email)
    link = re.search(r"http://testserver(/c/[\w-]+/)", mail.text()).group(1)
    assert Client().get(link).status_code == 302


def employer_views_of(client, send, auth):
    return [
        client.get(reverse("employer:send_detail", args=[send.pk])),
        client.get(reverse("employer:sends")),
        client.get(reverse("employer:send_progress", args=[send.pk])),
        Client().get(f"/api/v1/sends/{send.pk}", HTTP_AUTHORIZATION=auth),
    ]


@pytest.fixture
def auth(employer, owner):
    actor = Actor.for_user(owner, ActorKind.EMPLOYER)
    return f"Bearer {create_api_key(organisation=employer, name='ATS', actor=actor)[1]}"


def test_the_send_pages_never_say_who_clicked(
    owner_client, employer, template, applicants, smtp_server, django_capture_on_commit_callbacks, auth
):
    send = send_and_deliver(employer, template, applicants, django_capture_on_commit_callbacks, smtp_server)
    click_as(smtp_server, "hanako.takahashi@example.jp")
    assert sends.count_messages(send).clicked == 1  # recorded, for delivery checks by operators

    for response in employer_views_of(owner_client, send, auth):
        assert response.status_code == 200
        body = response.content.decode()
        for value in ("hanako.takahashi@example.jp", "髙橋", "花子"):
            assert value not in body, (response.request["PATH_INFO"], value)
    detail, listing, progress, api = employer_views_of(owner_client, send, auth)
    assert re.search(r'id="send-clicked">5未満<', detail.text)
    assert '<th scope="col">クリック</th>' not in detail.text  # no per-recipient click column
    assert 'id="all-delivered"' in detail.text
    assert "5未満" in listing.text
    assert progress.json()["clicked"] == "5未満" and progress.json()["clicked_below_threshold"] is True
    assert api.json()["counts"]["clicked"] == {"value": None, "below_threshold": True}


def test_clicks_move_only_in_steps_and_never_name_everyone(
    owner_client, employer, template, smtp_server, django_capture_on_commit_callbacks, auth
):
    people = [make_applicant(employer, "候補", f"{n}番", f"person{n}@example.jp") for n in range(12)]
    send = send_and_deliver(employer, template, people, django_capture_on_commit_callbacks, smtp_server)
    detail = reverse("employer:send_detail", args=[send.pk])
    shown = []
    for n in range(12):
        click_as(smtp_server, f"person{n}@example.jp")
        shown.append(re.search(r'id="send-clicked">([^<]*)<', owner_client.get(detail).text).group(1))
    # One more click is visible only when it crosses a step of 5, and all-but-a-few clicking is hidden.
    assert shown == ["5未満"] * 4 + ["5〜9"] * 3 + ["非表示(少人数)"] * 5
    assert OutboundEmail.objects.filter(send=send, first_clicked_at__isnull=False).count() == 12


def test_messages_not_delivered_are_still_listed_for_the_employer(
    owner_client, employer, template, applicants, django_capture_on_commit_callbacks
):
    # Scheduled for later: nothing delivered yet, each recipient listed with the time it will go.
    with django_capture_on_commit_callbacks(execute=True):
        send = sends.create_send(
            organisation=employer,
            template=template,
            applicants=applicants,
            send_at=timezone.now() + timedelta(days=1),
        )
    html = owner_client.get(reverse("employer:send_detail", args=[send.pk])).text
    assert "hanako.takahashi@example.jp" in html and "送信待ち" in html
