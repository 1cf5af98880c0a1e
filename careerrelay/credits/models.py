from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careerrelay.organisations.models import Organisation
from careerrelay.relay.models import RelayCampaign


class LedgerEntry(models.Model):
    """Append-only. Balances are sums over these rows; nothing stores a balance.

    `amount` is in credits for credit entries and 1 for a counted referral. A database trigger
    (see the migration) refuses UPDATE and DELETE, so history cannot be rewritten.
    """

    class Kind(models.TextChoices):
        REFERRAL_COUNTED = "referral_counted", _("紹介カウント")
        CREDIT_GRANTED = "credit_granted", _("無料紹介枠の付与")
        CREDIT_RESERVED = "credit_reserved", _("無料紹介枠の予約")
        CREDIT_CONSUMED = "credit_consumed", _("無料紹介枠の消化")
        CREDIT_RETURNED = "credit_returned", _("無料紹介枠の返却")
        ADJUSTMENT = "adjustment", _("運営による調整")

    CREDIT_KINDS = (
        Kind.CREDIT_GRANTED,
        Kind.CREDIT_RESERVED,
        Kind.CREDIT_RETURNED,
        Kind.ADJUSTMENT,
    )

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    amount = models.IntegerField()
    campaign = models.ForeignKey(RelayCampaign, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Candidate.public_id, with no foreign key: the row outlives the person's deletion.
    subject_key = models.UUIDField(null=True, blank=True)
    # For grants: the n-th credit this organisation has earned.
    sequence = models.PositiveIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_key"],
                condition=Q(kind="referral_counted"),
                name="a_person_counts_once",
            ),
            models.UniqueConstraint(
                fields=["organisation", "sequence"],
                condition=Q(kind="credit_granted"),
                name="each_credit_granted_once",
            ),
            models.CheckConstraint(
                condition=~Q(kind="referral_counted") | Q(amount=1, subject_key__isnull=False),
                name="referral_is_one_person",
            ),
            models.CheckConstraint(
                condition=~Q(kind="credit_granted") | Q(amount=1, sequence__isnull=False),
                name="grant_is_one_numbered_credit",
            ),
            models.CheckConstraint(
                condition=~Q(kind="adjustment") | (~Q(reason="") & ~Q(amount=0)),
                name="adjustment_has_reason",
            ),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Ledger entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Ledger entries are append-only.")
