from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse

from careerrelay.audit.actor import Actor
from careerrelay.credits.models import LedgerEntry
from careerrelay.notifications.models import Kind as NotificationKind
from careerrelay.notifications.services import members, notify
from careerrelay.organisations.models import Organisation
from careerrelay.webhooks import services as webhooks
from careerrelay.webhooks.models import EventType

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
    _grant_completed_credits(organisation, campaign=campaign)
    return True


def _grant_completed_credits(organisation: Organisation, *, campaign=None) -> None:
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
            continue  # granted by a concurrent request a moment ago
        _notify_credit_granted(organisation)
        _announce_credit_earned(organisation, campaign=campaign, sequence=sequence)


def _notify_credit_granted(organisation: Organisation) -> None:
    notify(
        kind=NotificationKind.CREDIT_GRANTED,
        users=members(organisation),
        organisation=organisation,
        url=reverse("employer:free_referrals"),
        context={"balance": get_balance(organisation)},
    )


def _announce_credit_earned(organisation: Organisation, *, campaign, sequence: int) -> None:
    """The employer's own systems hear of it (docs/webhooks.md): counts only, never who registered."""
    balance = get_balance(organisation)
    webhooks.emit(
        organisation,
        EventType.CREDIT_EARNED,
        {
            "credit_number": sequence,
            "campaign_id": campaign.pk if campaign is not None else None,
            "campaign_code": campaign.code if campaign is not None else None,
            "credits_available": balance.credits_available,
            "credits_earned": balance.credits_earned,
            "counted_referrals": balance.counted_referrals,
            "referrals_per_credit": balance.referrals_per_credit,
        },
    )


@transaction.atomic
def adjust_credits(*, organisation: Organisation, amount: int, reason: str, actor: Actor) -> LedgerEntry:
    if not reason.strip():
        raise ValueError("An adjustment needs a reason.")
    if amount == 0:
        raise ValueError("An adjustment of zero changes nothing.")
    # The same lock reservations take; a negative adjustment below zero fails in the database.
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    return LedgerEntry.objects.create(
        organisation=organisation, kind=Kind.ADJUSTMENT, amount=amount, reason=reason.strip(), actor=actor.user
    )


# --- Free referrals: a credit reserved for a request, then consumed or returned ------------------


class NoCreditAvailable(Exception):
    """The organisation has no available credit to reserve."""


def reserve_credit(*, organisation: Organisation, request_key, actor: Actor) -> LedgerEntry:
    """Hold one credit for the free-referral request `request_key`. Call inside the transaction
    that creates the request; raises NoCreditAvailable when there is none.

    The organisation row is locked and the balance read again under the lock, so concurrent
    requests queue up here and each sees the ones before it. Behind that, the database itself
    refuses the insert when it would take the balance below zero (AvailableCredits' CHECK,
    maintained by a trigger) or reserve twice for one request (a unique constraint); both
    surface as NoCreditAvailable / IntegrityError rather than a second reservation.
    """
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    if get_balance(organisation).credits_available < 1:
        raise NoCreditAvailable
    try:
        with transaction.atomic():
            return LedgerEntry.objects.create(
                organisation=organisation,
                kind=Kind.CREDIT_RESERVED,
                amount=-1,
                request_key=request_key,
                actor=actor.user,
            )
    except IntegrityError as error:
        if LedgerEntry.objects.filter(kind=Kind.CREDIT_RESERVED, request_key=request_key).exists():
            raise
        raise NoCreditAvailable from error


def _settle(*, organisation: Organisation, request_key, kind: str, amount: int, actor: Actor, reason: str = ""):
    if not LedgerEntry.objects.filter(
        organisation=organisation, kind=Kind.CREDIT_RESERVED, request_key=request_key
    ).exists():
        raise ValueError("No credit is reserved for this request.")
    try:
        with transaction.atomic():
            return LedgerEntry.objects.create(
                organisation=organisation,
                kind=kind,
                amount=amount,
                request_key=request_key,
                actor=actor.user,
                reason=reason,
            )
    except IntegrityError:
        return None  # settled already (consumed or returned), by this or a concurrent call


def consume_credit(*, organisation: Organisation, request_key, actor: Actor) -> LedgerEntry | None:
    """The reserved credit is spent (the employer confirmed the interview). None when the
    reservation was settled already: a unique constraint allows one settlement per request."""
    return _settle(organisation=organisation, request_key=request_key, kind=Kind.CREDIT_CONSUMED, amount=0, actor=actor)


def return_credit(*, organisation: Organisation, request_key, actor: Actor, reason: str = "") -> LedgerEntry | None:
    """The reserved credit comes back (+1). None when the reservation was settled already."""
    return _settle(
        organisation=organisation,
        request_key=request_key,
        kind=Kind.CREDIT_RETURNED,
        amount=1,
        actor=actor,
        reason=reason,
    )
