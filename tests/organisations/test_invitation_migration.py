"""Migration 0004 renames Invitation.accepted_at to the single-use base's used_at: every row,
accepted or open, keeps its state, and there is still one open invitation per address."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.helpers.migrations import migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("organisations", "0003_employer_review_and_link_domains")]
AFTER = [("organisations", "0004_invitation_accepted_at_is_used_at")]


def test_accepted_and_open_invitations_keep_their_state():
    old = migrate(BEFORE)
    Organisation = old.get_model("organisations", "Organisation")
    Invitation = old.get_model("organisations", "Invitation")
    company = Organisation.objects.create(name="株式会社テスト", kind="employer")
    later = timezone.now() + timedelta(days=7)
    accepted_at = timezone.now()
    accepted = Invitation.objects.create(
        organisation=company, email="a@example.jp", token_hash="a" * 64, expires_at=later, accepted_at=accepted_at
    )
    pending = Invitation.objects.create(
        organisation=company, email="b@example.jp", token_hash="b" * 64, expires_at=later
    )

    new = migrate(AFTER)
    Invitation = new.get_model("organisations", "Invitation")
    assert Invitation.objects.get(pk=accepted.pk).used_at == accepted_at
    assert Invitation.objects.get(pk=pending.pk).used_at is None
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(
            organisation_id=company.pk, email="b@example.jp", token_hash="c" * 64, expires_at=later
        )
