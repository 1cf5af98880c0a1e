"""The whole journey: the employer turns a step on in the page, time passes, the worker's periodic
loop sends the re-challenge mail through the real outbox to an SMTP server, the person unsubscribes
with one click, and no second mail follows."""

import re
from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from careerrelay.followups import services as followups
from careerrelay.followups.models import FollowupDelivery
from careerrelay.ops.periodic import run_once
from careerrelay.outbox.models import OutboundEmail, Suppression
from careerrelay.talent.models import Job
from tests.followups.helpers import rejected

pytestmark = pytest.mark.django_db


def japan(*args):
    return timezone.make_aware(datetime(*args))


def at(moment):
    # The SMTP server's event loop keeps real time; only the application's clock moves.
    return freeze_time(moment, real_asyncio=True)


def test_turned_on_in_the_page_sent_when_due_unsubscribed_with_one_click_and_never_sent_again(
    owner_client, client, employer, smtp_server, django_capture_on_commit_callbacks
):
    Job.objects.create(organisation=employer, title="経理スタッフ")
    rejected(
        employer, "hanako.yamasaki@example.jp", rejected_on=date(2026, 1, 15), family_name="山﨑", given_name="花子"
    )
    rejected(employer, "no.consent@example.jp", rejected_on=date(2026, 1, 15), recontact_ok=False)
    steps = {s.default_key: s for s in followups.steps_for(employer)}

    with at(japan(2026, 3, 2, 11, 0)):
        for step in steps.values():
            response = owner_client.post(reverse("employer:followup_set_active", args=[step.pk]), {"active": "1"})
            assert response.status_code == 302
        with django_capture_on_commit_callbacks(execute=True):
            run_once()
    assert OutboundEmail.objects.count() == 0  # not due for months

    with at(japan(2026, 7, 16, 11, 0)):  # 182 days after the rejection, a Thursday morning
        with django_capture_on_commit_callbacks(execute=True):
            run_once()
    received = smtp_server.sink.wait_for(1)
    assert [r.rcpt_tos for r in received] == [["hanako.yamasaki@example.jp"]]
    message = received[0].message
    assert "再チャレンジ" in str(message["Subject"])
    text = received[0].text()
    assert text.startswith("山﨑 花子 様")
    code = employer.followup_settings.public_code
    assert f"http://testserver/openings/{code}/" in text
    assert "経理スタッフ" in client.get(f"/openings/{code}/").text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = message["List-Unsubscribe"].split(",")[0].strip(" <>")
    assert one_click in text
    assert OutboundEmail.objects.get().state == OutboundEmail.State.SENT

    # The mail client's one-click POST (RFC 8058): no cookies, no CSRF token.
    path = re.sub(r"^http://testserver", "", one_click)
    response = client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert Suppression.objects.filter(organisation=employer, email_normalized="hanako.yamasaki@example.jp").exists()

    with at(japan(2026, 7, 16, 11, 5)):
        with django_capture_on_commit_callbacks(execute=True):
            run_once()
    with at(japan(2027, 1, 15, 11, 0)):  # a year after: the 12-month step falls due
        with django_capture_on_commit_callbacks(execute=True):
            run_once()
    assert len(smtp_server.sink.messages) == 1
    assert OutboundEmail.objects.count() == 1
    year = FollowupDelivery.objects.get(
        step=steps["12_months"], application__applicant__email="hanako.yamasaki@example.jp"
    )
    assert (year.state, year.skip_reason) == ("skipped", "suppressed")
    counts = followups.counts_for(steps.values(), japan(2027, 1, 15, 12, 0))
    six, twelve = counts[steps["6_months"].pk], counts[steps["12_months"].pk]
    assert (six.upcoming, six.sent, six.skipped) == (0, 1, 1)
    assert (twelve.upcoming, twelve.sent, twelve.skipped) == (0, 0, 2)
