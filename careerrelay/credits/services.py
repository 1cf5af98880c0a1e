from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum

from careerrelay.credits.models import LedgerEntry
from careerrelay.organisations.models import Organisation

Kind = LedgerEntry.Kind


@dataclass(frozen=True)
class Balance:
    counted_referrals: int
    credits_earned: int
    credits_available: int
    credits_reserved: int
    credits_consumed: int
    credits_returned: int
    referrals_per_credit: int

    @property
    def referrals_to_next_credit(self) -> int:
        return self.referrals_per_credit - self.counted_referrals % self.referrals_per_credit

    @property
    def progress_percent(self) -> int:
        done = self.counted_referrals % self.referrals_per_credit
        return round(100 * done / self.referrals_per_credit)


def get_balance(organisation: Organisation) -> Balance:
    totals = LedgerEntry.objects.filter(organisation=organisation).aggregate(
        counted=Count("id", filter=Q(kind=Kind.REFERRAL_COUNTED)),
        earned=Count("id", filter=Q(kind=Kind.CREDIT_GRANTED)),
        available=Sum("amount", filter=Q(kind__in=LedgerEntry.CREDIT_KINDS)),
        reserved=Count("id", filter=Q(kind=Kind.CREDIT_RESERVED)),
        consumed=Count("id", filter=Q(kind=Kind.CREDIT_CONSUMED)),
        returned=Count("id", filter=Q(kind=Kind.CREDIT_RETURNED)),
    )
    return Balance(
        counted_referrals=totals["counted"],
        credits_earned=totals["earned"],
        credits_available=totals["available"] or 0,
        credits_reserved=totals["reserved"],
        credits_consumed=totals["consumed"],
        credits_returned=totals["returned"],
        referrals_per_credit=settings.REFERRALS_PER_CREDIT,
    )


def record_counted_referral(*, organisation: Organisation, campaign, subject_key) -> bool:
    """Append a counted referral and any credit it completes. Call inside a transaction.

    Returns False when this person was already counted (by this or a concurrent request).
    The organisation row is locked first so that two referrals counted at once cannot both
    miss the 10th; the unique constraints stay as the last line of defence.
    """
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    try:
        with transaction.atomic():
            LedgerEntry.objects.create(
                organisation=organisation,
                kind=Kind.REFERRAL_COUNTED,
                amount=1,
                campaign=campaign,
                subject_key=subject_key,
            )
    except IntegrityError:
        return False
    _grant_completed_credits(organisation)
    return True


def _grant_completed_credits(organisation: Organisation) -> None:
    counts = LedgerEntry.objects.filter(organisation=organisation).aggregate(
        counted=Count("id", filter=Q(kind=Kind.REFERRAL_COUNTED)),
        granted=Count("id", filter=Q(kind=Kind.CREDIT_GRANTED)),
    )
    due = counts["counted"] // settings.REFERRALS_PER_CREDIT
    for sequence in range(counts["granted"] + 1, due + 1):
        try:
            with transaction.atomic():
                LedgerEntry.objects.create(
                    organisation=organisation, kind=Kind.CREDIT_GRANTED, amount=1, sequence=sequence
                )
        except IntegrityError:
            pass  # granted by a concurrent request a moment ago


@transaction.atomic
def adjust_credits(*, organisation: Organisation, amount: int, reason: str, actor) -> LedgerEntry:
    if not reason.strip():
        raise ValueError("An adjustment needs a reason.")
    if amount == 0:
        raise ValueError("An adjustment of zero changes nothing.")
    return LedgerEntry.objects.create(
        organisation=organisation, kind=Kind.ADJUSTMENT, amount=amount, reason=reason.strip(), actor=actor
    )
