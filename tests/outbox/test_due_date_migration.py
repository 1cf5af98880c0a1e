"""Migration 0007 gives single messages queued before they carried a due date one, so the periodic
safety net delivers them even when their task was queued under a path that no longer exists."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.helpers.migrations import migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("mailings", "0006_send_moved_to_sends")]
AFTER = [("mailings", "0007_single_messages_due_when_queued")]


def test_queued_single_messages_become_due_when_they_were_queued():
    old = migrate(BEFORE)
    OutboundEmail = old.get_model("mailings", "OutboundEmail")
    queued_at = timezone.now() - timedelta(hours=1)
    common = dict(from_email="no-reply@example.jp", subject="件名", body_text="本文", created_at=queued_at)
    waiting = OutboundEmail.objects.create(to_email="a@example.jp", message_id="<a@x>", **common)
    sent = OutboundEmail.objects.create(to_email="b@example.jp", message_id="<b@x>", state="sent", **common)

    new = migrate(AFTER)
    OutboundEmail = new.get_model("mailings", "OutboundEmail")
    assert OutboundEmail.objects.get(pk=waiting.pk).due_at == queued_at
    assert OutboundEmail.objects.get(pk=sent.pk).due_at is None  # delivered: nothing to catch
