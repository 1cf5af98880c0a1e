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
    # For reservations, consumptions and returns: the free-referral request (its public_id) the
    # credit is held for. No foreign key: the ledger does not depend on the matching app.
    request_key = models.UUIDField(null=True, blank=True)
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
            # A free-referral request holds exactly one credit: one reservation (-1), later settled
            # once, either consumed (0: the reserved credit is spent) or returned (+1), never both.
            models.CheckConstraint(
                condition=~Q(kind="credit_reserved") | Q(amount=-1, request_key__isnull=False),
                name="reservation_is_one_credit_for_a_request",
            ),
            models.CheckConstraint(
                condition=~Q(kind="credit_consumed") | Q(amount=0, request_key__isnull=False),
                name="consumption_spends_a_reservation",
            ),
            models.CheckConstraint(
                condition=~Q(kind="credit_returned") | Q(amount=1, request_key__isnull=False),
                name="return_is_one_credit_for_a_request",
            ),
            models.UniqueConstraint(
                fields=["request_key"], condition=Q(kind="credit_reserved"), name="one_reservation_per_request"
            ),
            models.UniqueConstraint(
                fields=["request_key"],
                condition=Q(kind__in=["credit_consumed", "credit_returned"]),
                name="a_reservation_is_settled_once",
            ),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Ledger entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Ledger entries are append-only.")


class AvailableCredits(models.Model):
    """The database's own guard against spending credits that do not exist.

    A row per organisation whose `available` column a database trigger (see the migration) moves
    by the amount of every credit-kind ledger row as it is inserted. Application code never
    writes it and never reads it for display (get_balance sums the ledger). Its one job is the
    CHECK below: an insert that would take an organisation below zero available credits fails in
    the database, whoever wrote it (a reservation, an operator's negative adjustment) and however
    many requests run at once: concurrent inserts update the same row, so the database applies
    them one after the other against the latest value.
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="+", db_constraint=True
    )
    available = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(available__gte=0), name="available_credits_never_negative"),
        ]
