"""The whole journey over HTTP with the generic kind: an admin adds the integration in the page,
a signed rejection is accepted (202) and the worker puts the person in the pool and learns the
reason; the admin maps the reason to 「2営業日後の10時」 auto-send; the next rejection becomes an
ordinary send, visible in the sends page, delivered at that time through a real SMTP server
with the relay link."""

import re
from datetime import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from freezegun import freeze_time

from careerrelay.integrations.models import AtsApplication, Delivery, Integration, ReasonMapping
from careerrelay.outbox.models import OutboundEmail
from careerrelay.sends.models import Send
from careerrelay.talent.models import Applicant
from careerrelay.talent.services import rejection_reasons_for
from tests.helpers.generic_ats import SECRET, post, rejection
from tests.integrations.helpers import template

pytestmark = pytest.mark.django_db(transaction=True)


def japan(*args):
    return timezone.make_aware(datetime(*args))


def at(moment):
    return freeze_time(moment, real_asyncio=True)


def worker():
    call_command("worker", burst=True, no_periodic=True)


def test_a_rejection_in_the_ats_becomes_a_pool_applicant_and_a_timed_rejection_email(
    owner_client, client, employer, settings, smtp_server
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    response = owner_client.post(
        reverse("employer:integration_create"), {"kind": "generic", "name": "自社ATS", "secret": SECRET}
    )
    assert response.status_code == 302
    integration = Integration.objects.get(organisation=employer)
    page = owner_client.get(response["Location"]).text
    assert f"http://testserver/hooks/ats/{integration.public_id}/" in page
    assert SECRET not in page  # the secret is never shown again

    with at(japan(2026, 12, 4, 12, 0)):  # a Friday
        response = post(client, integration, rejection(event_id="evt-1", reason="経験不足"))
        assert response.status_code == 202
        assert Applicant.objects.count() == 0  # the request only stored it
        assert DBTaskResult.objects.filter(status="READY").count() == 1
        worker()
    hanako = Applicant.objects.get(organisation=employer)
    assert (hanako.email, hanako.family_name, hanako.ats_id, hanako.stage) == (
        "hanako.yamada@example.jp",
        "山田",
        "c-1",
        "first_interview",
    )
    assert hanako.rejection_reason == "経験不足"
    assert hanako.applications.get().ats_id == "a-1"
    delivery = Delivery.objects.get()
    assert delivery.outcome == "processed"
    assert b"hanako.yamada@example.jp" not in bytes(delivery.body)  # redacted once processed
    assert b"\xe5\xb1\xb1\xe7\x94\xb0" not in bytes(delivery.body)  # 山田
    mapping = ReasonMapping.objects.get(integration=integration)
    assert (mapping.ats_reason, mapping.mapped, mapping.action) == ("経験不足", False, "pool_only")
    assert OutboundEmail.objects.count() == 0  # unmapped: pool only
    assert "経験不足" in owner_client.get(reverse("employer:integration_detail", args=[integration.pk])).text

    skills = rejection_reasons_for(employer).get(kind="skills_gap")
    letter = template(employer)
    response = owner_client.post(
        reverse("employer:integration_mapping", args=[integration.pk, mapping.pk]),
        {
            "reason": skills.pk,
            "action": "auto_send",
            "template": letter.pk,
            "delay_business_days": "2",
            "send_hour": "10",
            "auto_send": "on",
        },
    )
    assert response.status_code == 302
    assert "不採用から2営業日後の10時" in owner_client.get(response["Location"]).text

    with at(japan(2026, 12, 4, 15, 0)):
        payload = rejection(
            event_id="evt-2",
            person_id="c-2",
            email="taro.sato@example.jp",
            family_name="佐藤",
            given_name="太郎",
            application_id="a-2",
        )
        assert post(client, integration, payload).status_code == 202
        worker()
    taro = Applicant.objects.get(ats_id="c-2")
    assert taro.reason == skills
    send = Send.objects.get()
    message = OutboundEmail.objects.get()
    assert (message.applicant, send.state, send.template) == (taro, "scheduled", letter)
    # Friday the 4th + 2 business days = Tuesday the 8th, at 10:00 Japan time.
    assert message.due_at == japan(2026, 12, 8, 10, 0)
    assert AtsApplication.objects.get(ats_person_id="c-2").send == send
    sends_page = owner_client.get(reverse("employer:sends")).text
    assert "ATS自動送信" in sends_page

    with at(japan(2026, 12, 7, 10, 5)):  # Monday: not yet
        call_command("worker", burst=True)
    assert smtp_server.sink.messages == []
    with at(japan(2026, 12, 8, 10, 5)):
        call_command("worker", burst=True)
    received = smtp_server.sink.wait_for(1)
    assert [r.rcpt_tos for r in received] == [["taro.sato@example.jp"]]
    text = received[0].text()
    assert text.startswith("佐藤 太郎 様")
    assert re.search(r"http://testserver/c/[\w-]+/", text)  # the relay link, counted per click
    assert OutboundEmail.objects.get().state == "sent"
